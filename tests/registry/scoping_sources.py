"""Major hazard sources for the generated scoping walk (tests/test_scoping.py): one tailings pond per
enterprise of its world (A in town A, the neighbour in village A, B in town B), made on first use.

In tests/test_scoping.py: `OBJECTS.update(SOURCE_OBJECTS)`, `API_PARAMS.update(SOURCE_API_PARAMS)` and
`PAGE_MODELS.update(SOURCE_PAGE_MODELS)`.
"""

from __future__ import annotations

from yingji.registry.models import MajorHazardSource


def source_of(enterprise) -> MajorHazardSource:
    source, _created = MajorHazardSource.objects.get_or_create(
        enterprise=enterprise,
        name="走查尾矿库",
        defaults={"division_id": enterprise.division_id, "category": "tailings", "is_major": True},
    )
    return source


SOURCE_OBJECTS = {
    "registry.majorhazardsource": {
        "other_town": lambda w: source_of(w.enterprise_b),
        "other_enterprise": lambda w: source_of(w.neighbour),
        "own": lambda w: source_of(w.enterprise_a),
    }
}
SOURCE_API_PARAMS = {"source_id": "registry.majorhazardsource"}
SOURCE_PAGE_MODELS = {
    f"registry:source_{action}": "registry.majorhazardsource"
    for action in ("detail", "edit", "delete", "assessment")
}
