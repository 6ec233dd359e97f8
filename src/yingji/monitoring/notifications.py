"""Who hears about an alarm, through messaging.services.send.

A new alarm (and a rise of its severity) goes to the custodians of its major hazard source that have
a user account and to the duty officers whose jurisdiction covers the alarm's division: in-app
always, SMS as well from orange (severity 3) up. One `send` per alarm whatever the number of
recipients; recipients are looked up once per batch (`memo`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from yingji.accounts.roles import Role
from yingji.hazards.notifications import ancestor_codes, unique_except
from yingji.messaging import services as messaging

log = logging.getLogger(__name__)

INAPP: tuple[str, ...] = ("inapp",)
INAPP_SMS: tuple[str, ...] = ("inapp", "sms")
SMS_FROM_SEVERITY = 3
BUREAU: tuple[str, ...] = (str(Role.BUREAU_STAFF), str(Role.BUREAU_ADMIN))


def channels_for(severity: int) -> tuple[str, ...]:
    return INAPP_SMS if severity >= SMS_FROM_SEVERITY else INAPP


def _memo(memo: dict | None, key: tuple, lookup) -> list:
    if memo is None:
        return lookup()
    if key not in memo:
        memo[key] = lookup()
    return memo[key]


def custodian_users(source_id: int | None, memo: dict | None = None) -> list:
    if source_id is None:
        return []
    return _memo(
        memo,
        ("custodians", source_id),
        lambda: list(
            get_user_model()
            .objects.filter(custodianships__source_id=source_id, is_active=True)
            .distinct()
            .order_by("pk")
        ),
    )


def officers_over(
    division_id: str, roles: Iterable[str] = (str(Role.DUTY_OFFICER),), memo: dict | None = None
) -> list:
    """Active users of `roles` whose jurisdiction covers the division."""
    roles = tuple(roles)

    def lookup() -> list:
        users = (
            get_user_model()
            .objects.filter(role__in=roles, is_active=True, division_id__in=ancestor_codes(division_id))
            .select_related("division")
            .order_by("pk")
        )
        return [u for u in users if u.scope_prefix is not None and division_id.startswith(u.scope_prefix)]

    return _memo(memo, ("officers", division_id, roles), lookup)


def enterprise_users(enterprise_id: int, memo: dict | None = None) -> list:
    return _memo(
        memo,
        ("enterprise", enterprise_id),
        lambda: list(
            get_user_model()
            .objects.filter(enterprise_id=enterprise_id, role=Role.ENTERPRISE_USER, is_active=True)
            .order_by("pk")
        ),
    )


def alarm_url(pk: int) -> str:
    try:
        return reverse("monitoring:alarm_detail", args=[pk])
    except NoReverseMatch:
        return f"/monitoring/alarms/{pk}/"


def _label(label) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


def alarm_context(alarm, *, point_name: str = "", enterprise_name: str = "") -> dict:
    """Plain JSON values (the context is stored with the message)."""
    from yingji.monitoring.models import SEVERITY_LABELS, AlarmCondition

    return {
        "alarm_id": alarm.pk,
        "condition": alarm.condition,
        "condition_label": _label(AlarmCondition(alarm.condition).label),
        "severity": alarm.severity,
        "severity_label": _label(SEVERITY_LABELS.get(alarm.severity, alarm.severity)),
        "value": alarm.value,
        "threshold": alarm.threshold,
        "point": point_name,
        "enterprise": enterprise_name,
        "rollup_item": alarm.rollup_item,
        "message": alarm.message,
        "raised_at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M:%S"),
        "url": alarm_url(alarm.pk),
    }


def recipients_for(alarm, memo: dict | None = None) -> list:
    people = custodian_users(alarm.source_id, memo) + officers_over(alarm.division_id, memo=memo)
    return unique_except(people, None)


def notify(
    alarms: Iterable, *, kind: str = "raised", now=None, names: dict | None = None, memo: dict | None = None
) -> int:
    """Tell the people concerned about each alarm (new, or `kind="severity_up"`). Inside the caller's
    transaction; messages leave after commit. Returns the number of messages queued."""
    memo = {} if memo is None else memo
    names = names or {}
    sent = 0
    for alarm in alarms:
        people = recipients_for(alarm, memo)
        if not people:
            continue
        point_name, enterprise_name = names.get(alarm.pk, ("", ""))
        context = alarm_context(alarm, point_name=point_name, enterprise_name=enterprise_name)
        context["kind"] = kind
        try:
            with transaction.atomic():
                sent += len(
                    messaging.send(people, "alarm_raised", context, channels_for(alarm.severity), now=now)
                )
        except Exception:  # a message must never undo the alarm
            log.exception("could not notify alarm %s", alarm.pk)
    return sent
