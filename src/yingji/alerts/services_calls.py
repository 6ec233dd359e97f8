"""Call and acknowledge (叫应): call lists, targeting, the ladder, acknowledgements, the board.

Timers live in the database: every open call has `next_action_at`. `process_due_calls(now=...)` (every
minute, Huey) claims each due call with a conditional UPDATE on its `step` and does that step's work
in the same transaction, writing one `CallAttempt` row per step (unique on call and step): a worker
that dies mid-pass rolls back what it had not committed, and a step that committed is never repeated.

Messages are queued as messaging `Message`/`Delivery` rows in bulk (one personalised body per call,
with its code and link) and handed to the messaging worker after commit, like `messaging.send` does
— `send` renders one body for all its recipients and costs a few statements per call, which 13,460
personal messages cannot afford within the 2 s target. Call messages are never held for a digest.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import re
import secrets
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingji.alerts import rules, rules_calls, rules_targeting
from yingji.alerts.events import LEVELS
from yingji.alerts.models import (
    Call,
    CallAttempt,
    CallListEntry,
    CallPolicy,
    Tier,
    Warning,
    WarningArea,
)
from yingji.core.models import Division
from yingji.core.scoping import import_prefix
from yingji.messaging.models import Delivery, Message
from yingji.messaging.templates import render
from yingji.registry.models import Enterprise

TEMPLATE = "warning_call"
BATCH = 500
ENTRY_FIELDS = (
    "division", "tier", "name", "phone", "email", "webhook_url", "user", "role", "superior",
    "min_level", "event_type", "channels", "active", "reviewed_at",
)  # fmt: skip

# Extra target sources (evacuation custodians from the rosters): fn(warning, prefixes, codes) → targets.
TargetSource = Callable[[Warning, list[str], list[str]], Iterable[dict]]
TARGET_SOURCES: list[TargetSource] = []


def register_target_source(source: TargetSource) -> None:
    """Add a generator of targets (dicts like `_entry_target`'s) — the hook for evacuation custodians."""
    if source not in TARGET_SOURCES:
        TARGET_SOURCES.append(source)


# --- call lists --------------------------------------------------------------------------------------


def _check_scope(actor, division: Division | None, field: str = "division") -> None:
    if actor is None or division is None:
        return
    prefix = import_prefix(actor)
    if prefix is None or not division.code.startswith(prefix):
        raise ValidationError({field: _("This division is outside your jurisdiction.")})


def _check_superior(entry: CallListEntry) -> None:
    if entry.superior_id is None:
        return
    chain = dict(CallListEntry.objects.filter(superior__isnull=False).values_list("pk", "superior_id"))
    if entry.pk is not None:
        chain[entry.pk] = entry.superior_id
    if rules_calls.superior_loop(entry.pk, entry.superior_id, chain) or entry.superior_id == entry.pk:
        raise ValidationError(
            {
                "superior": _(
                    "This superior would make a loop: the chain of superiors comes back to this person."
                )
            },
            code="superior_loop",
        )


@transaction.atomic
def save_entry(entry: CallListEntry | None = None, *, actor, **fields) -> CallListEntry:
    """Create (entry None) or change a call-list entry; a loop in the superiors is refused."""
    if actor is not None and not actor.has_perm("alerts.change_warning"):
        raise PermissionDenied
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    entry = entry if entry is not None else CallListEntry()
    if entry.pk is not None:
        entry = CallListEntry.objects.select_for_update().get(pk=entry.pk)
        _check_scope(actor, entry.division)
    for name, value in fields.items():
        setattr(entry, name, value)
    try:
        entry.channels = rules_calls.clean_channels(list(entry.channels or rules_calls.DEFAULT_CHANNELS))
    except ValueError as error:
        raise ValidationError({"channels": _("Unknown channels: {names}").format(names=error)}) from None
    entry.full_clean()
    _check_scope(actor, entry.division)
    _check_superior(entry)
    entry.save()
    return entry


@transaction.atomic
def mark_reviewed(entries: Iterable[CallListEntry], *, actor, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    ids = [e.pk for e in entries]
    queryset = CallListEntry.objects.for_user(actor) if actor is not None else CallListEntry.objects.all()
    return queryset.filter(pk__in=ids).update(reviewed_at=today)


def entries_due_for_review(today: datetime.date) -> dict[str, int]:
    """Division code → active entries not reviewed within a year (the annual review)."""
    year_ago = today - datetime.timedelta(days=365)
    rows = (
        CallListEntry.objects.filter(active=True)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=year_ago))
        .values("division_id")
        .annotate(n=Count("pk"))
    )
    return {row["division_id"]: row["n"] for row in rows}


