"""Warning use cases: draft, approve, issue, update, cancel, expire, and CAP import.

Every change is atomic and checked against `rules` (one transition table); a CAP message that cannot
be taken is refused with every problem and nothing written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import capio, rules, services_calls, services_rosters
from yingji.alerts.cap import circle_problems, polygon_problems
from yingji.alerts.capio import CapError
from yingji.alerts.models import CapMessage, Warning, WarningArea
from yingji.core import audit
from yingji.core.models import Division
from yingji.core.scoping import import_prefix

DRAFT_FIELDS = {
    "source", "event_type", "event", "level", "severity", "urgency", "certainty", "category", "language",
    "headline", "description", "instruction", "sender_name", "web", "effective", "onset", "expires",
    "cap_scope", "cap_status", "division",
}  # fmt: skip


# --- checks ------------------------------------------------------------------------------------------


def _check_scope(actor, division: Division, field: str = "division") -> None:
    if actor is None:
        return
    prefix = import_prefix(actor)
    if prefix is None or not division.code.startswith(prefix):
        raise ValidationError({field: _("This division is outside your jurisdiction.")})


def _check(warning: Warning, actor, action: str, now: datetime.datetime) -> None:
    refusal = rules.refusal(warning, actor, action, now=now)
    if refusal is None:
        return
    if refusal.code == "forbidden":
        raise PermissionDenied(refusal.reason)
    raise ValidationError({refusal.field: str(refusal.reason)}, code=refusal.code)


def _clean_areas(areas: Iterable[dict]) -> list[tuple[dict, list[Division]]]:
    """Validate drawn areas: {"area_desc", "division_codes", "polygons", "circles"}."""
    cleaned, problems = [], []
    for number, area in enumerate(areas, start=1):
        desc = (area.get("area_desc") or "").strip()
        if not desc:
            problems.append(_("area {n}: a description is required").format(n=number))
        codes = [str(code) for code in area.get("division_codes") or []]
        divisions = list(Division.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {d.code for d in divisions})
        if unknown:
            problems.append(
                _("area {n}: unknown division codes {codes}").format(n=number, codes=", ".join(unknown))
            )
        for polygon in area.get("polygons") or []:
            text = " ".join(f"{lat},{lon}" for lat, lon in polygon)
            problems += [_("area {n}: {problem}").format(n=number, problem=p) for p in polygon_problems(text)]
        for circle in area.get("circles") or []:
            text = f"{circle[0]},{circle[1]} {circle[2]}" if len(circle) == 3 else ""
            problems += [_("area {n}: {problem}").format(n=number, problem=p) for p in circle_problems(text)]
        cleaned.append((area, divisions))
    if problems:
        raise ValidationError({"areas": problems})
    return cleaned


def _save_areas(warning: Warning, cleaned: list[tuple[dict, list[Division]]]) -> None:
    warning.areas.all().delete()
    for area, divisions in cleaned:
        row = WarningArea.objects.create(
            warning=warning,
            area_desc=area["area_desc"].strip(),
            geocodes=list(area.get("geocodes") or []),
            polygons=[
                [list(map(float, point)) for point in polygon] for polygon in area.get("polygons") or []
            ],
            circles=[list(map(float, circle)) for circle in area.get("circles") or []],
            altitude=area.get("altitude"),
            ceiling=area.get("ceiling"),
        )
        row.divisions.set(divisions)


# --- drafting and the state machine ------------------------------------------------------------------


@transaction.atomic
def create_draft(*, actor, areas: Iterable[dict] = (), **fields) -> Warning:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    warning = Warning(status="draft", source=fields.pop("source", "internal"), drafted_by=actor, **fields)
    if warning.severity == "Unknown" and warning.level:
        warning.severity = capio.LEVEL_TO_SEVERITY.get(warning.level, "Unknown")
    warning.full_clean(exclude=["division"] if warning.division_id is None else None)
    if warning.division_id is None:
        raise ValidationError({"division": _("The jurisdiction is required.")})
    _check_scope(actor, warning.division)
    cleaned = _clean_areas(areas)
    warning.save()
    _save_areas(warning, cleaned)
    return warning


@transaction.atomic
def update_draft(
    warning: Warning, *, actor, areas: Iterable[dict] | None = None, now=None, **fields
) -> Warning:
    now = now or timezone.now()
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check(warning, actor, rules.Action.EDIT, now)
    _apply_fields(warning, actor, fields)
    cleaned = _clean_areas(areas) if areas is not None else None
    warning.approved_by, warning.approved_at = None, None
    warning.save()
    if cleaned is not None:
        _save_areas(warning, cleaned)
    return warning


def _apply_fields(warning: Warning, actor, fields: dict) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(warning, name, value)
    warning.full_clean()
    _check_scope(actor, warning.division)


@transaction.atomic
def approve(warning: Warning, *, actor, now=None) -> Warning:
    now = now or timezone.now()
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check(warning, actor, rules.Action.APPROVE, now)
    _check_scope(actor, warning.division)
    warning.status = "approved"
    warning.approved_by, warning.approved_at = actor, now
    warning.save()
    return warning


def _chain_references(warning: Warning) -> str:
    return " ".join(
        f"{m.sender},{m.identifier},{capio.format_time(m.sent)}"
        for m in warning.messages.order_by("sent", "id")
    )


def _send(warning: Warning, msg_type: str, now: datetime.datetime) -> CapMessage:
    """Give the warning a new CAP identity (GB/T 35965.1 shapes) and keep the message produced."""
    warning.sender = capio.sender_code(warning.division_id)  # we send under our own sender code
    warning.references_text = _chain_references(warning) if msg_type != "Alert" else ""
    warning.sent = now.replace(microsecond=0)
    sender = warning.sender
    warning.identifier = capio.identifier_for(
        sender,
        warning.sent,
        lambda candidate: CapMessage.objects.filter(sender=sender, identifier=candidate).exists(),
    )
    warning.msg_type = msg_type
    warning.save()
    xml = capio.export_cap(warning).decode()
    warning.original_xml = xml
    warning.save(update_fields=["original_xml"])
    return CapMessage.objects.create(
        warning=warning,
        direction="out",
        identifier=warning.identifier,
        sender=warning.sender,
        sent=warning.sent,
        msg_type=msg_type,
        cap_status=warning.cap_status,
        references_text=warning.references_text,
        xml=xml,
    )


@transaction.atomic
def issue(warning: Warning, *, actor, now=None) -> Warning:
    now = now or timezone.now()
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check(warning, actor, rules.Action.ISSUE, now)
    _check_scope(actor, warning.division)
    if warning.status == "draft":  # blue/yellow: the drafter's own approval
        warning.approved_by, warning.approved_at = actor, now
    warning.status = "issued"
    warning.issued_at = now
    _send(warning, "Alert", now)
    services_calls.start_calls(warning, now=now)  # 叫应: targets and first-round messages, same transaction
    services_rosters.start_round(warning, actor=actor, now=now)  # 临灾转移 when a trigger matches
    return warning


@transaction.atomic
def update_warning(
    warning: Warning, *, actor, areas: Iterable[dict] | None = None, now=None, **fields
) -> Warning:
    """A new Update message referencing every earlier message of the warning, fields replaced."""
    now = now or timezone.now()
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check(warning, actor, rules.Action.UPDATE, now)
    _apply_fields(warning, actor, fields)
    if rules.is_expired(warning.expires, now):
        raise ValidationError({"expires": _("The warning has already expired; change its expiry first.")})
    cleaned = _clean_areas(areas) if areas is not None else None
    warning.status = "updated"
    if cleaned is not None:
        _save_areas(warning, cleaned)
    _send(warning, "Update", now)
    services_calls.start_calls(warning, now=now)  # 叫应: new targets only (wider area, higher level)
    return warning


@transaction.atomic
def cancel(warning: Warning, *, actor, now=None) -> Warning:
    """Cancel; a warning already issued gets a Cancel message referencing its chain."""
    now = now or timezone.now()
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check(warning, actor, rules.Action.CANCEL, now)
    _check_scope(actor, warning.division)
    was_issued = warning.status in rules.LIVE
    warning.status = "cancelled"
    warning.closed_at = now
    if was_issued:
        _send(warning, "Cancel", now)
    else:
        warning.save()
    return warning


def expire_due(*, now=None) -> int:
    """Live warnings whose `expires` has passed become expired (periodic; idempotent)."""
    now = now or timezone.now()
    count = 0
    for warning in Warning.objects.filter(status__in=rules.LIVE, expires__lte=now).only("pk"):
        with transaction.atomic():
            locked = Warning.objects.select_for_update().get(pk=warning.pk)
            if rules.next_status(locked.status, rules.Action.EXPIRE) and rules.is_expired(
                locked.expires, now
            ):
                locked.status = "expired"
                locked.closed_at = now
                locked.save()
                count += 1
    return count


# --- CAP import --------------------------------------------------------------------------------------


def _lenient_polygons(area: capio.Area, notes: list[str]) -> None:
    """Keep what lenient mode can use: close an open polygon, drop one with fewer than three points."""
    kept = []
    for polygon in area.polygons:
        if len(polygon) >= 3 and polygon[0] != polygon[-1]:
            polygon = polygon + [polygon[0]]
            notes.append(_("{area}: an open polygon was closed").format(area=area.area_desc))
        if len(polygon) >= 4:
            kept.append(polygon)
        else:
            notes.append(
                _("{area}: a polygon with fewer than three points was dropped").format(area=area.area_desc)
            )
    area.polygons = kept
    area.circles = [c for c in area.circles if c[2] >= 0 and -90 <= c[0] <= 90 and -180 <= c[1] <= 180]


def _ancestors(division: Division) -> list[str]:
    codes = []
    node: Division | None = division
    while node is not None:
        codes.append(node.code)
        node = node.parent
    return codes


def _jurisdiction(message: capio.Message, known: list[Division], actor) -> Division:
    """A county issuing body's division (the sender code's first six digits, GB/T 35965.1) when it holds
    every known area; else the deepest division holding them all (a city's or province's message lands
    on the county it concerns, where people see it); else the sender's division; else the importer's."""
    by_sender = None
    if message.sender[:6].isdigit():
        by_sender = Division.objects.filter(code=message.sender[:6].ljust(12, "0")).first()
        holds_all = by_sender is not None and all(d.code.startswith(by_sender.prefix) for d in known)
        if by_sender is not None and holds_all and by_sender.level == "county":
            return by_sender
    if known:
        chains = [_ancestors(division) for division in known]
        common = next((code for code in chains[0] if all(code in chain for chain in chains[1:])), None)
        if common:
            return Division.objects.get(code=common)
    if by_sender is not None:
        return by_sender
    if actor is not None and getattr(actor, "division", None) is not None:
        return actor.division
    raise CapError(
        "unknown_division",
        _("No known division in the message's areas or sender; the warning has no jurisdiction."),
        {"area": [_("Add a geocode with a division code (GB/T 2260).")]},
    )


def _fill_from_info(warning: Warning, message: capio.Message) -> list[tuple[capio.Area, list[Division]]]:
    info = message.main_info
    assert info is not None
    others = message.other_infos
    warning.level, _origin = capio.level_of(info, others)
    warning.source = capio.source_of(info)
    warning.event_type = capio.event_type_of(info)
    warning.event = info.event[:200]
    warning.severity, warning.urgency, warning.certainty = info.severity, info.urgency, info.certainty
    warning.category = info.categories[0] if info.categories else "Other"
    warning.language = info.language
    warning.headline = (info.headline or info.event)[:300]
    warning.description, warning.instruction = info.description, info.instruction
    warning.sender_name, warning.web = info.sender_name[:200], info.web[:200]
    warning.effective, warning.onset, warning.expires = info.effective, info.onset, info.expires
    warning.other_infos = [other.as_other() for other in others]
    codes = {code for area in info.areas for code in area.division_codes()}
    divisions = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [(area, [divisions[c] for c in area.division_codes() if c in divisions]) for area in info.areas]


def _store_areas(warning: Warning, areas: list[tuple[capio.Area, list[Division]]]) -> None:
    warning.areas.all().delete()
    for area, divisions in areas:
        row = WarningArea.objects.create(
            warning=warning,
            area_desc=area.area_desc[:500] or "-",
            geocodes=area.geocodes,
            polygons=area.polygons,
            circles=area.circles,
            altitude=area.altitude,
            ceiling=area.ceiling,
        )
        row.divisions.set(divisions)


def _set_identity(warning: Warning, message: capio.Message, xml: str) -> None:
    warning.identifier, warning.sender, warning.sent = message.identifier, message.sender, message.sent
    warning.msg_type, warning.cap_status, warning.cap_scope = message.msg_type, message.status, message.scope
    warning.references_text = message.references_text
    warning.original_xml = xml


def _referenced_warnings(message: capio.Message) -> list[Warning]:
    """The warnings the message's references name (sender + identifier; `sent` within tolerance)."""
    found: dict[int, Warning] = {}
    for reference in message.references:
        earlier = (
            CapMessage.objects.select_related("warning")
            .filter(sender=reference.sender, identifier=reference.identifier)
            .first()
        )
        if earlier is not None and capio.sent_matches(earlier.sent, reference.sent):
            found[earlier.warning_id] = earlier.warning
    if not found:
        raise CapError(
            "unknown_reference",
            _("The {msg_type} refers to no alert known here.").format(msg_type=message.msg_type),
            {"references": [_("Unknown: {value}").format(value=message.references_text or "—")]},
        )
    return sorted(found.values(), key=lambda w: (w.sent or w.created_at, w.pk))


