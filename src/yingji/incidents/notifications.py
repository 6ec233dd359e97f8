"""Who hears about incidents: the duty officers and bureau of the incident's jurisdiction. Messages go
through messaging.services.send (the general "notice" template) after the transaction commits."""

from __future__ import annotations

from yingji.messaging import services as messaging
from yingji.monitoring.notifications import officers_over

BUREAU_ROLES = ("duty_officer", "bureau_staff", "bureau_admin")


def officers_for(division_id: str, memo: dict | None = None) -> list:
    return officers_over(division_id, BUREAU_ROLES, memo)


def tell(recipients, subject: str, text: str, *, now=None, savepoint: bool = True) -> int:
    """Queue a notice to these users (delivered after commit by messaging); returns how many."""
    people = [p for p in dict.fromkeys(recipients) if p is not None]
    if people:
        messaging.send(people, "notice", {"subject": subject, "text": text}, now=now, savepoint=savepoint)
    return len(people)
