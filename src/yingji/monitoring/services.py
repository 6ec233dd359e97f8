"""The alarm lifecycle: acknowledge, handle (with disposal notes), turn into a hidden danger; the
offline detector. Each action checks `rules.refusal` (one table for buttons, API and services),
writes an AlarmEvent and, for acknowledge/handle, closes the acknowledgement deadline.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.monitoring import escalation_actions, notifications, rules
from yingji.monitoring.models import Alarm, AlarmEvent, Device
from yingji.monitoring.rules import AlarmError

__all__ = [
    "AlarmError",
    "acknowledge_alarm",
    "alarm_to_hazard",
    "alarm_to_lead",
    "detect_offline",
    "handle_alarm",
]

OFFLINE_SEVERITY = 2  # losing the data of a major hazard source is a level-2 matter


def _locked(alarm: Alarm, user, action: str) -> Alarm:
    """The alarm re-read under a row lock, after the refusal check on the fresh row."""
    fresh = Alarm.objects.select_for_update().get(pk=alarm.pk)
    error = rules.refusal(fresh, user, action)
    if error is not None:
        raise error
    return fresh


def acknowledge_alarm(alarm: Alarm, *, actor, note: str = "", now: datetime.datetime | None = None) -> Alarm:
    """确认: someone has seen the alarm. Its acknowledgement deadline closes; the state stays
    "cleared" when the value has already returned."""
    now = now or timezone.now()
    with transaction.atomic():
        alarm = _locked(alarm, actor, rules.ACKNOWLEDGE)
        alarm.acknowledged_at = now
        alarm.acknowledged_by = actor
        if alarm.state == "active":
            alarm.state = "acknowledged"
        alarm.save(update_fields=["acknowledged_at", "acknowledged_by", "state", "updated_at"])
        AlarmEvent.objects.create(alarm=alarm, at=now, kind="acknowledged", actor=actor, note=note or "")
        escalation_actions.close_ack_deadline(alarm, actor=actor, now=now)
    return alarm


def handle_alarm(alarm: Alarm, *, actor, disposal: str, now: datetime.datetime | None = None) -> Alarm:
    """处置: the alarm is dealt with, with the disposal notes; it is closed (acknowledged if it was not).

    A handled alarm whose condition persists is not raised again until the value returns and
    crosses the limit anew (the evaluator keeps the condition as in force).
    """
    now = now or timezone.now()
    disposal = (disposal or "").strip()
    if not disposal:
        raise ValidationError({"disposal": _("Describe how the alarm was handled.")})
    with transaction.atomic():
        alarm = _locked(alarm, actor, rules.HANDLE)
        if alarm.acknowledged_at is None:
            alarm.acknowledged_at, alarm.acknowledged_by = now, actor
        alarm.state = "handled"
        alarm.is_open = False
        alarm.handled_at, alarm.handled_by = now, actor
        alarm.disposal = disposal
        alarm.full_clean(exclude=["point", "device", "enterprise", "source", "division", "hazard"])
        alarm.save()
        AlarmEvent.objects.create(alarm=alarm, at=now, kind="handled", actor=actor, note=disposal)
        escalation_actions.close_ack_deadline(alarm, actor=actor, now=now)
    return alarm


def alarm_to_hazard(alarm: Alarm, *, actor, now: datetime.datetime | None = None):
    """One click: report a hidden danger (source "monitoring") from the alarm, linked to it."""
    from yingji.hazards import services as hazard_services
    from yingji.monitoring.models import SEVERITY_LABELS

    now = now or timezone.now()
    with transaction.atomic():
        alarm = _locked(alarm, actor, rules.TO_HAZARD)
        point = alarm.point.name if alarm.point_id else (alarm.rollup_item or "")
        title = _("Monitoring alarm: {condition} {point} ({severity})").format(
            condition=alarm.get_condition_display(),
            point=point,
            severity=SEVERITY_LABELS.get(alarm.severity, ""),
        )
        description = _("Raised {raised_at}; value {value}, threshold {threshold}. {message}").format(
            raised_at=timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M:%S"),
            value="" if alarm.value is None else alarm.value,
            threshold="" if alarm.threshold is None else alarm.threshold,
            message=alarm.message,
        )
        hazard = hazard_services.report_hazard(
            actor=actor,
            title=title[:200],
            source="monitoring",
            enterprise=alarm.enterprise,
            description=description.strip(),
            location=point,
            now=now,
        )
        alarm.hazard = hazard
        alarm.save(update_fields=["hazard", "updated_at"])
        AlarmEvent.objects.create(alarm=alarm, at=now, kind="to_hazard", actor=actor, note=str(hazard.pk))
    return hazard


TO_LEAD = "to_lead"  # an action outside the transition table: an enforcement lead (issue 5)
LEAD_PERMISSION = "monitoring.open_finding"


def lead_refusal(alarm: Alarm, user) -> AlarmError | None:
    """Why `user` may not open an enforcement lead from `alarm` (None: allowed). One lead per alarm."""
    if user is None or not user.is_authenticated or not user.has_perm(LEAD_PERMISSION):
        return AlarmError("forbidden", _("You do not have permission for this action."))
    if not rules.in_scope(alarm, user) or alarm.enterprise_id is None:
        return AlarmError("forbidden", _("You do not have permission for this action."))
    if AlarmEvent.objects.filter(alarm=alarm, kind=TO_LEAD).exists():
        return AlarmError("already_lead", _("An enforcement lead has already been opened for this alarm."))
    return None


def alarm_to_lead(alarm: Alarm, *, actor, now: datetime.datetime | None = None):
    """One click: open an enforcement lead (source "alarm") for the alarm's enterprise, linked to it."""
    import importlib

    from yingji.monitoring.models import SEVERITY_LABELS

    enforcement = importlib.import_module("yingji.inspections.services_enforcement")  # issue 5 (h2)
    now = now or timezone.now()
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        error = lead_refusal(alarm, actor)
        if error is not None:
            raise error
        point = alarm.point.name if alarm.point_id else (alarm.rollup_item or "")
        summary = _(
            "Monitoring alarm: {condition} {point} ({severity}), raised {raised_at}. {message}"
        ).format(
            condition=alarm.get_condition_display(),
            point=point,
            severity=SEVERITY_LABELS.get(alarm.severity, ""),
            raised_at=timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M:%S"),
            message=alarm.message,
        )
        lead = enforcement.open_lead(
            actor=actor, enterprise=alarm.enterprise, source="alarm", summary=summary.strip(), origin=alarm
        )
        AlarmEvent.objects.create(alarm=alarm, at=now, kind=TO_LEAD, actor=actor, note=str(lead.pk))
    return lead


