"""Online supervision (非现场执法): one function per action.

Roll-calls: `start_roll_call` picks the pool in one query, writes the targets in one bulk insert and
queues the messages with two `messaging.send` calls (in-app to the enterprises' accounts, SMS to their
duty phones) — a few statements whatever the number of enterprises; the reply code is one per
roll-call, the sender's phone says which enterprise answers. An answer is one conditional UPDATE
(`status = 'pending'`), so answers arriving together are all recorded and a repeated one keeps the
first time; closing (manual, or `close_due_roll_calls` every minute once `closes_at` has passed)
turns the pending targets into "no answer" in the same transaction. Video checks and dust check-ins
are plain records; `compute_dust_day` (idempotent) writes each window's result for a day. Any bad
result becomes a hazard or an enforcement lead with `open_finding`.
"""

from __future__ import annotations

import datetime
import importlib
import re
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts.services_calls import insert_rows  # multi-row INSERTs (SQLite/PostgreSQL)
from yingji.core.divisions import subtree_prefix
from yingji.core.models import Division
from yingji.core.scoping import import_prefix
from yingji.core.uploads import validate_image
from yingji.monitoring import rules_supervision as rules
from yingji.monitoring.models import (
    DustCheckin,
    DustDayResult,
    DustSchedule,
    RollCall,
    RollCallTarget,
    VideoCheck,
    VideoScreenshot,
)
from yingji.registry.models import Enterprise

FUTURE_SLACK = datetime.timedelta(minutes=2)  # clocks of phones are a little off


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A field error with a stable code (`error.error_dict[field][0].code`)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied


def digits(phone: str) -> str:
    """A phone number as its last 11 digits (a "+86"/"86" prefix dropped)."""
    value = re.sub(r"\D", "", phone or "")
    return value[-11:] if len(value) > 11 and value.startswith("86") else value


# --- roll-calls ----------------------------------------------------------------------------------------


def _pool_division(actor, code: str) -> Division:
    division = Division.objects.filter(code=code).first() if code else actor.division
    if division is None:
        raise invalid("division", _("Unknown division."), "invalid")
    prefix = import_prefix(actor)
    if prefix is None or not division.code.startswith(prefix):
        raise invalid("division", _("This division is outside your jurisdiction."), "scope")
    return division


def pool_queryset(actor, division: Division, industries: list[str], flags: list[str]):
    """The operating enterprises of the pool, read through the actor's scope."""
    prefix = subtree_prefix(division.code, division.level)
    queryset = Enterprise.objects.for_user(actor).filter(
        status="operating", division__code__startswith=prefix
    )
    if industries:
        query = Q()
        for code in industries:
            query |= Q(industry__startswith=rules.industry_prefix(code))
        queryset = queryset.filter(query)
    if flags:
        query = Q()
        for flag in flags:
            query |= Q(**{flag: True})
        queryset = queryset.filter(query)
    return queryset


def _new_code() -> str:
    busy = set(RollCall.objects.filter(status="open").values_list("code", flat=True))
    while True:
        code = f"{secrets.randbelow(900000) + 100000}"
        if code not in busy:
            return code