def _record_message(warning: Warning, message: capio.Message, xml: str, problems: list[str]) -> None:
    CapMessage.objects.create(
        warning=warning,
        direction="in",
        identifier=message.identifier,
        sender=message.sender,
        sent=message.sent,
        msg_type=message.msg_type,
        cap_status=message.status,
        references_text=message.references_text,
        xml=xml,
        problems=problems,
    )


def _import_alert(message, xml, problems, actor, now) -> Warning:
    warning = Warning(drafted_by=actor)
    areas = _fill_from_info(warning, message)
    warning.division = _jurisdiction(message, [d for _area, ds in areas for d in ds], actor)
    _check_scope_import(actor, warning.division)
    _set_identity(warning, message, xml)
    warning.import_problems = problems
    if message.status == "Draft":
        warning.status = "draft"
    else:
        warning.status = "expired" if rules.is_expired(warning.expires, now) else "issued"
        warning.issued_at = message.sent
    _full_clean(warning)
    warning.save()
    _store_areas(warning, areas)
    _respond_to_import(warning, message, actor, now)
    return warning


def _respond_to_import(warning: Warning, message, actor, now) -> None:
    """A live, real (CAP status Actual) warning from a feeding system is answered like one issued here:
    叫应 for its targets and a transfer round when a trigger matches. Tests and exercises call nobody."""
    if warning.status not in ("issued", "updated") or message.status != "Actual":
        return
    services_calls.start_calls(warning, now=now)
    if warning.status == "issued":
        services_rosters.start_round(warning, actor=actor, now=now)


