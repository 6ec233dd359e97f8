"""Inspection pages: list, start, detail, the item-by-item run page (phone first), recording one item,
free findings, finishing, photos, and the QR check-in list. Reads through `Inspection.objects.for_user`,
changes through `services_inspections`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import uploads
from yingji.core.views import ObjectDetailView, ObjectListView, ScopedViewMixin, add_validation_errors
from yingji.hazards.models import HazardCriterion
from yingji.inspections import services_checklists
from yingji.inspections import services_inspections as services
from yingji.inspections.filters_inspections import CheckInFilterSet, InspectionFilterSet
from yingji.inspections.forms_inspections import FindingForm, FinishForm, InspectionStartForm, ResultForm
from yingji.inspections.models_checklists import (
    CheckIn,
    Finding,
    Inspection,
    InspectionPhoto,
    ItemResult,
)
from yingji.inspections.rules_inspections import InspectionRefused
from yingji.inspections.tables_inspections import CHECKIN_COLUMNS, INSPECTION_COLUMNS
from yingji.registry.models import Enterprise


class InspectionMixin:
    model = Inspection
    url_namespace = "inspections"
    select_related = ("enterprise", "division", "template")


class InspectionListView(InspectionMixin, ObjectListView):
    filterset_class = InspectionFilterSet
    columns = INSPECTION_COLUMNS

    def get_queryset(self):
        return super().get_queryset().annotate(finding_count=Count("findings")).order_by("-started_at", "-id")


def _rows(inspection: Inspection) -> list[dict]:
    results = {
        r.item_id: r for r in inspection.results.select_related("recorded_by").prefetch_related("photos")
    }
    return [{"item": item, "result": results.get(item.pk)} for item in services.template_items(inspection)]


class InspectionDetailView(InspectionMixin, ObjectDetailView):
    template_name = "inspections/inspection_detail.html"

    def get_extra_context(self, obj):
        rows = _rows(obj)
        user = self.request.user
        return {
            "rows": rows,
            "answered": sum(1 for r in rows if r["result"]),
            "inspectors": list(obj.inspectors.all()),
            "findings": obj.findings.select_related("hazard", "item", "criterion"),
            "check_ins": obj.check_ins.select_related("user"),
            "may_record": obj.status == "in_progress" and services.is_inspector(obj, user),
        }


class InspectionStartView(InspectionMixin, ScopedViewMixin, View):
    """Start an inspection (?enterprise= pre-selects one); the starter is an inspector of it."""

    template_name = "inspections/inspection_form.html"

    def get_permission_required(self):
        return ["inspections.add_inspection"]

    def get(self, request):
        initial = {}
        if request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = int(request.GET["enterprise"])
        form = InspectionStartForm(initial=initial, user=request.user)
        return self._render(form)

    def post(self, request):
        form = InspectionStartForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.start_inspection(
                    actor=request.user,
                    enterprise=data["enterprise"],
                    template=data["template"],
                    kind=data["kind"],
                    inspectors=list(data["inspectors"]),
                    latitude=data.get("latitude"),
                    longitude=data.get("longitude"),
                )
            except ValidationError as error:
                add_validation_errors(form, error)
                form.style_fields()
            else:
                return HttpResponseRedirect(reverse("inspections:inspection_run", args=[inspection.pk]))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(self.request, self.template_name, self.base_context(form=form), status=status)


class InspectionRunView(InspectionMixin, ScopedViewMixin, View):
    """The phone page: each item as a card with pass / fail / not applicable, a note and photos."""

    template_name = "inspections/inspection_run.html"

    def get_permission_required(self):
        return ["inspections.view_inspection"]

    def get(self, request, pk, *, errors=None, finding_form=None, finish_form=None, status=200):
        inspection = self.get_object()
        if inspection.status != "in_progress" or not services.is_inspector(inspection, request.user):
            return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))
        rows = _rows(inspection)
        context = self.base_context(
            object=inspection,
            rows=rows,
            answered=sum(1 for r in rows if r["result"]),
            result_choices=ItemResult.choices,
            errors=errors or {},
            findings=inspection.findings.filter(item__isnull=True).select_related("criterion"),
            finding_form=finding_form or FindingForm(),
            finish_form=finish_form or FinishForm(initial={"summary": inspection.summary}),
            criteria=HazardCriterion.objects.order_by("standard", "number"),
            today=timezone.localdate(),
        )
        return render(request, self.template_name, context, status=status)


def _render_run(request, pk, **extra):
    """The run page again (after a POST with errors), with the errors in place."""
    view = InspectionRunView()
    view.setup(request, pk=pk)
    return view.get(request, pk, **extra)


class _RecordingView(InspectionMixin, ScopedViewMixin, View):
    """POST actions of an inspection's team; GET only leads back to the inspection (in scope or 404)."""

    def get_permission_required(self):
        return ["inspections.view_inspection", "inspections.add_inspection"]

    def get(self, request, pk, **kwargs):
        self.get_object()
        return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))

    def run_page(self, pk, anchor="") -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("inspections:inspection_run", args=[pk]) + anchor)

    def refused(self, pk, refused: InspectionRefused):
        if refused.status == 403:
            raise PermissionDenied(refused.message)
        messages.error(self.request, refused.message)
        return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))


