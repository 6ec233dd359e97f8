"""Evacuation rosters and transfer rounds (临灾转移): keep the rosters, start a round for a warning,
mark people, close the round, and roll the counts up by village, town and county.

`start_round(warning)` is called at the end of `services.issue`: it does something only when a
`RoundTrigger` matches the warning (type or any, level at least the minimum, its division subtree
overlapping the warning's area), and then writes one `TransferStatus` per active person of the rosters
inside both, in a few bulk statements whatever their number. A round can also be started by hand.
Counts are SQL aggregates grouped by the first 12/9/6 digits of the village code, so a page always
shows the current state without any counter to keep.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import rules_rosters as rules
from yingji.alerts import rules_targeting
from yingji.alerts.models import (
    Evacuee,
    RoundTrigger,
    TransferMark,
    TransferRound,
    TransferStatus,
    Warning,
)
from yingji.core import audit
from yingji.core.divisions import PREFIX_LENGTH
from yingji.core.models import Division
from yingji.core.scoping import import_prefix

EVACUEE_FIELDS = {
    "division", "name", "address", "category", "phone", "custodian_name", "custodian_phone",
    "custodian_user", "shelter", "note", "active",
}  # fmt: skip
TRIGGER_FIELDS = {"division", "event_type", "min_level", "active"}
LIVE_WARNING = ("issued", "updated")


# --- checks ------------------------------------------------------------------------------------------


def _check_scope(actor, division: Division | None, field: str = "division") -> None:
    if actor is None or division is None:
        return
    prefix = import_prefix(actor)
    if prefix is None or not division.code.startswith(prefix):
        raise ValidationError({field: _("This division is outside your jurisdiction.")})


def _check_perm(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied


def _check_village(division: Division | None) -> None:
    if division is not None and division.level != "village":
        raise ValidationError({"division": _("A roster belongs to a village (a 12-digit village code).")})


def _apply(obj, fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


# --- rosters -----------------------------------------------------------------------------------------


@transaction.atomic
def create_evacuee(*, actor, **fields) -> Evacuee:
    _check_perm(actor, "alerts.add_evacuee")
    evacuee = Evacuee()
    _apply(evacuee, fields, EVACUEE_FIELDS)
    evacuee.full_clean()
    _check_village(evacuee.division)
    _check_scope(actor, evacuee.division)
    evacuee.save()
    return evacuee


@transaction.atomic
def update_evacuee(evacuee: Evacuee, *, actor, **fields) -> Evacuee:
    _check_perm(actor, "alerts.change_evacuee")
    evacuee = Evacuee.objects.select_for_update().get(pk=evacuee.pk)
    _check_scope(actor, evacuee.division)
    _apply(evacuee, fields, EVACUEE_FIELDS)
    evacuee.full_clean()
    _check_village(evacuee.division)
    _check_scope(actor, evacuee.division)
    evacuee.save()
    return evacuee


@transaction.atomic
def delete_evacuee(evacuee: Evacuee, *, actor) -> None:
    """A person who was in a round keeps their history: deactivate them instead."""
    _check_perm(actor, "alerts.delete_evacuee")
    _check_scope(actor, evacuee.division)
    if TransferStatus.objects.filter(evacuee=evacuee).exists():
        raise ValidationError(
            {"active": _("This person was part of a transfer round; make them inactive instead.")}
        )
    evacuee.delete()


@transaction.atomic
def save_trigger(trigger: RoundTrigger | None = None, *, actor, **fields) -> RoundTrigger:
    _check_perm(actor, "alerts.change_roundtrigger" if trigger else "alerts.add_roundtrigger")
    if trigger is not None:
        _check_scope(actor, trigger.division)
    trigger = trigger or RoundTrigger()
    _apply(trigger, fields, TRIGGER_FIELDS)
    trigger.full_clean()
    _check_scope(actor, trigger.division)
    trigger.save()
    return trigger


@transaction.atomic
def delete_trigger(trigger: RoundTrigger, *, actor) -> None:
    _check_perm(actor, "alerts.delete_roundtrigger")
    _check_scope(actor, trigger.division)
    trigger.delete()


# --- starting a round --------------------------------------------------------------------------------


def area_prefixes(warning: Warning) -> list[str]:
    """The division-code prefixes the warning's area covers (named divisions, polygons, circles)."""
    from yingji.alerts.services_calls import area_divisions  # the one resolution of an area

    codes = area_divisions(warning)
    levels = dict(Division.objects.filter(code__in=codes).values_list("code", "level"))
    return rules_targeting.minimal_prefixes(rules_targeting.prefix_of(c, levels.get(c)) for c in codes)


