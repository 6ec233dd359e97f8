"""Enforcement-plan objects for the generated scoping walk (tests/test_scoping.py), and helpers the
plan, draw, coverage and statistics tests share.

Each walk enterprise gets, on first use, a draft plan of its own division (one entry: the enterprise),
a published random draw of its division drawing it, and a declared conflict of interest.

In tests/test_scoping.py: `OBJECTS.update(PLAN_OBJECTS)`, `API_PARAMS.update(PLAN_API_PARAMS)`,
`PAGE_MODELS.update(PLAN_PAGE_MODELS)` and `EXEMPT.update(PLAN_EXEMPT)`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_plans import (
    ConflictOfInterest,
    DrawResult,
    InspectionPlan,
    PlanEntry,
    RandomDraw,
)

PASSWORD = "Test@pass1"


def make_inspector(username: str, division_code: str):
    return account_services.create_user(
        username=username,
        role="inspector",
        division=Division.objects.get(code=division_code),
        password=PASSWORD,
        full_name=username,
    )


def finished_inspection(
    enterprise, at: datetime.datetime, *, user, findings: int = 0, major: int = 0
) -> Inspection:
    """An inspection of the enterprise finished at `at`, with `findings` findings (`major` of them major),
    saved the way the inspection services save one: in progress, findings, then finished."""
    inspection = Inspection.objects.create(
        enterprise=enterprise,
        division_id=enterprise.division_id,
        kind="routine",
        status="in_progress",
        started_at=at - datetime.timedelta(hours=1),
        created_by=user,
    )
    for n in range(findings):
        Finding.objects.create(
            inspection=inspection, description=f"问题{n}", is_major=n < major, deadline=at.date()
        )
    inspection.status, inspection.finished_at = "finished", at
    inspection.save()
    return inspection


def _walk_user(enterprise):
    from yingji.accounts.models import User

    return User.objects.filter(is_superuser=False, role="bureau_admin").first() or User.objects.first()


def plan_of(enterprise) -> InspectionPlan:
    year = 2040 + enterprise.pk % 60  # one plan per walk enterprise (unique per division and year)
    plan = InspectionPlan.objects.filter(division_id=enterprise.division_id, year=year).first()
    if plan is None:
        plan = InspectionPlan.objects.create(
            division_id=enterprise.division_id, year=year, title="走查计划", created_by=_walk_user(enterprise)
        )
        PlanEntry.objects.create(plan=plan, enterprise=enterprise, month=3, enterprise_class="key")
    return plan


def entry_of(enterprise) -> PlanEntry:
    return plan_of(enterprise).entries.get(enterprise=enterprise)


def draw_of(enterprise) -> RandomDraw:
    title = f"走查抽查{enterprise.pk}"
    draw = RandomDraw.objects.filter(division_id=enterprise.division_id, title=title).first()
    if draw is None:
        draw = RandomDraw.objects.create(
            division_id=enterprise.division_id,
            title=title,
            status="published",
            seed=1,
            pool={"division": enterprise.division_id},
            candidate_ids=[enterprise.pk],
            inspector_ids=[],
            count=1,
            drawn_by=_walk_user(enterprise),
            drawn_at=timezone.now(),
            published_at=timezone.now(),
        )
        DrawResult.objects.create(draw=draw, position=1, enterprise=enterprise)
    return draw


def conflict_of(enterprise) -> ConflictOfInterest:
    user = _walk_user(enterprise)
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        inspector=user, enterprise=enterprise, defaults={"reason": "走查", "created_by": user}
    )
    return conflict


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


PLAN_OBJECTS = {
    "inspections.inspectionplan": _each(plan_of),
    "inspections.planentry": _each(entry_of),
    "inspections.randomdraw": _each(draw_of),
    "inspections.conflictofinterest": _each(conflict_of),
}
# API path parameters -> the model whose object they name.
PLAN_API_PARAMS = {
    "inspection_plan_id": "inspections.inspectionplan",
    "plan_entry_id": "inspections.planentry",
    "random_draw_id": "inspections.randomdraw",
    "conflict_id": "inspections.conflictofinterest",
}
# Page URL names whose `pk` names a model other than the one the name starts with.
PLAN_PAGE_MODELS = {
    "inspections:planentry_add": "inspections.inspectionplan",
    "inspections:inspectorgroup_add": "inspections.inspectionplan",
}
# Public by design (双随机、一公开): a published draw's enterprise and inspector names, no login.
PLAN_EXEMPT = {
    "inspections:randomdraw_public": "a published random draw's result (enterprise and inspector names): "
    "public by design (双随机、一公开); tests/inspections/test_plans_pages.py",
}