def start_roll_call(
    *,
    actor,
    title: str = "",
    minutes: Any,
    division: str = "",
    industries: list[str] | None = None,
    flags: list[str] | None = None,
    late_minutes: Any = 30,
    now: datetime.datetime | None = None,
) -> RollCall:
    """Call every enterprise of the pool; they answer within `minutes` (late answers are taken for
    `late_minutes` more, then the roll-call closes)."""
    from yingji.monitoring import notifications_supervision

    _require(actor, "monitoring.add_rollcall")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    try:
        minutes = int(minutes)
        if not 0 < minutes <= rules.MAX_MINUTES:
            raise ValueError
    except (TypeError, ValueError):
        errors["minutes"] = _("Give a number of minutes between 1 and {n}.").format(n=rules.MAX_MINUTES)
    try:
        late_minutes = int(late_minutes)
        if not 0 <= late_minutes <= rules.MAX_MINUTES:
            raise ValueError
    except (TypeError, ValueError):
        errors["late_minutes"] = _("Give a number of minutes between 0 and {n}.").format(n=rules.MAX_MINUTES)
    place = _pool_division(actor, division)
    try:
        pool = rules.clean_pool(place.code, list(industries or []), list(flags or []))
    except ValueError as error:
        errors[str(error)] = _("Unknown value.")
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    rows = list(
        pool_queryset(actor, place, pool["industries"], pool["flags"]).values_list(
            "pk", "division_id", "safety_manager_phone", "main_person_phone"
        )
    )
    if not rows:
        raise invalid("pool", _("No operating enterprise is in this pool."), "empty_pool")
    with transaction.atomic():
        roll_call = RollCall.objects.create(
            division=place,
            title=(title or "").strip()[:200]
            or _("Roll-call {time}").format(time=timezone.localtime(now).strftime("%Y-%m-%d %H:%M")),
            pool=pool,
            code=_new_code(),
            minutes=minutes,
            late_minutes=late_minutes,
            started_at=now,
            started_by=actor,
            deadline_at=now + datetime.timedelta(minutes=minutes),
            closes_at=now + datetime.timedelta(minutes=minutes + late_minutes),
            target_count=len(rows),
        )
        phones = [digits(duty or main)[:20] for _pk, _division, duty, main in rows]
        insert_rows(
            RollCallTarget,
            ["roll_call", "enterprise", "division", "phone", "status", "method"],
            [(roll_call.pk, pk, division_id, phone, "pending", "")
             for (pk, division_id, _d, _m), phone in zip(rows, phones, strict=True)],
        )  # fmt: skip
        notifications_supervision.roll_call_started(roll_call, [r[0] for r in rows], phones, now=now)
    return roll_call


def _take(target_id: int, closes_at, deadline_at, method: str, now, actor=None) -> RollCallTarget:
    """One conditional UPDATE takes the answer; a repeat keeps the first; a closed roll-call refuses."""
    if now <= closes_at:
        updated = RollCallTarget.objects.filter(pk=target_id, status="pending").update(
            status=rules.answer_status(now, deadline_at),
            answered_at=now,
            method=method,
            answered_by=actor if actor is not None and actor.is_authenticated else None,
        )
    else:
        updated = 0
    target = RollCallTarget.objects.select_related("roll_call").get(pk=target_id)
    if updated or target.status in rules.ANSWERED:
        return target
    raise rules.SupervisionError(
        "rollcall_closed", _("This roll-call is closed: answers are no longer taken."), status=409
    )


def answer_roll_call(roll_call: RollCall, *, actor, method: str = "app", now=None) -> RollCallTarget:
    """An enterprise user answers for their own enterprise (the page's button or the API)."""
    now = now or timezone.now()
    _require(actor, "monitoring.answer_rollcall")
    target = (
        RollCallTarget.objects.filter(roll_call=roll_call, enterprise_id=actor.enterprise_id)
        .values("pk")
        .first()
        if actor.enterprise_id
        else None
    )
    refusal = rules.answer_refusal(
        roll_call_status="open" if now <= roll_call.closes_at else "closed", targeted=target is not None
    )
    if refusal is not None and refusal.code == "not_targeted":
        raise refusal
    assert target is not None
    return _take(target["pk"], roll_call.closes_at, roll_call.deadline_at, method, now, actor)


def answer_sms(phone: str, text: str, *, now=None) -> RollCallTarget:
    """The SMS gateway's callback: the reply holds the roll-call's 6-digit code; the sender's phone
    must be one the roll-call called."""
    now = now or timezone.now()
    match = rules.CODE_RE.search(text or "")
    if match is None:
        raise rules.SupervisionError("unknown_code", _("The reply holds no 6-digit code."), "text", 404)
    sender = digits(phone)
    if not sender:
        raise rules.SupervisionError("invalid_data", _("The sender's phone number is missing."), "phone")
    calls = list(
        RollCall.objects.filter(code=match.group(1))
        .order_by("-started_at", "-pk")
        .values("pk", "closes_at", "deadline_at")[:20]
    )
    if not calls:
        raise rules.SupervisionError("unknown_code", _("No roll-call has this code."), "text", 404)
    by_pk = {c["pk"]: c for c in calls}
    target = (
        RollCallTarget.objects.filter(roll_call_id__in=by_pk, phone=sender)
        .order_by("-roll_call_id")
        .values("pk", "roll_call_id")
        .first()
    )
    if target is None:
        raise rules.SupervisionError(
            "not_targeted", _("This phone number is not called by this roll-call."), "phone", 403
        )
    call = by_pk[target["roll_call_id"]]
    return _take(target["pk"], call["closes_at"], call["deadline_at"], "sms", now)