def remind_reviews(*, today: datetime.date | None = None) -> int:
    """Weekly: tell the editors of each division whose call list is over a year old (messaging)."""
    from django.contrib.auth import get_user_model

    from yingji.messaging.services import send

    today = today or timezone.localdate()
    due = entries_due_for_review(today)
    sent = 0
    for code, count in sorted(due.items()):
        county = code[:6].ljust(12, "0")
        users = get_user_model().objects.filter(is_active=True, division_id__in={code, county})
        editors = [user for user in users if user.has_perm("alerts.change_warning")]
        if editors:
            text = _("{count} entries of the call list of {code} have not been reviewed for a year.")
            send(
                editors,
                "notice",
                {"subject": _("Call list review due"), "text": text.format(count=count, code=code)},
            )
            sent += 1
    return sent


# --- policies ----------------------------------------------------------------------------------------


def _default_minutes() -> dict[str, int]:
    return rules_calls.parse_ack_minutes(settings.CALL_ACK_MINUTES)


class PolicyBook:
    """The deadline and redials for a target's division: the nearest `CallPolicy` up the tree (a
    warning type's own before "any type"), else the settings."""

    def __init__(self, event_type: str, level: str):
        self.level = level
        self.default = (_default_minutes()[level], settings.CALL_REDIALS)
        self.by_code: dict[str, tuple[int, int]] = {}
        rows = CallPolicy.objects.filter(level=level, event_type__in=["", event_type]).order_by("-event_type")
        for row in rows:  # specific types first: they win at the same division
            self.by_code.setdefault(row.division_id, (row.ack_minutes, row.redials))

    def for_division(self, code: str) -> tuple[int, int]:
        if not self.by_code:
            return self.default
        for ancestor in [code, *reversed(rules_targeting.ancestor_codes(code, ""))]:
            if ancestor in self.by_code:
                return self.by_code[ancestor]
        return self.default


# --- targeting ---------------------------------------------------------------------------------------


def area_divisions(warning: Warning) -> list[str]:
    """Codes of the divisions the warning's areas cover: named ones and those whose centroid lies in a
    polygon or circle (inside the jurisdiction)."""
    through = WarningArea.divisions.through
    codes = set(through.objects.filter(warningarea__warning=warning).values_list("division_id", flat=True))
    shapes = list(WarningArea.objects.filter(warning=warning).values_list("polygons", "circles"))
    polygons = [p for polys, _circles in shapes for p in polys or []]
    circles = [c for _polys, circs in shapes for c in circs or []]
    if polygons or circles:
        jurisdiction = rules_targeting.prefix_of(warning.division_id, warning.division.level)
        candidates = Division.objects.filter(
            code__startswith=jurisdiction, latitude__isnull=False, longitude__isnull=False
        ).values_list("code", "latitude", "longitude")
        codes |= {
            code
            for code, lat, lon in candidates
            if rules_targeting.inside_shapes(lat, lon, polygons, circles)
        }
    return sorted(codes)


def _prefix_query(prefixes: list[str], ancestors: list[str], field: str = "division") -> Q:
    query = Q(**{f"{field}_id__in": ancestors}) if ancestors else Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(**{f"{field}__code__startswith": prefix})
    return query


def _entry_target(entry: dict) -> dict:
    return {
        "entry_id": entry["pk"],
        "enterprise_id": None,
        "division_id": entry["division_id"],
        "tier": entry["tier"],
        "name": entry["name"],
        "phone": entry["phone"],
        "user_id": entry["user_id"],
        "channels": entry["channels"] or rules_calls.DEFAULT_CHANNELS,
        "email": entry["email"],
        "webhook_url": entry["webhook_url"],
    }


ENTRY_VALUES = (
    "pk", "division_id", "tier", "name", "phone", "user_id", "channels", "email", "webhook_url", "role",
    "superior_id",
)  # fmt: skip


def resolve_targets(warning: Warning) -> list[dict]:
    """The people a warning reaches (set-based: one query per source, whatever their number)."""
    codes = area_divisions(warning)
    if not codes:
        return []
    levels = dict(Division.objects.filter(code__in=codes).values_list("code", "level"))
    prefixes = rules_targeting.minimal_prefixes(rules_targeting.prefix_of(c, levels.get(c)) for c in codes)
    jurisdiction = rules_targeting.prefix_of(warning.division_id, warning.division.level)
    ancestors = sorted({a for c in codes for a in rules_targeting.ancestor_codes(c, jurisdiction)})
    entries = list(
        CallListEntry.objects.filter(
            _prefix_query(prefixes, ancestors),
            active=True,
            min_level__in=rules_targeting.levels_reaching(warning.level),
            event_type__in=["", warning.event_type],
        )
        .order_by("division_id", "tier", "role", "pk")
        .values(*ENTRY_VALUES)
    )
    first, _backups = rules_targeting.primary_entries(entries)
    targets = [_entry_target(entry) for entry in first]
    if rules_targeting.meets(warning.level, rules_targeting.ENTERPRISE_MIN_LEVEL):
        targets += _enterprise_targets(prefixes)
    for source in TARGET_SOURCES:
        targets += list(source(warning, prefixes, codes))
    return targets


