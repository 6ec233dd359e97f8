"""The hidden-danger closed loop: one function per action a person takes.

Every action runs in one transaction, checks `rules.refusal` (the same table that drives the buttons
and the API), writes a `HazardEvent`, keeps the `HazardStat` counters, and moves the record's core
deadline. A refused action raises `rules.TransitionError` (the API answers 409); bad field values
raise `ValidationError({field: message})` (400). Either way nothing changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, uploads
from yingji.core.escalation import services as escalation
from yingji.core.models import Deadline, Division, ExtensionRequest, ExtensionState
from yingji.hazards import notifications, rules
from yingji.hazards.models import (
    Grade,
    Hazard,
    HazardCriterion,
    HazardEvent,
    HazardPhoto,
    HazardStat,
    HazardStatMonth,
    PhotoKind,
    Source,
    Status,
    Supervision,
    SupervisionLevel,
    Treatment,
    month_column,
)
from yingji.hazards.rules import Action, Facts, TransitionError
from yingji.registry.models import Enterprise

IMMEDIATE_WINDOW = datetime.timedelta(days=1)  # 即查即改: rectified within the day it is found
MAX_PHOTOS = 9


# -- lookups ----------------------------------------------------------------------------------------


def facts_of(hazard: Hazard) -> Facts:
    listing = active_supervision(hazard)
    return Facts(
        supervision_authority=listing.authority_id if listing else None,
        extension_pending=pending_extension(hazard) is not None,
    )


def active_supervision(hazard: Hazard) -> Supervision | None:
    if not hazard.is_supervised:
        return None
    return hazard.supervisions.filter(delisted_at__isnull=True).first()


def pending_extension(hazard: Hazard) -> ExtensionRequest | None:
    if hazard.due_at is None or hazard.status not in (Status.CONFIRMED, Status.RECTIFYING):
        return None
    return (
        ExtensionRequest.objects.filter(
            deadline__in=Deadline.objects.for_object(hazard).open(), state=ExtensionState.REQUESTED
        )
        .order_by("-pk")
        .first()
    )


def allowed_actions(hazard: Hazard, user) -> list[str]:
    return rules.allowed_actions(hazard, user, facts_of(hazard))


# -- helpers ----------------------------------------------------------------------------------------


def _check(hazard: Hazard, actor, action: str) -> None:
    refusal = rules.refusal(hazard, actor, action, facts_of(hazard))
    if refusal is not None:
        raise refusal


def _locked(hazard: Hazard) -> Hazard:
    """Reload under a row lock so two people acting at once cannot both pass the state check."""
    return Hazard.objects.select_for_update().get(pk=hazard.pk)


def _event(
    hazard: Hazard, action: str, actor, now, *, before: str = "", note: str = "", **data
) -> HazardEvent:
    event = HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_status=before,
        to_status=hazard.status,
        actor=actor,
        at=now,
        note=note,
        data={k: audit._plain(v) for k, v in data.items()},
    )
    transaction.on_commit(partial(notifications.event_happened, event.pk))
    return event


def _stat_key(hazard: Hazard) -> dict[str, Any]:
    return {
        "day": timezone.localdate(hazard.reported_at),
        "town": rules.town_code(hazard.division_id),
        "industry": hazard.industry,
        "source": hazard.source,
        "grade": hazard.grade,
    }


def _bump(key: dict[str, Any], **deltas: int) -> None:
    """Add to the day's counters (the cohort of hazards reported that day) and to the month's columns
    for the same grade and source."""
    _add(HazardStat, key, deltas)
    month_key = {
        "month": key["day"].replace(day=1),
        "town": key["town"],
        "industry": key["industry"],
    }
    _add(
        HazardStatMonth,
        month_key,
        {month_column(name, key["grade"], key["source"]): delta for name, delta in deltas.items()},
    )


def _add(
    model: type[HazardStat] | type[HazardStatMonth], key: dict[str, Any], deltas: dict[str, int]
) -> None:
    """One conditional UPDATE of the row at `key`, or an INSERT when there is none yet."""
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    if model.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **{name: max(delta, 0) for name, delta in deltas.items()})
    except IntegrityError:  # created by a concurrent transaction in the meantime
        model.objects.filter(**key).update(**changes)


def _save(hazard: Hazard, *fields: str) -> None:
    hazard.save(update_fields=[*fields, "updated_at"])


def _future(value: datetime.datetime | None, field: str, now: datetime.datetime) -> None:
    if value is not None and value <= now:
        raise ValidationError({field: _("The deadline must be in the future.")})


def _criteria(codes: Iterable[str] | None) -> list[HazardCriterion]:
    codes = [c for c in (codes or []) if c]
    found = list(HazardCriterion.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in found})
    if unknown:
        raise ValidationError({"criteria": _("Unknown criteria: {codes}.").format(codes=", ".join(unknown))})
    return found


def _check_grade(grade: str, criteria: Sequence[HazardCriterion]) -> None:
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose general or major.")})
    if grade == Grade.MAJOR and not criteria:
        raise ValidationError(
            {"criteria": _("A major hidden danger must name at least one criterion of the 判定标准.")}
        )


def _images(files: Sequence | None) -> list[uploads.Image]:
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most {n} photos at a time.").format(n=MAX_PHOTOS)})
    return [uploads.validate_image(f, field="photos") for f in files]


def _store_photos(hazard: Hazard, images: list[uploads.Image], kind: str, actor, event: HazardEvent | None):
    for image in images:
        HazardPhoto.objects.create(hazard=hazard, event=event, kind=kind, uploaded_by=actor, **image.fields())


def _place(
    actor, enterprise: Enterprise | None, division: Division | None
) -> tuple[Enterprise | None, Division]:
    """The enterprise and division a new hazard belongs to, checked against the actor's scope."""
    if getattr(actor, "is_enterprise_user", False):
        if enterprise is not None and enterprise.pk != actor.enterprise_id:
            raise ValidationError(
                {"enterprise": _("You can report hidden dangers of your own enterprise only.")}
            )
        enterprise = actor.enterprise
    if enterprise is not None:
        if actor is not None and not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
            raise ValidationError({"enterprise": _("This enterprise is outside your jurisdiction.")})
        return enterprise, enterprise.division
    if division is None:
        raise ValidationError({"enterprise": _("Choose the enterprise, or the division of the place.")})
    prefix = getattr(actor, "scope_prefix", "") if actor is not None else ""
    if prefix is None or not division.code.startswith(prefix):
        raise ValidationError({"division": _("This division is outside your jurisdiction.")})
    return None, division


