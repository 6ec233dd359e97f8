"""Who hears about what happens to a hidden danger, through messaging.services.send.

`event_happened(event_id)` runs after the transaction of each HazardEvent commits. `RULES` is the one
table: event action → (who, message template, channels). The in-app inbox always; SMS as well when the
hazard is major. The person who acted is never told about their own action.

The recipient helpers are shared with the escalation handlers (`escalation_actions.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from yingji.accounts.roles import Role
from yingji.core import divisions
from yingji.hazards.models import Grade, Hazard, HazardEvent, Status
from yingji.hazards.rules import Action
from yingji.messaging import services as messaging
from yingji.messaging.models import Channel

log = logging.getLogger(__name__)

BUREAU: tuple[str, ...] = (str(Role.BUREAU_STAFF), str(Role.BUREAU_ADMIN))
TOWN: tuple[str, ...] = (str(Role.TOWN_OFFICIAL),)
OFFICIALS = BUREAU + TOWN

INAPP: tuple[str, ...] = (str(Channel.INAPP),)
INAPP_SMS: tuple[str, ...] = (str(Channel.INAPP), str(Channel.SMS))


# -- recipients -------------------------------------------------------------------------------------


def ancestor_codes(code: str) -> list[str]:
    """The division itself and every division above it, by the shape of the code (no query)."""
    return sorted({code[:length].ljust(12, "0") for length in divisions.PREFIX_LENGTH.values()})


def officials_over(hazard: Hazard, roles: Sequence[str] = OFFICIALS) -> list:
    """Active users of `roles` whose jurisdiction (scope_prefix) covers the hazard's division."""
    code = hazard.division_id
    users = (
        get_user_model()
        .objects.filter(role__in=roles, is_active=True, division_id__in=ancestor_codes(code))
        .select_related("division")
        .order_by("pk")
    )
    return [u for u in users if u.scope_prefix is not None and code.startswith(u.scope_prefix)]


def enterprise_users(hazard: Hazard) -> list:
    if not hazard.enterprise_id:
        return []
    return list(
        get_user_model()
        .objects.filter(enterprise_id=hazard.enterprise_id, role=Role.ENTERPRISE_USER, is_active=True)
        .order_by("pk")
    )


def _user(user_id: int | None) -> list:
    if user_id is None:
        return []
    return list(get_user_model().objects.filter(pk=user_id, is_active=True))


def _reported(hazard: Hazard, event: HazardEvent) -> list:
    return officials_over(hazard) if hazard.grade == Grade.MAJOR else []


def _rectifier(hazard: Hazard, event: HazardEvent) -> list:
    return _user(hazard.rectified_by_id)


def _submitted(hazard: Hazard, event: HazardEvent) -> list:
    people = enterprise_users(hazard)
    if hazard.grade == Grade.MAJOR:
        people += officials_over(hazard)
    return people


def _verified(hazard: Hazard, event: HazardEvent) -> list:
    if event.to_status == Status.VERIFIED:  # supervised: the authority signs off next
        return officials_over(hazard)
    return _closed(hazard, event)


def _closed(hazard: Hazard, event: HazardEvent) -> list:
    return _user(hazard.reported_by_id) + enterprise_users(hazard)


def _enterprise(hazard: Hazard, event: HazardEvent) -> list:
    return enterprise_users(hazard)


def _enterprise_and_towns(hazard: Hazard, event: HazardEvent) -> list:
    return enterprise_users(hazard) + officials_over(hazard, TOWN)


def _deciders(hazard: Hazard, event: HazardEvent) -> list:
    return officials_over(hazard)


def _requester(hazard: Hazard, event: HazardEvent) -> list:
    request = (
        HazardEvent.objects.filter(hazard=hazard, action=Action.REQUEST_EXTENSION, pk__lt=event.pk)
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    return _user(request)


Recipients = Callable[[Hazard, HazardEvent], list]


@dataclass(frozen=True)
class Rule:
    recipients: Recipients
    template: str
    channels: tuple[str, ...] = INAPP  # for a general hidden danger
    major_channels: tuple[str, ...] = INAPP_SMS  # for a major one


RULES: dict[str, Rule] = {
    "report": Rule(_reported, "hazard_reported"),  # only a major hazard is announced
    Action.CONFIRM: Rule(_enterprise, "hazard_confirmed"),
    Action.REJECT: Rule(_rectifier, "hazard_rejected"),
    Action.SUBMIT: Rule(_submitted, "hazard_submitted"),
    Action.VERIFY: Rule(_verified, "hazard_verified"),
    Action.LIST: Rule(_enterprise_and_towns, "hazard_listed"),
    Action.SIGN_OFF: Rule(_closed, "hazard_closed"),
    Action.REQUEST_EXTENSION: Rule(_deciders, "hazard_extension_requested"),
    "approve_extension": Rule(_requester, "hazard_extension_decided"),
    "reject_extension": Rule(_requester, "hazard_extension_decided"),
}


def channels_for(rule: Rule, hazard: Hazard) -> tuple[str, ...]:
    return rule.major_channels if hazard.grade == Grade.MAJOR else rule.channels


def unique_except(people: Iterable, actor_id: int | None) -> list:
    """Each person once, in order, without the actor."""
    seen: set[int] = set()
    result = []
    for person in people:
        if person.pk == actor_id or person.pk in seen:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def hazard_context(hazard: Hazard) -> dict:
    """What every hazard message can say (plain JSON values: the context is stored with the message)."""
    return {
        "hazard_id": hazard.pk,
        "title": hazard.title,
        "enterprise": hazard.enterprise.name if hazard.enterprise_id else "",
        "major": hazard.grade == Grade.MAJOR,
        "status": _label(Status(hazard.status).label),
        "status_code": hazard.status,
        "due_at": _when(hazard.due_at),
        "url": hazard_url(hazard.pk),
    }


def _label(label) -> str:
    """A label in the language messages are written in (see messaging.templates.render)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


def _when(value) -> str:
    """A deadline as "YYYY-MM-DD HH:MM" in local time (a datetime, or the ISO text stored in event data)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is None:
            return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def hazard_url(pk: int) -> str:
    try:
        return reverse("hazards:hazard_detail", args=[pk])
    except NoReverseMatch:
        return f"/hazards/{pk}/"


# -- the hook ---------------------------------------------------------------------------------------


def event_happened(event_id: int) -> None:
    """Notify the people concerned by one HazardEvent (after its transaction committed)."""
    event = (
        HazardEvent.objects.select_related("hazard", "hazard__enterprise", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    rule = RULES.get(event.action)
    if rule is None:
        return
    hazard = event.hazard
    people = unique_except(rule.recipients(hazard, event), event.actor_id)
    if not people:
        return
    context = hazard_context(hazard)
    context.update(
        {
            "action": event.action,
            "note": event.note,
            "actor": str(event.actor) if event.actor_id else "",
            # the extension's new deadline, or the supervision deadline of a listing
            "new_due_at": _when((event.data or {}).get("new_due_at") or (event.data or {}).get("due_at")),
            "unit": (event.data or {}).get("unit") or "",
            "approved": event.action == "approve_extension",
        }
    )
    try:
        with transaction.atomic():
            messaging.send(people, rule.template, context, channels_for(rule, hazard))
    except Exception:  # a message must never undo or break the action that was taken
        log.exception("could not notify hazard event %s", event_id)