# -- offline ----------------------------------------------------------------------------------------


def offline_devices_due(now: datetime.datetime) -> list[tuple[int, datetime.datetime]]:
    """(device id, last seen) of active devices silent for more than offline_after_periods ×
    sampling_period_s and not yet marked offline."""
    rows = Device.objects.filter(
        is_active=True, offline_since__isnull=True, last_seen_at__isnull=False
    ).values_list("id", "last_seen_at", "sampling_period_s", "offline_after_periods")
    due = []
    for pk, last_seen, period, periods in rows:
        silence = datetime.timedelta(seconds=max(1, period) * max(1, periods))
        if now - last_seen > silence:
            due.append((pk, last_seen))
    return due


def detect_offline(*, now: datetime.datetime | None = None) -> int:
    """Mark silent devices offline and raise one OFFLINE alarm per device (the periodic task).
    Data arriving again clears it (evaluation). Returns the number of devices found offline."""
    now = now or timezone.now()
    due = offline_devices_due(now)
    if not due:
        return 0
    ids = [pk for pk, _seen in due]
    with transaction.atomic():
        devices = {
            d.pk: d for d in Device.objects.select_for_update().filter(pk__in=ids, offline_since__isnull=True)
        }
        already = set(
            Alarm.objects.filter(device_id__in=list(devices), condition="offline", is_open=True).values_list(
                "device_id", flat=True
            )
        )
        Device.objects.filter(pk__in=list(devices)).update(is_online=False, offline_since=now)
        alarms = [
            Alarm(
                device=device,
                enterprise_id=device.enterprise_id,
                source_id=device.source_id,
                division_id=device.division_id,
                condition="offline",
                severity=OFFLINE_SEVERITY,
                raised_at=now,
                message=device.code,
            )
            for pk, device in devices.items()
            if pk not in already
        ]
        Alarm.objects.bulk_create(alarms)
        AlarmEvent.objects.bulk_create(
            AlarmEvent(
                alarm=a, at=now, kind="raised", severity=a.severity, note=str(a.device.last_seen_at or "")
            )
            for a in alarms
        )
        escalation_actions.attach_ack_deadlines(alarms, now=now)
        names = {a.pk: (a.device.name, "") for a in alarms}
        notifications.notify(alarms, now=now, names=names)
    return len(devices)