# -- the loop ---------------------------------------------------------------------------------------


def report_hazard(
    *,
    actor,
    title: str,
    source: str,
    enterprise: Enterprise | None = None,
    division: Division | None = None,
    description: str = "",
    location: str = "",
    grade: str = "general",  # Grade.GENERAL
    criteria: Iterable[str] | None = None,
    photos: Sequence | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Hazard:
    """Record a hidden danger found by a self-check, an inspection, a public report, an alarm..."""
    now = now or timezone.now()
    if not (title or "").strip():
        raise ValidationError({"title": _("The title is required.")})
    if source not in Source.values:
        raise ValidationError({"source": _("Choose a valid source.")})
    chosen = _criteria(criteria)
    _check_grade(grade, chosen)
    images = _images(photos)
    enterprise, place = _place(actor, enterprise, division)
    with transaction.atomic():
        hazard = Hazard(
            enterprise=enterprise,
            division=place,
            industry=(enterprise.industry if enterprise else "") or "",
            title=title.strip(),
            description=description or "",
            location=location or "",
            source=source,
            grade=grade,
            status=Status.REPORTED,
            reported_by=actor,
            reported_at=now,
        )
        hazard.full_clean(exclude=["criteria"])
        hazard.save()
        hazard.criteria.set(chosen)
        event = _event(
            hazard, "report", actor, now, note=note, grade=grade, criteria=[c.code for c in chosen]
        )
        _store_photos(hazard, images, "before", actor, event)  # PhotoKind.BEFORE
        _bump(_stat_key(hazard), found=1)
    return hazard


def confirm_hazard(
    hazard: Hazard,
    *,
    actor,
    grade: str,
    treatment: str,
    due_at: datetime.datetime | None = None,
    criteria: Iterable[str] | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Hazard:
    """Confirm the grade (重大 with its criteria) and the treatment; the deadline starts its ladder."""
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.CONFIRM)
        chosen = _criteria(criteria) if criteria is not None else list(hazard.criteria.all())
        _check_grade(grade, chosen)
        if treatment not in Treatment.values:
            raise ValidationError({"treatment": _("Choose a valid treatment.")})
        if treatment == Treatment.IMMEDIATE:
            if grade == Grade.MAJOR:
                raise ValidationError(
                    {
                        "treatment": _(
                            "A major hidden danger is rectified by a deadline with a plan, not on the spot."
                        )
                    }
                )
            due_at = due_at or now + IMMEDIATE_WINDOW
        if due_at is None:
            raise ValidationError({"due_at": _("The rectification deadline is required.")})
        _future(due_at, "due_at", now)
        before, old_key = hazard.status, _stat_key(hazard)
        hazard.grade, hazard.treatment, hazard.due_at = grade, treatment, due_at
        hazard.status, hazard.confirmed_at = Status.CONFIRMED, now
        _save(hazard, "grade", "treatment", "due_at", "status", "confirmed_at")
        hazard.criteria.set(chosen)
        if old_key != _stat_key(hazard):
            _bump(old_key, found=-1)
            _bump(_stat_key(hazard), found=1)
        escalation.attach_deadline(hazard, due_at=due_at, assignee=_assignee(hazard), actor=actor, now=now)
        _event(hazard, Action.CONFIRM, actor, now, before=before, note=note, grade=grade, due_at=due_at)
    return hazard


def _assignee(hazard: Hazard):
    """Who the ladder reminds: the reporter when they belong to the enterprise, else nobody in particular
    (the escalation handlers then reach the enterprise's users)."""
    reporter = hazard.reported_by
    if reporter is not None and hazard.enterprise_id and reporter.enterprise_id == hazard.enterprise_id:
        return reporter
    return None


def start_rectification(
    hazard: Hazard,
    *,
    actor,
    measures: str = "",
    responsible: str = "",
    funds=None,
    contingency: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Hazard:
    """The rectification plan; for a major hidden danger all of 五到位 must be in place."""
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.START)
        if hazard.grade == Grade.MAJOR:
            errors = rules.check_five_in_place(
                measures=measures,
                responsible=responsible,
                funds=funds,
                due_at=hazard.due_at,
                contingency=contingency,
            )
            if errors:
                raise ValidationError(errors)
        before = hazard.status
        hazard.plan_measures, hazard.plan_responsible = measures or "", responsible or ""
        hazard.plan_funds, hazard.plan_contingency = funds, contingency or ""
        hazard.status = Status.RECTIFYING
        hazard.full_clean(exclude=["criteria"])
        _save(hazard, "plan_measures", "plan_responsible", "plan_funds", "plan_contingency", "status")
        _event(hazard, Action.START, actor, now, before=before, note=note, funds=funds)
    return hazard


def submit_rectification(
    hazard: Hazard, *, actor, note: str, photos: Sequence | None = None, now: datetime.datetime | None = None
) -> Hazard:
    """The rectifier reports the work done, with after photos, for someone else to verify."""
    now = now or timezone.now()
    images = _images(photos)
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.SUBMIT)
        if not (note or "").strip():
            raise ValidationError({"note": _("Describe the rectification done.")})
        before = hazard.status
        hazard.status, hazard.submitted_at = Status.SUBMITTED, now
        hazard.rectified_by, hazard.rectification_note = actor, note.strip()
        _save(hazard, "status", "submitted_at", "rectified_by", "rectification_note")
        event = _event(hazard, Action.SUBMIT, actor, now, before=before, note=note.strip())
        _store_photos(hazard, images, "after", actor, event)  # PhotoKind.AFTER
    return hazard