def _enterprise_targets(prefixes: list[str]) -> list[dict]:
    rows = (
        Enterprise.objects.filter(_prefix_query(prefixes, []), status="operating")
        .exclude(main_person_phone="")
        .values_list("pk", "division_id", "main_person", "main_person_phone")
    )
    return [
        {
            "entry_id": None,
            "enterprise_id": pk,
            "division_id": division_id,
            "tier": "enterprise",
            "name": (person or "-")[:50],
            "phone": phone,
            "user_id": None,
            "channels": ["sms", "voice"],
            "email": "",
            "webhook_url": "",
        }
        for pk, division_id, person, phone in rows
    ]


# --- messages ----------------------------------------------------------------------------------------


def ack_url(token: str) -> str:
    try:
        return reverse("alerts:call_ack_link", args=[token])
    except NoReverseMatch:
        return f"/alerts/ack/{token}/"


MARKERS = {"code": "\x00C\x00", "url": "\x00U\x00", "deadline": "\x00D\x00", "for_name": "\x00N\x00"}


class Bodies:
    """One rendering per action; each call's body is the rendering with its own code, link and names
    (string replacement: no template rendering, URL reversing or lazy translation per person)."""

    def __init__(self, warning: Warning):
        self.warning = warning
        self.cache: dict[str, tuple[str, str]] = {}
        self.clocks: dict[datetime.datetime, str] = {}
        self.url = ack_url("TOKEN0PLACEHOLDER")
        with translation.override(settings.LANGUAGE_CODE):
            self.tiers = {value: str(label) for value, label in Tier.choices}

    def _template(self, action: str) -> tuple[str, str]:
        if action not in self.cache:
            w = self.warning
            context = {
                "action": action,
                "level_label": str(LEVELS[w.level][0]),
                "headline": w.headline,
                "description": w.description[:500],
                "instruction": w.instruction[:300],
                "for_tier": "\x00T\x00",
                "division": "\x00V\x00",
                **MARKERS,
            }
            self.cache[action] = render(TEMPLATE, context)
        return self.cache[action]

    def _clock(self, moment: datetime.datetime) -> str:
        if moment not in self.clocks:
            self.clocks[moment] = timezone.localtime(moment).strftime("%H:%M")
        return self.clocks[moment]

    def for_call(self, call, action: str, root=None) -> tuple[str, str]:
        subject, body = self._template(action)
        about = root or call
        values = {
            MARKERS["code"]: call.code,
            MARKERS["url"]: self.url.replace("TOKEN0PLACEHOLDER", call.token),
            MARKERS["deadline"]: self._clock(call.deadline_at),
            MARKERS["for_name"]: about.name,
            "\x00T\x00": self.tiers.get(about.tier, about.tier),
            "\x00V\x00": about.division_id,
        }
        for marker, value in values.items():
            subject, body = subject.replace(marker, value), body.replace(marker, value)
        return subject[:200], body


def _delivery_addresses(call, email: str, webhook: str, users: dict) -> list[tuple[str, str]]:
    """(channel, address) of each of the call's channels, in order; a channel without address is left
    out (voice without a gateway, in-app without an account)."""
    rows = []
    for channel in call.channels or rules_calls.DEFAULT_CHANNELS:
        if channel == "inapp" and call.user_id:
            rows.append(("inapp", ""))
        elif channel == "sms" and call.phone:
            rows.append(("sms", call.phone))
        elif channel == "voice" and call.phone and settings.CALL_VOICE_URL:
            separator = "&" if "?" in settings.CALL_VOICE_URL else "?"
            rows.append(("webhook", settings.CALL_VOICE_URL + separator + urlencode({"to": call.phone})))
        elif channel == "email" and (email or users.get(call.user_id)):
            rows.append(("email", email or users[call.user_id]))
        elif channel == "webhook" and webhook:
            rows.append(("webhook", webhook))
    return rows


def insert_rows(model, fields: list[str], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """Multi-row INSERTs (… RETURNING id when asked), for the 13,460-person first round: the ORM's
    bulk_create spends most of its time preparing values one by one. Values must be adapted already
    (`_db_time`, `_db_channels`). RETURNING keeps the VALUES order on SQLite and PostgreSQL, as Django's own
    bulk_create relies on."""
    if not rows:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(1000, 30000 // len(fields)))
    suffix = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    if connection.vendor == "postgresql":
        return _insert_unnest(meta, fields, rows, returning)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning:  # one statement run many times: no giant SQL text to build and parse
            cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {one}", rows)
            return ids
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = ", ".join([one] * len(chunk))
            cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}{suffix}",
                           [value for row in chunk for value in row])  # fmt: skip
            ids += [row[0] for row in cursor.fetchall()]
    return ids


