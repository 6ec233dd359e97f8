"""Response use cases: open a response with the matched plan, assignments from the plan's tasks,
dispatch orders, supply requests, shelter updates, manual timeline entries, closing. One function per
action, actor keyword-only, in a transaction; a refused request writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline
from yingji.incidents import escalation_actions, notifications, rules_response
from yingji.incidents.models import Assignment, Dispatch, Incident, Response, SupplyRequest, TimelineEntry
from yingji.incidents.services_incidents import add_timeline, schedule_review_after_close

__all__ = [
    "Conflict",
    "add_timeline",
    "open_response",
    "complete_assignment",
    "dispatch_team",
    "set_dispatch_status",
    "request_supply",
    "update_shelter",
    "add_manual_entry",
    "close_response",
]


class Conflict(Exception):
    """The request clashes with the current state of another record (HTTP 409)."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def _when(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _open_response(response: Response) -> Response:
    """The response row locked, refused when closed."""
    locked = Response.objects.select_for_update().select_related("incident").get(pk=response.pk)
    if locked.status != "open":
        raise ValidationError({"response": ValidationError(_("The response is closed."), code="closed")})
    return locked


# -- opening ----------------------------------------------------------------------------------------


def open_response(
    incident: Incident,
    *,
    actor,
    plan=None,
    level=None,
    match: bool = True,
    now: datetime.datetime | None = None,
) -> Response:
    """Start the response: the chosen plan and level (default: the best match of plans.match_plans),
    each task of the level becomes an assignment with a deadline on the minute ladder. `match=False`
    without a plan opens a response without one."""
    from yingji.plans import services as plan_services
    from yingji.plans.models import PlanContact, PlanTask

    now = now or timezone.now()
    reason = ""
    if plan is None and level is None and match:
        matches = plan_services.match_plans(incident)
        if matches:
            plan, level, reason = matches[0]
    elif level is not None and plan is None:
        plan = level.plan
    elif plan is not None and level is None:
        raise ValidationError(
            {"level": ValidationError(_("Choose the response level of the plan."), code="required")}
        )
    if plan is not None and level is not None:
        if level.plan_id != plan.pk:
            raise ValidationError(
                {"level": ValidationError(_("This level belongs to another plan."), code="invalid")}
            )
        if not reason:
            for matched_plan, matched_level, why in plan_services.match_plans(incident):
                if matched_plan.pk == plan.pk and matched_level.pk == level.pk:
                    reason = why
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == "closed":
            raise ValidationError({"incident": ValidationError(_("The incident is closed."), code="closed")})
        if Response.objects.filter(incident=incident).exists():
            raise Conflict("response_exists", _("A response is already open for this incident."), "incident")
        response = Response.objects.create(
            incident=incident,
            plan=plan,
            level=level,
            match_reason=(reason or "")[:300],
            opened_at=now,
            opened_by=actor,
        )
        incident.status = "responding"
        incident.save(update_fields=["status"])
        text = (
            _("Response opened: {plan}, level {level}.").format(plan=plan.title, level=level.code)
            if plan is not None and level is not None
            else _("Response opened without a plan.")
        )
        add_timeline(incident, kind="response", text=text, actor=actor, at=now, origin=response)
        if level is not None:
            contacts = {
                c.role: c.user
                for c in PlanContact.objects.filter(plan=plan, user__isnull=False).select_related("user")
            }
            ladder = escalation_actions.minute_ladder()
            tasks = PlanTask.objects.filter(level=level).order_by("pk")
            for task in tasks:
                minutes = task.deadline_minutes
                item = Assignment.objects.create(
                    response=response,
                    role=task.role,
                    task=task.task,
                    assignee=contacts.get(task.role),
                    due_at=now + datetime.timedelta(minutes=minutes) if minutes else None,
                )
                if item.due_at is not None:
                    escalation.attach_deadline(
                        item, due_at=item.due_at, assignee=item.assignee, ladder=ladder, actor=actor, now=now
                    )
                if item.assignee is not None:
                    notifications.tell(
                        [item.assignee],
                        _("Response task: {title}").format(title=incident.title),
                        item.task
                        + (" " + _("Due {due}.").format(due=_when(item.due_at)) if item.due_at else ""),
                        now=now,
                    )
            if tasks:
                add_timeline(
                    incident,
                    kind="assignment",
                    text=_("{count} tasks of the plan assigned.").format(count=len(tasks)),
                    actor=actor,
                    at=now,
                    origin=response,
                )
    return response


