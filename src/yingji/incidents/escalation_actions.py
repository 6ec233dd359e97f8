"""Incident deadlines on the core escalation ladder (core/escalation).

Reporting duties (1 hour to the next level, 续报) and response assignments are due within minutes,
so they use a ladder of their own, "Incident response (minutes)", whose steps are minutes:
REMIND_BEFORE minutes before the deadline `remind_assignee` (the duty officers of the jurisdiction,
or the assignee), at the deadline `notify_superior` (the bureau). Supervised listings (挂牌督办) and
the 回头看 reviews are due in days and months: they use the division's ladder (ladder_for), whose
remind/notify steps this module also carries out for those records. Like the alarm ladder, this one
has no division, and the shared default ladder is created first so it keeps the lowest id.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.escalation import rules as escalation_rules
from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import EscalationLadder
from yingji.core.escalation.services import Firing
from yingji.incidents import notifications

LADDER_NAME = "Incident response (minutes)"
REMIND_BEFORE = 15
LADDER_STEPS = (
    escalation_rules.Step(-REMIND_BEFORE, "remind_assignee", 1),
    escalation_rules.Step(0, "notify_superior", 2),
)


def minute_ladder() -> EscalationLadder:
    ladder = EscalationLadder.objects.filter(name=LADDER_NAME, division__isnull=True).order_by("pk").first()
    if ladder is None:
        escalation.default_ladder()  # keeps the lowest id among ladders without a division
        ladder = escalation.create_ladder(name=LADDER_NAME, steps=LADDER_STEPS)
    return ladder


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _notify(firing: Firing, incident, what: str, assignee=None) -> str:
    people = notifications.officers_for(incident.division_id, firing.memo)
    if firing.action == "remind_assignee" and assignee is not None:
        people = [assignee]
    subject = _("Incident deadline: {title}").format(title=incident.title)
    text = _("{what} is due at {due}.").format(what=what, due=_when(firing.due_at))
    count = notifications.tell(people, subject, text, now=firing.now, savepoint=False)
    return f"notified {count}"


def handle_duty(firing: Firing) -> str:
    from yingji.incidents.models import ReportDuty

    duty = ReportDuty.objects.select_related("incident").filter(pk=firing.object_id).first()
    if duty is None or duty.done_at is not None:
        return "skipped"
    return _notify(firing, duty.incident, str(duty.get_kind_display()))


def handle_assignment(firing: Firing) -> str:
    from yingji.incidents.models import Assignment

    item = (
        Assignment.objects.select_related("response__incident", "assignee")
        .filter(pk=firing.object_id)
        .first()
    )
    if item is None or item.done_at is not None:
        return "skipped"
    return _notify(firing, item.response.incident, item.task[:100], item.assignee)


def handle_investigation(firing: Firing) -> str:
    from yingji.incidents.models import Investigation

    item = Investigation.objects.select_related("incident").filter(pk=firing.object_id).first()
    if item is None or not item.supervised or item.supervision_closed_at is not None:
        return "skipped"
    return _notify(firing, item.incident, _("The supervised listing"))


def handle_review(firing: Firing) -> str:
    from yingji.incidents.models import ReviewTask

    item = ReviewTask.objects.select_related("investigation__incident").filter(pk=firing.object_id).first()
    if item is None or item.done_at is not None:
        return "skipped"
    return _notify(firing, item.investigation.incident, _("The review of the accident (回头看)"))


def register() -> None:
    """Called from IncidentsConfig.ready()."""
    handlers = {
        "incidents.reportduty": handle_duty,
        "incidents.assignment": handle_assignment,
        "incidents.investigation": handle_investigation,
        "incidents.reviewtask": handle_review,
    }
    for model, handler in handlers.items():
        for action in ("remind_assignee", "notify_superior"):
            escalation.register_action(action, handler, model=model)
