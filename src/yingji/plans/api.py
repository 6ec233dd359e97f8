"""/api/v1/plans: emergency plans, their response levels and tasks, contacts, drills, and matching an
incident to plans. Errors are 400 `invalid_data` with `fields` named like the input."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yingji.core.api import filtered_or_400, page_of, require_perm
from yingji.plans import services
from yingji.plans.filters import DrillFilterSet, PlanFilterSet
from yingji.plans.models import Drill, DrillProblem, EmergencyPlan, PlanContact, PlanLevel, PlanTask
from yingji.registry.models import Enterprise

router = Router(tags=["plans"])


# -- schemas ----------------------------------------------------------------------------------------


class PlanIn(Schema):
    title: str = ""
    owner_kind: str = Field(default="government", description="government | enterprise")
    enterprise: int | None = Field(default=None, description="The enterprise's id (enterprise plans)")
    division: str | None = Field(default=None, description="12-digit division code (government plans)")
    level: str = Field(default="", description="county | town | village | enterprise")
    plan_type: str = Field(default="", description="general | special | department | onsite")
    incident_types: list[str] = Field(default_factory=list, description="incident kinds or subtypes")
    owner: str = ""
    version: str = "1"
    status: str = Field(default="draft", description="draft | in_force | retired")
    approved_at: datetime.date | None = None
    approved_by: str = ""
    filing_number: str = ""
    filed_at: datetime.date | None = None
    last_reviewed_at: datetime.date | None = None
    summary: str = ""


class PlanPatch(Schema):
    title: str | None = None
    level: str | None = None
    plan_type: str | None = None
    incident_types: list[str] | None = None
    owner: str | None = None
    version: str | None = None
    status: str | None = None
    approved_at: datetime.date | None = None
    approved_by: str | None = None
    filing_number: str | None = None
    filed_at: datetime.date | None = None
    summary: str | None = None


# Required fields are optional in the schemas so that a caller without permission or outside the
# jurisdiction gets 403/404 before a validation error; the services require them.
class ReviewIn(Schema):
    reviewed_on: datetime.date | None = None


class LevelIn(Schema):
    code: str = Field(default="", description="I | II | III | IV (required)")
    name: str = ""
    trigger_text: str = ""
    min_deaths: int | None = None
    min_serious_injuries: int | None = None
    min_direct_loss_yuan: Decimal | None = None
    accident_grades: list[str] = Field(
        default_factory=list, description="general, larger, major, especially_major"
    )
    incident_types: list[str] = Field(default_factory=list)


class TaskIn(Schema):
    number: int = 1
    role: str = ""
    task: str = ""
    deadline_minutes: int | None = None


class ContactIn(Schema):
    role: str = ""
    name: str = ""
    phone: str = ""
    level: int | None = Field(default=None, description="a level id of this plan; none = every level")


class DrillIn(Schema):
    plan: int | None = Field(default=None, description="the plan's id (required)")
    held_on: datetime.date | None = None
    kind: str = Field(default="", description="tabletop | functional | full_scale")
    participant_count: int = 0
    participant_units: str = ""
    scenario: str = ""
    score: int | None = None
    evaluation: str = ""
    problems: list[str] = Field(default_factory=list)


class ProblemIn(Schema):
    description: str = ""


# -- serializers ------------------------------------------------------------------------------------


def serialize_plan(plan: EmergencyPlan, full: bool = False) -> dict:
    data = {
        "id": plan.id,
        "title": plan.title,
        "owner_kind": plan.owner_kind,
        "enterprise": plan.enterprise_id,
        "division": plan.division_id,
        "level": plan.level,
        "plan_type": plan.plan_type,
        "incident_types": plan.incident_types,
        "owner": plan.owner,
        "version": plan.version,
        "status": plan.status,
        "approved_at": plan.approved_at,
        "filing_number": plan.filing_number,
        "filed_at": plan.filed_at,
        "next_review": plan.next_review,
        "review_state": plan.review_state,
    }
    if full:
        data.update(
            approved_by=plan.approved_by,
            last_reviewed_at=plan.last_reviewed_at,
            summary=plan.summary,
            levels=[serialize_level(lv) for lv in plan.levels.all()],
            contacts=[serialize_contact(c) for c in plan.contacts.all()],
            steps=services.flow_steps(plan),
            attachments=[
                {"id": a.id, "name": a.name, "content_type": a.content_type, "size": a.size}
                for a in plan.attachments.all()
            ],
        )
    return data


def serialize_level(level: PlanLevel) -> dict:
    return {
        "id": level.id,
        "plan": level.plan_id,
        "code": level.code,
        "name": level.name,
        "trigger_text": level.trigger_text,
        "min_deaths": level.min_deaths,
        "min_serious_injuries": level.min_serious_injuries,
        "min_direct_loss_yuan": str(level.min_direct_loss_yuan)
        if level.min_direct_loss_yuan is not None
        else None,
        "accident_grades": level.accident_grades,
        "incident_types": level.incident_types,
        "tasks": [serialize_task(t) for t in level.tasks.all()],
    }


def serialize_task(task: PlanTask) -> dict:
    return {
        "id": task.id,
        "level": task.level_id,
        "number": task.number,
        "role": task.role,
        "task": task.task,
        "deadline_minutes": task.deadline_minutes,
    }


def serialize_contact(contact: PlanContact) -> dict:
    return {
        "id": contact.id,
        "level": contact.level_id,
        "role": contact.role,
        "name": contact.name,
        "phone": contact.phone,
    }


def serialize_drill(drill: Drill, full: bool = False) -> dict:
    data = {
        "id": drill.id,
        "plan": drill.plan_id,
        "division": drill.division_id,
        "enterprise": drill.enterprise_id,
        "held_on": drill.held_on,
        "kind": drill.kind,
        "participant_count": drill.participant_count,
        "score": drill.score,
    }
    if full:
        data.update(
            participant_units=drill.participant_units,
            scenario=drill.scenario,
            evaluation=drill.evaluation,
            problems=[
                {"id": p.id, "description": p.description, "hazard": p.hazard_id}
                for p in drill.problems.all()
            ],
        )
    return data


# -- helpers ----------------------------------------------------------------------------------------


def _plans(request):
    return EmergencyPlan.objects.for_user(request.user).select_related("division")


def _plan(request, emergency_plan_id: int) -> EmergencyPlan:
    return get_object_or_404(_plans(request), pk=emergency_plan_id)


def _level(request, plan_level_id: int) -> PlanLevel:
    return get_object_or_404(
        PlanLevel.objects.for_user(request.user).select_related("plan"), pk=plan_level_id
    )


def _plan_fields(request, data: dict) -> dict:
    enterprise_id = data.pop("enterprise", None)
    division = data.pop("division", None)
    if data.get("owner_kind") == "enterprise" or request.user.is_enterprise_user:
        if request.user.is_enterprise_user:
            enterprise_id = request.user.enterprise_id
            data["owner_kind"] = "enterprise"
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationError(
                {"enterprise": _("No enterprise {id} in your jurisdiction.").format(id=enterprise_id)}
            )
        data["enterprise"] = enterprise
    else:
        if not division:
            raise ValidationError({"division": _("The division is required.")})
        data["division_id"] = division
    return data


# -- plans ------------------------------------------------------------------------------------------


@router.get("", summary="Emergency plans in your jurisdiction (paginated)")
def list_plans(request):
    """Filters: q, division, owner_kind, level, plan_type, status, enterprise, review (overdue |
    due_soon), sort; paging: page, page_size."""
    require_perm(request, "plans.view_emergencyplan")
    return page_of(filtered_or_400(PlanFilterSet, request, _plans(request)), request, serialize_plan)


@router.post("", response={201: dict}, summary="Register a plan")
def create_plan(request, payload: PlanIn):
    require_perm(request, "plans.add_emergencyplan")
    plan = services.create_plan(actor=request.user, **_plan_fields(request, payload.dict()))
    return Status(201, serialize_plan(plan, full=True))


@router.get("/match", summary="Plans and response levels an incident triggers, best first")
def match(request, incident_id: int):
    """`incident_id`: an incident in your jurisdiction. Each item: plan, level, reason."""
    require_perm(request, "plans.view_emergencyplan")
    from yingji.incidents.models import Incident

    incident = get_object_or_404(Incident.objects.for_user(request.user), pk=incident_id)
    visible = set(_plans(request).values_list("pk", flat=True))
    return {
        "items": [
            {
                "plan": serialize_plan(plan),
                "level": {"id": level.id, "code": level.code, "name": level.name},
                "reason": reason,
            }
            for plan, level, reason in services.match_plans(incident)
            if plan.pk in visible
        ]
    }


@router.get("/drills", summary="Drills in your jurisdiction (paginated)")
def list_drills(request):
    """Filters: q, division, kind, plan, held_after, held_before, sort."""
    require_perm(request, "plans.view_drill")
    queryset = filtered_or_400(DrillFilterSet, request, Drill.objects.for_user(request.user))
    return page_of(queryset, request, serialize_drill)


@router.post("/drills", response={201: dict}, summary="Record a drill (with the problems found)")
def create_drill(request, payload: DrillIn):
    require_perm(request, "plans.add_drill")
    data = payload.dict()
    plan_id = data.pop("plan")
    plan = _plans(request).filter(pk=plan_id).first() if plan_id else None
    if plan is None:
        raise ValidationError({"plan": _("No such plan in your jurisdiction.")})
    problems = data.pop("problems")
    drill = services.save_drill(actor=request.user, plan=plan, problems=problems, **data)
    return Status(201, serialize_drill(drill, full=True))


@router.get("/drills/{int:drill_id}", summary="One drill with its problems")
def get_drill(request, drill_id: int):
    require_perm(request, "plans.view_drill")
    return serialize_drill(get_object_or_404(Drill.objects.for_user(request.user), pk=drill_id), full=True)


@router.delete("/drills/{int:drill_id}", response={204: None}, summary="Delete a drill")
def delete_drill(request, drill_id: int):
    require_perm(request, "plans.delete_drill")
    services.delete_drill(
        get_object_or_404(Drill.objects.for_user(request.user), pk=drill_id), actor=request.user
    )
    return Status(204, None)


@router.post("/drills/{int:drill_id}/problems", response={201: dict}, summary="Add a problem found")
def add_problem(request, drill_id: int, payload: ProblemIn):
    require_perm(request, "plans.change_drill")
    drill = get_object_or_404(Drill.objects.for_user(request.user), pk=drill_id)
    problem = services.add_problem(drill, actor=request.user, description=payload.description)
    return Status(201, {"id": problem.id, "description": problem.description, "hazard": None})


@router.post(
    "/drills/problems/{int:drill_problem_id}/hazard",
    response={201: dict},
    summary="Make a problem of an enterprise drill a hazard (one click)",
)
def problem_to_hazard(request, drill_problem_id: int):
    require_perm(request, "plans.change_drill")
    require_perm(request, "hazards.add_hazard")
    problem = get_object_or_404(DrillProblem.objects.for_user(request.user), pk=drill_problem_id)
    hazard = services.problem_to_hazard(problem, actor=request.user)
    return Status(201, {"problem": problem.id, "hazard": hazard.id})


@router.get("/levels/{int:plan_level_id}", summary="One response level with its tasks")
def get_level(request, plan_level_id: int):
    require_perm(request, "plans.view_emergencyplan")
    return serialize_level(_level(request, plan_level_id))


@router.put("/levels/{int:plan_level_id}", summary="Change a response level")
def update_level(request, plan_level_id: int, payload: LevelIn):
    require_perm(request, "plans.change_emergencyplan")
    level = _level(request, plan_level_id)
    return serialize_level(
        services.save_level(level.plan, actor=request.user, instance=level, **payload.dict())
    )


@router.delete("/levels/{int:plan_level_id}", response={204: None}, summary="Delete a response level")
def delete_level(request, plan_level_id: int):
    require_perm(request, "plans.change_emergencyplan")
    services.delete_part(_level(request, plan_level_id), actor=request.user)
    return Status(204, None)


@router.get("/levels/{int:plan_level_id}/tasks", summary="The role → task matrix of a level")
def list_tasks(request, plan_level_id: int):
    require_perm(request, "plans.view_emergencyplan")
    return {"items": [serialize_task(t) for t in _level(request, plan_level_id).tasks.all()]}


@router.post("/levels/{int:plan_level_id}/tasks", response={201: dict}, summary="Add a task to a level")
def add_task(request, plan_level_id: int, payload: TaskIn):
    require_perm(request, "plans.change_emergencyplan")
    task = services.save_task(_level(request, plan_level_id), actor=request.user, **payload.dict())
    return Status(201, serialize_task(task))


@router.delete("/tasks/{int:plan_task_id}", response={204: None}, summary="Delete a task")
def delete_task(request, plan_task_id: int):
    require_perm(request, "plans.change_emergencyplan")
    task = get_object_or_404(
        PlanTask.objects.for_user(request.user).select_related("level__plan"), pk=plan_task_id
    )
    services.delete_part(task, actor=request.user)
    return Status(204, None)


@router.delete("/contacts/{int:plan_contact_id}", response={204: None}, summary="Delete a contact")
def delete_contact(request, plan_contact_id: int):
    require_perm(request, "plans.change_emergencyplan")
    contact = get_object_or_404(
        PlanContact.objects.for_user(request.user).select_related("plan"), pk=plan_contact_id
    )
    services.delete_part(contact, actor=request.user)
    return Status(204, None)


@router.get("/{int:emergency_plan_id}", summary="One plan with its levels, tasks, contacts and steps")
def get_plan(request, emergency_plan_id: int):
    require_perm(request, "plans.view_emergencyplan")
    return serialize_plan(_plan(request, emergency_plan_id), full=True)


@router.patch("/{int:emergency_plan_id}", summary="Change a plan")
def update_plan(request, emergency_plan_id: int, payload: PlanPatch):
    require_perm(request, "plans.change_emergencyplan")
    plan = _plan(request, emergency_plan_id)
    fields = payload.dict(exclude_unset=True)
    return serialize_plan(services.update_plan(plan, actor=request.user, **fields), full=True)


@router.delete("/{int:emergency_plan_id}", response={204: None}, summary="Delete a plan (without drills)")
def delete_plan(request, emergency_plan_id: int):
    require_perm(request, "plans.delete_emergencyplan")
    services.delete_plan(_plan(request, emergency_plan_id), actor=request.user)
    return Status(204, None)


@router.post(
    "/{int:emergency_plan_id}/review", summary="Record the plan's review; the next is due in 3 years"
)
def review_plan(request, emergency_plan_id: int, payload: ReviewIn):
    require_perm(request, "plans.change_emergencyplan")
    plan = services.record_review(
        _plan(request, emergency_plan_id), actor=request.user, reviewed_on=payload.reviewed_on
    )
    return serialize_plan(plan, full=True)


@router.get("/{int:emergency_plan_id}/levels", summary="The response levels of a plan")
def list_levels(request, emergency_plan_id: int):
    require_perm(request, "plans.view_emergencyplan")
    return {"items": [serialize_level(lv) for lv in _plan(request, emergency_plan_id).levels.all()]}


@router.post("/{int:emergency_plan_id}/levels", response={201: dict}, summary="Add a response level")
def add_level(request, emergency_plan_id: int, payload: LevelIn):
    require_perm(request, "plans.change_emergencyplan")
    level = services.save_level(_plan(request, emergency_plan_id), actor=request.user, **payload.dict())
    return Status(201, serialize_level(level))


@router.post("/{int:emergency_plan_id}/contacts", response={201: dict}, summary="Add a contact")
def add_contact(request, emergency_plan_id: int, payload: ContactIn):
    require_perm(request, "plans.change_emergencyplan")
    plan = _plan(request, emergency_plan_id)
    data = payload.dict()
    level_id = data.pop("level")
    level = plan.levels.filter(pk=level_id).first() if level_id else None
    if level_id and level is None:
        raise ValidationError({"level": _("The level belongs to another plan.")})
    contact = services.save_contact(plan, actor=request.user, level=level, **data)
    return Status(201, serialize_contact(contact))


@router.post("/{int:emergency_plan_id}/attachments", response={201: dict}, summary="Attach a PDF or DOCX")
def add_attachment(request, emergency_plan_id: int, file: File[UploadedFile]):
    require_perm(request, "plans.change_emergencyplan")
    attachment = services.add_attachment(_plan(request, emergency_plan_id), actor=request.user, upload=file)
    return Status(201, {"id": attachment.id, "name": attachment.name, "size": attachment.size})