def complete_assignment(item: Assignment, *, actor, now=None) -> Assignment:
    now = now or timezone.now()
    with transaction.atomic():
        item = Assignment.objects.select_for_update().select_related("response__incident").get(pk=item.pk)
        if item.done_at is not None:
            raise ValidationError(
                {"assignment": ValidationError(_("This task is already done."), code="done")}
            )
        item.done_at = now
        item.save(update_fields=["done_at"])
        if Deadline.objects.for_object(item).open().exists():
            escalation.close_deadline(item, actor=actor, now=now)
        add_timeline(
            item.response.incident,
            kind="assignment",
            text=_("Task done: {task}").format(task=item.task[:200]),
            actor=actor,
            at=now,
            origin=item,
        )
    return item


# -- dispatch ---------------------------------------------------------------------------------------


def dispatch_team(response: Response, *, actor, team, task: str = "", now=None) -> Dispatch:
    """A dispatch order to a team; a team already on another scene (or not ready) is refused (409)."""
    from yingji.resources import rules as resource_rules
    from yingji.resources import services as resources
    from yingji.resources.models import Team

    now = now or timezone.now()
    with transaction.atomic():
        response = _open_response(response)
        team = Team.objects.select_for_update().get(pk=team.pk)
        busy = Dispatch.objects.filter(team=team, status__in=rules_response.OPEN_DISPATCH).first()
        if busy is not None or team.status not in rules_response.TEAM_AVAILABLE:
            raise Conflict("team_busy", _("This team is already committed elsewhere."), "team")
        incident = response.incident
        distance = eta = None
        if incident.latitude is not None and incident.longitude is not None:
            distance = round(
                resource_rules.distance_km(
                    incident.latitude, incident.longitude, team.latitude, team.longitude
                ),
                2,
            )
            eta = resource_rules.eta_minutes(distance)
        resources.set_team_status(actor=actor, team=team, status="dispatched", note=incident.title[:200])
        dispatch = Dispatch.objects.create(
            response=response,
            team=team,
            status="dispatched",
            distance_km=distance,
            eta_minutes=eta,
            task=(task or "")[:300],
            dispatched_at=now,
            dispatched_by=actor,
            updated_at=now,
        )
        text = _("Team {team} dispatched.").format(team=team.name)
        if eta is not None:
            text += " " + _("{km} km, about {minutes} minutes.").format(km=distance, minutes=eta)
        if task:
            text += " " + task
        add_timeline(incident, kind="dispatch", text=text, actor=actor, at=now, origin=dispatch)
    return dispatch


def set_dispatch_status(dispatch: Dispatch, *, actor, status: str, now=None) -> Dispatch:
    """dispatched → en route → on scene → returned; the team's status follows."""
    from yingji.resources import services as resources

    now = now or timezone.now()
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update()
            .select_related("team", "response__incident")
            .get(pk=dispatch.pk)
        )
        refusal = rules_response.dispatch_refusal(dispatch.status, status)
        if refusal:
            raise ValidationError(
                {"status": ValidationError(_("This dispatch cannot move to that status."), code=refusal)}
            )
        dispatch.status, dispatch.updated_at = status, now
        dispatch.save(update_fields=["status", "updated_at"])
        resources.set_team_status(
            actor=actor,
            team=dispatch.team,
            status=rules_response.TEAM_STATUS_FOR_DISPATCH[status],
            note=dispatch.response.incident.title[:200],
        )
        add_timeline(
            dispatch.response.incident,
            kind="dispatch",
            text=_("Team {team}: {status}.").format(
                team=dispatch.team.name, status=dispatch.get_status_display()
            ),
            actor=actor,
            at=now,
            origin=dispatch,
        )
    return dispatch


