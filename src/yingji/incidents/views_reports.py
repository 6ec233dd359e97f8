"""Disaster report pages: events, a division's report (fill, submit), the level below (review,
totals), the xlsx. Reads through `for_user`, changes through `services_reports`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import audit
from yingji.core.escalation.models import Deadline
from yingji.core.models import Division
from yingji.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.incidents import exports_reports
from yingji.incidents import rules_reports as rules
from yingji.incidents import services_reports as services
from yingji.incidents.filters_reports import EventFilterSet
from yingji.incidents.forms_reports import EndForm, EventForm, FiguresForm, ReviewForm, SubmitForm
from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion
from yingji.incidents.tables_reports import EVENT_COLUMNS


class EventMixin:
    model = DisasterEvent
    url_namespace = "incidents"
    select_related = ("division",)


class EventListView(EventMixin, ObjectListView):
    filterset_class = EventFilterSet
    columns = EVENT_COLUMNS


class EventEditView(EventMixin, ObjectEditView):
    form_class = EventForm

    def get_permission_required(self):
        return ["incidents.add_disasterevent"]

    def get(self, request, pk=None):
        return super().get(request)

    def create(self, form):
        return services.open_event(actor=self.request.user, **form.cleaned_data)


def _deadlines(reports) -> dict[int, object]:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(DisasterReport)
    rows = Deadline.objects.filter(
        content_type=content_type, object_id__in=[str(r.pk) for r in reports]
    ).open()
    return {int(d.object_id): d.due_at for d in rows}


class EventDetailView(EventMixin, ObjectDetailView):
    template_name = "incidents/report_event_detail.html"

    def get_extra_context(self, obj):
        user = self.request.user
        reports = list(
            DisasterReport.objects.for_user(user)
            .filter(event=obj)
            .select_related("division")
            .order_by("division_id")
        )
        due = _deadlines(reports)
        current = {}
        for version in ReportVersion.objects.filter(report__in=reports).order_by("report_id", "-number"):
            current.setdefault(version.report_id, version)
        own = next((r for r in reports if r.division_id == user.division_id), None)
        return {
            "reports": [(r, current.get(r.pk), due.get(r.pk)) for r in reports],
            "own_report": own,
            "now": timezone.now(),
            "end_form": EndForm(),
            "can_end": user.has_perm("incidents.change_disasterevent") and obj.status == "open",
            "can_fill": user.has_perm("incidents.change_disasterreport"),
            "can_export": user.has_perm("incidents.export_disasterreport"),
        }


class EventPostMixin:
    """POST-only actions on an event; GET shows the event (404 outside the jurisdiction)."""

    http_method_names = ["get", "post"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("incidents:disasterevent_detail", args=[self.get_object().pk]))


class EventEndView(EventPostMixin, EventMixin, ScopedViewMixin, View):
    def get_permission_required(self):
        return ["incidents.change_disasterevent"]

    def post(self, request, pk):
        event = self.get_object()
        form = EndForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.end_event(event, actor=request.user, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("incidents:disasterevent_detail", args=[event.pk]))


class EventReportView(EventPostMixin, EventMixin, ScopedViewMixin, View):
    """POST `division`: open (create on first use) that division's report in the event."""

    def get_permission_required(self):
        return ["incidents.change_disasterreport"]

    def post(self, request, pk):
        event = self.get_object()
        code = request.POST.get("division") or request.user.division_id
        division = Division.objects.filter(code=code).first()
        try:
            if division is None:
                raise ValidationError({"division": _("Unknown division.")})
            report = services.report_for(event, division, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("incidents:disasterevent_detail", args=[event.pk]))
        return HttpResponseRedirect(reverse("incidents:disasterreport_detail", args=[report.pk]))


