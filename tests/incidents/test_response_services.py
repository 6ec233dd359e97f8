"""Response: opening with the matched plan (tasks → assignments on the minute ladder), dispatch orders
(team status follows; a busy team is refused), supplies (stock moves; above stock nothing written),
shelters, manual entries, closing (refused with open dispatches), all on the timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A
from tests.incidents.scoping_incidents import make_plan, make_shelter, make_stock, make_team

from yingji.core.escalation.models import Deadline
from yingji.core.models import Division
from yingji.incidents import services_incidents, services_response
from yingji.incidents.models import Assignment, Dispatch, Incident, Response, SupplyRequest, TimelineEntry
from yingji.resources.models import Stock, StockMovement, Team


def accident(actor, deaths=3):
    return services_incidents.report_incident(
        actor=actor,
        kind="accident",
        subtype="work_safety",
        title="甲村厂房坍塌",
        occurred_at=timezone.now() - datetime.timedelta(minutes=10),
        division=Division.objects.get(code=VILLAGE_A),
        latitude=32.0,
        longitude=120.9,
        deaths=deaths,
        channel="phone_12350",
    )


@pytest.fixture
def world(staff_user):
    plan, level = make_plan(
        staff_user, COUNTY, tasks=(("指挥部", "启动响应", 30), ("宣传组", "发布信息", 60))
    )
    incident = accident(staff_user)
    return {"plan": plan, "level": level, "incident": incident}


@pytest.fixture
def response(world, staff_user):
    return services_response.open_response(world["incident"], actor=staff_user)


def kinds(incident) -> list[str]:
    return list(
        TimelineEntry.objects.filter(incident=incident).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_open_with_matched_plan(world, response):
    assert response.plan == world["plan"] and response.level == world["level"]
    assert response.match_reason
    assert Incident.objects.get().status == "responding"
    assignments = list(Assignment.objects.filter(response=response).order_by("pk"))
    assert [a.role for a in assignments] == ["指挥部", "宣传组"]
    assert all(Deadline.objects.for_object(a).open().exists() for a in assignments)
    assert kinds(world["incident"])[-2:] == ["response", "assignment"]


def test_second_response_conflicts(world, response, staff_user):
    with pytest.raises(services_response.Conflict) as error:
        services_response.open_response(world["incident"], actor=staff_user)
    assert error.value.code == "response_exists"
    assert Response.objects.count() == 1


def test_without_plan(staff_user, county):
    incident = accident(staff_user)
    response = services_response.open_response(incident, actor=staff_user, match=False)
    assert response.plan is None and not Assignment.objects.exists()


def test_assignment_done_closes_deadline(response, staff_user):
    item = Assignment.objects.filter(response=response).first()
    services_response.complete_assignment(item, actor=staff_user)
    assert not Deadline.objects.for_object(item).open().exists()


def test_dispatch_lifecycle_team_follows(response, staff_user):
    team = make_team("县消防救援大队", TOWN_A, 32.01, 120.91)
    dispatch = services_response.dispatch_team(response, actor=staff_user, team=team)
    assert dispatch.distance_km is not None and dispatch.eta_minutes is not None
    assert Team.objects.get(pk=team.pk).status == "dispatched"
    for status, team_status in (("en_route", "dispatched"), ("on_scene", "on_scene"), ("returned", "ready")):
        services_response.set_dispatch_status(dispatch, actor=staff_user, status=status)
        assert Team.objects.get(pk=team.pk).status == team_status
    with pytest.raises(ValidationError) as error:
        services_response.set_dispatch_status(dispatch, actor=staff_user, status="on_scene")
    assert error.value.error_dict["status"][0].code == "invalid_transition"
    assert TimelineEntry.objects.filter(kind="dispatch").count() == 4


def test_busy_team_refused(response, staff_user):
    team = make_team("县消防救援大队", TOWN_A, 32.01, 120.91)
    services_response.dispatch_team(response, actor=staff_user, team=team)
    other = services_response.open_response(accident(staff_user), actor=staff_user)
    entries = TimelineEntry.objects.count()
    with pytest.raises(services_response.Conflict) as error:
        services_response.dispatch_team(other, actor=staff_user, team=team)
    assert error.value.code == "team_busy"
    assert Dispatch.objects.count() == 1 and TimelineEntry.objects.count() == entries
    # Not ready (unavailable) is refused too.
    spare = make_team("备勤队", TOWN_A, 32.0, 120.9)
    Team.objects.filter(pk=spare.pk).update(status="unavailable")
    with pytest.raises(services_response.Conflict):
        services_response.dispatch_team(other, actor=staff_user, team=spare)


def test_supply_moves_stock(response, staff_user):
    stock = make_stock(staff_user, TOWN_A, 10)
    request = services_response.request_supply(response, actor=staff_user, stock=stock, quantity="4")
    assert Stock.objects.get(pk=stock.pk).quantity == Decimal("6")
    assert request.quantity == Decimal("4") and request.movement.kind == "out"
    assert kinds(response.incident)[-1] == "supply"


@pytest.mark.parametrize("quantity", ["11", "0", "-1", "abc"])
def test_bad_supply_writes_nothing(response, staff_user, quantity):
    stock = make_stock(staff_user, TOWN_A, 10)
    movements, entries = StockMovement.objects.count(), TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services_response.request_supply(response, actor=staff_user, stock=stock, quantity=quantity)
    assert "quantity" in error.value.error_dict
    assert Stock.objects.get(pk=stock.pk).quantity == Decimal("10")
    assert StockMovement.objects.count() == movements and TimelineEntry.objects.count() == entries
    assert not SupplyRequest.objects.exists()


def test_shelter_update(response, staff_user):
    shelter = make_shelter(TOWN_A, 50)
    services_response.update_shelter(response, actor=staff_user, shelter=shelter, occupancy=20)
    shelter.refresh_from_db()
    assert shelter.occupancy == 20 and kinds(response.incident)[-1] == "shelter"
    entries = TimelineEntry.objects.count()
    with pytest.raises(ValidationError):
        services_response.update_shelter(response, actor=staff_user, shelter=shelter, occupancy=51)
    assert TimelineEntry.objects.count() == entries


def test_manual_entry(response, staff_user):
    entry = services_response.add_manual_entry(response.incident, actor=staff_user, text="现场指挥部设立")
    assert not entry.automatic and entry.kind == "note"
    with pytest.raises(ValidationError) as error:
        services_response.add_manual_entry(
            response.incident, actor=staff_user, text="x", at=timezone.now() + datetime.timedelta(hours=2)
        )
    assert "at" in error.value.error_dict


def test_close_refused_with_open_dispatch(response, staff_user):
    team = make_team("县消防救援大队", TOWN_A, 32.01, 120.91)
    dispatch = services_response.dispatch_team(response, actor=staff_user, team=team)
    entries = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services_response.close_response(response, actor=staff_user, outcome="处置完毕")
    assert error.value.error_dict["dispatches"][0].code == "open_dispatches"
    assert Response.objects.get().status == "open" and Incident.objects.get().status == "responding"
    assert TimelineEntry.objects.count() == entries
    services_response.set_dispatch_status(dispatch, actor=staff_user, status="returned")
    services_response.close_response(response, actor=staff_user, outcome="处置完毕")
    incident = Incident.objects.get()
    assert incident.status == "closed" and incident.outcome == "处置完毕"
    assert not any(Deadline.objects.for_object(a).open().exists() for a in response.assignments.all())
    with pytest.raises(ValidationError):
        services_response.dispatch_team(response, actor=staff_user, team=team)
