"""/api/v1/self-checks: self-check plans (日周月排查), their tasks, completing a check, raising a failed
item as a hidden danger, and the self-check rate. The same services as the pages.

Request bodies are parsed leniently (every field optional) so that permissions and scope are checked
first; the services then name whatever is missing or wrong (400 `invalid_data`).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.accounts.models import User
from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.hazards import services_selfcheck as services
from yingji.hazards.forms_selfcheck import CheckTaskFilterSet
from yingji.hazards.models import CheckPlan, CheckResult, CheckTask
from yingji.hazards.rules import TransitionError
from yingji.registry.models import Enterprise

router = Router(tags=["self-checks"])


class ItemIn(Schema):
    text: str = ""
    basis: str = ""


class PlanIn(Schema):
    enterprise: int | None = Field(default=None, description="Enterprise id (enterprise users: their own)")
    name: str = ""
    kind: str = Field(default="", description="team_daily, dept_weekly, manager_monthly, holiday, seasonal")
    frequency: str = Field(default="", description="daily, weekly, monthly, once")
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    assignee: int | None = Field(default=None, description="User id of a user of the enterprise")
    items: list[ItemIn] = Field(default_factory=list)


class ResultIn(Schema):
    item: int
    result: str = Field(description="pass, fail or na")
    note: str = ""


class CompleteIn(Schema):
    results: list[ResultIn] = Field(default_factory=list)
    note: str = ""


class HazardIn(Schema):
    title: str | None = Field(default=None, description="Defaults to the item's text")
    grade: str = "general"
    criteria: list[str] = Field(default_factory=list, description="判定标准 codes, required for major")


def _item(item) -> dict:
    return {"id": item.id, "order": item.order, "text": item.text, "basis": item.basis}


def _plan(plan: CheckPlan, *, items: bool = False) -> dict:
    data = {
        "id": plan.id,
        "enterprise": plan.enterprise_id,
        "enterprise_name": plan.enterprise.name,
        "name": plan.name,
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "frequency": plan.frequency,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "assignee": plan.assignee_id,
        "is_active": plan.is_active,
    }
    if items:
        data["items"] = [_item(i) for i in services.current_items(plan)]
    return data


def _result(result: CheckResult) -> dict:
    return {
        "id": result.id,
        "item": result.item_id,
        "text": result.item.text,
        "result": result.result,
        "note": result.note,
        "hazard": result.hazard_id,
    }


def _task(task: CheckTask, *, results: bool = False) -> dict:
    data = {
        "id": task.id,
        "plan": task.plan_id,
        "plan_name": task.plan.name,
        "enterprise": task.enterprise_id,
        "enterprise_name": task.enterprise.name,
        "period_start": task.period_start.isoformat(),
        "due_on": task.due_on.isoformat(),
        "status": task.status,
        "overdue": services.is_overdue(task),
        "done_at": task.done_at.isoformat() if task.done_at else None,
        "done_by": task.done_by_id,
        "note": task.note,
    }
    if results:
        data["results"] = [
            _result(r) for r in task.results.select_related("item").order_by("item__order", "item_id")
        ]
    return data


def _conflict(error: TransitionError) -> ApiError:
    return ApiError(409, error.code, error.reason)


def _plans(request):
    return CheckPlan.objects.for_user(request.user).select_related("enterprise")


def _tasks(request):
    return CheckTask.objects.for_user(request.user).select_related("plan", "enterprise")


@router.get("/plans", summary="Self-check plans in your jurisdiction (paginated)")
def list_plans(request, enterprise: int | None = None, active: bool | None = None):
    require_perm(request, "hazards.view_checkplan")
    queryset = _plans(request).order_by("enterprise__name", "name", "pk")
    if enterprise is not None:
        queryset = queryset.filter(enterprise_id=enterprise)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return page_of(queryset, request, _plan)


@router.post("/plans", response={201: dict}, summary="Create a self-check plan with its items")
def create_plan(request, payload: PlanIn):
    require_perm(request, "hazards.add_checkplan")
    data = payload.dict()
    enterprise = None
    if data["enterprise"] is not None:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=data["enterprise"]).first()
        if enterprise is None:
            raise ValidationError({"enterprise": _("Unknown enterprise, or outside your jurisdiction.")})
    assignee = None
    if data["assignee"] is not None:
        assignee = User.objects.filter(pk=data["assignee"]).first()
        if assignee is None:
            raise ValidationError({"assignee": _("The assignee must be a user of the enterprise.")})
    if data["starts_on"] is None:
        raise ValidationError({"starts_on": _("The start date is required.")})
    plan = services.create_plan(
        actor=request.user,
        enterprise=enterprise,
        name=data["name"],
        kind=data["kind"],
        frequency=data["frequency"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        assignee=assignee,
        items=[(i["text"], i["basis"]) for i in data["items"]],
    )
    return Status(201, _plan(plan, items=True))


@router.get("/plans/{int:plan_id}", summary="One self-check plan with its items")
def get_plan(request, plan_id: int):
    require_perm(request, "hazards.view_checkplan")
    return _plan(get_object_or_404(_plans(request), pk=plan_id), items=True)


@router.get("/tasks", summary="Self-check tasks (paginated; pending first)")
def list_tasks(request):
    """Filters: status (pending, done, missed), enterprise (id), plan (id), division (code)."""
    require_perm(request, "hazards.view_checktask")
    queryset = filtered_or_400(CheckTaskFilterSet, request, _tasks(request))
    return page_of(queryset.order_by("-due_on", "-pk"), request, _task)


@router.get("/tasks/{int:task_id}", summary="One self-check task with its results")
def get_task(request, task_id: int):
    require_perm(request, "hazards.view_checktask")
    return _task(get_object_or_404(_tasks(request), pk=task_id), results=True)


@router.post("/tasks/{int:task_id}/complete", summary="Do a self-check: a result for every item")
def complete_task(request, task_id: int, payload: CompleteIn):
    """Every current item of the plan needs exactly one result. 409 when the task is done or missed."""
    require_perm(request, "hazards.change_checktask")
    task = get_object_or_404(_tasks(request), pk=task_id)
    results: dict[int, tuple[str, str]] = {}
    for entry in payload.results:
        if entry.item in results:
            raise ValidationError({"results": _("Item {item} appears twice.").format(item=entry.item)})
        results[entry.item] = (entry.result, entry.note)
    try:
        task = services.complete_task(task, actor=request.user, results=results, note=payload.note)
    except TransitionError as error:
        raise _conflict(error) from None
    return _task(task, results=True)


@router.post(
    "/results/{int:result_id}/hazard", response={201: dict}, summary="Raise a failed item as a hidden danger"
)
def raise_hazard(request, result_id: int, payload: HazardIn):
    """409 `already_raised` on a second click, `not_failed` for a passed item."""
    require_perm(request, "hazards.add_hazard")
    result = get_object_or_404(
        CheckResult.objects.filter(task__in=CheckTask.objects.for_user(request.user)), pk=result_id
    )
    try:
        hazard = services.raise_hazard_from_result(
            result,
            actor=request.user,
            title=payload.title,
            grade=payload.grade,
            criteria=payload.criteria or None,
        )
    except TransitionError as error:
        raise _conflict(error) from None
    return Status(
        201, {"hazard": hazard.pk, "result": result.pk, "title": hazard.title, "source": hazard.source}
    )


@router.get("/rate", summary="Self-check rate: done / (done + missed + pending past due)")
def rate(
    request,
    enterprise: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    """Tasks due between start and end (default: the last 30 days), of one enterprise or of all in
    your jurisdiction. `rate` is null when nothing was due."""
    require_perm(request, "hazards.view_checktask")
    today = timezone.localdate()
    end = end or today
    start = start or end - datetime.timedelta(days=29)
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})
    tasks = CheckTask.objects.for_user(request.user)
    if enterprise is not None:
        get_object_or_404(Enterprise.objects.for_user(request.user), pk=enterprise)
        tasks = tasks.filter(enterprise_id=enterprise)
    figures = services.self_check_rate(tasks, start, end, today=today)
    return {"enterprise": enterprise, "start": start.isoformat(), "end": end.isoformat(), **figures.as_dict()}
