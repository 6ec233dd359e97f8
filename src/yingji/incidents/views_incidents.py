"""Incident pages: list, intake (接报) with a map pick, detail (grade with its rule, reporting duties,
latest timeline), numbers update (re-grading), the full timeline (paged), the situation report
(DOCX + print), and the investigation follow-up of accidents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import ObjectDetailView, ObjectEditView, ObjectListView, add_validation_errors
from yingji.incidents import services_incidents as services
from yingji.incidents import sitrep
from yingji.incidents.filters_incidents import IncidentFilterSet
from yingji.incidents.forms_incidents import (
    DeadlineForm,
    IncidentForm,
    InvestigationForm,
    MeasureForm,
    NumbersForm,
    ReviewDoneForm,
    TimelineEntryForm,
    UnitForm,
)
from yingji.incidents.models import (
    SUBTYPES,
    Incident,
    Investigation,
    ReportDuty,
    Response,
    ReviewTask,
    TimelineEntry,
)
from yingji.incidents.tables_incidents import INCIDENT_COLUMNS

TIMELINE_PAGE = 50
RECENT_ENTRIES = 10


class IncidentMixin:
    model = Incident
    url_namespace = "incidents"
    select_related = ("division", "enterprise")


class IncidentListView(IncidentMixin, ObjectListView):
    filterset_class = IncidentFilterSet
    columns = INCIDENT_COLUMNS


class IncidentAddView(IncidentMixin, ObjectEditView):
    form_class = IncidentForm
    template_name = "incidents/incident_form.html"

    def get_permission_required(self):
        return ["incidents.add_incident"]

    def create(self, form):
        return services.report_incident(actor=self.request.user, **form.cleaned_data)

    def post(self, request, pk=None):
        result = super().post(request, pk)
        if isinstance(result, HttpResponseRedirect) and not request.user.has_perm("incidents.view_incident"):
            return HttpResponseRedirect(reverse("incidents:incident_add"))
        return result

    def _render(self, form, obj, status=200):
        context = self.base_context(
            form=form,
            object=obj,
            subtypes_json={kind: [code for code, _label in pairs] for kind, pairs in SUBTYPES.items()},
            points_url=reverse("registry:enterprise_points"),
        )
        return render(self.request, self.template_name, context, status=status)


def incident_context(incident: Incident, user) -> dict:
    response = Response.objects.filter(incident=incident).select_related("plan", "level").first()
    try:
        investigation = incident.investigation
    except Investigation.DoesNotExist:
        investigation = None
    return {
        "duties": incident.report_duties.all(),
        "entries": incident.timeline.select_related("actor").order_by("-at", "-pk")[:RECENT_ENTRIES],
        "response": response,
        "investigation": investigation,
        "can_respond": user.has_perm("incidents.add_response"),
        "can_change_incident": user.has_perm("incidents.change_incident"),
        "can_add_entry": user.has_perm("incidents.add_timelineentry"),
        "can_investigate": user.has_perm("incidents.view_investigation") and incident.kind == "accident",
    }


class IncidentDetailView(IncidentMixin, ObjectDetailView):
    template_name = "incidents/incident_detail.html"

    def get_extra_context(self, obj):
        context = incident_context(obj, self.request.user)
        context["numbers_form"] = NumbersForm(
            initial={name: getattr(obj, name) for name in services.NUMBER_FIELDS}, user=self.request.user
        )
        return context


# -- actions on an incident -------------------------------------------------------------------------


class _IncidentAction(LoginRequiredMixin, View):
    """A POST on one incident of the user's jurisdiction, with a permission."""

    permission = "incidents.change_incident"
    http_method_names = ["get", "post"]

    def incident(self, pk) -> Incident:
        if not self.request.user.has_perm(self.permission):
            raise PermissionDenied
        try:
            return Incident.objects.for_user(self.request.user).select_related("division").get(pk=pk)
        except (Incident.DoesNotExist, ValueError):
            raise Http404 from None

    def back(self, incident: Incident, error: ValidationError | None = None):
        if error is not None:
            messages.error(self.request, " ".join(error.messages))
            response = HttpResponseRedirect(reverse("incidents:incident_detail", args=[incident.pk]))
            return response
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse("incidents:incident_detail", args=[incident.pk]))