# -- supplies and shelters --------------------------------------------------------------------------


def request_supply(response: Response, *, actor, stock, quantity, note: str = "", now=None) -> SupplyRequest:
    """Issue stock out of a warehouse for the response (above stock → ValidationError, nothing written)."""
    from yingji.resources import services as resources

    now = now or timezone.now()
    try:
        amount = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise ValidationError({"quantity": ValidationError(_("Enter a number."), code="invalid")}) from None
    with transaction.atomic():
        response = _open_response(response)
        incident = response.incident
        movement = resources.issue_stock(
            actor=actor,
            stock_id=stock.pk,
            quantity=amount,
            reason=_("Incident: {title}").format(title=incident.title)[:200],
            reference=f"incident-{incident.pk}",
        )
        request = SupplyRequest.objects.create(
            response=response,
            stock_id=stock.pk,
            quantity=movement.quantity.copy_abs(),
            movement=movement,
            requested_at=now,
            requested_by=actor,
            note=(note or "")[:300],
        )
        stock_row = movement.stock
        add_timeline(
            incident,
            kind="supply",
            text=_("Supplies issued: {item} × {quantity} {unit} from {warehouse} (left {left}).").format(
                item=stock_row.item.name,
                quantity=request.quantity.normalize(),
                unit=stock_row.item.unit,
                warehouse=stock_row.warehouse.name,
                left=movement.balance.normalize(),
            ),
            actor=actor,
            at=now,
            origin=request,
        )
    return request


def update_shelter(response: Response, *, actor, shelter, occupancy, now=None):
    from yingji.resources import services as resources

    now = now or timezone.now()
    with transaction.atomic():
        response = _open_response(response)
        shelter = resources.set_shelter_occupancy(actor=actor, shelter=shelter, occupancy=occupancy)
        add_timeline(
            response.incident,
            kind="shelter",
            text=_("Shelter {name}: {occupancy} of {capacity} places taken.").format(
                name=shelter.name, occupancy=shelter.occupancy, capacity=shelter.capacity
            ),
            actor=actor,
            at=now,
            origin=shelter,
        )
    return shelter


# -- timeline and closing ---------------------------------------------------------------------------


def add_manual_entry(incident: Incident, *, actor, text: str, at=None, now=None) -> TimelineEntry:
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Write what happened."), code="required")})
    if at is not None and at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"at": ValidationError(_("The time cannot be in the future."), code="future")})
    if at is not None and at < incident.occurred_at - datetime.timedelta(days=1):
        raise ValidationError(
            {"at": ValidationError(_("The time is before the incident."), code="before_incident")}
        )
    with transaction.atomic():
        return add_timeline(incident, kind="note", text=text, actor=actor, at=at or now, automatic=False)


def close_response(response: Response, *, actor, outcome: str, now=None) -> Response:
    """Close the response and the incident with its outcome; refused while teams are still out."""
    now = now or timezone.now()
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": ValidationError(_("Record the outcome."), code="required")})
    with transaction.atomic():
        response = _open_response(response)
        if response.dispatches.filter(status__in=rules_response.OPEN_DISPATCH).exists():
            raise ValidationError(
                {
                    "dispatches": ValidationError(
                        _("Teams are still out: record their return first."), code="open_dispatches"
                    )
                }
            )
        response.status, response.closed_at, response.outcome = "closed", now, outcome
        response.save(update_fields=["status", "closed_at", "outcome"])
        for item in response.assignments.filter(done_at__isnull=True):
            if Deadline.objects.for_object(item).open().exists():
                escalation.close_deadline(item, actor=actor, now=now)
        incident = Incident.objects.select_for_update().get(pk=response.incident_id)
        incident.status, incident.closed_at, incident.outcome = "closed", now, outcome
        incident.save(update_fields=["status", "closed_at", "outcome"])
        add_timeline(
            incident,
            kind="close",
            text=_("Closed. Outcome: {outcome}").format(outcome=outcome),
            actor=actor,
            at=now,
            origin=response,
        )
        schedule_review_after_close(incident, actor=actor, now=now)
    return response
