"""Inspections (执法检查): start, record item results (with photos), add findings, finish — which makes
every failed item and every free finding a hidden danger in the dual-prevention loop through the
hazards app's services — and QR check-ins.

Every action takes the actor keyword-only and runs in one transaction. Bad values raise
`ValidationError({field: message})`; an action the actor or the inspection's state does not allow
raises `rules_inspections.InspectionRefused`. Either way nothing changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import uploads
from yingji.hazards import services as hazard_services
from yingji.hazards.models import HazardCriterion
from yingji.hazards.rules import TransitionError
from yingji.inspections import rules_inspections as rules
from yingji.inspections.models_checklists import (
    CheckIn,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionItemResult,
    InspectionPhoto,
)
from yingji.inspections.rules_inspections import InspectionRefused  # noqa: F401  (raised via rules)
from yingji.registry.models import Enterprise

TITLE_MAX = 200


# -- helpers ----------------------------------------------------------------------------------------


def _float_or_none(value, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError({field: _("Enter a number.")})
    return number


def _coordinates(latitude, longitude) -> tuple[float | None, float | None]:
    lat = _float_or_none(latitude, "latitude")
    lng = _float_or_none(longitude, "longitude")
    errors = rules.coordinate_errors(lat, lng)
    if errors:
        raise ValidationError(errors)
    return lat, lng


def enterprise_closed_error() -> ValidationError:
    return ValidationError(
        {
            "enterprise": ValidationError(
                _("This enterprise is closed; it cannot be inspected."), code="closed"
            )
        }
    )


def _check_enterprise(actor, enterprise: Enterprise) -> None:
    if actor is not None and not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("This enterprise is outside your jurisdiction.")})
    if enterprise.status == "closed":
        raise enterprise_closed_error()


def may_inspect(user, enterprise: Enterprise) -> bool:
    """A government user (not an enterprise's) who may add inspections and sees the enterprise."""
    return (
        user is not None
        and user.is_active
        and not getattr(user, "is_enterprise_user", False)
        and (user.has_perm("inspections.add_inspection") or user.has_perm("inspections.change_inspection"))
        and Enterprise.objects.for_user(user).filter(pk=enterprise.pk).exists()
    )


def is_inspector(inspection: Inspection, user) -> bool:
    return user is not None and user.is_authenticated and inspection.inspectors.filter(pk=user.pk).exists()


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def _check_recording(inspection: Inspection, actor) -> None:
    refused = rules.refusal_to_record(status=inspection.status, is_inspector=is_inspector(inspection, actor))
    if refused is not None:
        raise refused


def template_items(inspection: Inspection) -> list[ChecklistItem]:
    if inspection.template_id is None:
        return []
    return list(ChecklistItem.objects.filter(template_id=inspection.template_id).order_by("number"))


def missing_items(inspection: Inspection) -> list[ChecklistItem]:
    answered = set(inspection.results.values_list("item_id", flat=True))
    return [item for item in template_items(inspection) if item.pk not in answered]


# -- actions ----------------------------------------------------------------------------------------


def start_inspection(
    *,
    actor,
    enterprise: Enterprise,
    template: ChecklistTemplate | None = None,
    kind: str = "routine",
    inspectors: Iterable = (),
    latitude=None,
    longitude=None,
    summary: str = "",
    now: datetime.datetime | None = None,
) -> Inspection:
    """Start an inspection of `enterprise` with an active checklist; the actor is always an inspector."""
    now = now or timezone.now()
    if kind not in rules.KINDS:
        raise ValidationError({"kind": _("Choose a valid kind.")})
    _check_enterprise(actor, enterprise)
    if template is not None:
        if template.status != "active":
            raise ValidationError({"template": _("Only an active checklist can be used.")})
        if (
            actor is not None
            and not ChecklistTemplate.objects.for_user(actor).filter(pk=template.pk).exists()
        ):
            raise ValidationError({"template": _("This checklist is outside your jurisdiction.")})
    team = [actor, *[u for u in inspectors if u is not None and u != actor]] if actor else list(inspectors)
    for user in team:
        if not may_inspect(user, enterprise):
            raise ValidationError(
                {"inspectors": _("{user} cannot inspect this enterprise.").format(user=user.get_username())}
            )
    if not team:
        raise ValidationError({"inspectors": _("An inspection needs at least one inspector.")})
    lat, lng = _coordinates(latitude, longitude)
    with transaction.atomic():
        inspection = Inspection(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            template=template,
            kind=kind,
            status="in_progress",
            started_at=now,
            created_by=actor,
            latitude=lat,
            longitude=lng,
            summary=(summary or "").strip(),
        )
        inspection.full_clean()
        inspection.save()
        inspection.inspectors.set(team)
    return inspection


def record_result(
    *,
    actor,
    inspection: Inspection,
    item: ChecklistItem | int,
    result: str,
    note: str = "",
    photos: Sequence | None = None,
    now: datetime.datetime | None = None,
) -> InspectionItemResult:
    """Answer (or re-answer) one checklist item: pass, fail or not applicable, a note, photos."""
    now = now or timezone.now()
    if result not in rules.RESULTS:
        raise ValidationError({"result": _("Choose pass, fail or not applicable.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("At most {n} characters.").format(n=500)})
    files = list(photos or [])
    if len(files) > rules.MAX_PHOTOS:
        raise ValidationError({"photos": _("At most {n} photos at a time.").format(n=rules.MAX_PHOTOS)})
    images = [uploads.validate_image(f, field="photos") for f in files]
    with transaction.atomic():
        inspection = _locked(inspection)
        _check_recording(inspection, actor)
        item_id = item if isinstance(item, int) else item.pk
        if (
            inspection.template_id is None
            or not ChecklistItem.objects.filter(pk=item_id, template_id=inspection.template_id).exists()
        ):
            raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
        row, _created = InspectionItemResult.objects.update_or_create(
            inspection=inspection,
            item_id=item_id,
            defaults={"result": result, "note": note, "recorded_by": actor, "recorded_at": now},
        )
        if images and row.photos.count() + len(images) > rules.MAX_PHOTOS:
            raise ValidationError({"photos": _("At most {n} photos per item.").format(n=rules.MAX_PHOTOS)})
        for image in images:
            InspectionPhoto.objects.create(result=row, uploaded_by=actor, **image.fields())
    return row


def _criterion(code: str | None) -> HazardCriterion | None:
    if not code:
        return None
    found = HazardCriterion.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({"criterion": _("Unknown criterion code {code}.").format(code=code)})
    return found


def add_finding(
    *,
    actor,
    inspection: Inspection,
    description: str,
    legal_basis: str = "",
    is_major: bool = False,
    criterion: str | None = None,
    deadline: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Finding:
    """A free finding (a problem not on the checklist); finishing makes it a hidden danger."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if not description:
        errors["description"] = _("Describe the problem found.")
    if len(legal_basis or "") > 300:
        errors["legal_basis"] = _("At most {n} characters.").format(n=300)
    if deadline is None:
        errors["deadline"] = _("The rectification deadline is required.")
    elif deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    found_criterion = _criterion(criterion)
    if is_major and found_criterion is None:
        raise ValidationError(
            {"criterion": _("A major hidden danger must name the article of the 判定标准 it meets.")}
        )
    with transaction.atomic():
        inspection = _locked(inspection)
        _check_recording(inspection, actor)
        return Finding.objects.create(
            inspection=inspection,
            description=description,
            legal_basis=(legal_basis or "").strip(),
            is_major=is_major,
            criterion=found_criterion,
            deadline=deadline,
        )


def remove_finding(*, actor, finding: Finding) -> None:
    with transaction.atomic():
        inspection = _locked(finding.inspection)
        _check_recording(inspection, actor)
        if finding.item_id is not None:
            raise ValidationError({"finding": _("Change the item's result instead.")})
        finding.delete()


def _due_at(deadline: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(23, 59, 59)))


def _hazard_for(finding: Finding, inspection: Inspection, actor, now: datetime.datetime):
    title = finding.description.splitlines()[0][:TITLE_MAX] if finding.description else ""
    description = finding.description
    if finding.legal_basis:
        description += "\n" + _("Legal basis: {basis}").format(basis=finding.legal_basis)
    criteria = [finding.criterion.code] if finding.criterion_id else []
    grade = "major" if finding.is_major else "general"
    note = _("Found by inspection #{pk}.").format(pk=inspection.pk)
    hazard = hazard_services.report_hazard(
        actor=actor,
        title=title,
        source="inspection",
        enterprise=inspection.enterprise,
        description=description,
        grade=grade,
        criteria=criteria,
        note=note,
        now=now,
    )
    return hazard_services.confirm_hazard(
        hazard,
        actor=actor,
        grade=grade,
        treatment="deadline",
        due_at=_due_at(finding.deadline),
        criteria=criteria,
        note=note,
        now=now,
    )


def finish_inspection(
    *, actor, inspection: Inspection, summary: str | None = None, now: datetime.datetime | None = None
) -> Inspection:
    """Close the record: every checklist item must be answered. Each failed item and each free finding
    becomes a confirmed hidden danger (major for a major-criterion item) with its legal basis and
    rectification deadline."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        inspection = _locked(inspection)
        _check_recording(inspection, actor)
        missing = missing_items(inspection)
        if missing:
            raise ValidationError(
                {
                    "results": ValidationError(
                        _("{count} items are not answered yet (first: No. {number}).").format(
                            count=len(missing), number=missing[0].number
                        ),
                        code="unanswered",
                    )
                }
            )
        failed = inspection.results.filter(result="fail").select_related("item", "item__criterion")
        for result in failed:
            item = result.item
            text = item.text + (("\n" + result.note) if result.note else "")
            Finding.objects.get_or_create(
                inspection=inspection,
                item=item,
                defaults={
                    "description": text,
                    "legal_basis": item.legal_basis,
                    "is_major": item.is_major_criterion and item.criterion_id is not None,
                    "criterion": item.criterion,
                    "deadline": rules.deadline_for(today, item.default_deadline_days),
                },
            )
        try:
            for finding in inspection.findings.filter(hazard__isnull=True).select_related("criterion"):
                finding.hazard = _hazard_for(finding, inspection, actor, now)
                finding.save(update_fields=["hazard"])
        except TransitionError as error:
            raise ValidationError({"__all__": error.reason}) from None
        if summary is not None:
            inspection.summary = summary.strip()
        inspection.status = "finished"
        inspection.finished_at = now
        inspection.save(update_fields=["summary", "status", "finished_at"])
    return inspection


# -- QR check-ins -----------------------------------------------------------------------------------


def purpose_for(user, enterprise: Enterprise) -> str:
    """What a scan of the enterprise's poster does for this user."""
    if user is None or not user.is_authenticated:
        return "public_report"
    if getattr(user, "is_enterprise_user", False):
        return "self_check" if user.enterprise_id == enterprise.pk else "public_report"
    if user.has_perm("inspections.add_inspection") and may_inspect(user, enterprise):
        return "inspection"
    return "view"


def record_check_in(
    *,
    actor,
    enterprise: Enterprise,
    latitude=None,
    longitude=None,
    accuracy=None,
    inspection: Inspection | None = None,
    now: datetime.datetime | None = None,
) -> CheckIn:
    """One scan: who, when, where the phone said it was (unknown when refused), and how far that is
    from the enterprise. A closed enterprise records nothing."""
    now = now or timezone.now()
    if enterprise.status == "closed":
        raise enterprise_closed_error()
    lat, lng = _coordinates(latitude, longitude)
    acc = _float_or_none(accuracy, "accuracy")
    distance, far = rules.check_in_distance(enterprise.longitude, enterprise.latitude, lng, lat)
    user = actor if actor is not None and actor.is_authenticated else None
    return CheckIn.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        user=user,
        at=now,
        purpose=purpose_for(user, enterprise),
        latitude=lat,
        longitude=lng,
        accuracy_m=acc if acc is None or acc >= 0 else None,
        distance_m=distance,
        is_far=far,
        inspection=inspection,
    )


def start_from_scan(
    *,
    actor,
    enterprise: Enterprise,
    template: ChecklistTemplate | None,
    kind: str = "routine",
    latitude=None,
    longitude=None,
    accuracy=None,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, Inspection]:
    """An inspector's scan: the check-in and the inspection it starts, together or not at all."""
    now = now or timezone.now()
    with transaction.atomic():
        inspection = start_inspection(
            actor=actor,
            enterprise=enterprise,
            template=template,
            kind=kind,
            latitude=latitude,
            longitude=longitude,
            now=now,
        )
        check_in = record_check_in(
            actor=actor,
            enterprise=enterprise,
            latitude=latitude,
            longitude=longitude,
            accuracy=accuracy,
            inspection=inspection,
            now=now,
        )
    return check_in, inspection