def reject_rectification(hazard: Hazard, *, actor, note: str, now: datetime.datetime | None = None) -> Hazard:
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.REJECT)
        if not (note or "").strip():
            raise ValidationError({"note": _("Give the reason for the rejection.")})
        before = hazard.status
        hazard.status = Status.RECTIFYING
        hazard.rejections += 1  # the row is locked: no lost update
        _save(hazard, "status", "rejections")
        _event(
            hazard, Action.REJECT, actor, now, before=before, note=note.strip(), rejections=hazard.rejections
        )
    return hazard


def verify_hazard(hazard: Hazard, *, actor, note: str = "", now: datetime.datetime | None = None) -> Hazard:
    """Accept the rectification (验收). A supervised hazard then waits for the authority's sign-off."""
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.VERIFY)
        before = hazard.status
        hazard.status = rules.next_status(before, Action.VERIFY, supervised=hazard.is_supervised) or before
        hazard.verified_by = actor
        _save(hazard, "status", "verified_by")
        _event(hazard, Action.VERIFY, actor, now, before=before, note=note)
        if hazard.status == Status.CLOSED:
            _close(hazard, actor, now)
    return hazard


def sign_off_hazard(hazard: Hazard, *, actor, note: str = "", now: datetime.datetime | None = None) -> Hazard:
    """The supervising authority closes a supervised hazard and delists it (a public-notice event)."""
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.SIGN_OFF)
        listing = active_supervision(hazard)
        before = hazard.status
        hazard.status = Status.CLOSED
        hazard.is_supervised = False
        _save(hazard, "status", "is_supervised")
        if listing is not None:
            listing.delisted_at, listing.delisted_by = now, actor
            listing.save(update_fields=["delisted_at", "delisted_by"])
        _event(hazard, Action.SIGN_OFF, actor, now, before=before, note=note, public_notice="delisted")
        _close(hazard, actor, now)
    return hazard


