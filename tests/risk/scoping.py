"""Risk objects for the generated scoping walk (tests/test_scoping.py): one risk unit, point, measure and
post per enterprise of its world (A in town A, the neighbour in village A, B in town B), made on first use.

In tests/test_scoping.py: `OBJECTS.update(RISK_OBJECTS)` and `API_PARAMS.update(RISK_API_PARAMS)`.
"""

from __future__ import annotations

from types import SimpleNamespace

from yingji.risk import services


def _objects_of(enterprise) -> SimpleNamespace:
    unit = services.create_unit(actor=None, enterprise=enterprise, name="走查单元")
    point = services.create_point(
        actor=None, unit=unit, name="走查风险点", kind="place", method="ls", ls_l=2, ls_s=3
    )
    measure = services.create_measure(
        actor=None,
        point=point,
        measure_type="management",
        control_level="team",
        description="走查措施",
        responsible_person="走查人",
    )
    post = services.create_post(actor=None, enterprise=enterprise, name="走查岗位", risk_points=[point])
    return SimpleNamespace(unit=unit, point=point, measure=measure, post=post)


def risk_of(world, which: str) -> SimpleNamespace:
    """The risk objects of the enterprise a persona must not reach ("other_town", "other_enterprise") or
    may ("own"), created once per world."""
    cache = world.__dict__.setdefault("_risk_objects", {})
    enterprise = {
        "other_town": world.enterprise_b,
        "other_enterprise": world.neighbour,
        "own": world.enterprise_a,
    }[which]
    if enterprise.pk not in cache:
        cache[enterprise.pk] = _objects_of(enterprise)
    return cache[enterprise.pk]


def _entry(attribute: str) -> dict:
    return {
        which: (lambda w, which=which: getattr(risk_of(w, which), attribute))
        for which in ("other_town", "other_enterprise", "own")
    }


RISK_OBJECTS = {
    "risk.riskunit": _entry("unit"),
    "risk.riskpoint": _entry("point"),
    "risk.controlmeasure": _entry("measure"),
    "risk.post": _entry("post"),
}
RISK_API_PARAMS = {
    "unit_id": "risk.riskunit",
    "point_id": "risk.riskpoint",
    "measure_id": "risk.controlmeasure",
    "post_id": "risk.post",
}