def _import_update(message, xml, problems, actor, now) -> Warning:
    warning = _referenced_warnings(message)[-1]
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    _check_scope_import(actor, warning.division)
    if rules.next_status(warning.status, rules.Action.UPDATE) is None and warning.status != "expired":
        raise CapError(
            "invalid_state",
            _("The referenced warning is {status}; it cannot be updated.").format(status=warning.status),
            {"references": [message.references_text]},
        )
    areas = _fill_from_info(warning, message)
    _set_identity(warning, message, xml)
    warning.import_problems = problems
    warning.status = "expired" if rules.is_expired(warning.expires, now) else "updated"
    _full_clean(warning)
    warning.save()
    _store_areas(warning, areas)
    _respond_to_import(warning, message, actor, now)
    return warning


def _import_cancel(message, xml, problems, actor, now) -> Warning:
    targets = [Warning.objects.select_for_update().get(pk=w.pk) for w in _referenced_warnings(message)]
    for warning in targets:
        _check_scope_import(actor, warning.division)
    for warning in targets:
        _set_identity(warning, message, xml)
        warning.import_problems = problems
        warning.status = "cancelled"
        warning.closed_at = now
        warning.save()
    return targets[-1]


def _check_scope_import(actor, division: Division) -> None:
    prefix = import_prefix(actor)
    if prefix is None or not division.code.startswith(prefix):
        raise CapError(
            "out_of_scope",
            _("The warning's area is outside your jurisdiction."),
            {"area": [_("{division} is outside your jurisdiction.").format(division=division.name)]},
        )