def _insert_unnest(meta, fields: list[str], rows: list[tuple], returning: bool) -> list[int]:
    """PostgreSQL: one array parameter per column, `INSERT … SELECT FROM unnest(…) WITH ORDINALITY`
    in order: a short statement whatever the number of rows. The arrays travel in binary (`%b`): in text
    psycopg escapes every element with a regular expression, which cost more than the insert itself. A
    column of NULLs only goes as text (binary needs an element to know its type)."""
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    columns = ", ".join(quote(field.column) for field in model_fields)
    names = ", ".join(f"v{i}" for i in range(len(fields)))
    casts = ", ".join(
        f"v{i}::jsonb" if field.get_internal_type() == "JSONField" else f"v{i}"
        for i, field in enumerate(model_fields)
    )
    types = ["text" if f.get_internal_type() == "JSONField" else f.db_type(connection) for f in model_fields]
    suffix = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    import psycopg

    connection.ensure_connection()
    ids: list[int] = []
    # A server-side binding cursor on Django's own connection (same transaction): the arrays travel
    # as parameters instead of being quoted into the SQL text element by element.
    with psycopg.Cursor(connection.connection) as cursor:
        for start in range(0, len(rows), 5000):
            arrays = [list(column) for column in zip(*rows[start : start + 5000], strict=True)]
            placeholders = ", ".join(
                f"%{'b' if any(value is not None for value in array) else 's'}::{kind}[]"
                for array, kind in zip(arrays, types, strict=True)
            )
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {casts} FROM unnest({placeholders}) "
                f"WITH ORDINALITY AS u({names}, ord) ORDER BY ord{suffix}"
            )
            cursor.execute(sql, arrays)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