def _close(roll_call_id: int, *, actor, now) -> bool:
    with transaction.atomic():
        claimed = RollCall.objects.filter(pk=roll_call_id, status="open").update(
            status="closed", closed_at=now, closed_by=actor
        )
        if claimed:
            RollCallTarget.objects.filter(roll_call_id=roll_call_id, status="pending").update(
                status="no_answer"
            )
    return bool(claimed)


def close_roll_call(roll_call: RollCall, *, actor, now=None) -> RollCall:
    """Close by hand: the results are fixed, pending targets become "no answer"."""
    now = now or timezone.now()
    _require(actor, "monitoring.change_rollcall")
    if not RollCall.objects.for_user(actor).filter(pk=roll_call.pk).exists():
        raise PermissionDenied
    _close(roll_call.pk, actor=actor, now=now)
    return RollCall.objects.get(pk=roll_call.pk)


def close_due_roll_calls(*, now=None) -> int:
    """Every minute: close each open roll-call whose `closes_at` has passed."""
    now = now or timezone.now()
    due = RollCall.objects.filter(status="open", closes_at__lt=now).values_list("pk", flat=True)
    return sum(_close(pk, actor=None, now=now) for pk in list(due))


def roll_call_counts(roll_call: RollCall, targets=None) -> dict[str, int]:
    targets = targets if targets is not None else roll_call.targets.all()
    counts = dict(targets.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in ("pending", "answered", "late", "no_answer")}


# --- video spot-checks -------------------------------------------------------------------------------


def _own_enterprise(actor, enterprise: Enterprise | None) -> Enterprise:
    if enterprise is None:
        raise invalid("enterprise", _("Choose the enterprise."), "required")
    if not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise invalid("enterprise", _("This enterprise is outside your jurisdiction."), "scope")
    return enterprise


def record_video_check(
    *,
    actor,
    enterprise: Enterprise | None,
    result: str,
    note: str = "",
    screenshot=None,
    checked_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> VideoCheck:
    _require(actor, "monitoring.add_videocheck")
    now = now or timezone.now()
    enterprise = _own_enterprise(actor, enterprise)
    checked_at = checked_at or now
    errors = {}
    if result not in ("normal", *rules.BAD_VIDEO):
        errors["result"] = _("Choose a valid result.")
    if checked_at > now + FUTURE_SLACK:
        errors["checked_at"] = _("The time is in the future.")
    if result == "other" and not (note or "").strip():
        errors["note"] = _("Describe what was seen.")
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    image = validate_image(screenshot, field="screenshot") if screenshot else None
    with transaction.atomic():
        check = VideoCheck.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            checked_at=checked_at,
            checked_by=actor,
            result=result,
            note=(note or "").strip(),
        )
        if image is not None:
            VideoScreenshot.objects.create(video_check=check, **image.fields())
    return check


# --- dust-cleaning check-ins -------------------------------------------------------------------------


def _dust_enterprise(actor, enterprise: Enterprise | None) -> Enterprise:
    enterprise = _own_enterprise(actor, enterprise)
    if not enterprise.dust_explosion:
        raise invalid(
            "enterprise", _("This enterprise is not registered as handling combustible dust."), "not_dust"
        )
    return enterprise