def _full_clean(warning: Warning) -> None:
    try:
        warning.full_clean()
    except ValidationError as error:
        raise CapError(
            "invalid_data",
            _("The message's values do not fit a warning."),
            {name: [str(m) for m in messages] for name, messages in error.message_dict.items()},
        ) from None


IMPORTERS = {"Alert": _import_alert, "Update": _import_update, "Cancel": _import_cancel}


def import_cap(xml_bytes: bytes, *, actor=None, lenient: bool = False, now=None) -> Warning:
    """Take a CAP 1.2 message: a new warning (Alert), or a change to the one it references (Update,
    Cancel). Strict by default: any schema or rule problem refuses it. With `lenient`, a readable
    message is taken and its problems are kept on the warning. The same (sender, identifier) twice
    returns the warning without changing it. Raises CapError; writes nothing then."""
    now = now or timezone.now()
    if actor is not None and not actor.has_perm("alerts.import_warning"):
        raise PermissionDenied
    message = capio.read(xml_bytes)
    if message.problems and not lenient:
        raise CapError(
            "invalid_cap",
            _("The message is not valid CAP 1.2 ({count} problems).").format(count=len(message.problems)),
            {"xml": [str(problem) for problem in message.problems]},
        )
    problems = [str(problem) for problem in message.problems]
    if lenient:
        for info in message.infos:
            for area in info.areas:
                _lenient_polygons(area, problems)
    existing = CapMessage.objects.filter(sender=message.sender, identifier=message.identifier).first()
    if existing is not None:
        return existing.warning
    xml = xml_bytes.decode("utf-8", errors="replace")
    try:
        return _import_message(message, xml, problems, actor, now)
    except IntegrityError:  # the same message arrived twice at once: the other import took it
        existing = CapMessage.objects.filter(sender=message.sender, identifier=message.identifier).first()
        if existing is None:
            raise
        return existing.warning


def _import_message(message: capio.Message, xml: str, problems: list[str], actor, now) -> Warning:
    with transaction.atomic():
        warning = IMPORTERS[message.msg_type](message, xml, problems, actor, now)
        _record_message(warning, message, xml, problems)
        audit.record(
            "import",
            warning,
            user=actor,
            note=f"CAP {message.msg_type} {message.sender},{message.identifier}"
            + (" (lenient)" if problems else ""),
        )
    return warning
