"""Custodian duties for the generated scoping walk (tests/test_scoping.py): the walk's source of each
enterprise (tests/registry/scoping_sources.py) gets its three custodians, hence its duty tasks, and one
task an evidence photo, on first use.

In tests/test_scoping.py: `OBJECTS.update(CUSTODIAN_OBJECTS)`, `API_PARAMS.update(CUSTODIAN_API_PARAMS)`,
`PAGE_MODELS.update(CUSTODIAN_PAGE_MODELS)` and `PAGE_PARAMS.update(CUSTODIAN_PAGE_PARAMS)`.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image
from tests.registry.scoping_sources import source_of

from yingji.registry import services_custodians as services
from yingji.registry.models_sources import DutyEvidence, DutyTask


def duty_of(enterprise) -> DutyTask:
    source = source_of(enterprise)
    if not source.custodians.exists():
        entries = [
            {"role": role, "name": f"走查{role}", "title": "", "phone": ""}
            for role in ("main", "technical", "operational")
        ]
        services.set_custodians(source, actor=None, entries=entries)
    return DutyTask.objects.filter(source=source).order_by("pk").first()


def evidence_of(enterprise) -> DutyEvidence:
    task = duty_of(enterprise)
    photo = task.photos.first()
    if photo is None:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, format="PNG")
        photo = DutyEvidence.objects.create(
            task=task,
            file=ContentFile(buffer.getvalue(), name="walk.png"),
            content_type="image/png",
            size=len(buffer.getvalue()),
            width=8,
            height=8,
        )
    return photo


CUSTODIAN_OBJECTS = {
    "registry.dutytask": {
        "other_town": lambda w: duty_of(w.enterprise_b),
        "other_enterprise": lambda w: duty_of(w.neighbour),
        "own": lambda w: duty_of(w.enterprise_a),
    },
    "registry.dutyevidence": {
        "other_town": lambda w: evidence_of(w.enterprise_b),
        "other_enterprise": lambda w: evidence_of(w.neighbour),
        "own": lambda w: evidence_of(w.enterprise_a),
    },
}
CUSTODIAN_API_PARAMS = {"duty_id": "registry.dutytask"}
CUSTODIAN_PAGE_MODELS = {
    "registry:source_custodians": "registry.majorhazardsource",
    "registry:source_placard": "registry.majorhazardsource",
    "registry:duty_detail": "registry.dutytask",
    "registry:duty_complete": "registry.dutytask",
    "registry:duty_photo": "registry.dutytask",
}
CUSTODIAN_PAGE_PARAMS = {"evidence_id": "registry.dutyevidence"}
