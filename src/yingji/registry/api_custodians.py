"""/api/v1/custodian-duties: custodian duty tasks (包保责任) in your jurisdiction, doing one (checklist
answers + an evidence note; photos go through the page), and the custodians of a source. The same
services as the pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from yingji.core.api import ApiError, page_of, require_perm
from yingji.registry import rules_custodians as rules
from yingji.registry import services_custodians as services
from yingji.registry.models_sources import DutyTask, MajorHazardSource

router = Router(tags=["custodian duties"])

STATES = ("due", "overdue", "missed", "done")


class AnswerIn(Schema):
    item: int = Field(description="Index of the checklist item, from 0")
    answer: str = Field(description="ok, issue or na")
    note: str = ""


class CompleteIn(Schema):
    results: list[AnswerIn] = Field(default_factory=list)
    note: str = Field(default="", description="Evidence: what was done (required: photos only via the page)")


def _tasks(request):
    return DutyTask.objects.for_user(request.user).select_related(
        "schedule", "source", "enterprise", "custodian"
    )


def _task(task: DutyTask, *, detail: bool = False) -> dict:
    now = timezone.now()
    data = {
        "id": task.pk,
        "source": {"id": task.source_id, "name": task.source.name},
        "enterprise": {"id": task.enterprise_id, "name": task.enterprise.name},
        "division": task.division_id,
        "role": task.role,
        "custodian": task.custodian.name if task.custodian_id else "",
        "title": task.schedule.title,
        "due_at": task.due_at.isoformat(),
        "status": task.status,
        "state": rules.state(task.status, task.due_at, now),
        "done_at": task.done_at.isoformat() if task.done_at else None,
    }
    if detail:
        data["checklist"] = list(task.schedule.checklist or [])
        data["results"] = task.results
        data["evidence_note"] = task.evidence_note
        data["photos"] = task.photos.count()
    return data


@router.get("", summary="Custodian duty tasks in your jurisdiction (paginated; pending first)")
def list_tasks(request, state: str = "", role: str = "", source: int | None = None):
    """Filters: state (due, overdue, missed, done), role (main, technical, operational), source (id)."""
    require_perm(request, "registry.view_dutytask")
    fields = {}
    if state and state not in STATES:
        fields["state"] = [_("Choose due, overdue, missed or done.")]
    if role and role not in rules.ROLES:
        fields["role"] = [_("Choose main, technical or operational.")]
    if fields:
        raise ApiError(400, "invalid_filter", _("Some filters are not valid."), fields)
    queryset = _tasks(request)
    now = timezone.now()
    if state == "due":
        queryset = queryset.filter(status=rules.PENDING, due_at__gte=now)
    elif state == "overdue":
        queryset = queryset.filter(status=rules.PENDING, due_at__lt=now)
    elif state:
        queryset = queryset.filter(status=state)
    if role:
        queryset = queryset.filter(role=role)
    if source is not None:
        queryset = queryset.filter(source_id=source)
    return page_of(queryset.order_by("-due_at", "-pk"), request, _task)


@router.get("/{int:duty_id}", summary="One custodian duty task with its checklist and results")
def get_task(request, duty_id: int):
    require_perm(request, "registry.view_dutytask")
    return _task(get_object_or_404(_tasks(request), pk=duty_id), detail=True)


@router.post("/{int:duty_id}/complete", summary="Record a duty as done: every item answered, with evidence")
def complete_task(request, duty_id: int, payload: CompleteIn):
    """409 `not_pending` when the task is done or missed; 400 `invalid_data` names each unanswered item
    (`item_<index>`) and a missing evidence note (`evidence_note`)."""
    require_perm(request, "registry.change_dutytask")
    task = get_object_or_404(_tasks(request), pk=duty_id)
    results: dict[int, tuple[str, str]] = {}
    for entry in payload.results:
        if entry.item in results:
            raise ValidationError({"results": _("Item {item} appears twice.").format(item=entry.item)})
        results[entry.item] = (entry.answer, entry.note)
    if task.status != rules.PENDING:
        raise ApiError(409, "not_pending", _("This duty is no longer pending."))
    task = services.complete_task(task, actor=request.user, results=results, note=payload.note)
    return _task(task, detail=True)


@router.get(
    "/sources/{int:source_id}/custodians", summary="The three custodians of a source and their duties"
)
def source_custodians(request, source_id: int):
    require_perm(request, "registry.view_custodian")
    source = get_object_or_404(MajorHazardSource.objects.for_user(request.user), pk=source_id)
    summary = services.duty_summary(source)
    items = []
    for role in rules.ROLES:
        row = summary[role]
        custodian, schedule, task = row["custodian"], row["schedule"], row["task"]
        items.append(
            {
                "role": role,
                "name": custodian.name if custodian else "",
                "title": custodian.title if custodian else "",
                "phone": custodian.phone if custodian else "",
                "user": custodian.user_id if custodian else None,
                "duty": (
                    {
                        "title": schedule.title,
                        "cadence_days": schedule.cadence_days,
                        "checklist": schedule.checklist,
                        "next_due_at": schedule.next_due_at.isoformat(),
                    }
                    if schedule
                    else None
                ),
                "latest_task": {"id": task.pk, "due_at": task.due_at.isoformat(), "state": row["state"]}
                if task
                else None,
                "missed": row["missed"],
            }
        )
    return {"source": {"id": source.pk, "name": source.name, "grade": source.grade}, "custodians": items}
