"""/api/v1/incidents/response: open a response, dispatch teams and move their status, supply
requests (stock issued; above stock 400 `invalid_data` on `quantity`, nothing written), shelter
updates, manual timeline entries, closing (refused with open dispatches: 400 on `dispatches`).
A team already on another scene answers 409 `team_busy`; a second response 409 `response_exists`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.incidents import services_response as services
from yingji.incidents.api import serialize_entry
from yingji.incidents.filters_incidents import ResponseFilterSet
from yingji.incidents.models import Dispatch, Incident, Response

router = Router(tags=["response"])


class OpenIn(Schema):
    incident: int | None = None
    level: int | None = Field(default=None, description="PlanLevel id; omitted: the best matched plan")
    without_plan: bool = False


class DispatchIn(Schema):
    team: int | None = None
    task: str = ""


class DispatchStatusIn(Schema):
    status: str = Field(default="", description="en_route | on_scene | returned")


class SupplyIn(Schema):
    stock: int | None = Field(default=None, description="resources Stock id")
    quantity: Decimal | None = None
    note: str = ""


class ShelterIn(Schema):
    shelter: int | None = None
    occupancy: int | None = None


class EntryIn(Schema):
    text: str = ""
    at: datetime.datetime | None = None


class CloseIn(Schema):
    outcome: str = ""


def _at(at) -> str | None:
    return at.isoformat() if at else None


def serialize_dispatch(d: Dispatch) -> dict:
    return {
        "id": d.pk,
        "team": d.team_id,
        "team_name": d.team.name,
        "status": d.status,
        "distance_km": d.distance_km,
        "eta_minutes": d.eta_minutes,
        "task": d.task,
        "dispatched_at": _at(d.dispatched_at),
        "updated_at": _at(d.updated_at),
    }


def serialize_response(r: Response, *, full: bool = False) -> dict:
    data = {
        "id": r.pk,
        "incident": r.incident_id,
        "plan": r.plan_id,
        "level": r.level_id,
        "level_code": r.level.code if r.level_id else "",
        "match_reason": r.match_reason,
        "status": r.status,
        "opened_at": _at(r.opened_at),
        "closed_at": _at(r.closed_at),
        "outcome": r.outcome,
    }
    if full:
        data["assignments"] = [
            {
                "id": a.pk,
                "role": a.role,
                "task": a.task,
                "assignee": a.assignee_id,
                "due_at": _at(a.due_at),
                "done_at": _at(a.done_at),
            }
            for a in r.assignments.all()
        ]
        data["dispatches"] = [serialize_dispatch(d) for d in r.dispatches.select_related("team")]
        data["supplies"] = [
            {"id": s.pk, "stock": s.stock_id, "quantity": str(s.quantity), "movement": s.movement_id}
            for s in r.supply_requests.all()
        ]
    return data


def _response(request, response_id: int) -> Response:
    return get_object_or_404(
        Response.objects.for_user(request.user).select_related("incident", "plan", "level"), pk=response_id
    )


def _conflict(call):
    try:
        return call()
    except services.Conflict as error:
        raise ApiError(
            409, error.code, error.message, {error.field: [error.message]} if error.field else None
        ) from None


@router.get("", summary="Responses in your jurisdiction (paginated)")
def list_responses(request):
    require_perm(request, "incidents.view_response")
    queryset = Response.objects.for_user(request.user).select_related("level")
    return page_of(filtered_or_400(ResponseFilterSet, request, queryset), request, serialize_response)


@router.post("", response={201: dict}, summary="Open a response (the matched plan unless a level is given)")
def open_response(request, payload: OpenIn):
    require_perm(request, "incidents.add_response")
    if payload.incident is None:
        raise ValidationError({"incident": _("Choose the incident.")})
    incident = get_object_or_404(Incident.objects.for_user(request.user), pk=payload.incident)
    level = None
    if payload.level is not None:
        from yingji.plans.models import PlanLevel

        level = PlanLevel.objects.select_related("plan").filter(pk=payload.level).first()
        if level is None:
            raise ValidationError({"level": _("Unknown response level.")})
    response = _conflict(
        lambda: services.open_response(
            incident,
            actor=request.user,
            plan=level.plan if level else None,
            level=level,
            match=not payload.without_plan,
        )
    )
    return Status(201, serialize_response(response, full=True))


@router.get("/{int:response_id}", summary="One response: assignments, dispatches, supplies")
def get_response(request, response_id: int):
    require_perm(request, "incidents.view_response")
    return serialize_response(_response(request, response_id), full=True)


@router.post("/{int:response_id}/dispatches", response={201: dict}, summary="Dispatch a team (409 team_busy)")
def dispatch_team(request, response_id: int, payload: DispatchIn):
    from yingji.resources.models import Team

    require_perm(request, "incidents.change_response")
    response = _response(request, response_id)
    team = Team.objects.for_user(request.user).filter(pk=payload.team or 0).first()
    if team is None:
        raise ValidationError({"team": _("Unknown team, or outside your jurisdiction.")})
    dispatch = _conflict(
        lambda: services.dispatch_team(response, actor=request.user, team=team, task=payload.task)
    )
    return Status(201, serialize_dispatch(dispatch))


@router.post(
    "/dispatches/{int:dispatch_id}/status", summary="Move a dispatch order; the team's status follows"
)
def dispatch_status(request, dispatch_id: int, payload: DispatchStatusIn):
    require_perm(request, "incidents.change_response")
    dispatch = get_object_or_404(
        Dispatch.objects.for_user(request.user).select_related("team"), pk=dispatch_id
    )
    return serialize_dispatch(
        services.set_dispatch_status(dispatch, actor=request.user, status=payload.status)
    )


@router.post("/{int:response_id}/supplies", response={201: dict}, summary="Issue stock for the response")
def request_supply(request, response_id: int, payload: SupplyIn):
    from yingji.resources.models import Stock

    require_perm(request, "incidents.change_response")
    response = _response(request, response_id)
    stock = Stock.objects.for_user(request.user).filter(pk=payload.stock or 0).first()
    if stock is None:
        raise ValidationError({"stock": _("Unknown stock line, or outside your jurisdiction.")})
    item = services.request_supply(
        response, actor=request.user, stock=stock, quantity=payload.quantity, note=payload.note
    )
    return Status(
        201,
        {
            "id": item.pk,
            "stock": item.stock_id,
            "quantity": str(item.quantity),
            "movement": item.movement_id,
            "balance": str(item.movement.balance) if item.movement else None,
        },
    )


@router.post("/{int:response_id}/shelters", summary="Record a shelter's occupancy during the response")
def update_shelter(request, response_id: int, payload: ShelterIn):
    from yingji.resources.models import Shelter

    require_perm(request, "incidents.change_response")
    response = _response(request, response_id)
    shelter = Shelter.objects.for_user(request.user).filter(pk=payload.shelter or 0).first()
    if shelter is None:
        raise ValidationError({"shelter": _("Unknown shelter, or outside your jurisdiction.")})
    shelter = services.update_shelter(
        response, actor=request.user, shelter=shelter, occupancy=payload.occupancy
    )
    return {"shelter": shelter.pk, "occupancy": shelter.occupancy, "capacity": shelter.capacity}


@router.post("/{int:response_id}/timeline", response={201: dict}, summary="A manual timeline entry")
def add_entry(request, response_id: int, payload: EntryIn):
    require_perm(request, "incidents.add_timelineentry")
    response = _response(request, response_id)
    entry = services.add_manual_entry(response.incident, actor=request.user, text=payload.text, at=payload.at)
    return Status(201, serialize_entry(entry))


@router.post("/{int:response_id}/close", summary="Close the response and the incident with the outcome")
def close_response(request, response_id: int, payload: CloseIn):
    require_perm(request, "incidents.change_response")
    response = _response(request, response_id)
    return serialize_response(services.close_response(response, actor=request.user, outcome=payload.outcome))
