"""Use cases of disaster reports: open/end an event, fill, submit (a new immutable version), review
(accept / return with a reason), and the totals of the level below. Actor keyword-only."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.escalation import services as escalation
from yingji.core.models import Deadline, Division
from yingji.incidents import rules_reports as rules
from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_scope(actor, division: Division, field: str = "division") -> None:
    if actor is None:
        return
    prefix = None if getattr(actor, "is_enterprise_user", False) else actor.scope_prefix
    if prefix is None or not division.code.startswith(prefix):
        raise _error(field, _("This division is outside your jurisdiction."), "out_of_scope")


def _in_event(event: DisasterEvent, division: Division) -> bool:
    return division.code.startswith(event.division.prefix)


def _close_open_deadline(obj, actor, now: datetime.datetime) -> None:
    if Deadline.objects.for_object(obj).open().exists():
        escalation.close_deadline(obj, actor=actor, now=now)


def _deadline(obj, due_at: datetime.datetime, actor, now: datetime.datetime) -> None:
    _close_open_deadline(obj, actor, now)
    if due_at > now:
        escalation.attach_deadline(obj, due_at=due_at, actor=actor, now=now)


# -- events -----------------------------------------------------------------------------------------


def open_event(
    *,
    actor,
    title: str,
    hazard_type: str,
    started_on: datetime.date | None,
    division: Division,
    incident=None,
    description: str = "",
    now: datetime.datetime | None = None,
) -> DisasterEvent:
    """Open a disaster event; its division and the towns under it get a report each with the 初报
    deadline (villages get theirs when they first fill it)."""
    now = now or timezone.now()
    _check_scope(actor, division)
    if division.level not in ("county", "town"):
        raise _error("division", _("A disaster event is opened for a county or a town."))
    if started_on is None:
        raise _error("started_on", _("The start date is required."), "required")
    if started_on > timezone.localdate(now):
        raise _error("started_on", _("The start date cannot be in the future."))
    event = DisasterEvent(
        title=(title or "").strip(),
        hazard_type=hazard_type,
        started_on=started_on,
        opened_at=now,
        division=division,
        incident=incident,
        description=description or "",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    event.full_clean()
    with transaction.atomic():
        event.save()
        divisions = [division]
        if division.level == "county":
            divisions += list(Division.objects.filter(parent=division, level="town"))
        for place in divisions:
            report = DisasterReport.objects.create(event=event, division=place)
            _deadline(report, rules.initial_due(now), actor, now)
    return event


def end_event(
    event: DisasterEvent, *, actor, ended_on: datetime.date | None, now: datetime.datetime | None = None
) -> DisasterEvent:
    """The disaster has stabilised: no more daily updates; every report gets its 核报 deadline."""
    now = now or timezone.now()
    _check_scope(actor, event.division)
    if event.status == "ended":
        raise _error("status", _("The event has already ended."), "already_ended")
    if ended_on is None:
        raise _error("ended_on", _("The end date is required."), "required")
    if ended_on < event.started_on:
        raise _error("ended_on", _("The end date cannot be before the start date."))
    if ended_on > timezone.localdate(now):
        raise _error("ended_on", _("The end date cannot be in the future."))
    with transaction.atomic():
        event.status = "ended"
        event.ended_on = ended_on
        event.save(update_fields=["status", "ended_on"])
        due = rules.final_due(ended_on, timezone.get_current_timezone())
        for report in event.reports.all():
            _deadline(report, due, actor, now)
    return event


# -- filling ----------------------------------------------------------------------------------------


def parse_figures(raw: dict[str, Any]) -> dict:
    """Typed figures from a form/JSON payload ('' and None = not given); a field error per bad value."""
    out: dict = {}
    errors: dict[str, str] = {}
    decimals = {i.field for i in rules.INDICATORS if i.decimal}
    for name in rules.FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            out[name] = None
            continue
        try:
            if name in decimals:
                number = Decimal(str(value).strip())
                if not number.is_finite():
                    raise InvalidOperation
                out[name] = number.quantize(Decimal("0.01"))
            else:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                out[name] = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
        except (InvalidOperation, ValueError, TypeError):
            errors[name] = _("Enter a number.")
    if errors:
        raise ValidationError(errors)
    return out


def figures_of(obj) -> dict:
    return {name: getattr(obj, name) for name in rules.FIELDS}


def _history(report: DisasterReport) -> rules.History:
    versions = report.versions.exclude(review_status="returned")
    return rules.History(
        has_initial=versions.filter(stage="initial").exists(),
        final_accepted=versions.filter(stage="final", review_status="accepted").exists(),
        event_status=report.event.status,
    )


def report_for(event: DisasterEvent, division: Division, *, actor) -> DisasterReport:
    """The report of `division` in the event, created on first use."""
    _check_scope(actor, division)
    if not _in_event(event, division):
        raise _error("division", _("This division is outside the disaster event's area."))
    report, _created = DisasterReport.objects.get_or_create(event=event, division=division)
    return report


def save_figures(
    report: DisasterReport, *, actor, figures: dict[str, Any], note: str | None = None
) -> DisasterReport:
    """Fill the level's own figures (the draft); checked, nothing saved on an error."""
    _check_scope(actor, report.division)
    values = parse_figures(figures)
    with transaction.atomic():
        report = (
            DisasterReport.objects.select_for_update().select_related("event", "division").get(pk=report.pk)
        )
        if _history(report).final_accepted:
            raise _error(
                "stage", _("The final report was accepted; no further change is possible."), "final_accepted"
            )
        merged = {**figures_of(report), **values}
        errors = rules.check_figures(merged)
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(report, name, value)
        if note is not None:
            report.note = note
        report.updated_by = actor if getattr(actor, "pk", None) else None
        report.full_clean()
        report.save()
    return report


