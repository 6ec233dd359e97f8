"""Incident intake and investigation use cases. One function per action, actor keyword-only, all in a
transaction; a refused request writes nothing. Every change lands on the incident's timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline
from yingji.incidents import escalation_actions, notifications, rules
from yingji.incidents.models import (
    SUBTYPES,
    CorrectiveMeasure,
    Incident,
    Investigation,
    ReportDuty,
    ResponsibleUnit,
    ReviewTask,
    TimelineEntry,
)

REVIEW_AFTER_DAYS = 365  # 回头看 one year after closing
INTAKE_FIELDS = (
    "kind",
    "subtype",
    "title",
    "occurred_at",
    "division",
    "latitude",
    "longitude",
    "address",
    "enterprise",
    "deaths",
    "missing",
    "serious_injuries",
    "trapped",
    "direct_loss_yuan",
    "description",
    "reporter",
    "reporter_phone",
    "channel",
)
NUMBER_FIELDS = ("deaths", "missing", "serious_injuries", "trapped", "direct_loss_yuan")


# -- timeline ---------------------------------------------------------------------------------------


def add_timeline(
    incident: Incident,
    *,
    kind: str,
    text: str,
    actor,
    at: datetime.datetime | None = None,
    automatic: bool = True,
    origin=None,
) -> TimelineEntry:
    """Write one line on the incident's timeline (every service calls this; manual entries too)."""
    entry = TimelineEntry(
        incident=incident,
        at=at or timezone.now(),
        kind=kind,
        text=text,
        actor=actor if getattr(actor, "pk", None) else None,
        automatic=automatic,
    )
    if origin is not None:
        entry.origin_type = ContentType.objects.get_for_model(origin)
        entry.origin_id = str(origin.pk)
    entry.full_clean(exclude=["origin_type", "origin_id", "actor"])
    entry.save()
    return entry


# -- checks -----------------------------------------------------------------------------------------


def _check_jurisdiction(actor, division, enterprise) -> None:
    """The place must lie in the actor's jurisdiction; an enterprise user reports for their own."""
    if actor is None:
        return
    if getattr(actor, "is_enterprise_user", False):
        if enterprise is None or enterprise.pk != actor.enterprise_id:
            raise ValidationError(
                {
                    "enterprise": ValidationError(
                        _("You may report only incidents of your own enterprise."),
                        code="outside_jurisdiction",
                    )
                }
            )
        return
    prefix = getattr(actor, "scope_prefix", None)
    if prefix is None or (division is not None and not division.code.startswith(prefix)):
        raise ValidationError(
            {
                "division": ValidationError(
                    _("This place is outside your jurisdiction."), code="outside_jurisdiction"
                )
            }
        )
    if enterprise is not None and not enterprise.division_id.startswith(prefix):
        raise ValidationError(
            {
                "enterprise": ValidationError(
                    _("This enterprise is outside your jurisdiction."), code="outside_jurisdiction"
                )
            }
        )


def _check_subtype(kind: str, subtype: str) -> None:
    if subtype not in {code for code, _label in SUBTYPES.get(kind, [])}:
        raise ValidationError(
            {"subtype": ValidationError(_("Choose a sub-type of the incident's type."), code="invalid")}
        )


def _numbers(values: dict) -> dict:
    """Casualty counts and the loss, validated (negative or not a number -> field errors)."""
    errors: dict[str, list[ValidationError]] = {}
    clean: dict = {}
    for name in NUMBER_FIELDS:
        raw = values.get(name, 0)
        raw = 0 if raw in (None, "") else raw
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[name] = [ValidationError(_("Enter a number."), code="invalid")]
            continue
        if not number.is_finite():
            errors[name] = [ValidationError(_("Enter a number."), code="invalid")]
        elif number < 0:
            errors[name] = [ValidationError(_("Must be zero or more."), code="min_value")]
        elif name != "direct_loss_yuan" and number != number.to_integral_value():
            errors[name] = [ValidationError(_("Enter a whole number."), code="invalid")]
        else:
            clean[name] = number if name == "direct_loss_yuan" else int(number)
    if errors:
        raise ValidationError(errors)
    return clean


def _grade(incident: Incident) -> None:
    incident.grade, incident.grade_decided_by = rules.grade_for(
        incident.kind,
        deaths=incident.deaths,
        serious_injuries=incident.serious_injuries,
        direct_loss_yuan=incident.direct_loss_yuan,
    )


def _grade_text(incident: Incident) -> str:
    if not incident.grade:
        return ""
    return _("Grade: {grade} ({why}).").format(
        grade=incident.get_grade_display(), why="; ".join(incident.grade_decided_by)
    )