def save_dust_schedule(
    schedule: DustSchedule | None = None,
    *,
    actor,
    enterprise: Enterprise | None = None,
    area: str = "",
    windows: list[str] | None = None,
    active: bool = True,
) -> DustSchedule:
    """Create (schedule None) or change an enterprise's cleaning schedule of one area."""
    _require(actor, "monitoring.change_dustschedule" if schedule else "monitoring.add_dustschedule")
    if schedule is not None:
        if not DustSchedule.objects.for_user(actor).filter(pk=schedule.pk).exists():
            raise PermissionDenied
        enterprise = schedule.enterprise
    if getattr(actor, "is_enterprise_user", False):
        enterprise = actor.enterprise
    enterprise = _dust_enterprise(actor, enterprise)
    errors = {}
    area = (area or "").strip()
    if not area:
        errors["area"] = _("Name the area.")
    try:
        parsed = rules.parse_windows([w.strip() for w in windows or [] if w.strip()])
    except ValueError:
        parsed = []
        errors["windows"] = _(
            "Give the time windows as HH:MM-HH:MM, one per line, each ending after it starts, not overlapping."
        )
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    clash = DustSchedule.objects.filter(enterprise=enterprise, area=area)
    if schedule is not None:
        clash = clash.exclude(pk=schedule.pk)
    if clash.exists():
        raise invalid("area", _("This area already has a schedule."), "unique")
    with transaction.atomic():
        schedule = schedule or DustSchedule(enterprise=enterprise, division_id=enterprise.division_id)
        schedule.area = area
        schedule.windows = [rules.window_text(w) for w in parsed]
        schedule.active = active
        schedule.save()
    return schedule