def submit_report(
    report: DisasterReport,
    *,
    actor,
    stage: str,
    figures: dict[str, Any] | None = None,
    note: str | None = None,
    now: datetime.datetime | None = None,
) -> ReportVersion:
    """Submit the draft as a new immutable version of `stage` to the level above. The event's own
    division (the top of the chain here) reports outside the platform: its versions are accepted."""
    now = now or timezone.now()
    _check_scope(actor, report.division)
    with transaction.atomic():
        if figures:
            report = save_figures(report, actor=actor, figures=figures, note=note)
        report = (
            DisasterReport.objects.select_for_update()
            .select_related("event__division", "division")
            .get(pk=report.pk)
        )
        refusal = rules.submit_refusal(stage, _history(report))
        if refusal is not None:
            field, code, message = refusal
            raise _error(field, message, code)
        values = figures_of(report)
        errors = rules.check_figures(values)
        if errors:
            raise ValidationError(errors)
        if all(v is None for v in values.values()):
            raise _error("figures", _("Fill at least one figure (0 for none)."), "empty")
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        top = report.division_id == report.event.division_id
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            stage=stage,
            note=report.note if note is None else note,
            submitted_by=actor if getattr(actor, "pk", None) else None,
            submitted_at=now,
            review_status="accepted" if top else "submitted",
            reviewed_at=now if top else None,
            **values,
        )
        report.status = version.review_status
        report.save(update_fields=["status", "updated_at"])
        if stage == "final":
            _close_open_deadline(report, actor, now)
        elif report.event.status == "open":
            _deadline(report, rules.next_update_due(timezone.localtime(now)), actor, now)
        else:
            _close_open_deadline(report, actor, now)
            if report.event.ended_on:
                _deadline(
                    report,
                    rules.final_due(report.event.ended_on, timezone.get_current_timezone()),
                    actor,
                    now,
                )
    return version


# -- reviewing --------------------------------------------------------------------------------------


def may_review(actor, report: DisasterReport) -> bool:
    """The level directly above reviews: the actor sits in the parent division of the report's."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    parent = report.division.parent_id
    return (
        parent is not None and actor.division_id == parent and report.division_id != report.event.division_id
    )


def review_version(
    version: ReportVersion,
    *,
    actor,
    accept: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ReportVersion:
    now = now or timezone.now()
    with transaction.atomic():
        version = (
            ReportVersion.objects.select_for_update()
            .select_related("report__division", "report__event")
            .get(pk=version.pk)
        )
        report = version.report
        if not may_review(actor, report):
            raise _error("report", _("Only the level directly above reviews this report."), "not_reviewer")
        latest = report.versions.aggregate(n=Max("number"))["n"]
        if version.number != latest:
            raise _error("version", _("Only the current version can be reviewed."), "not_current")
        if version.review_status != "submitted":
            raise _error("version", _("This version was already reviewed."), "already_reviewed")
        if not accept and not (reason or "").strip():
            raise _error("reason", _("Give the reason for returning the report."), "required")
        version.review_status = "accepted" if accept else "returned"
        version.review_reason = (reason or "").strip()
        version.reviewed_by = actor if getattr(actor, "pk", None) else None
        version.reviewed_at = now
        version.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at"])
        report.status = version.review_status
        report.save(update_fields=["status", "updated_at"])
        if not accept:
            _deadline(report, rules.resubmit_due(now), actor, now)
    return version


# -- totals -----------------------------------------------------------------------------------------


def current_version(report: DisasterReport) -> ReportVersion | None:
    return report.versions.order_by("-number").first()


def lower_reports(report: DisasterReport):
    return (
        DisasterReport.objects.filter(event_id=report.event_id, division__parent_id=report.division_id)
        .select_related("division")
        .order_by("division_id")
    )


def accepted_versions(report: DisasterReport) -> dict[str, ReportVersion]:
    """division code → the latest accepted version of each report directly below `report`."""
    rows = ReportVersion.objects.filter(
        report__event_id=report.event_id,
        report__division__parent_id=report.division_id,
        review_status="accepted",
    ).order_by("report_id", "-number")
    out: dict[str, ReportVersion] = {}
    for version in rows.select_related("report"):
        out.setdefault(version.report.division_id, version)
    return out


def totals(report: DisasterReport) -> dict[str, Any]:
    """{"own", "lower", "differences", "count"}: the level's own figures, the sum of the
    accepted versions below and where the two differ."""
    own = figures_of(DisasterReport.objects.get(pk=report.pk))  # the level's own (draft) figures
    accepted = accepted_versions(report)
    lower = rules.total_of([figures_of(v) for v in accepted.values()])
    return {
        "own": own,
        "lower": lower,
        "differences": rules.differences(own, lower),
        "count": len(accepted),
    }


def heal_deadlines(*, now: datetime.datetime | None = None) -> int:
    """Hourly and idempotent: every report of an event that still owes a report has an open deadline
    (after a restart, a deleted deadline or a report created by a village on first use)."""
    now = now or timezone.now()
    count = 0
    reports = DisasterReport.objects.select_related("event")
    for report in reports.iterator():
        if Deadline.objects.for_object(report).open().exists():
            continue
        event = report.event
        history = _history(report)
        if history.final_accepted:
            continue
        if event.status == "ended" and event.ended_on:
            due = rules.final_due(event.ended_on, timezone.get_current_timezone())
        elif not history.has_initial and rules.initial_due(event.opened_at) > now:
            due = rules.initial_due(event.opened_at)
        else:
            due = rules.next_update_due(timezone.localtime(now))
        if due > now:
            with transaction.atomic():
                escalation.attach_deadline(report, due_at=due, actor=None, now=now)
            count += 1
    return count