def matching_triggers(warning: Warning, prefixes: list[str]) -> list[RoundTrigger]:
    """Active triggers of the warning's type (or any) and level, whose subtree overlaps the area."""
    candidates = RoundTrigger.objects.filter(
        active=True,
        event_type__in=["", warning.event_type],
        min_level__in=rules_targeting.levels_reaching(warning.level),
    ).select_related("division")
    return [
        t
        for t in candidates
        if rules.intersect_prefixes(prefixes, [rules.trigger_prefix(t.division_id, t.division.level)])
    ]


def _prefix_query(prefixes: list[str]) -> Q:
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(division__code__startswith=prefix)
    return query


def _open_round(warning: Warning) -> TransferRound | None:
    return TransferRound.objects.filter(warning=warning, status="open").first()


def _create_round(warning, prefixes, *, actor, trigger, now) -> TransferRound:
    """The round and one pending status per active person inside `prefixes`: a single
    INSERT … SELECT, so 13,460 people cost one statement (portable SQL for SQLite and PostgreSQL)."""
    round_ = TransferRound.objects.create(
        warning=warning, division_id=warning.division_id, trigger=trigger, started_at=now, started_by=actor
    )
    people = (
        Evacuee.objects.filter(_prefix_query(prefixes), active=True)
        .order_by()
        .values_list("id", "division_id")
    )
    select, params = people.query.sql_with_params()
    table = connection.ops.quote_name(TransferStatus._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, evacuee_id, division_id, status) "  # noqa: S608 - no user text
            f"SELECT %s, people.id, people.division_id, %s FROM ({select}) people",
            [round_.pk, "pending", *params],
        )
        round_.people = max(cursor.rowcount, 0)
    round_.save(update_fields=["people"])
    return round_


@transaction.atomic
def start_round(
    warning: Warning, *, actor=None, now: datetime.datetime | None = None
) -> TransferRound | None:
    """The automatic start (called by `services.issue`): a round for the villages where a trigger
    matches, or None when none does. An open round of the warning is returned as it is."""
    now = now or timezone.now()
    if warning.status not in LIVE_WARNING:
        return None
    existing = _open_round(warning)
    if existing is not None:
        return existing
    prefixes = area_prefixes(warning)
    triggers = matching_triggers(warning, prefixes)
    if not triggers:
        return None
    allowed = [rules.trigger_prefix(t.division_id, t.division.level) for t in triggers]
    covered = rules.intersect_prefixes(prefixes, allowed)
    return _create_round(warning, covered, actor=actor, trigger=triggers[0], now=now)


@transaction.atomic
def start_round_by_hand(warning: Warning, *, actor, now: datetime.datetime | None = None) -> TransferRound:
    """A round for every village of the warning's area inside the actor's jurisdiction."""
    now = now or timezone.now()
    _check_perm(actor, "alerts.add_transferround")
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status not in LIVE_WARNING:
        raise ValidationError({"warning": _("Only an issued warning can start a transfer round.")})
    if _open_round(warning) is not None:
        raise ValidationError({"warning": _("This warning already has an open transfer round.")})
    prefix = import_prefix(actor)
    if prefix is None:
        raise PermissionDenied
    covered = rules.intersect_prefixes(area_prefixes(warning), [prefix])
    if not covered:
        raise ValidationError({"warning": _("The warning's area has no village inside your jurisdiction.")})
    return _create_round(warning, covered, actor=actor, trigger=None, now=now)


@transaction.atomic
def close_round(round_: TransferRound, *, actor, now: datetime.datetime | None = None) -> TransferRound:
    now = now or timezone.now()
    _check_perm(actor, "alerts.close_transferround")
    round_ = TransferRound.objects.select_for_update().get(pk=round_.pk)
    _check_scope(actor, round_.division, "round")
    if round_.status != "open":
        raise ValidationError(
            {"status": ValidationError(_("This transfer round is already closed."), code="round_closed")}
        )
    round_.status, round_.closed_at, round_.closed_by = "closed", now, actor
    round_.save()
    return round_


# --- marking -----------------------------------------------------------------------------------------


def may_mark(user, transfer: TransferStatus) -> bool:
    """The person's custodian (their account), or someone who marks for the person's village."""
    if user is None or not user.is_authenticated:
        return False
    if transfer.evacuee.custodian_user_id == user.pk:
        return True
    prefix = import_prefix(user)
    return (
        user.has_perm("alerts.change_transferstatus")
        and prefix is not None
        and transfer.division_id.startswith(prefix)
    )