@functools.lru_cache(maxsize=256)
def _db_time(value):
    """A datetime as the backend stores it (memoised: a round has a handful of distinct times)."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


@functools.lru_cache(maxsize=256)
def _db_channels(channels: tuple[str, ...]) -> str:
    """A channel list as JSON text (both backends cast text into their JSON columns)."""
    return json.dumps(list(channels))


def _tokens(count: int) -> list[str]:
    """`count` link tokens of 18 random bytes (24 URL-safe characters) from one read of the OS source."""
    blob = secrets.token_bytes(18 * count)
    return [base64.urlsafe_b64encode(blob[i : i + 18]).decode() for i in range(0, 18 * count, 18)]


MESSAGE_FIELDS = ["recipient", "template", "subject", "body", "context", "created_at"]
DELIVERY_FIELDS = [
    "message",
    "channel",
    "address",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "error_kind",
]


def _queue_messages(items: list[tuple], warning: Warning, now) -> dict[int, int]:
    """Queue one message per (call, action, root, email, webhook) with a delivery per channel, handed to
    the messaging worker after commit; returns call pk → message pk."""
    if not items:
        return {}
    bodies = Bodies(warning)
    user_ids = {call.user_id for call, *_rest in items if call.user_id}
    from django.contrib.auth import get_user_model

    users = (
        dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "email")) if user_ids else {}
    )
    at = _db_time(now)
    rows = []
    for call, action, root, _email, _webhook in items:
        subject, body = bodies.for_call(call, action, root)
        context = json.dumps({"warning": warning.pk, "call": call.pk, "action": action})
        rows.append((call.user_id, TEMPLATE, subject, body, context, at))
    message_ids = insert_rows(Message, MESSAGE_FIELDS, rows, returning=True)
    deliveries = [
        (message_id, channel, address, "queued", 0, at, "", "")
        for (call, _action, _root, email, webhook), message_id in zip(items, message_ids, strict=True)
        for channel, address in _delivery_addresses(call, email, webhook, users)
    ]
    insert_rows(Delivery, DELIVERY_FIELDS, deliveries)
    transaction.on_commit(lambda: _enqueue(message_ids))
    return {call.pk: message_id for (call, *_rest), message_id in zip(items, message_ids, strict=True)}


def _enqueue(message_ids: list[int]) -> None:
    from yingji.messaging.services import _enqueue as enqueue_messages

    enqueue_messages(message_ids)


# --- starting the calls of a warning -----------------------------------------------------------------


def _new_codes(warning: Warning, count: int) -> list[str]:
    taken = set(Call.objects.filter(warning=warning).values_list("code", flat=True))
    pool = secrets.SystemRandom().sample(range(1_000_000), count + len(taken))
    return [f"{n:06d}" for n in pool if f"{n:06d}" not in taken][:count]


def _target_key(target: dict) -> tuple:
    return _call_key(target["entry_id"], target["enterprise_id"], target["tier"], target["phone"])


def _call_key(entry_id, enterprise_id, tier: str, phone: str) -> tuple:
    """Who a root call is for: its list entry, its enterprise, else (generated targets) tier + phone."""
    if entry_id is not None or enterprise_id is not None:
        return (entry_id, enterprise_id)
    return (tier, phone)


CALL_FIELDS = [
    "warning", "parent", "kind", "entry", "enterprise", "division", "tier", "name", "phone", "user", "channels",
    "code", "token", "status", "step", "ack_minutes", "redials", "called_at", "deadline_at", "next_action_at",
    "acknowledged_at", "ack_method", "ack_recorded_by", "on_site", "deployed", "evacuated", "support_needed",
]  # fmt: skip


def _new_call(
    warning: Warning, target: dict, code: str, token: str, book: PolicyBook, now
) -> SimpleNamespace:
    """A root call as plain attributes (model instances cost too much at 13,460 a round)."""
    minutes, redials = book.for_division(target["division_id"])
    return SimpleNamespace(
        pk=None, warning_id=warning.pk, parent_id=None, kind="target", entry_id=target["entry_id"],
        enterprise_id=target["enterprise_id"], division_id=target["division_id"], tier=target["tier"],
        name=target["name"][:50], phone=target["phone"][:20], user_id=target["user_id"],
        channels=list(target["channels"]), code=code, token=token, status="calling", step=1,
        ack_minutes=minutes, redials=redials, called_at=now,
        deadline_at=now + datetime.timedelta(minutes=minutes),
        next_action_at=rules_calls.due_at(1, called_at=now, ack_minutes=minutes, redials=redials),
    )  # fmt: skip


def _call_row(call: SimpleNamespace) -> tuple:
    return (
        call.warning_id, None, call.kind, call.entry_id, call.enterprise_id, call.division_id, call.tier, call.name,
        call.phone, call.user_id, _db_channels(tuple(call.channels)), call.code, call.token, call.status, call.step,
        call.ack_minutes, call.redials, _db_time(call.called_at), _db_time(call.deadline_at),
        _db_time(call.next_action_at), None, "", None, False, False, None, "",
    )  # fmt: skip


def start_calls(warning: Warning, *, now: datetime.datetime | None = None) -> int:
    """Call every target of a live warning not called yet (idempotent: an Update that widens the area
    or raises the level calls the new targets only). Returns the number of new root calls."""
    now = now or timezone.now()
    with transaction.atomic():
        warning = Warning.objects.select_related("division").get(pk=warning.pk)
        if warning.status not in rules.LIVE:
            return 0
        targets = resolve_targets(warning)
        roots = Call.objects.filter(warning=warning, parent__isnull=True)
        called = {_call_key(*row) for row in roots.values_list("entry_id", "enterprise_id", "tier", "phone")}
        targets = [t for t in targets if _target_key(t) not in called]
        if not targets:
            return 0
        book = PolicyBook(warning.event_type, warning.level)
        codes = _new_codes(warning, len(targets))
        tokens = _tokens(len(targets))
        calls = [
            _new_call(warning, target, code, token, book, now)
            for target, code, token in zip(targets, codes, tokens, strict=True)
        ]
        ids = insert_rows(Call, CALL_FIELDS, [_call_row(call) for call in calls], returning=True)
        for call, pk in zip(calls, ids, strict=True):
            call.pk = pk
        items = [(c, "call", None, t["email"], t["webhook_url"]) for c, t in zip(calls, targets, strict=True)]
        messages = _queue_messages(items, warning, now)
        at = _db_time(now)
        insert_rows(
            CallAttempt,
            ["call", "step", "action", "at", "channels", "message", "note"],
            [(c.pk, 0, "call", at, _db_channels(tuple(c.channels)), messages[c.pk], "") for c in calls],
        )
    return len(calls)


# --- the ladder --------------------------------------------------------------------------------------


def _claim(call: Call, now: datetime.datetime) -> bool:
    """Take step `call.step` of this call for this worker: conditional on the step and status it had."""
    action = rules_calls.action_of(call.step, call.redials)
    following = rules_calls.due_at(
        call.step + 1, called_at=call.called_at, ack_minutes=call.ack_minutes, redials=call.redials
    )
    return (
        Call.objects.filter(pk=call.pk, step=call.step, status="calling", next_action_at__lte=now).update(
            step=call.step + 1,
            next_action_at=following,
            status="unreachable" if action == rules_calls.FINAL_ACTION else "calling",
        )
        == 1
    )


def _backups_for(call: Call) -> list[CallListEntry]:
    if call.entry_id is None:
        return []
    return list(
        CallListEntry.objects.filter(
            division_id=call.division_id, tier=call.tier, role="B", active=True
        ).exclude(pk=call.entry_id)
    )


def _child_call(root: Call, entry: CallListEntry, kind: str, code: str, now) -> Call:
    return Call.objects.create(
        warning_id=root.warning_id,
        parent=root,
        kind=kind,
        entry=entry,
        division_id=entry.division_id,
        tier=entry.tier,
        name=entry.name,
        phone=entry.phone,
        user_id=entry.user_id,
        channels=entry.channels or rules_calls.DEFAULT_CHANNELS,
        code=code,
        token=secrets.token_urlsafe(18),
        status="calling",
        step=0,
        ack_minutes=root.ack_minutes,
        redials=0,
        called_at=now,
        deadline_at=now + datetime.timedelta(minutes=root.ack_minutes),
        next_action_at=None,
    )


def _run_step(call: Call, step: int, action: str, warning: Warning, now, queue: list) -> None:
    """Do one claimed step: queue the messages and write the attempt row."""
    note, channels = "", list(call.channels)
    if action in ("call", "redial"):
        queue.append(
            (
                call,
                action,
                None,
                call.entry.email if call.entry else "",
                call.entry.webhook_url if call.entry else "",
            )
        )
    elif action in ("backup", "superior"):
        people = (
            _backups_for(call)
            if action == "backup"
            else ([call.entry.superior] if call.entry and call.entry.superior else [])
        )
        people = [p for p in people if p.active]
        if not people:
            note = "none"
            Call.objects.filter(pk=call.pk, step=step + 1).update(next_action_at=now)  # next step at once
        codes = _new_codes(warning, len(people)) if people else []
        for person, code in zip(people, codes, strict=True):
            child = _child_call(call, person, action, code, now)
            queue.append((child, action, call, person.email, person.webhook_url))
        note = note or ", ".join(p.name for p in people)
        channels = []
    elif action == rules_calls.FINAL_ACTION:
        Call.objects.filter(parent=call, status="calling").update(status="unreachable")
        note = "unreachable"
        channels = []
    CallAttempt.objects.create(
        call=call, step=step, action=action, at=now, channels=channels, note=note[:300]
    )


def process_due_calls(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Run every due ladder step once (loops until nothing is due at `now`). Returns steps run."""
    now = now or timezone.now()
    stop_closed_warnings(now=now)
    done = 0
    while True:
        due = list(
            Call.objects.filter(status="calling", parent__isnull=True, next_action_at__lte=now)
            .select_related("warning", "entry", "entry__superior")
            .order_by("next_action_at", "pk")[:batch]
        )
        if not due:
            return done
        done += _process_batch(due, now)


