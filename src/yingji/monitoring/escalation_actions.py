"""Alarm acknowledgement deadlines on the core escalation ladder (core/escalation).

Each new open alarm gets a `Deadline` due `ack_minutes(severity)` after it was raised
(`YINGJI_ALARM_ACK_MINUTES`, e.g. "4:5,3:10,2:15,1:30"), on a ladder of its own, "Alarm
acknowledgement", whose steps are in minutes:

- at the deadline, `remind_assignee`: the enterprise's people (the source's custodians with an
  account and the enterprise users) are told the alarm is still unacknowledged;
- BUREAU_AFTER_MINUTES later, `notify_superior`: the bureau (staff, admins and duty officers whose
  jurisdiction covers the alarm) is told.

A rise in severity before the ladder started brings the deadline forward when the new severity
asks for a sooner acknowledgement. Acknowledging (or handling) closes the deadline; a handler also skips an alarm that is no longer
open and unacknowledged. The ladder has no division so `ladder_for()` never picks it for other
records; the shared default ladder is created first so it keeps the lowest id (`default_ladder()`
takes the first ladder without a division).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from yingji.core.escalation import rules as escalation_rules
from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline, EscalationLadder
from yingji.core.escalation.services import Firing
from yingji.messaging import services as messaging
from yingji.monitoring import notifications
from yingji.monitoring import rules as alarm_rules
from yingji.monitoring.models import Alarm, AlarmEvent

LADDER_NAME = "Alarm acknowledgement"
BUREAU_AFTER_MINUTES = 10
LADDER_STEPS = (
    escalation_rules.Step(0, "remind_assignee", 1),
    escalation_rules.Step(BUREAU_AFTER_MINUTES, "notify_superior", 2),
)
TEMPLATE = "alarm_escalation"


def ack_table() -> dict[int, int]:
    return alarm_rules.parse_ack_minutes(getattr(settings, "ALARM_ACK_MINUTES", "4:5,3:10,2:15,1:30"))


def alarm_ladder() -> EscalationLadder:
    ladder = EscalationLadder.objects.filter(name=LADDER_NAME, division__isnull=True).order_by("pk").first()
    if ladder is None:
        escalation.default_ladder()  # keeps the lowest id among ladders without a division
        ladder = escalation.create_ladder(name=LADDER_NAME, steps=LADDER_STEPS)
    return ladder


def attach_ack_deadlines(alarms: Iterable[Alarm], *, now: datetime.datetime) -> int:
    """One Deadline per alarm, in one insert (the evaluation's hot path; no audit row per alarm)."""
    table = ack_table()
    alarms = [a for a in alarms if alarm_rules.ack_minutes(table, a.severity) is not None]
    if not alarms:
        return 0
    ladder = alarm_ladder()
    _ids, steps = escalation._Ladders().get(ladder.pk)
    content_type = ContentType.objects.get_for_model(Alarm)
    rows = []
    for alarm in alarms:
        minutes = alarm_rules.ack_minutes(table, alarm.severity) or 0
        due_at = max(alarm.raised_at, now) + datetime.timedelta(minutes=minutes)
        rows.append(
            Deadline(
                content_type=content_type,
                object_id=str(alarm.pk),
                due_at=due_at,
                ladder=ladder,
                next_step_index=0,
                next_step_at=escalation_rules.next_step_at(steps, due_at, 0),
            )
        )
    Deadline.objects.bulk_create(rows)
    return len(rows)


def hasten_ack_deadlines(risen: Iterable[tuple[int, int, datetime.datetime]]) -> int:
    """After severity rises (alarm id, new severity, when): an unacknowledged alarm whose ladder has
    not started yet becomes due as its new severity requires, if that is sooner."""
    table = ack_table()
    wanted = {}
    for pk, severity, at in risen:
        minutes = alarm_rules.ack_minutes(table, severity)
        if minutes is not None:
            wanted[str(pk)] = at + datetime.timedelta(minutes=minutes)
    if not wanted:
        return 0
    content_type = ContentType.objects.get_for_model(Alarm)
    deadlines = Deadline.objects.filter(
        content_type=content_type, object_id__in=list(wanted), state="open", next_step_index=0
    )
    changed = []
    steps_of: dict[int, list] = {}
    for deadline in deadlines:
        due_at = wanted[deadline.object_id]
        if due_at >= deadline.due_at:
            continue
        if deadline.ladder_id not in steps_of:
            steps_of[deadline.ladder_id] = escalation._Ladders().get(deadline.ladder_id)[1]
        deadline.due_at = due_at
        deadline.next_step_at = escalation_rules.next_step_at(steps_of[deadline.ladder_id], due_at, 0)
        changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_at", "next_step_at"])
    return len(changed)


def close_ack_deadline(alarm: Alarm, *, actor, now: datetime.datetime) -> None:
    if Deadline.objects.for_object(alarm).open().exists():
        escalation.close_deadline(alarm, actor=actor, now=now)


# -- the ladder's steps -----------------------------------------------------------------------------


def _memo(firing: Firing, key: tuple, lookup) -> list:
    key = ("monitoring", *key)
    if key not in firing.memo:
        firing.memo[key] = lookup()
    return firing.memo[key]


def _enterprise_people(alarm: Alarm, firing: Firing) -> list:
    return notifications.custodian_users(alarm.source_id, firing.memo) + notifications.enterprise_users(
        alarm.enterprise_id, firing.memo
    )


def _bureau(alarm: Alarm, firing: Firing) -> list:
    roles = (*notifications.BUREAU, "duty_officer")
    return notifications.officers_over(alarm.division_id, roles, firing.memo)


STEPS = {"remind_assignee": _enterprise_people, "notify_superior": _bureau}


def handle(firing: Firing) -> str:
    """Carry out one fired step for an alarm; returns the outcome recorded on the escalation event."""
    recipients = STEPS.get(firing.action)
    if recipients is None:
        return "recorded"
    alarm = Alarm.objects.select_related("enterprise", "point").filter(pk=firing.object_id).first()
    if alarm is None:
        return "skipped: no such alarm"
    if not alarm.is_open or alarm.acknowledged_at is not None:
        return f"skipped: {alarm.state}"
    AlarmEvent.objects.create(
        alarm=alarm, at=firing.now, kind="escalated", severity=alarm.severity, note=firing.action
    )
    people = notifications.unique_except(recipients(alarm, firing), None)
    if people:
        context = notifications.alarm_context(
            alarm,
            point_name=alarm.point.name if alarm.point_id else "",
            enterprise_name=alarm.enterprise.name,
        )
        context["step"] = firing.action
        context["due_at"] = notifications.timezone.localtime(firing.due_at).strftime("%Y-%m-%d %H:%M")
        messaging.send(
            people,
            TEMPLATE,
            context,
            notifications.channels_for(alarm.severity),
            now=firing.now,
            savepoint=False,
        )
    return f"notified {len(people)}"


def register() -> None:
    """Called from MonitoringConfig.ready(): the ladder's actions for alarms."""
    for action in STEPS:
        escalation.register_action(action, handle, model=Alarm)