@transaction.atomic
def mark(
    transfer: TransferStatus,
    *,
    actor,
    status: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> TransferStatus:
    """Mark one person 已转移/拒绝/不在家/已返回; refused once the round is closed."""
    now = now or timezone.now()
    transfer = (
        TransferStatus.objects.select_for_update().select_related("round", "evacuee").get(pk=transfer.pk)
    )
    if not may_mark(actor, transfer):
        raise PermissionDenied
    refusal = rules.mark_refusal(round_status=transfer.round.status, current=transfer.status, new=status)
    if refusal is not None:
        raise ValidationError({refusal.field: ValidationError(str(refusal.reason), code=refusal.code)})
    TransferMark.objects.create(
        transfer=transfer, status=status, previous=transfer.status, marked_at=now, marked_by=actor,
        note=(note or "")[:200],
    )  # fmt: skip
    transfer.status, transfer.marked_at, transfer.marked_by = status, now, actor
    transfer.save(update_fields=["status", "marked_at", "marked_by"])
    return transfer


# --- reading -----------------------------------------------------------------------------------------


def visible_rounds(user) -> QuerySet:
    """Rounds of the user's jurisdiction, and rounds with people in it (a county round for a town)."""
    own = TransferRound.objects.for_user(user).values("pk")
    with_people = TransferStatus.objects.for_user(user).values("round_id")
    return TransferRound.objects.filter(Q(pk__in=own) | Q(pk__in=with_people))


def _count_kwargs() -> dict:
    counts = {state: Count("pk", filter=Q(status=state)) for state in rules.STATES}
    return {**counts, "total": Count("pk")}


def _with_progress(row: dict) -> dict:
    row["safe"] = sum(row[state] for state in rules.SAFE)
    row["percent"] = rules.progress(row)
    return row


def rollup(round_: TransferRound, level: str, *, prefix: str = "") -> list[dict]:
    """Counts per village/town/county of the round (inside `prefix`): one grouped query, names added."""
    length = rules.ROLLUP_LENGTH[level]
    queryset = TransferStatus.objects.filter(round=round_)
    if prefix:
        queryset = queryset.filter(division__code__startswith=prefix)
    rows = list(
        queryset.annotate(key=Substr("division_id", 1, length))
        .values("key")
        .annotate(**_count_kwargs())
        .order_by("key")
    )
    names = dict(
        Division.objects.filter(code__in=[r["key"].ljust(12, "0") for r in rows]).values_list("code", "name")
    )
    for row in rows:
        row["code"] = row["key"].ljust(12, "0")
        row["name"] = names.get(row["code"], row["code"])
        _with_progress(row)
    return rows


def totals(round_: TransferRound, *, prefix: str = "") -> dict:
    queryset = TransferStatus.objects.filter(round=round_)
    if prefix:
        queryset = queryset.filter(division__code__startswith=prefix)
    return _with_progress(queryset.aggregate(**_count_kwargs()))


def rollup_level_below(prefix: str) -> str:
    """The level whose lines a user scoped to `prefix` reads first: towns of a county, etc."""
    for level in ("county", "town", "village"):
        if len(prefix) < PREFIX_LENGTH[level]:
            return level
    return "village"


# --- 叫应: custodians are called for the people they must move ---------------------------------------


def custodian_targets(warning: Warning, prefixes: list[str], codes: list[str]) -> list[dict]:
    """Call targets (tier `custodian`) for the custodians of active people in the area, once per
    custodian and village, only when a trigger matches (the same condition as a round)."""
    triggers = matching_triggers(warning, prefixes)
    if not triggers:
        return []
    allowed = [rules.trigger_prefix(t.division_id, t.division.level) for t in triggers]
    rows = (
        Evacuee.objects.filter(_prefix_query(rules.intersect_prefixes(prefixes, allowed)), active=True)
        .exclude(custodian_phone="")
        .order_by("division_id", "custodian_phone")
        .values_list("division_id", "custodian_name", "custodian_phone", "custodian_user_id")
    )
    seen: set[tuple[str, str]] = set()
    targets = []
    for division_id, name, phone, user_id in rows:
        if (division_id, phone) in seen:
            continue
        seen.add((division_id, phone))
        targets.append(
            {
                "entry_id": None,
                "enterprise_id": None,
                "division_id": division_id,
                "tier": "custodian",
                "name": name[:50],
                "phone": phone,
                "user_id": user_id,
                "channels": ["sms", "voice"],
                "email": "",
                "webhook_url": "",
            }
        )
    return targets


def register() -> None:
    """Audit the rosters and rounds; offer custodians to the call lists (from AlertsConfig.ready)."""
    from yingji.alerts import services_calls

    audit.register(Evacuee, exclude=["updated_at"])
    audit.register(RoundTrigger)
    audit.register(TransferRound)
    services_calls.register_target_source(custodian_targets)
