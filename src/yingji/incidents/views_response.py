"""Response pages: list; opening a response from an incident with the matched plan; the response page
(assignments, nearest resources by distance and arrival time, dispatch orders and their status,
supply requests, shelter occupancy, closing). Refusals re-render the page with the error (400, or
409 for a team already committed elsewhere)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import ObjectListView
from yingji.incidents import rules_response
from yingji.incidents import services_response as services
from yingji.incidents.filters_incidents import ResponseFilterSet
from yingji.incidents.forms_response import (
    CloseForm,
    DispatchForm,
    DispatchStatusForm,
    ShelterForm,
    SupplyForm,
)
from yingji.incidents.models import Assignment, Dispatch, Incident, Response
from yingji.incidents.tables_incidents import RESPONSE_COLUMNS

NEAREST = 5


class ResponseListView(ObjectListView):
    model = Response
    url_namespace = "incidents"
    select_related = ("incident", "plan", "level")
    filterset_class = ResponseFilterSet
    columns = RESPONSE_COLUMNS
    extra_template = None

    def url_name(self, action: str) -> str:
        if action == "add":  # a response is opened from its incident
            return "incidents:incident_list"
        return super().url_name(action)

    def base_context(self, **extra):
        context = super().base_context(**extra)
        context["can_add"] = False
        return context


def _incident(request, pk) -> Incident:
    try:
        return Incident.objects.for_user(request.user).select_related("division").get(pk=pk)
    except (Incident.DoesNotExist, ValueError):
        raise Http404 from None


class IncidentRespondView(LoginRequiredMixin, View):
    """GET: the matched plans (best first) to choose from; POST: open the response."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("incidents.add_response"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def matches(self, incident):
        from yingji.plans import services as plan_services

        return plan_services.match_plans(incident)

    def get(self, request, pk, error=None, status=200):
        incident = _incident(request, pk)
        existing = Response.objects.filter(incident=incident).first()
        if existing is not None and error is None:
            return HttpResponseRedirect(reverse("incidents:response_detail", args=[existing.pk]))
        context = {"object": incident, "matches": self.matches(incident), "error": error}
        return render(request, "incidents/response_open.html", context, status=status)

    def post(self, request, pk):
        incident = _incident(request, pk)
        choice = request.POST.get("choice", "0")
        plan = level = None
        if choice != "none":
            matches = self.matches(incident)
            try:
                plan, level, _reason = matches[int(choice)]
            except (ValueError, IndexError):
                return self.get(request, pk, error=_("Choose one of the matched plans."), status=400)
        try:
            response = services.open_response(
                incident, actor=request.user, plan=plan, level=level, match=choice != "none"
            )
        except services.Conflict as error:
            return self.get(request, pk, error=error.message, status=409)
        except ValidationError as error:
            return self.get(request, pk, error=" ".join(error.messages), status=400)
        messages.success(request, _("Response opened."))
        return HttpResponseRedirect(reverse("incidents:response_detail", args=[response.pk]))


def _nearest(user, incident, kind: str, **extra) -> list[dict]:
    from yingji.resources import services as resources

    if incident.latitude is None or incident.longitude is None:
        return []
    try:
        return resources.nearest(
            user=user,
            kind=kind,
            latitude=incident.latitude,
            longitude=incident.longitude,
            limit=NEAREST,
            **extra,
        )
    except ValidationError:
        return []


def response_context(request, response: Response) -> dict:
    from yingji.resources.models import Stock

    incident = response.incident
    user = request.user
    stocks = Stock.objects.for_user(user).filter(quantity__gt=0).select_related("warehouse", "item")
    if incident.latitude is not None:
        stocks = stocks.order_by("item__name", "warehouse__name")
    busy = set(
        Dispatch.objects.filter(status__in=rules_response.OPEN_DISPATCH).values_list("team_id", flat=True)
    )
    labels = dict(Dispatch._meta.get_field("status").choices)
    dispatches = list(response.dispatches.select_related("team"))
    for row in dispatches:
        row.moves = [(value, labels[value]) for value in rules_response.allowed_dispatch_moves(row.status)]
    return {
        "object": response,
        "incident": incident,
        "assignments": response.assignments.select_related("assignee"),
        "dispatches": dispatches,
        "supplies": response.supply_requests.select_related("stock__item", "stock__warehouse"),
        "teams": _nearest(user, incident, "team"),
        "busy_teams": busy,
        "warehouses": _nearest(user, incident, "warehouse"),
        "shelters": _nearest(user, incident, "shelter", min_free=1),
        "experts": _nearest(user, incident, "expert"),
        "stocks": stocks[:200],
        "can_change": user.has_perm("incidents.change_response") and response.status == "open",
        "close_form": CloseForm(user=user),
        "errors": [],
    }