def _casualty_text(incident: Incident) -> str:
    return _(
        "Deaths {deaths}, missing {missing}, seriously injured {serious}, trapped {trapped}, "
        "direct loss {loss} yuan."
    ).format(
        deaths=incident.deaths,
        missing=incident.missing,
        serious=incident.serious_injuries,
        trapped=incident.trapped,
        loss=incident.direct_loss_yuan,
    )


# -- reporting duties -------------------------------------------------------------------------------


def _add_duty(incident: Incident, *, kind: str, due_at: datetime.datetime, actor, now) -> ReportDuty:
    duty = ReportDuty.objects.create(incident=incident, kind=kind, due_at=due_at)
    escalation.attach_deadline(
        duty, due_at=due_at, ladder=escalation_actions.minute_ladder(), actor=actor, now=now
    )
    return duty


def complete_report_duty(duty: ReportDuty, *, actor, note: str = "", now=None) -> ReportDuty:
    """The report was made to the next level: the duty is done and its deadline closed."""
    now = now or timezone.now()
    with transaction.atomic():
        duty = ReportDuty.objects.select_for_update().select_related("incident").get(pk=duty.pk)
        if duty.done_at is not None:
            raise ValidationError({"duty": ValidationError(_("This report was already made."), code="done")})
        duty.done_at, duty.done_by, duty.note = now, actor, note[:300]
        duty.save(update_fields=["done_at", "done_by", "note"])
        if Deadline.objects.for_object(duty).open().exists():
            escalation.close_deadline(duty, actor=actor, now=now)
        add_timeline(
            duty.incident,
            kind="report",
            text=_("{duty} made. {note}").format(duty=duty.get_kind_display(), note=note).strip(),
            actor=actor,
            at=now,
            origin=duty,
        )
    return duty


# -- intake -----------------------------------------------------------------------------------------


