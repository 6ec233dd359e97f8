"""Pages of the enforcement plans, the classification, random draws (with the public result page),
conflicts of interest, coverage and the enforcement statistics (with the xlsx export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import tabular
from yingji.core.models import Division
from yingji.core.views import (
    ObjectDeleteView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.core.views_tabular import audit_export_of, file_response
from yingji.inspections import coverage, statistics
from yingji.inspections import forms_plans as forms
from yingji.inspections import services_plans as services
from yingji.inspections.filters_plans import ConflictFilterSet, DrawFilterSet, EntryFilterSet, PlanFilterSet
from yingji.inspections.models_plans import (
    ConflictOfInterest,
    DrawResult,
    InspectionPlan,
    PlanEntry,
    RandomDraw,
)
from yingji.inspections.tables_plans import CONFLICT_COLUMNS, DRAW_COLUMNS, PLAN_COLUMNS
from yingji.registry.models import SUPERVISION_FLAGS

PER_PAGE = 50


class _Page(LoginRequiredMixin, PermissionRequiredMixin, View):
    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


class _Counted:
    """A queryset whose length is already known (Paginator asks `count()`, then slices)."""

    def __init__(self, queryset, count: int):
        self.queryset, self.total = queryset, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.queryset[key]


def reason_label(reason: str) -> str:
    """A classification reason ("flag:dust_explosion", "risk:major", ...) for people."""
    factor, _sep, value = reason.partition(":")
    if factor == "flag":
        return str(SUPERVISION_FLAGS.get(value, value))
    if factor == "industry":
        return _("Industry {code}").format(code=value)
    if factor == "risk":
        return str(dict(forms.RISK_CHOICES).get(value, value))
    if factor == "hazards":
        return _("{n} open major hidden dangers").format(n=value)
    if factor == "findings":
        return _("{n} findings last year").format(n=value)
    return reason


# -- plans --------------------------------------------------------------------------------------------


class PlanListView(ObjectListView):
    model = InspectionPlan
    url_namespace = "inspections"
    filterset_class = PlanFilterSet
    columns = PLAN_COLUMNS
    select_related = ("division",)


class PlanAddView(_Page):
    permission_required = "inspections.add_inspectionplan"

    def _render(self, form, status=200):
        context = {
            "form": form,
            "model_name": InspectionPlan._meta.verbose_name,
            "list_url": reverse("inspections:inspectionplan_list"),
        }
        return render(self.request, "core/object_form.html", context, status=status)

    def get(self, request):
        return self._render(
            forms.PlanForm(user=request.user, initial={"year": timezone.localdate().year + 1})
        )

    def post(self, request):
        form = forms.PlanForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.create_plan(
                    actor=request.user,
                    division=data["division"],
                    year=data["year"],
                    title=data["title"],
                    generate=data["generate"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:inspectionplan_detail", pk=plan.pk)
        return self._render(form, status=400)


class PlanDetailView(ScopedViewMixin, View):
    model = InspectionPlan
    url_namespace = "inspections"
    permission_required = "inspections.view_inspectionplan"

    def get(self, request, pk):
        return self.show(self.get_object())

    def show(self, plan, *, entry_form=None, group_form=None, status=200):
        request = self.request
        entries = PlanEntry.objects.filter(plan=plan).select_related("enterprise", "group")
        filterset = EntryFilterSet(request.GET, queryset=entries)
        entries = filterset.qs if filterset.is_valid() else entries.none()
        page = Paginator(entries.order_by("month", "enterprise__name", "id"), PER_PAGE).get_page(
            request.GET.get("page")
        )
        rows = [{"entry": e, "reasons": [reason_label(r) for r in e.reasons]} for e in page.object_list]
        by_month = dict(plan.entries.values_list("month").annotate(n=Count("id")).order_by())
        classes = dict(plan.entries.values_list("enterprise_class").annotate(n=Count("id")).order_by())
        can_change = request.user.has_perm("inspections.change_inspectionplan") and plan.status == "draft"
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "plan": plan,
            "object": plan,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filterset": filterset,
            "months": [(m, by_month.get(m, 0)) for m in range(1, 13)],
            "classes": classes,
            "groups": plan.groups.prefetch_related("members"),
            "can_change": can_change,
            "entry_form": entry_form or forms.EntryForm(user=request.user, plan=plan),
            "group_form": group_form or forms.GroupForm(user=request.user),
        }
        return render(request, "inspections/plan_detail.html", context, status=status)


class _PlanAction(ScopedViewMixin, View):
    model = InspectionPlan
    url_namespace = "inspections"
    permission_required = "inspections.change_inspectionplan"


class PlanPublishView(_PlanAction):
    def post(self, request, pk):
        plan = self.get_object()
        try:
            services.publish_plan(actor=request.user, plan=plan)
        except ValidationError as error:
            return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
        return redirect("inspections:inspectionplan_detail", pk=plan.pk)


class PlanEntryAddView(_PlanAction):
    def post(self, request, pk):
        plan = self.get_object()
        form = forms.EntryForm(request.POST, user=request.user, plan=plan)
        if form.is_valid():
            try:
                services.add_entry(
                    actor=request.user,
                    plan=plan,
                    enterprise=form.cleaned_data["enterprise"],
                    month=form.cleaned_data["month"],
                    group=form.cleaned_data["group"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:inspectionplan_detail", pk=plan.pk)
        return PlanDetailView(request=request, kwargs={"pk": pk}).show(plan, entry_form=form, status=400)


class PlanGroupAddView(_PlanAction):
    def post(self, request, pk):
        plan = self.get_object()
        form = forms.GroupForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.add_group(
                    actor=request.user,
                    plan=plan,
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:inspectionplan_detail", pk=plan.pk)
        return PlanDetailView(request=request, kwargs={"pk": pk}).show(plan, group_form=form, status=400)


class PlanEntryEditView(ScopedViewMixin, View):
    model = PlanEntry
    url_namespace = "inspections"
    permission_required = "inspections.change_inspectionplan"

    def _render(self, form, entry, status=200):
        context = {
            "form": form,
            "object": entry,
            "model_name": PlanEntry._meta.verbose_name,
            "list_url": reverse("inspections:inspectionplan_detail", args=[entry.plan_id]),
        }
        return render(self.request, "core/object_form.html", context, status=status)

    def get(self, request, pk):
        entry = self.get_object()
        form = forms.EntryEditForm(
            initial={"month": entry.month, "group": entry.group_id}, user=request.user, plan=entry.plan
        )
        return self._render(form, entry)

    def post(self, request, pk):
        entry = self.get_object()
        form = forms.EntryEditForm(request.POST, user=request.user, plan=entry.plan)
        if form.is_valid():
            try:
                services.update_entry(
                    actor=request.user,
                    entry=entry,
                    month=form.cleaned_data["month"],
                    group=form.cleaned_data["group"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:inspectionplan_detail", pk=entry.plan_id)
        return self._render(form, entry, status=400)


class PlanEntryDeleteView(ObjectDeleteView):
    model = PlanEntry
    url_namespace = "inspections"

    def get_permission_required(self):
        return ["inspections.change_inspectionplan"]

    def url_name(self, action: str) -> str:
        return "inspections:inspectionplan_list" if action == "list" else super().url_name(action)

    def post(self, request, pk):
        entry = self.get_object()
        try:
            services.delete_entry(actor=request.user, entry=entry)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("inspections:inspectionplan_detail", pk=entry.plan_id)


# -- classification -----------------------------------------------------------------------------------


class ClassificationView(_Page):
    """The division's config (editable by bureau admins) and each enterprise's class with its reasons."""

    permission_required = "inspections.view_classificationconfig"

    def _division(self, request) -> Division:
        code = request.GET.get("division") or request.user.division_id
        division = Division.objects.for_user(request.user).filter(code=code).first() if code else None
        if division is None:
            raise Http404
        return division

    def get(self, request, form=None, status=200):
        division = self._division(request)
        config = services.config_for(division)
        if form is None:
            form = forms.ConfigForm(
                initial={
                    "flags": config.flags,
                    "risk_levels": config.risk_levels,
                    "industries": ", ".join(config.industries),
                    "open_major_hazards": config.open_major_hazards,
                    "findings_last_year": config.findings_last_year,
                    "key_per_year": config.key_per_year,
                    "general_per_year": config.general_per_year,
                    "general_share": config.general_share,
                },
                user=request.user,
            )
        year = timezone.localdate().year
        wanted = request.GET.get("class", "")
        enterprises = services.enterprises_in(division).filter(
            division__code__startswith=request.user.scope_prefix or ""
        )
        page = Paginator(enterprises.order_by("name", "id"), PER_PAGE).get_page(request.GET.get("page"))
        ids = [e.pk for e in page.object_list]
        classes = services.classify_enterprises(enterprises.filter(pk__in=ids), config, year)
        rows = [
            {
                "enterprise": e,
                "class": classes[e.pk][0],
                "reasons": [reason_label(r) for r in classes[e.pk][1]],
            }
            for e in page.object_list
            if not wanted or classes[e.pk][0] == wanted
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "division": division,
            "config": config,
            "inherited": config.pk is None or config.division_id != division.code,
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "can_change": request.user.has_perm("inspections.change_classificationconfig"),
        }
        return render(request, "inspections/plan_classification.html", context, status=status)

    def post(self, request):
        if not request.user.has_perm("inspections.change_classificationconfig"):
            raise PermissionDenied
        division = self._division(request)
        form = forms.ConfigForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.save_config(actor=request.user, division=division, **form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect(f"{reverse('inspections:plan_classification')}?division={division.code}")
        return self.get(request, form=form, status=400)


# -- draws --------------------------------------------------------------------------------------------


class DrawListView(ObjectListView):
    model = RandomDraw
    url_namespace = "inspections"
    filterset_class = DrawFilterSet
    columns = DRAW_COLUMNS
    select_related = ("division",)


class DrawAddView(_Page):
    permission_required = "inspections.add_randomdraw"

    def _render(self, form, status=200):
        context = {
            "form": form,
            "model_name": RandomDraw._meta.verbose_name,
            "list_url": reverse("inspections:randomdraw_list"),
        }
        return render(self.request, "core/object_form.html", context, status=status)

    def get(self, request):
        return self._render(forms.DrawForm(user=request.user))

    def post(self, request):
        form = forms.DrawForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                draw = services.run_draw(
                    actor=request.user,
                    division=data["division"],
                    title=data["title"],
                    count=data["count"],
                    per_enterprise=data["per_enterprise"],
                    enterprise_class=data["enterprise_class"],
                    industry=data["industry"],
                    seed=data["seed"],
                    exclude_previous=data["exclude_previous"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:randomdraw_detail", pk=draw.pk)
        return self._render(form, status=400)


def _draw_rows(draw: RandomDraw):
    return draw.results.select_related("enterprise").prefetch_related(
        Prefetch("inspectors", queryset=get_user_model().objects.order_by("username"))
    )


class DrawDetailView(ScopedViewMixin, View):
    model = RandomDraw
    url_namespace = "inspections"
    permission_required = "inspections.view_randomdraw"

    def get(self, request, pk):
        draw = self.get_object()
        context = {
            "draw": draw,
            "object": draw,
            "results": _draw_rows(draw),
            "verified": services.verify_draw(draw),
            "pool_size": len(draw.candidate_ids),
            "inspector_count": len(draw.inspector_ids),
            "exclusion_count": len(draw.exclusions),
            "can_publish": request.user.has_perm("inspections.change_randomdraw") and draw.status == "drawn",
        }
        return render(request, "inspections/draw_detail.html", context)


class DrawPublishView(ScopedViewMixin, View):
    model = RandomDraw
    url_namespace = "inspections"
    permission_required = "inspections.change_randomdraw"

    def post(self, request, pk):
        draw = self.get_object()
        try:
            services.publish_draw(actor=request.user, draw=draw)
        except ValidationError as error:
            return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
        return redirect("inspections:randomdraw_detail", pk=draw.pk)


class DrawPublicView(View):
    """No login: a published draw's enterprises and inspectors' names, nothing else."""

    def get(self, request, pk):
        draw = get_object_or_404(RandomDraw.objects.select_related("division"), pk=pk, status="published")
        results = (
            DrawResult.objects.filter(draw=draw).select_related("enterprise").prefetch_related("inspectors")
        )
        rows = [
            {
                "position": r.position,
                "enterprise": r.enterprise.name,
                "inspectors": sorted(u.full_name or u.username for u in r.inspectors.all()),
            }
            for r in results
        ]
        return render(request, "inspections/draw_public.html", {"draw": draw, "rows": rows})


# -- conflicts of interest ------------------------------------------------------------------------------


class ConflictListView(ObjectListView):
    model = ConflictOfInterest
    url_namespace = "inspections"
    filterset_class = ConflictFilterSet
    columns = CONFLICT_COLUMNS
    select_related = ("inspector", "enterprise")


class ConflictAddView(_Page):
    permission_required = "inspections.add_conflictofinterest"

    def _render(self, form, status=200):
        context = {
            "form": form,
            "model_name": ConflictOfInterest._meta.verbose_name,
            "list_url": reverse("inspections:conflictofinterest_list"),
        }
        return render(self.request, "core/object_form.html", context, status=status)

    def get(self, request):
        return self._render(forms.ConflictForm(user=request.user))

    def post(self, request):
        form = forms.ConflictForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.declare_conflict(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return redirect("inspections:conflictofinterest_list")
        return self._render(form, status=400)


class ConflictDeleteView(ObjectDeleteView):
    model = ConflictOfInterest
    url_namespace = "inspections"

    def post(self, request, pk):
        conflict = self.get_object()
        try:
            services.withdraw_conflict(actor=request.user, conflict=conflict)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("inspections:conflictofinterest_list")


# -- coverage -----------------------------------------------------------------------------------------


class CoverageView(_Page):
    permission_required = "inspections.view_enterpriseinspectionyear"

    def get(self, request):
        form = forms.StyledCoverageForm(request.GET, user=request.user)
        result = page = None
        query = request.GET.copy()
        query.pop("page", None)
        if form.is_valid():
            data = form.cleaned_data
            result = coverage.coverage(
                request.user, period=data["period"], group_by=data["group_by"], filters=form.filters()
            )
            missing = coverage.uninspected(
                request.user, period=data["period"], filters=form.filters()
            ).select_related("division")
            page = Paginator(_Counted(missing, result.total.uninspected), PER_PAGE).get_page(
                request.GET.get("page")
            )
        context = {"form": form, "result": result, "page": page, "query": query.urlencode()}
        return render(
            request, "inspections/coverage_page.html", context, status=200 if form.is_valid() else 400
        )


# -- statistics ---------------------------------------------------------------------------------------


class StatisticsView(_Page):
    permission_required = "inspections.view_inspectionstatmonth"

    def get(self, request):
        form = forms.StyledStatisticsForm(request.GET, user=request.user)
        result = None
        if form.is_valid():
            data = form.cleaned_data
            result = statistics.statistics(
                request.user, period=data["period"], group_by=data["group_by"], filters=form.filters()
            )
        context = {
            "form": form,
            "result": result,
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("inspections.export_inspectionstatmonth"),
            "group_label": statistics.GROUP_BY.get(form.cleaned_data.get("group_by", "town"))
            if form.is_valid()
            else "",
        }
        return render(
            request, "inspections/statistics_page.html", context, status=200 if form.is_valid() else 400
        )


STAT_COLUMNS = [
    ("label", "分组"),
    ("enterprises", "在册企业数"),
    ("enterprises_inspected", "检查企业数"),
    ("coverage_rate", "覆盖率(%)"),
    ("inspections", "检查次数"),
    ("findings", "发现隐患数"),
    ("major_findings", "重大隐患数"),
    ("orders", "责令整改数"),
    ("penalties", "行政处罚数"),
    ("penalty_amount", "罚款金额(元)"),
    ("suspensions", "停产停业整顿数"),
    ("rollcall_rate", "点名应答率(%)"),
    ("checkin_rate", "除尘打卡率(%)"),
]


class StatisticsExportView(_Page):
    permission_required = "inspections.export_inspectionstatmonth"

    def get(self, request):
        form = forms.StatisticsForm(request.GET, user=request.user)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in coverage.form_errors(form).items())
            return HttpResponse(errors, status=400, content_type="text/plain")
        data = form.cleaned_data
        result = statistics.statistics(
            request.user, period=data["period"], group_by=data["group_by"], filters=form.filters()
        )
        columns = [
            tabular.Column(name, label, export=lambda r, n=name: _cell(r, n), width=14)
            for name, label in STAT_COLUMNS
        ]
        rows = list(tabular.export_rows(columns, [*result.rows, result.total]))
        data_bytes = tabular.to_xlsx(columns, rows, sheet_title="执法统计")
        audit_export_of(
            InspectionPlan, len(rows), "xlsx", request, revealed=False, channel="inspection_statistics"
        )
        return file_response(
            data_bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"执法统计-{result.period.key}.xlsx",
        )


def _cell(row: statistics.StatRow, name: str):
    value = getattr(row, name)
    if name == "penalty_amount":
        return float(value)
    return "" if value is None else value
