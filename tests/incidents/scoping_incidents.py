"""Incident objects for the generated scoping walk (tests/test_scoping.py), and the small world the
incident tests share (a plan through plans.services, teams, stock and a shelter through resources).

Each enterprise of the walk's world gets an accident at its village with a response, a dispatch order,
an assignment, a reporting duty, an investigation and a review, made on first use.

In tests/test_scoping.py: `OBJECTS.update(INCIDENT_OBJECTS)`, `API_PARAMS.update(INCIDENT_API_PARAMS)`
and `PAGE_PARAMS.update(INCIDENT_PAGE_PARAMS)`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from yingji.incidents.models import (
    Assignment,
    Dispatch,
    Incident,
    Investigation,
    ReportDuty,
    Response,
    ReviewTask,
)

# -- shared world for the incident tests --------------------------------------------------------------


def make_plan(
    actor, division_id: str, *, title: str = "县生产安全事故应急预案", tasks=(("指挥部", "启动应急响应", 30),)
):
    """A government plan in force for accidents with level III (较大) and IV (一般), tasks on III."""
    from yingji.plans import services as plans

    plan = plans.create_plan(
        actor=actor,
        title=title,
        owner_kind="government",
        division_id=division_id,
        level="county",
        plan_type="special",
        incident_types=["accident"],
        owner="县应急管理局",
        status="in_force",
        approved_at=datetime.date(2025, 1, 10),
    )
    level3 = plans.save_level(
        plan, actor=actor, code="III", name="三级", accident_grades=["larger"], min_deaths=3
    )
    plans.save_level(plan, actor=actor, code="IV", name="四级", accident_grades=["general"])
    for role, task, minutes in tasks:
        plans.save_task(level3, actor=actor, role=role, task=task, deadline_minutes=minutes)
    return plan, level3


def make_team(name: str, division_id: str, lat: float, lng: float, kind: str = "fire_rescue"):
    from yingji.resources.models import Team

    return Team.objects.create(name=name, kind=kind, division_id=division_id, latitude=lat, longitude=lng)


def make_stock(actor, division_id: str, quantity=10, *, item_code: str = "tent", name: str = "应急物资仓库"):
    from yingji.resources import services as resources
    from yingji.resources.models import Stock, SupplyItem, Warehouse

    warehouse = Warehouse.objects.create(
        name=name, level="town", division_id=division_id, latitude=32.0, longitude=120.95
    )
    item = SupplyItem.objects.get(code=item_code)
    resources.receive_stock(actor=actor, warehouse=warehouse, item=item, quantity=quantity, reason="入库")
    return Stock.objects.get(warehouse=warehouse, item=item)


def make_shelter(division_id: str, capacity: int = 100):
    from yingji.resources.models import Shelter

    return Shelter.objects.create(
        name="避难场所",
        division_id=division_id,
        latitude=32.01,
        longitude=120.91,
        capacity=capacity,
        is_open=True,
    )


# -- the walk -----------------------------------------------------------------------------------------


def incident_of(enterprise) -> Incident:
    incident = Incident.objects.filter(enterprise=enterprise, title="走查事故").first()
    if incident is None:
        now = timezone.now()
        incident = Incident.objects.create(
            kind="accident",
            subtype="work_safety",
            title="走查事故",
            occurred_at=now - datetime.timedelta(hours=1),
            reported_at=now,
            division_id=enterprise.division_id,
            enterprise=enterprise,
            latitude=enterprise.latitude,
            longitude=enterprise.longitude,
            deaths=1,
            channel="enterprise",
            grade="general",
            status="responding",
        )
    return incident


def response_of(enterprise) -> Response:
    incident = incident_of(enterprise)
    response = Response.objects.filter(incident=incident).first()
    if response is None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.order_by("pk").first()
        response = Response.objects.create(incident=incident, opened_at=timezone.now(), opened_by=user)
    return response


def dispatch_of(enterprise) -> Dispatch:
    response = response_of(enterprise)
    dispatch = Dispatch.objects.filter(response=response).first()
    if dispatch is None:
        team = make_team(f"走查队{enterprise.pk}", enterprise.division_id, 32.0, 120.9)
        now = timezone.now()
        dispatch = Dispatch.objects.create(
            response=response,
            team=team,
            dispatched_at=now,
            dispatched_by=response.opened_by,
            updated_at=now,
        )
    return dispatch


def assignment_of(enterprise) -> Assignment:
    response = response_of(enterprise)
    item = Assignment.objects.filter(response=response).first()
    return item or Assignment.objects.create(response=response, role="指挥部", task="走查任务")


def reportduty_of(enterprise) -> ReportDuty:
    incident = incident_of(enterprise)
    duty = ReportDuty.objects.filter(incident=incident).first()
    return duty or ReportDuty.objects.create(
        incident=incident, kind="initial", due_at=timezone.now() + datetime.timedelta(hours=1)
    )


def investigation_of(enterprise) -> Investigation:
    incident = incident_of(enterprise)
    item = Investigation.objects.filter(incident=incident).first()
    return item or Investigation.objects.create(incident=incident, team="走查调查组")


def reviewtask_of(enterprise) -> ReviewTask:
    item = investigation_of(enterprise)
    review = ReviewTask.objects.filter(investigation=item).first()
    return review or ReviewTask.objects.create(
        investigation=item, due_at=timezone.now() + datetime.timedelta(days=365)
    )


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


INCIDENT_OBJECTS = {
    "incidents.incident": _each(incident_of),
    "incidents.response": _each(response_of),
    "incidents.dispatch": _each(dispatch_of),
    "incidents.assignment": _each(assignment_of),
    "incidents.reportduty": _each(reportduty_of),
    "incidents.investigation": _each(investigation_of),
    "incidents.reviewtask": _each(reviewtask_of),
}
INCIDENT_API_PARAMS = {
    "incident_id": "incidents.incident",
    "response_id": "incidents.response",
    "dispatch_id": "incidents.dispatch",
    "duty_id": "incidents.reportduty",
}
INCIDENT_PAGE_PARAMS: dict[str, str] = {}