def _close(hazard: Hazard, actor, now: datetime.datetime) -> None:
    hazard.closed_at = now
    _save(hazard, "closed_at")
    if Deadline.objects.for_object(hazard).open().exists():
        escalation.close_deadline(hazard, actor=actor, now=now)
    days = max((timezone.localdate(now) - timezone.localdate(hazard.reported_at)).days, 0)
    late = (
        1 if hazard.due_at is not None and hazard.submitted_at and hazard.submitted_at > hazard.due_at else 0
    )
    _bump(_stat_key(hazard), closed=1, close_days=days, closed_late=late)


def list_for_supervision(
    hazard: Hazard,
    *,
    actor,
    level: str,
    authority: Division | None,
    unit: str,
    due_at: datetime.datetime | None,
    document_no: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> Supervision:
    """挂牌督办: a supervising authority lists a major hazard; listing is a public-notice event."""
    now = now or timezone.now()
    if level not in SupervisionLevel.values:
        raise ValidationError({"level": _("Choose a valid level.")})
    if not (unit or "").strip():
        raise ValidationError({"unit": _("The supervising unit is required.")})
    if due_at is None:
        raise ValidationError({"due_at": _("The supervision deadline is required.")})
    _future(due_at, "due_at", now)
    prefix = getattr(actor, "scope_prefix", None)
    if authority is None or prefix is None or not authority.code.startswith(prefix):
        raise ValidationError(
            {"authority": _("The supervising authority must be your division or one under it.")}
        )
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.LIST)
        if not hazard.division_id.startswith(authority.prefix):
            raise ValidationError({"authority": _("The hidden danger is outside this authority's division.")})
        listing = Supervision.objects.create(
            hazard=hazard,
            level=level,
            authority=authority,
            unit=unit.strip(),
            document_no=(document_no or "").strip(),
            due_at=due_at,
            listed_at=now,
            listed_by=actor,
            note=note or "",
        )
        hazard.is_supervised = True
        _save(hazard, "is_supervised")
        _event(
            hazard,
            Action.LIST,
            actor,
            now,
            before=hazard.status,
            note=note,
            public_notice="listed",
            unit=listing.unit,
            level=level,
            document_no=listing.document_no,
            due_at=due_at,
        )
    return listing


def request_extension(
    hazard: Hazard, *, actor, new_due_at: datetime.datetime, reason: str, now: datetime.datetime | None = None
) -> ExtensionRequest:
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.REQUEST_EXTENSION)
        deadline = Deadline.objects.for_object(hazard).open().get()
        request = escalation.request_extension(deadline, new_due_at=new_due_at, reason=reason, actor=actor)
        _event(
            hazard,
            Action.REQUEST_EXTENSION,
            actor,
            now,
            before=hazard.status,
            note=reason,
            new_due_at=new_due_at,
        )
    return request