def _process_batch(due: list[Call], now) -> int:
    """One transaction: claim each call (conditional UPDATE), do its step, queue its messages."""
    ran = 0
    with transaction.atomic():
        queues: dict[int, tuple[Warning, list]] = {}
        for call in due:
            step, action = call.step, rules_calls.action_of(call.step, call.redials)
            if action is None or not _claim(call, now):
                continue
            warning, queue = queues.setdefault(call.warning_id, (call.warning, []))
            _run_step(call, step, action, warning, now, queue)
            ran += 1
        for warning, queue in queues.values():
            messages = _queue_messages(queue, warning, now)
            roots = [item[0] for item in queue if item[0].parent_id is None]
            for call in roots:
                CallAttempt.objects.filter(call=call, step=call.step, message__isnull=True).update(
                    message_id=messages[call.pk]
                )
    return ran


def stop_closed_warnings(*, now: datetime.datetime) -> int:
    """Calls of a warning cancelled or expired stop: nothing more is sent for it."""
    return (
        Call.objects.filter(status="calling")
        .exclude(warning__status__in=rules.LIVE)
        .update(status="stopped", next_action_at=None)
    )


# --- acknowledgements --------------------------------------------------------------------------------

CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits


def _acknowledge(call: Call, method: str, *, person_matches: bool, now, actor=None, feedback=None) -> Call:
    """Take an acknowledgement of `call` (locked); the root call is answered, its children stop."""
    feedback = feedback or {}
    evacuated = rules_calls.clean_feedback(feedback.get("evacuated"))
    call = Call.objects.select_for_update().select_related("warning").get(pk=call.pk)
    root = Call.objects.select_for_update().get(pk=call.parent_id) if call.parent_id else call
    refusal = rules_calls.ack_refusal(
        warning_live=call.warning.status in rules.LIVE,
        call_status=call.status,
        root_status=root.status,
        person_matches=person_matches,
    )
    if refusal is not None:
        raise refusal
    fields = {
        "acknowledged_at": now,
        "ack_recorded_by": actor if actor is not None and actor.is_authenticated else None,
        "on_site": bool(feedback.get("on_site")),
        "deployed": bool(feedback.get("deployed")),
        "evacuated": evacuated,
        "support_needed": str(feedback.get("support_needed") or "")[:2000],
        "next_action_at": None,
    }
    for name, value in fields.items():
        setattr(call, name, value)
    call.status, call.ack_method = "acknowledged", method
    call.save()
    if root.pk != call.pk:
        root_method = "superior" if call.kind == "superior" else "backup"
        for name, value in fields.items():
            setattr(root, name, value)
        root.status = "confirmed" if call.kind == "superior" else "acknowledged"
        root.ack_method = root_method
        root.save()
    Call.objects.filter(parent=root, status__in=("calling", "unreachable")).exclude(pk=call.pk).update(
        status="stopped"
    )
    return root