def report_incident(*, actor, now: datetime.datetime | None = None, **fields) -> Incident:
    """接报: record an incident, grade it (accidents: Art. 3), start the 1-hour reporting duty."""
    now = now or timezone.now()
    unknown = set(fields) - set(INTAKE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    numbers = _numbers(fields)
    enterprise = fields.get("enterprise")
    division = fields.get("division")
    if getattr(actor, "is_enterprise_user", False) and enterprise is None and actor is not None:
        enterprise = actor.enterprise
    if division is None and enterprise is not None:
        division = enterprise.division
    _check_jurisdiction(actor, division, enterprise)
    _check_subtype(fields.get("kind", ""), fields.get("subtype", ""))
    occurred_at = fields.get("occurred_at")
    if occurred_at is not None and occurred_at > now + datetime.timedelta(minutes=5):
        raise ValidationError(
            {"occurred_at": ValidationError(_("The incident cannot happen in the future."), code="future")}
        )
    values = {k: v for k, v in fields.items() if k not in NUMBER_FIELDS}
    values.update(numbers, division=division, enterprise=enterprise)
    for text_field in ("address", "description", "reporter", "reporter_phone"):
        values[text_field] = values.get(text_field) or ""
    with transaction.atomic():
        incident = Incident(
            **values, reported_at=now, created_by=actor if getattr(actor, "pk", None) else None
        )
        _grade(incident)
        incident.full_clean()
        incident.save()
        add_timeline(
            incident,
            kind="intake",
            text=" ".join(
                part
                for part in (
                    _("Reported via {channel}: {title}.").format(
                        channel=incident.get_channel_display(), title=incident.title
                    ),
                    _casualty_text(incident),
                    _grade_text(incident),
                )
                if part
            ),
            actor=actor,
            at=now,
            origin=incident,
        )
        duty = _add_duty(
            incident,
            kind="initial",
            due_at=now + datetime.timedelta(minutes=rules.REPORT_MINUTES),
            actor=actor,
            now=now,
        )
        notifications.tell(
            notifications.officers_for(incident.division_id),
            _("New incident: {title}").format(title=incident.title),
            _("{text} Report to the next level by {due}.").format(
                text=_casualty_text(incident), due=timezone.localtime(duty.due_at).strftime("%Y-%m-%d %H:%M")
            ),
            now=now,
        )
    return incident


def update_numbers(incident: Incident, *, actor, note: str = "", now=None, **values) -> Incident:
    """Casualties or loss changed: re-grade, record the change on the timeline, and within the Art. 13
    window (30 days, 7 for road traffic and fire) start a continued report (续报) duty."""
    now = now or timezone.now()
    unknown = set(values) - set(NUMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == "closed":
            raise ValidationError(_("The incident is closed."), code="closed")
        before = {name: getattr(incident, name) for name in NUMBER_FIELDS}
        numbers = _numbers({**before, **values})
        if all(before[name] == numbers[name] for name in NUMBER_FIELDS):
            return incident
        old_grade = incident.get_grade_display() if incident.grade else ""
        for name, value in numbers.items():
            setattr(incident, name, value)
        _grade(incident)
        incident.full_clean()
        incident.save(update_fields=[*NUMBER_FIELDS, "grade", "grade_decided_by"])
        changes = ", ".join(
            f"{Incident._meta.get_field(name).verbose_name}: {before[name]} → {numbers[name]}"
            for name in NUMBER_FIELDS
            if before[name] != numbers[name]
        )
        text = _("Numbers changed: {changes}.").format(changes=changes)
        new_grade = incident.get_grade_display() if incident.grade else ""
        if new_grade != old_grade:
            text += " " + _("Grade changed from {old} to {new}.").format(old=old_grade or "-", new=new_grade)
        text += " " + _grade_text(incident) + (" " + note if note else "")
        add_timeline(incident, kind="casualties", text=text.strip(), actor=actor, at=now, origin=incident)
        if rules.casualties_changed(before, numbers) and rules.continued_report_window_open(
            kind=incident.kind, subtype=incident.subtype, occurred_at=incident.occurred_at, now=now
        ):
            open_duty = incident.report_duties.filter(kind="continued", done_at__isnull=True).exists()
            if not open_duty:
                _add_duty(
                    incident,
                    kind="continued",
                    due_at=now + datetime.timedelta(minutes=rules.CONTINUED_REPORT_MINUTES),
                    actor=actor,
                    now=now,
                )
    return incident


# -- investigation ----------------------------------------------------------------------------------


def open_investigation(
    incident: Incident,
    *,
    actor,
    team: str,
    findings: str = "",
    cause: str = "",
    report_date: datetime.date | None = None,
    now=None,
) -> Investigation:
    now = now or timezone.now()
    if incident.kind != "accident":
        raise ValidationError(
            {"incident": ValidationError(_("Only accidents are investigated here."), code="not_accident")}
        )
    if not (team or "").strip():
        raise ValidationError({"team": ValidationError(_("Name the investigation team."), code="required")})
    with transaction.atomic():
        incident = Incident.objects.get(pk=incident.pk)  # its current status (closed or not)
        if Investigation.objects.filter(incident=incident).exists():
            raise ValidationError(
                {"incident": ValidationError(_("This accident is already investigated."), code="exists")}
            )
        item = Investigation(
            incident=incident,
            team=team,
            findings=findings,
            cause=cause,
            report_date=report_date,
            created_by=actor,
        )
        item.full_clean()
        item.save()
        add_timeline(
            incident,
            kind="investigation",
            text=_("Investigation opened: {team}.").format(team=team),
            actor=actor,
            at=now,
            origin=item,
        )
        if incident.status == "closed" and incident.closed_at is not None:
            _schedule_review(
                item,
                due_at=max(incident.closed_at, now) + datetime.timedelta(days=REVIEW_AFTER_DAYS),
                actor=actor,
                now=now,
            )
    return item


def update_investigation(item: Investigation, *, actor, now=None, **values) -> Investigation:
    now = now or timezone.now()
    allowed = {"team", "findings", "cause", "report_date"}
    if set(values) - allowed:
        raise TypeError(f"unknown fields: {sorted(set(values) - allowed)}")
    with transaction.atomic():
        item = Investigation.objects.select_for_update().select_related("incident").get(pk=item.pk)
        for name, value in values.items():
            setattr(item, name, value)
        item.full_clean()
        item.save()
        add_timeline(
            item.incident,
            kind="investigation",
            text=_("Investigation updated."),
            actor=actor,
            at=now,
            origin=item,
        )
    return item


def add_responsible_unit(
    item: Investigation, *, actor, name: str, responsibility: str = "", handling: str = ""
) -> ResponsibleUnit:
    with transaction.atomic():
        unit = ResponsibleUnit(
            investigation=item, name=name, responsibility=responsibility, handling=handling
        )
        unit.full_clean()
        unit.save()
        add_timeline(
            item.incident,
            kind="investigation",
            text=_("Responsible unit: {name}.").format(name=name),
            actor=actor,
            origin=unit,
        )
    return unit


def add_measure(
    item: Investigation, *, actor, text: str, owner: str = "", due_date: datetime.date | None = None, now=None
) -> CorrectiveMeasure:
    now = now or timezone.now()
    if due_date is not None and due_date < timezone.localdate(now):
        raise ValidationError(
            {"due_date": ValidationError(_("The deadline must be in the future."), code="past")}
        )
    with transaction.atomic():
        measure = CorrectiveMeasure(investigation=item, text=text, owner=owner, due_date=due_date)
        measure.full_clean()
        measure.save()
        add_timeline(
            item.incident,
            kind="investigation",
            text=_("Measure: {text}").format(text=text),
            actor=actor,
            origin=measure,
        )
    return measure


def supervise(item: Investigation, *, actor, due_at: datetime.datetime, now=None) -> Investigation:
    """挂牌督办 with a deadline on the escalation ladder (a past deadline is refused)."""
    now = now or timezone.now()
    if due_at <= now:
        raise ValidationError(
            {"due_at": ValidationError(_("The deadline must be in the future."), code="past")}
        )
    with transaction.atomic():
        item = Investigation.objects.select_for_update().select_related("incident").get(pk=item.pk)
        if item.supervised and item.supervision_closed_at is None:
            raise ValidationError(
                {
                    "supervised": ValidationError(
                        _("The accident is already under supervised listing."), code="exists"
                    )
                }
            )
        item.supervised, item.supervision_due_at, item.supervision_closed_at = True, due_at, None
        item.save(update_fields=["supervised", "supervision_due_at", "supervision_closed_at"])
        escalation.attach_deadline(item, due_at=due_at, actor=actor, now=now)
        add_timeline(
            item.incident,
            kind="investigation",
            text=_("Supervised listing until {due}.").format(
                due=timezone.localtime(due_at).strftime("%Y-%m-%d")
            ),
            actor=actor,
            at=now,
            origin=item,
        )
    return item


def lift_supervision(item: Investigation, *, actor, now=None) -> Investigation:
    now = now or timezone.now()
    with transaction.atomic():
        item = Investigation.objects.select_for_update().select_related("incident").get(pk=item.pk)
        if not item.supervised or item.supervision_closed_at is not None:
            raise ValidationError(
                {
                    "supervised": ValidationError(
                        _("The accident is not under supervised listing."), code="not_open"
                    )
                }
            )
        item.supervision_closed_at = now
        item.save(update_fields=["supervision_closed_at"])
        if Deadline.objects.for_object(item).open().exists():
            escalation.close_deadline(item, actor=actor, now=now)
        add_timeline(
            item.incident,
            kind="investigation",
            text=_("Supervised listing lifted."),
            actor=actor,
            at=now,
            origin=item,
        )
    return item


def _schedule_review(item: Investigation, *, due_at, actor, now) -> ReviewTask:
    review = ReviewTask.objects.create(investigation=item, due_at=due_at)
    escalation.attach_deadline(review, due_at=due_at, actor=actor, now=now)
    add_timeline(
        item.incident,
        kind="investigation",
        text=_("Review (回头看) due {due}.").format(due=timezone.localtime(due_at).strftime("%Y-%m-%d")),
        actor=actor,
        at=now,
        origin=review,
    )
    return review


def schedule_review(item: Investigation, *, actor, due_at: datetime.datetime, now=None) -> ReviewTask:
    now = now or timezone.now()
    if due_at <= now:
        raise ValidationError(
            {"due_at": ValidationError(_("The deadline must be in the future."), code="past")}
        )
    with transaction.atomic():
        return _schedule_review(item, due_at=due_at, actor=actor, now=now)


def complete_review(review: ReviewTask, *, actor, findings: str, now=None) -> ReviewTask:
    now = now or timezone.now()
    with transaction.atomic():
        review = (
            ReviewTask.objects.select_for_update().select_related("investigation__incident").get(pk=review.pk)
        )
        if review.done_at is not None:
            raise ValidationError({"review": ValidationError(_("This review is already done."), code="done")})
        review.done_at, review.findings = now, findings
        review.save(update_fields=["done_at", "findings"])
        if Deadline.objects.for_object(review).open().exists():
            escalation.close_deadline(review, actor=actor, now=now)
        add_timeline(
            review.investigation.incident,
            kind="investigation",
            text=_("Review (回头看) done: {findings}").format(findings=findings),
            actor=actor,
            at=now,
            origin=review,
        )
    return review


def schedule_review_after_close(incident: Incident, *, actor, now) -> None:
    """Called when the incident closes: an investigated accident gets its 回头看 a year later."""
    item = Investigation.objects.filter(incident=incident).first()
    if item is not None and not item.reviews.filter(done_at__isnull=True).exists():
        _schedule_review(item, due_at=now + datetime.timedelta(days=REVIEW_AFTER_DAYS), actor=actor, now=now)
