"""Who hears about enforcement: the enterprise when an order, a re-inspection opinion or a penalty
decision is issued, and the enterprise plus its officials at each overdue step of an order's ladder.
Sent through messaging.services.send with the general `notice` template, after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.accounts.roles import Role
from yingji.messaging import services as messaging
from yingji.messaging.models import Channel

log = logging.getLogger(__name__)

INAPP: tuple[str, ...] = (str(Channel.INAPP),)
OFFICIALS: tuple[str, ...] = (
    str(Role.BUREAU_STAFF),
    str(Role.BUREAU_ADMIN),
    str(Role.INSPECTOR),
    str(Role.TOWN_OFFICIAL),
)


def enterprise_users(enterprise_id: int) -> list:
    return list(
        get_user_model().objects.filter(
            enterprise_id=enterprise_id, is_active=True, role=Role.ENTERPRISE_USER
        )
    )


def officials_over(division_code: str) -> list:
    codes = {division_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)}
    users = get_user_model().objects.filter(role__in=OFFICIALS, is_active=True, division_id__in=codes)
    return [u for u in users if u.scope_prefix is not None and division_code.startswith(u.scope_prefix)]


def _send(people: list, subject: str, text: str, url: str, *, now=None, savepoint: bool = True) -> int:
    if not people:
        return 0
    context = {"subject": subject, "text": text, "url": url}
    messaging.send(people, "notice", context, INAPP, now=now, savepoint=savepoint)
    return len(people)


def document_issued(document_id: int) -> None:
    """After commit: tell the enterprise a document was issued to it."""
    from yingji.inspections.models_enforcement import EnforcementDocument

    try:
        document = EnforcementDocument.objects.select_related("enterprise").get(pk=document_id)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("{title} {number}").format(title=document.title, number=document.number)
            text = _("{enterprise}: the bureau issued {title} {number}.").format(
                enterprise=document.enterprise.name, title=document.title, number=document.number
            )
        url = reverse("inspections:enforcementdocument_detail", args=[document.pk])
        _send(enterprise_users(document.enterprise_id), subject, text, url)
    except Exception:  # a message must never break the action that caused it
        log.exception("enforcement notification failed for document %s", document_id)


def order_escalated(order, step: str, *, now, assignee_id: int | None) -> int:
    """An escalation step of an overdue order: the enterprise, and from notify_superior on the officials."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rectification order due: {enterprise}").format(enterprise=order.enterprise.name)
        text = _("The rectification order of {enterprise} is due on {deadline} (step: {step}).").format(
            enterprise=order.enterprise.name, deadline=order.deadline.isoformat(), step=step
        )
    people = enterprise_users(order.enterprise_id)
    if step != "remind_assignee":
        people += officials_over(order.division_id)
    if assignee_id is not None:
        people += list(get_user_model().objects.filter(pk=assignee_id, is_active=True))
    unique = list({p.pk: p for p in people}.values())
    url = reverse("inspections:rectificationorder_detail", args=[order.pk])
    return _send(unique, subject, text, url, now=now, savepoint=False)