def record_dust_checkin(
    *,
    actor,
    schedule: DustSchedule | None,
    done_at: datetime.datetime | None = None,
    photo=None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> DustCheckin:
    """The enterprise records one cleaning of a scheduled area (time and photo)."""
    _require(actor, "monitoring.add_dustcheckin")
    now = now or timezone.now()
    if schedule is None or not DustSchedule.objects.for_user(actor).filter(pk=schedule.pk).exists():
        raise invalid("schedule", _("Choose a cleaning schedule of your enterprise."), "invalid")
    _dust_enterprise(actor, schedule.enterprise)
    done_at = done_at or now
    errors = {}
    if done_at > now + FUTURE_SLACK:
        errors["done_at"] = _("The cleaning time is in the future.")
    elif timezone.localdate(done_at) < timezone.localdate(now) - datetime.timedelta(days=1):
        errors["done_at"] = _("Record a cleaning on its day (or the day after at the latest).")
    if not photo:
        errors["photo"] = _("Add a photo of the cleaned area.")
    if errors:
        raise ValidationError({k: ValidationError(v, code="invalid") for k, v in errors.items()})
    image = validate_image(photo, field="photo")
    with transaction.atomic():
        checkin = DustCheckin(
            schedule=schedule,
            enterprise_id=schedule.enterprise_id,
            division_id=schedule.division_id,
            done_at=done_at,
            recorded_at=now,
            recorded_by=actor,
            note=(note or "").strip()[:300],
            photo_type=image.content_type,
        )
        checkin.photo.save(image.content.name, image.content, save=False)
        checkin.save()
    return checkin


def compute_dust_day(day: datetime.date, *, now: datetime.datetime | None = None) -> int:
    """Write each window's result of `day` for every active schedule of a dust enterprise (idempotent:
    rows are updated in place, a finding already made stays). Today's windows still running are left
    out. Returns the number of results of the day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if day > today:
        return 0
    until = rules.minutes_of_day(timezone.localtime(now).time()) if day == today else rules.MAX_MINUTES
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    schedules = list(
        DustSchedule.objects.filter(active=True, enterprise__dust_explosion=True, created_at__lt=end)
    )
    checkins: dict[int, list[tuple[int, int]]] = {}
    for pk, schedule_id, done_at in DustCheckin.objects.filter(
        schedule__in=schedules, done_at__gte=start, done_at__lt=end
    ).values_list("pk", "schedule_id", "done_at"):
        minute = rules.minutes_of_day(timezone.localtime(done_at, tz).time())
        checkins.setdefault(schedule_id, []).append((pk, minute))
    existing = {
        (row.schedule_id, row.window): row
        for row in DustDayResult.objects.filter(day=day, schedule__in=schedules)
    }
    new, changed, total = [], [], 0
    for schedule in schedules:
        rows = checkins.get(schedule.pk, [])
        try:
            windows = rules.parse_windows(schedule.windows)
        except ValueError:
            continue
        created = timezone.localtime(schedule.created_at, tz)
        first_minute = rules.minutes_of_day(created.time()) if created.date() == day else -1
        for window, status, index in rules.evaluate_day(windows, [m for _pk, m in rows], until=until):
            if window[1] <= first_minute:
                continue  # the window had ended before the schedule existed
            total += 1
            text = rules.window_text(window)
            checkin_id = rows[index][0] if index is not None else None
            row = existing.get((schedule.pk, text))
            if row is None:
                new.append(
                    DustDayResult(
                        schedule=schedule,
                        enterprise_id=schedule.enterprise_id,
                        division_id=schedule.division_id,
                        day=day,
                        window=text,
                        status=status,
                        checkin_id=checkin_id,
                    )
                )
            elif row.status != status or row.checkin_id != checkin_id:
                row.status, row.checkin_id = status, checkin_id
                changed.append(row)
    with transaction.atomic():
        DustDayResult.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        DustDayResult.objects.bulk_update(changed, ["status", "checkin"], batch_size=1000)
    return total


# --- findings ----------------------------------------------------------------------------------------

FINDING_SOURCES = {RollCallTarget: "roll_call", VideoCheck: "video_check", DustDayResult: "dust_checkin"}


def is_bad(obj) -> bool:
    if isinstance(obj, RollCallTarget):
        return obj.status in rules.BAD_TARGET
    if isinstance(obj, VideoCheck):
        return obj.result in rules.BAD_VIDEO
    return obj.status in rules.BAD_DUST


def _summary(obj) -> str:
    if isinstance(obj, RollCallTarget):
        return _('Roll-call "{title}" of {time}: {result}').format(
            title=obj.roll_call.title,
            time=timezone.localtime(obj.roll_call.started_at).strftime("%Y-%m-%d %H:%M"),
            result=obj.get_status_display(),
        )
    if isinstance(obj, VideoCheck):
        return (
            _("Video spot-check of {time}: {result}. {note}")
            .format(
                time=timezone.localtime(obj.checked_at).strftime("%Y-%m-%d %H:%M"),
                result=obj.get_result_display(),
                note=obj.note,
            )
            .strip()
        )
    return _("Dust-cleaning of {area} on {day}, {window}: {result}").format(
        area=obj.schedule.area, day=obj.day.isoformat(), window=obj.window, result=obj.get_status_display()
    )


def open_finding(obj, *, actor, kind: str, now: datetime.datetime | None = None):
    """One click: a bad result becomes a hazard (hazards' services) or an enforcement lead (open_lead)."""
    _require(actor, "monitoring.open_finding")
    model = type(obj)
    if model not in FINDING_SOURCES:
        raise ValueError(model)
    if kind not in ("hazard", "lead"):
        raise invalid("kind", _("Choose a hazard or an enforcement lead."), "invalid")
    now = now or timezone.now()
    with transaction.atomic():
        obj = model.objects.for_user(actor).select_for_update(of=("self",)).filter(pk=obj.pk).first()  # type: ignore[attr-defined]
        if obj is None:
            raise PermissionDenied
        if not is_bad(obj):
            raise invalid("kind", _("Only a bad result can become a finding."), "not_bad")
        if (kind == "hazard" and obj.hazard_id) or (kind == "lead" and obj.lead_ref):
            raise invalid("kind", _("This finding has already been made."), "already")
        summary = _summary(obj)
        if kind == "hazard":
            from yingji.hazards import services as hazard_services

            hazard = hazard_services.report_hazard(
                actor=actor,
                title=summary[:200],
                source="inspection",
                enterprise=obj.enterprise,
                description=summary,
                now=now,
            )
            obj.hazard = hazard
            obj.save(update_fields=["hazard"])
            return hazard
        enforcement = importlib.import_module("yingji.inspections.services_enforcement")  # h2's part
        lead = enforcement.open_lead(
            actor=actor, enterprise=obj.enterprise, source=FINDING_SOURCES[model], summary=summary, origin=obj
        )
        obj.lead_ref = lead.pk
        obj.save(update_fields=["lead_ref"])
        return lead


# --- rates and the league table ----------------------------------------------------------------------


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """ "2026-11-25" → that day; "2026-11" → that month (first day, day after the last); else ValueError."""
    period = (period or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        day = datetime.date.fromisoformat(period)
        return day, day + datetime.timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}", period):
        year, month = (int(p) for p in period.split("-"))
        first = datetime.date(year, month, 1)
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return first, following
    raise ValueError(period)


COUNTS = ("called", "answered", "late", "no_answer", "checks", "normal", "windows", "done", "missed")


def league_table(*, user, period: str) -> dict:
    """Per town: roll-call answers, video checks, dust check-ins of the period and their rates; best
    first (the mean of the rates it has). Three GROUP BY queries whatever the number of rows."""
    first, after = period_bounds(period)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(after, datetime.time.min, tzinfo=tz)
    town = Substr("division_id", 1, 9)
    rows: dict[str, dict] = {}

    def row(unit: str) -> dict:
        return rows.setdefault(unit, dict.fromkeys(COUNTS, 0))

    targets = RollCallTarget.objects.for_user(user).filter(
        roll_call__started_at__gte=start, roll_call__started_at__lt=end
    )
    for item in (
        targets.annotate(unit=town)
        .values("unit")
        .annotate(
            called=Count("pk"),
            answered=Count("pk", filter=Q(status="answered")),
            late=Count("pk", filter=Q(status="late")),
            no_answer=Count("pk", filter=Q(status="no_answer")),
        )
    ):
        row(item["unit"]).update({k: item[k] for k in ("called", "answered", "late", "no_answer")})
    checks = VideoCheck.objects.for_user(user).filter(checked_at__gte=start, checked_at__lt=end)
    for item in (
        checks.annotate(unit=town)
        .values("unit")
        .annotate(checks=Count("pk"), normal=Count("pk", filter=Q(result="normal")))
    ):
        row(item["unit"]).update({"checks": item["checks"], "normal": item["normal"]})
    results = DustDayResult.objects.for_user(user).filter(day__gte=first, day__lt=after)
    for item in (
        results.annotate(unit=town)
        .values("unit")
        .annotate(
            windows=Count("pk"),
            done=Count("pk", filter=Q(status="done")),
            missed=Count("pk", filter=Q(status="missed")),
        )
    ):
        row(item["unit"]).update({"windows": item["windows"], "done": item["done"], "missed": item["missed"]})
    codes = [unit.ljust(12, "0") for unit in rows]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    table = []
    totals = {key: sum(r[key] for r in rows.values()) for key in COUNTS}
    for unit, data in rows.items():
        table.append(
            _with_rates({"town": unit.ljust(12, "0"), "name": names.get(unit.ljust(12, "0"), unit), **data})
        )
    table.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), r["town"]))
    for rank, item in enumerate(table, start=1):
        item["rank"] = rank
    total = _with_rates({"town": "", "name": "", **totals})
    return {
        "period": period,
        "first": first,
        "last": after - datetime.timedelta(days=1),
        "rows": table,
        "total": total,
    }


def _with_rates(data: dict) -> dict:
    data["answer_rate"] = rules.rate(data.get("answered", 0) + data.get("late", 0), data.get("called", 0))
    data["on_time_rate"] = rules.rate(data.get("answered", 0), data.get("called", 0))
    data["normal_rate"] = rules.rate(data.get("normal", 0), data.get("checks", 0))
    data["checkin_rate"] = rules.rate(data.get("done", 0), data.get("windows", 0))
    rates = [r for r in (data["answer_rate"], data["normal_rate"], data["checkin_rate"]) if r is not None]
    data["score"] = round(sum(rates) / len(rates), 1) if rates else None
    return data