class EventExportView(EventMixin, ScopedViewMixin, View):
    def get_permission_required(self):
        return ["incidents.export_disasterreport"]

    def get(self, request, pk):
        event = self.get_object()
        reports = list(
            DisasterReport.objects.for_user(request.user)
            .filter(event=event)
            .select_related("division")
            .order_by("division_id")
        )
        data = exports_reports.event_workbook(event, reports)
        audit.record(
            "export",
            object_type="incidents.disasterreport",
            note=f"{len(reports)} rows as xlsx; event {event.pk}",
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="disaster-{event.pk}.xlsx"'
        return response


# -- a division's report ----------------------------------------------------------------------------


class ReportMixin:
    model = DisasterReport
    url_namespace = "incidents"
    select_related = ("event__division", "division")

    def url_name(self, action: str) -> str:
        return f"incidents:disasterreport_{action}" if action != "list" else "incidents:disasterevent_list"


def report_context(request, report: DisasterReport, **forms) -> dict:
    user = request.user
    lower = list(services.lower_reports(report))
    current = {}
    for version in ReportVersion.objects.filter(report__in=lower).order_by("report_id", "-number"):
        current.setdefault(version.report_id, version)
    result = services.totals(report)
    initial = {**services.figures_of(report), "note": report.note}
    rows = [
        {
            "field": i.field,
            "label": DisasterReport._meta.get_field(i.field).verbose_name,
            "unit": i.unit,
            "own": result["own"].get(i.field),
            "lower": result["lower"].get(i.field),
            "differs": i.field in result["differences"],
        }
        for i in rules.INDICATORS
    ]
    return {
        "versions": list(report.versions.all()),
        "lower": [(r, current.get(r.pk)) for r in lower],
        "totals": rows,
        "lower_count": result["count"],
        "figures_form": forms.get("figures_form") or FiguresForm(initial=initial),
        "submit_form": forms.get("submit_form") or SubmitForm(),
        "review_form": ReviewForm(),
        "can_fill": user.has_perm("incidents.change_disasterreport"),
        "can_review": user.has_perm("incidents.review_disasterreport"),
        "deadline": _deadlines([report]).get(report.pk),
    }


class ReportDetailView(ReportMixin, ObjectDetailView):
    template_name = "incidents/report_detail.html"

    def get_extra_context(self, obj):
        return report_context(self.request, obj)


class ReportActionView(ReportMixin, ScopedViewMixin, View):
    """POST the figures (`fill`) or submit a version (`submit`, the figures saved first)."""

    action = "fill"
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["incidents.change_disasterreport"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("incidents:disasterreport_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        report = self.get_object()
        figures_form = FiguresForm(request.POST)
        submit_form = SubmitForm(request.POST) if self.action == "submit" else SubmitForm()
        if figures_form.is_valid() and (self.action == "fill" or submit_form.is_valid()):
            data = dict(figures_form.cleaned_data)
            note = data.pop("note", "")
            try:
                if self.action == "submit":
                    services.submit_report(
                        report,
                        actor=request.user,
                        stage=submit_form.cleaned_data["stage"],
                        figures=data,
                        note=note,
                    )
                else:
                    services.save_figures(report, actor=request.user, figures=data, note=note)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "stage" in error.error_dict:
                    add_validation_errors(submit_form, error)
                else:
                    add_validation_errors(figures_form, error)
            else:
                messages.success(request, _("Submitted.") if self.action == "submit" else _("Saved."))
                return HttpResponseRedirect(reverse("incidents:disasterreport_detail", args=[report.pk]))
        context = self.base_context(
            object=report,
            **report_context(request, report, figures_form=figures_form, submit_form=submit_form),
        )
        return render(request, "incidents/report_detail.html", context, status=400)


class VersionReviewView(ScopedViewMixin, View):
    """POST accept / return (with a reason) the current version of a report of the level below."""

    model = ReportVersion
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["incidents.review_disasterreport"]

    def get(self, request, pk):
        version = self.get_object()
        return HttpResponseRedirect(reverse("incidents:disasterreport_detail", args=[version.report_id]))

    def post(self, request, pk):
        version = get_object_or_404(
            ReportVersion.objects.for_user(request.user).select_related("report__division"), pk=pk
        )
        form = ReviewForm(request.POST)
        parent = version.report.division.parent_id
        back = DisasterReport.objects.filter(event_id=version.report.event_id, division_id=parent).first()
        target = (
            reverse("incidents:disasterreport_detail", args=[back.pk])
            if back and DisasterReport.objects.for_user(request.user).filter(pk=back.pk).exists()
            else reverse("incidents:disasterreport_detail", args=[version.report_id])
        )
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.review_version(
                version,
                actor=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(target)