class InspectionRecordView(_RecordingView):
    """POST one item's result (and photos)."""

    def post(self, request, pk, checklistitem_id):
        item_id = checklistitem_id
        inspection = self.get_object()
        form = ResultForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = {item_id: [e for errs in form.errors.values() for e in errs]}
            return _render_run(request, pk, errors=errors, status=400)
        try:
            services.record_result(
                actor=request.user,
                inspection=inspection,
                item=item_id,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except InspectionRefused as refused:
            return self.refused(pk, refused)
        except ValidationError as error:
            return _render_run(request, pk, errors={item_id: error.messages}, status=400)
        return self.run_page(pk, f"#item-{item_id}")


class FindingAddView(_RecordingView):
    def post(self, request, pk):
        inspection = self.get_object()
        form = FindingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_finding(
                    actor=request.user,
                    inspection=inspection,
                    description=data["description"],
                    legal_basis=data["legal_basis"],
                    is_major=data["is_major"],
                    criterion=data["criterion"].strip() or None,
                    deadline=data["deadline"],
                )
            except InspectionRefused as refused:
                return self.refused(pk, refused)
            except ValidationError as error:
                add_validation_errors(form, error)
                form.style_fields()
            else:
                return self.run_page(pk, "#findings")
        return _render_run(request, pk, finding_form=form, status=400)


class FindingDeleteView(_RecordingView):
    def post(self, request, pk, finding_id):
        inspection = self.get_object()
        finding = get_object_or_404(Finding, pk=finding_id, inspection=inspection)
        try:
            services.remove_finding(actor=request.user, finding=finding)
        except InspectionRefused as refused:
            return self.refused(pk, refused)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return self.run_page(pk, "#findings")


class InspectionFinishView(_RecordingView):
    def post(self, request, pk):
        inspection = self.get_object()
        form = FinishForm(request.POST)
        form.is_valid()
        try:
            services.finish_inspection(
                actor=request.user, inspection=inspection, summary=form.cleaned_data.get("summary", "")
            )
        except InspectionRefused as refused:
            return self.refused(pk, refused)
        except ValidationError as error:
            add_validation_errors(form, error)
            form.style_fields()
            return _render_run(request, pk, finish_form=form, status=400)
        messages.success(request, _("The inspection is finished."))
        return HttpResponseRedirect(reverse("inspections:inspection_detail", args=[pk]))


class InspectionPhotoView(InspectionMixin, ScopedViewMixin, View):
    """A photo of an inspection the user may see (files live outside the web root)."""

    def get_permission_required(self):
        return ["inspections.view_inspection"]

    def get(self, request, pk, inspectionphoto_id):
        inspection = self.get_object()
        photo = get_object_or_404(InspectionPhoto, pk=inspectionphoto_id, result__inspection=inspection)
        try:
            return uploads.serve_private(photo.file, photo.content_type)
        except FileNotFoundError:
            raise Http404 from None


class CheckInListView(ObjectListView):
    model = CheckIn
    url_namespace = "inspections"
    select_related = ("enterprise", "user")
    filterset_class = CheckInFilterSet
    columns = CHECKIN_COLUMNS

    def url_name(self, action: str) -> str:
        # Check-ins are made by scanning a poster: "add" leads to starting an inspection.
        return "inspections:inspection_add" if action == "add" else f"inspections:checkin_{action}"


def start_choices(user, enterprise: Enterprise):
    return services_checklists.active_templates(user, enterprise)
