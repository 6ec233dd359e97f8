"""Checklist and inspection objects for the generated scoping walk (tests/test_scoping.py): each
enterprise of the walk's world gets a checklist template owned by its division, an inspection with one
answered item (with a photo), a free finding and a QR check-in, made on first use.

In tests/test_scoping.py:
    from tests.inspections.scoping_inspections import (
        INSPECTIONS_API_PARAMS, INSPECTIONS_EXEMPT, INSPECTIONS_OBJECTS, INSPECTIONS_PAGE_PARAMS,
    )
    OBJECTS.update(INSPECTIONS_OBJECTS)
    API_PARAMS.update(INSPECTIONS_API_PARAMS)
    PAGE_PARAMS.update(INSPECTIONS_PAGE_PARAMS)
    EXEMPT.update(INSPECTIONS_EXEMPT)
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from yingji.inspections.models_checklists import (
    CheckIn,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionItemResult,
    InspectionPhoto,
)


def template_of(enterprise) -> ChecklistTemplate:
    template, created = ChecklistTemplate.objects.get_or_create(
        code=f"walk-{enterprise.pk}",
        version=1,
        defaults={
            "name": "走查检查表",
            "topic": "other",
            "status": "active",
            "division_id": enterprise.division_id,
        },
    )
    if created:
        ChecklistItem.objects.create(template=template, number=1, text="走查检查项", default_deadline_days=7)
    return template


def item_of(enterprise) -> ChecklistItem:
    return template_of(enterprise).items.get(number=1)


def inspection_of(enterprise) -> Inspection:
    inspection = Inspection.objects.filter(enterprise=enterprise, summary="walk").first()
    if inspection is None:
        inspection = Inspection.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            template=template_of(enterprise),
            started_at=timezone.now(),
            summary="walk",
        )
        result = InspectionItemResult.objects.create(
            inspection=inspection, item=item_of(enterprise), result="fail"
        )
        from tests.conftest import image_file

        image = image_file()
        InspectionPhoto.objects.create(
            result=result,
            file=ContentFile(image.read(), name="walk.png"),
            content_type="image/png",
            size=image.size,
            width=40,
            height=30,
        )
        Finding.objects.create(inspection=inspection, description="走查发现", deadline=timezone.localdate())
        CheckIn.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            at=timezone.now(),
            purpose="public_report",
        )
    return inspection


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


INSPECTIONS_OBJECTS = {
    "inspections.checklisttemplate": _each(template_of),
    "inspections.checklistitem": _each(item_of),
    "inspections.inspection": _each(inspection_of),
    "inspections.finding": _each(lambda e: inspection_of(e).findings.get()),
    "inspections.inspectionphoto": _each(
        lambda e: InspectionPhoto.objects.get(result__inspection=inspection_of(e))
    ),
    "inspections.checkin": _each(
        lambda e: (inspection_of(e), CheckIn.objects.filter(enterprise=e).first())[1]
    ),
}
INSPECTIONS_API_PARAMS = {
    "template_id": "inspections.checklisttemplate",
    "inspection_id": "inspections.inspection",
    "checklistitem_id": "inspections.checklistitem",
}
INSPECTIONS_PAGE_PARAMS = {
    "checklistitem_id": "inspections.checklistitem",
    "finding_id": "inspections.finding",
    "inspectionphoto_id": "inspections.inspectionphoto",
    "enterprise_id": "registry.enterprise",
}
INSPECTIONS_EXEMPT = {
    "inspections:qr_scan": "the QR poster's landing page: no login by design; the signed token is the key "
    "(tests/inspections/test_qr_checkin.py)",
}
