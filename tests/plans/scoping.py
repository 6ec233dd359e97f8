"""Plan objects for the generated scoping walk (tests/test_scoping.py): each enterprise of the walk's
world gets an enterprise plan with one level, task, contact, step, attachment and a drill with a
problem, made on first use.

In tests/test_scoping.py: `OBJECTS.update(PLANS_OBJECTS)` and `API_PARAMS.update(PLANS_API_PARAMS)`
(the pages use `pk` only).
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from yingji.plans.models import (
    Drill,
    DrillProblem,
    EmergencyPlan,
    PlanAttachment,
    PlanContact,
    PlanLevel,
    PlanStep,
    PlanTask,
)


def plan_of(enterprise) -> EmergencyPlan:
    plan, created = EmergencyPlan.objects.get_or_create(
        enterprise=enterprise,
        title=f"走查现场处置方案 {enterprise.pk}",
        defaults={
            "owner_kind": "enterprise",
            "division_id": enterprise.division_id,
            "level": "enterprise",
            "plan_type": "onsite",
            "owner": enterprise.name,
            "status": "in_force",
            "approved_at": datetime.date(2025, 1, 1),
            "next_review": datetime.date(2028, 1, 1),
        },
    )
    if created:
        level = PlanLevel.objects.create(plan=plan, code="IV", name="四级", min_deaths=1)
        PlanTask.objects.create(level=level, role="现场负责人", task="组织疏散", deadline_minutes=10)
        PlanContact.objects.create(plan=plan, role="总指挥", name="走查", phone="13800000000")
        PlanStep.objects.create(plan=plan, number=1, name="接警")
        attachment = PlanAttachment(plan=plan, name="plan.pdf", content_type="application/pdf", size=9)
        attachment.file.save(f"walk-{plan.pk}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        attachment.save()
        drill = Drill.objects.create(
            plan=plan,
            division_id=plan.division_id,
            enterprise=enterprise,
            held_on=datetime.date(2026, 5, 1),
            kind="tabletop",
        )
        DrillProblem.objects.create(drill=drill, description="走查问题")
    return plan


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


PLANS_OBJECTS = {
    "plans.emergencyplan": _each(plan_of),
    "plans.planlevel": _each(lambda e: plan_of(e).levels.get()),
    "plans.plantask": _each(lambda e: PlanTask.objects.get(level__plan=plan_of(e))),
    "plans.plancontact": _each(lambda e: plan_of(e).contacts.get()),
    "plans.planstep": _each(lambda e: plan_of(e).steps.get()),
    "plans.planattachment": _each(lambda e: plan_of(e).attachments.get()),
    "plans.drill": _each(lambda e: plan_of(e).drills.get()),
    "plans.drillproblem": _each(lambda e: DrillProblem.objects.get(drill__plan=plan_of(e))),
}
PLANS_API_PARAMS = {
    "emergency_plan_id": "plans.emergencyplan",
    "plan_level_id": "plans.planlevel",
    "plan_task_id": "plans.plantask",
    "plan_contact_id": "plans.plancontact",
    "drill_id": "plans.drill",
    "drill_problem_id": "plans.drillproblem",
}