class IncidentNumbersView(_IncidentAction):
    def get(self, request, pk):
        incident = self.incident(pk)
        return HttpResponseRedirect(reverse("incidents:incident_detail", args=[incident.pk]))

    def post(self, request, pk):
        incident = self.incident(pk)
        form = NumbersForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            note = data.pop("note", "")
            try:
                services.update_numbers(incident, actor=request.user, note=note, **data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return self.back(incident)
        context = {"object": incident, **incident_context(incident, request.user), "numbers_form": form}
        return render(request, "incidents/incident_detail.html", context, status=400)


class ReportDutyCompleteView(_IncidentAction):
    def duty(self, pk) -> ReportDuty:
        if not self.request.user.has_perm(self.permission):
            raise PermissionDenied
        try:
            return ReportDuty.objects.for_user(self.request.user).select_related("incident").get(pk=pk)
        except (ReportDuty.DoesNotExist, ValueError):
            raise Http404 from None

    def get(self, request, pk):
        duty = self.duty(pk)
        return HttpResponseRedirect(reverse("incidents:incident_detail", args=[duty.incident_id]))

    def post(self, request, pk):
        duty = self.duty(pk)
        try:
            services.complete_report_duty(duty, actor=request.user, note=request.POST.get("note", ""))
        except ValidationError as error:
            return self.back(duty.incident, error)
        return self.back(duty.incident)


# -- timeline ---------------------------------------------------------------------------------------


class IncidentTimelineView(LoginRequiredMixin, View):
    """The whole timeline, newest first, a page of TIMELINE_PAGE entries at a time (10,000+ entries
    stay fast: one indexed slice and one count). A manual entry is posted here."""

    def incident(self, pk) -> Incident:
        if not self.request.user.has_perm("incidents.view_timelineentry"):
            raise PermissionDenied
        try:
            return Incident.objects.for_user(self.request.user).select_related("division").get(pk=pk)
        except (Incident.DoesNotExist, ValueError):
            raise Http404 from None

    def get(self, request, pk, form=None, status=200):
        incident = self.incident(pk)
        entries = (
            TimelineEntry.objects.filter(incident=incident).select_related("actor").order_by("-at", "-pk")
        )
        page = Paginator(entries, TIMELINE_PAGE).get_page(request.GET.get("page"))
        can_add = request.user.has_perm("incidents.add_timelineentry") and incident.status != "closed"
        context = {
            "object": incident,
            "page": page,
            "entries": page.object_list,
            "form": form or (TimelineEntryForm(user=request.user) if can_add else None),
            "can_add": can_add,
        }
        return render(request, "incidents/timeline_list.html", context, status=status)

    def post(self, request, pk):
        incident = self.incident(pk)
        if not request.user.has_perm("incidents.add_timelineentry"):
            raise PermissionDenied
        form = TimelineEntryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services_response_add_manual(incident, request.user, form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("incidents:incident_timeline", args=[incident.pk]))
        return self.get(request, pk, form=form, status=400)


def services_response_add_manual(incident, user, data):
    from yingji.incidents import services_response

    return services_response.add_manual_entry(incident, actor=user, text=data["text"], at=data.get("at"))


# -- situation report -------------------------------------------------------------------------------


class IncidentSitrepView(IncidentTimelineView):
    def get(self, request, pk):
        incident = self.incident(pk)
        content = sitrep.sitrep_docx(incident)
        response = HttpResponse(content, content_type=sitrep.DOCX_TYPE)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="sitrep-{incident.pk}-{stamp}.docx"'
        return response

    def post(self, request, pk):
        return HttpResponse(status=405)


class IncidentSitrepPrintView(IncidentTimelineView):
    def get(self, request, pk):
        incident = self.incident(pk)
        return render(request, "incidents/incident_sitrep_print.html", sitrep.context(incident))

    def post(self, request, pk):
        return HttpResponse(status=405)


# -- investigation ----------------------------------------------------------------------------------

INVESTIGATION_FORMS = {
    "open": InvestigationForm,
    "update": InvestigationForm,
    "unit": UnitForm,
    "measure": MeasureForm,
    "supervise": DeadlineForm,
    "lift": None,
    "review": DeadlineForm,
}


class IncidentInvestigationView(LoginRequiredMixin, View):
    """The investigation of an accident: record, responsible units, measures, 挂牌督办, 回头看. Each
    form posts its `action`."""

    def incident(self, pk) -> Incident:
        if not self.request.user.has_perm("incidents.view_investigation"):
            raise PermissionDenied
        try:
            incident = Incident.objects.for_user(self.request.user).select_related("division").get(pk=pk)
        except (Incident.DoesNotExist, ValueError):
            raise Http404 from None
        if incident.kind != "accident":
            raise Http404
        return incident

    def get(self, request, pk, forms=None, status=200):
        incident = self.incident(pk)
        investigation = Investigation.objects.filter(incident=incident).first()
        forms = forms or {}
        context = {
            "object": incident,
            "investigation": investigation,
            "can_change": request.user.has_perm("incidents.change_investigation"),
            "can_add": request.user.has_perm("incidents.add_investigation"),
            "open_form": forms.get("open") or InvestigationForm(user=request.user),
            "update_form": forms.get("update")
            or (
                InvestigationForm(
                    initial={
                        "team": investigation.team,
                        "findings": investigation.findings,
                        "cause": investigation.cause,
                        "report_date": investigation.report_date,
                    },
                    user=request.user,
                )
                if investigation
                else None
            ),
            "unit_form": forms.get("unit") or UnitForm(user=request.user),
            "measure_form": forms.get("measure") or MeasureForm(user=request.user),
            "supervise_form": forms.get("supervise") or DeadlineForm(user=request.user),
            "review_form": forms.get("review") or DeadlineForm(user=request.user),
            "done_form": ReviewDoneForm(user=request.user),
            "errors": forms.get("errors", []),
        }
        return render(request, "incidents/investigation_detail.html", context, status=status)

    def post(self, request, pk):
        incident = self.incident(pk)
        action = request.POST.get("action", "")
        permission = "incidents.add_investigation" if action == "open" else "incidents.change_investigation"
        if not request.user.has_perm(permission):
            raise PermissionDenied
        if action not in INVESTIGATION_FORMS:
            raise Http404
        investigation = Investigation.objects.filter(incident=incident).first()
        if action != "open" and investigation is None:
            raise Http404
        form_class = INVESTIGATION_FORMS[action]
        form = form_class(request.POST, user=request.user) if form_class else None
        if form is None or form.is_valid():
            data = form.cleaned_data if form else {}
            try:
                self.act(action, incident, investigation, data)
            except ValidationError as error:
                if form is None:
                    return self.get(request, pk, forms={"errors": error.messages}, status=400)
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("incidents:incident_investigation", args=[incident.pk]))
        return self.get(request, pk, forms={action: form}, status=400)

    def act(self, action, incident, investigation, data):
        actor = self.request.user
        if action == "open":
            services.open_investigation(incident, actor=actor, **data)
        elif action == "update":
            services.update_investigation(investigation, actor=actor, **data)
        elif action == "unit":
            services.add_responsible_unit(investigation, actor=actor, **data)
        elif action == "measure":
            services.add_measure(investigation, actor=actor, **data)
        elif action == "supervise":
            services.supervise(investigation, actor=actor, due_at=data["due_at"])
        elif action == "lift":
            services.lift_supervision(investigation, actor=actor)
        elif action == "review":
            services.schedule_review(investigation, actor=actor, due_at=data["due_at"])


class ReviewTaskDoneView(LoginRequiredMixin, View):
    def review(self, pk) -> ReviewTask:
        if not self.request.user.has_perm("incidents.change_investigation"):
            raise PermissionDenied
        try:
            return ReviewTask.objects.for_user(self.request.user).select_related("investigation").get(pk=pk)
        except (ReviewTask.DoesNotExist, ValueError):
            raise Http404 from None

    def get(self, request, pk):
        review = self.review(pk)
        return HttpResponseRedirect(
            reverse("incidents:incident_investigation", args=[review.investigation.incident_id])
        )

    def post(self, request, pk):
        review = self.review(pk)
        form = ReviewDoneForm(request.POST, user=request.user)
        incident_id = review.investigation.incident_id
        if form.is_valid():
            try:
                services.complete_review(review, actor=request.user, findings=form.cleaned_data["findings"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Write the findings of the review."))
        return HttpResponseRedirect(reverse("incidents:incident_investigation", args=[incident_id]))