class ResponseDetailView(LoginRequiredMixin, View):
    def response(self, pk) -> Response:
        if not self.request.user.has_perm("incidents.view_response"):
            raise PermissionDenied
        try:
            return (
                Response.objects.for_user(self.request.user)
                .select_related("incident__division", "plan", "level")
                .get(pk=pk)
            )
        except (Response.DoesNotExist, ValueError):
            raise Http404 from None

    def get(self, request, pk):
        return render(request, "incidents/response_detail.html", response_context(request, self.response(pk)))


class _ResponseAction(ResponseDetailView):
    """A POST on a response (change_response); refusals re-render the response page with the error."""

    def get(self, request, pk):
        response = self.target(pk)
        return HttpResponseRedirect(reverse("incidents:response_detail", args=[response.pk]))

    def post(self, request, pk):
        response = self.target(pk)
        try:
            self.act(request, response)
        except services.Conflict as error:
            return self.refused(request, response, [error.message], 409, error.code)
        except ValidationError as error:
            return self.refused(request, response, error.messages, 400, "invalid_data")
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("incidents:response_detail", args=[response.pk]))

    def target(self, pk) -> Response:
        response = self.response(pk)
        if not self.request.user.has_perm("incidents.change_response"):
            raise PermissionDenied
        return response

    def refused(self, request, response, errors, status, code):
        response.refresh_from_db()
        context = response_context(request, response)
        context["errors"] = errors
        context["error_code"] = code
        return render(request, "incidents/response_detail.html", context, status=status)

    def form(self, form_class, request):
        form = form_class(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return form.cleaned_data

    def act(self, request, response):
        raise NotImplementedError


class ResponseDispatchView(_ResponseAction):
    def act(self, request, response):
        from yingji.resources.models import Team

        data = self.form(DispatchForm, request)
        team = Team.objects.for_user(request.user).filter(pk=data["team"]).first()
        if team is None:
            raise ValidationError({"team": _("Unknown team, or outside your jurisdiction.")})
        services.dispatch_team(response, actor=request.user, team=team, task=data.get("task", ""))


class ResponseSupplyView(_ResponseAction):
    def act(self, request, response):
        from yingji.resources.models import Stock

        data = self.form(SupplyForm, request)
        stock = Stock.objects.for_user(request.user).filter(pk=data["stock"]).first()
        if stock is None:
            raise ValidationError({"stock": _("Unknown stock line, or outside your jurisdiction.")})
        services.request_supply(
            response, actor=request.user, stock=stock, quantity=data["quantity"], note=data.get("note", "")
        )


class ResponseShelterView(_ResponseAction):
    def act(self, request, response):
        from yingji.resources.models import Shelter

        data = self.form(ShelterForm, request)
        shelter = Shelter.objects.for_user(request.user).filter(pk=data["shelter"]).first()
        if shelter is None:
            raise ValidationError({"shelter": _("Unknown shelter, or outside your jurisdiction.")})
        services.update_shelter(response, actor=request.user, shelter=shelter, occupancy=data["occupancy"])


class ResponseCloseView(_ResponseAction):
    def act(self, request, response):
        data = self.form(CloseForm, request)
        services.close_response(response, actor=request.user, outcome=data["outcome"])


class DispatchStatusView(_ResponseAction):
    def target(self, pk) -> Response:
        if not self.request.user.has_perm("incidents.change_response"):
            raise PermissionDenied
        try:
            self.dispatch_row = (
                Dispatch.objects.for_user(self.request.user).select_related("response").get(pk=pk)
            )
        except (Dispatch.DoesNotExist, ValueError):
            raise Http404 from None
        return self.response(self.dispatch_row.response_id)

    def act(self, request, response):
        data = self.form(DispatchStatusForm, request)
        services.set_dispatch_status(self.dispatch_row, actor=request.user, status=data["status"])


class AssignmentDoneView(_ResponseAction):
    def target(self, pk) -> Response:
        if not self.request.user.has_perm("incidents.change_response"):
            raise PermissionDenied
        try:
            self.assignment = Assignment.objects.for_user(self.request.user).get(pk=pk)
        except (Assignment.DoesNotExist, ValueError):
            raise Http404 from None
        return self.response(self.assignment.response_id)

    def act(self, request, response):
        services.complete_assignment(self.assignment, actor=request.user)