def _fast_acknowledge(column: str, value, method: str, now, feedback: dict | None) -> Call | None:
    """The common case in one conditional UPDATE ... RETURNING, outside any transaction (the 1,000/s
    path): an open root call of a live warning that has no B role or superior called yet, found by
    `column` ("token" or "id"). Plain SQL because compiling the ORM's SELECT + UPDATE cost more than
    running them. None: take the full path (which also explains a refusal)."""
    feedback = feedback or {}
    evacuated = rules_calls.clean_feedback(feedback.get("evacuated"))
    open_marks = ", ".join(["%s"] * len(rules_calls.OPEN))
    live_marks = ", ".join(["%s"] * len(rules.LIVE))
    sql = (
        f"UPDATE {Call._meta.db_table} SET status = 'acknowledged', ack_method = %s, acknowledged_at = %s, "  # noqa: S608
        "next_action_at = NULL, on_site = %s, deployed = %s, evacuated = %s, support_needed = %s "
        f"WHERE {column} = %s AND parent_id IS NULL AND status IN ({open_marks}) AND step <= redials + 1 "
        f"AND warning_id IN (SELECT id FROM {Warning._meta.db_table} WHERE status IN ({live_marks})) "
        "RETURNING id"
    )
    params = [
        method,
        connection.ops.adapt_datetimefield_value(now),
        bool(feedback.get("on_site")),
        bool(feedback.get("deployed")),
        evacuated,
        str(feedback.get("support_needed") or "")[:2000],
        value,
        *rules_calls.OPEN,
        *rules.LIVE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Call(pk=row[0], status="acknowledged", ack_method=method, acknowledged_at=now)


def acknowledge_link(token: str, *, now=None, feedback=None) -> Call:
    """The personal link (no login): the token is the proof of person."""
    now = now or timezone.now()
    fast = _fast_acknowledge("token", token, "link", now, feedback)
    if fast is not None:
        return fast
    with transaction.atomic():
        call = Call.objects.filter(token=token).first()
        if call is None:
            raise rules_calls.AckError(
                "unknown_code", _("This acknowledgement link is not valid."), status=404
            )
        return _acknowledge(call, "link", person_matches=True, now=now, feedback=feedback)


def acknowledge_sms(phone: str, text: str, *, now=None) -> Call:
    """An SMS reply posted by the gateway: the 6-digit code must be the sender's own, of a live call."""
    now = now or timezone.now()
    match = CODE_RE.search(text or "")
    if match is None:
        raise rules_calls.AckError("unknown_code", _("The reply holds no 6-digit code."), "text")
    code, sender = match.group(1), _digits(phone)
    if not sender:
        raise rules_calls.AckError("invalid_data", _("The sender's phone number is missing."), "phone")
    with transaction.atomic():
        candidates = list(Call.objects.filter(code=code).order_by("-called_at", "-pk")[:50])
        if not candidates:
            raise rules_calls.AckError("unknown_code", _("No call has this code."))
        own = [c for c in candidates if _digits(c.phone) == sender]
        if not own:
            raise rules_calls.AckError(
                "wrong_person", _("This code was issued to another person."), status=403
            )
        open_calls = [c for c in own if c.status == "calling"] or own
        fast = _fast_acknowledge("id", open_calls[0].pk, "sms", now, None)
        if fast is not None:
            return fast
        return _acknowledge(open_calls[0], "sms", person_matches=True, now=now)


def acknowledge_sms_batch(replies: list[tuple[str, str]], *, now=None) -> list[dict]:
    """Several SMS replies as a gateway delivers them (one HTTP request), set-based: one SELECT of the
    calls their codes name and one conditional UPDATE for the common case (an open target call, the
    sender's own code); any other reply goes through `acknowledge_sms` on its own, which takes it or
    says why not. The answer lists, in order, `{"status", "call"}` or `{"code", "message"}` per reply."""
    now = now or timezone.now()
    parsed = []
    for phone, text in replies:
        match = CODE_RE.search(text or "")
        parsed.append((match.group(1) if match else None, _digits(phone)))
    rows = (
        Call.objects.filter(code__in={code for code, _sender in parsed if code})
        .values("pk", "code", "phone", "status", "parent_id", "step", "redials", "warning__status")
        .order_by("-called_at", "-pk")
    )
    by_code: dict[str, list[dict]] = {}
    for row in rows:
        by_code.setdefault(row["code"], []).append(row)
    chosen: dict[int, int] = {}  # reply index → call pk, for the fast path
    picked: set[int] = set()
    for index, (code, sender) in enumerate(parsed):
        own = [r for r in by_code.get(code or "", []) if sender and _digits(r["phone"]) == sender]
        row = next((r for r in own if r["status"] == "calling"), None)
        if row is None or row["parent_id"] is not None or row["warning__status"] not in rules.LIVE:
            continue
        if row["step"] <= row["redials"] + 1 and row["pk"] not in picked:
            chosen[index] = row["pk"]
            picked.add(row["pk"])
    if chosen:
        Call.objects.filter(
            pk__in=chosen.values(),
            status="calling",
            step__lte=F("redials") + 1,
            warning__status__in=rules.LIVE,
        ).update(status="acknowledged", ack_method="sms", acknowledged_at=now, next_action_at=None)
        taken = set(
            Call.objects.filter(
                pk__in=chosen.values(), status="acknowledged", ack_method="sms", acknowledged_at=now
            ).values_list("pk", flat=True)
        )
    else:
        taken = set()
    results: list[dict] = []
    for index, (phone, text) in enumerate(replies):
        if chosen.get(index) in taken:
            results.append({"status": "acknowledged", "call": chosen[index]})
            continue
        try:
            root = acknowledge_sms(phone, text, now=now)
        except rules_calls.AckError as error:
            results.append({"code": error.code, "message": str(error.message)})
        else:
            results.append({"status": root.status, "call": root.pk})
    return results


def acknowledge_button(call: Call, *, actor, now=None, feedback=None) -> Call:
    """The called person's own button (logged in)."""
    now = now or timezone.now()
    with transaction.atomic():
        return _acknowledge(
            call, "button", person_matches=call.user_id == actor.pk, now=now, actor=actor, feedback=feedback
        )


def record_phone_answer(call: Call, *, actor, now=None, feedback=None) -> Call:
    """A duty officer records that the person answered the phone (or the superior confirmed)."""
    now = now or timezone.now()
    if not actor.has_perm("alerts.issue_warning"):
        raise PermissionDenied
    if not Warning.objects.for_user(actor).filter(pk=call.warning_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        return _acknowledge(call, "phone", person_matches=True, now=now, actor=actor, feedback=feedback)


# --- the board ---------------------------------------------------------------------------------------


def board(warning: Warning, *, now: datetime.datetime | None = None, prefix: str = "") -> dict:
    """Counts of the root calls (two GROUP BY queries, whatever their number): per tier, and per
    division one level below `prefix` (the towns of the whole warning; the villages of one town)."""
    now = now or timezone.now()
    roots = Call.objects.filter(warning=warning, parent__isnull=True)
    if prefix:
        roots = roots.filter(division__code__startswith=prefix)
    late = Q(status__in=rules_calls.DONE, acknowledged_at__gt=F("deadline_at")) | Q(
        status__in=rules_calls.OPEN, deadline_at__lt=now
    )
    aggregates = {
        "called": Count("pk"),
        "acknowledged": Count("pk", filter=Q(status__in=rules_calls.DONE)),
        "late": Count("pk", filter=late),
        "unreachable": Count("pk", filter=Q(status="unreachable")),
        "first_ack": Min("acknowledged_at"),
        "last_ack": Max("acknowledged_at"),
    }
    by_tier = list(roots.values("tier").annotate(**aggregates).order_by("tier"))
    length = rules_targeting.group_length(prefix)
    by_division = list(
        roots.annotate(unit=Substr("division_id", 1, length))
        .values("unit")
        .annotate(**aggregates)
        .order_by("unit")
    )
    codes = [row["unit"].ljust(12, "0") for row in by_division]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    for row in by_division:
        row["division_id"] = row["unit"].ljust(12, "0")
        row["division__name"] = names.get(row["division_id"], row["division_id"])
    total = {
        key: sum(row[key] for row in by_tier) for key in ("called", "acknowledged", "late", "unreachable")
    }
    firsts = [row["first_ack"] for row in by_tier if row["first_ack"]]
    lasts = [row["last_ack"] for row in by_tier if row["last_ack"]]
    total["first_ack"], total["last_ack"] = min(firsts, default=None), max(lasts, default=None)
    return {"total": total, "by_tier": by_tier, "by_division": by_division, "now": now, "prefix": prefix}