def decide_extension(
    hazard: Hazard, *, actor, approve: bool, note: str = "", now: datetime.datetime | None = None
) -> ExtensionRequest:
    now = now or timezone.now()
    with transaction.atomic():
        hazard = _locked(hazard)
        _check(hazard, actor, Action.DECIDE_EXTENSION)
        request = pending_extension(hazard)
        assert request is not None  # refusal() checked it
        if approve:
            request = escalation.approve_extension(request, actor=actor, note=note)
            hazard.due_at = request.new_due_at
            _save(hazard, "due_at")
        else:
            request = escalation.reject_extension(request, actor=actor, note=note)
        action = "approve_extension" if approve else "reject_extension"
        _event(hazard, action, actor, now, before=hazard.status, note=note, new_due_at=request.new_due_at)
    return request


def add_photos(hazard: Hazard, *, actor, photos: Sequence, kind: str = "before") -> list[HazardPhoto]:
    if kind not in PhotoKind.values:
        raise ValidationError({"kind": _("Choose a valid photo kind.")})
    if hazard.status == Status.CLOSED:
        raise TransitionError("closed", _("The hidden danger is closed."))
    images = _images(photos)
    if not images:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    now = timezone.now()
    with transaction.atomic():
        event = _event(hazard, "add_photos", actor, now, before=hazard.status, kind=kind, count=len(images))
        _store_photos(hazard, images, kind, actor, event)
    return list(hazard.photos.filter(event=event))


# -- one entry point for the pages and the API ------------------------------------------------------

# The plan's form fields are named after the service's keywords; its errors after the model fields.
_PLAN_ERRORS = {
    "plan_measures": "measures",
    "plan_responsible": "responsible",
    "plan_funds": "funds",
    "plan_contingency": "contingency",
}


def perform_action(
    hazard: Hazard, action: str, *, actor, data: dict[str, Any], photos: Sequence | None = None
) -> Hazard:
    """Take `action` with its fields (`data`, keyed as documented in docs/api.md) and return the hazard.

    The refusal is checked first, so a person who may not act learns that before any field error;
    the service checks it again under the row lock.
    """
    _check(hazard, actor, action)
    note = data.get("note") or ""
    if action == Action.CONFIRM:
        confirm_hazard(
            hazard,
            actor=actor,
            grade=data.get("grade") or "",
            treatment=data.get("treatment") or "",
            due_at=data.get("due_at"),
            criteria=data.get("criteria"),
            note=note,
        )
    elif action == Action.START:
        try:
            start_rectification(
                hazard,
                actor=actor,
                measures=data.get("measures") or "",
                responsible=data.get("responsible") or "",
                funds=data.get("funds"),
                contingency=data.get("contingency") or "",
                note=note,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                {_PLAN_ERRORS.get(field, field): messages for field, messages in error.message_dict.items()}
            ) from None
    elif action == Action.SUBMIT:
        submit_rectification(hazard, actor=actor, note=note, photos=photos)
    elif action == Action.REJECT:
        reject_rectification(hazard, actor=actor, note=note)
    elif action == Action.VERIFY:
        verify_hazard(hazard, actor=actor, note=note)
    elif action == Action.SIGN_OFF:
        sign_off_hazard(hazard, actor=actor, note=note)
    elif action == Action.LIST:
        authority = data.get("authority")
        if isinstance(authority, str):
            authority = Division.objects.filter(code=authority).first()
            if authority is None:
                raise ValidationError({"authority": _("Unknown division code.")})
        list_for_supervision(
            hazard,
            actor=actor,
            level=data.get("level") or "",
            authority=authority,
            unit=data.get("unit") or "",
            due_at=data.get("due_at"),
            document_no=data.get("document_no") or "",
            note=note,
        )
    elif action == Action.REQUEST_EXTENSION:
        if data.get("new_due_at") is None:
            raise ValidationError({"new_due_at": _("The new deadline is required.")})
        request_extension(hazard, actor=actor, new_due_at=data["new_due_at"], reason=data.get("reason") or "")
    elif action == Action.DECIDE_EXTENSION:
        if data.get("approve") is None:
            raise ValidationError({"approve": _("Choose whether to approve the extension.")})
        decide_extension(hazard, actor=actor, approve=bool(data["approve"]), note=note)
    return Hazard.objects.get(pk=hazard.pk)
