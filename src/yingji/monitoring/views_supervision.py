"""Pages of online supervision (非现场执法): roll-calls, video spot-checks, dust-cleaning check-ins,
findings and the league table. Thin: every page checks a permission, reads through `for_user` and
hands changes to services_supervision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.uploads import serve_private
from yingji.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.monitoring import filters_supervision as filters
from yingji.monitoring import forms_supervision as forms
from yingji.monitoring import rules_supervision as rules
from yingji.monitoring import services_supervision as services
from yingji.monitoring import tables_supervision as tables
from yingji.monitoring.models import (
    DustCheckin,
    DustDayResult,
    DustSchedule,
    RollCall,
    RollCallTarget,
    VideoCheck,
    VideoScreenshot,
)

NS = "monitoring"


def _back(request, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- roll-calls ----------------------------------------------------------------------------------------


class RollCallListView(ObjectListView):
    model = RollCall
    url_namespace = NS
    filterset_class = filters.RollCallFilterSet
    columns = tables.ROLL_CALL_COLUMNS
    select_related = ("division",)  # enterprise users answer on the targets page instead


class RollCallAddView(ObjectEditView):
    model = RollCall
    url_namespace = NS
    form_class = forms.RollCallForm
    template_name = "monitoring/rollcall_form.html"

    def create(self, form):
        return services.start_roll_call(actor=self.request.user, **form.service_fields())


class RollCallDetailView(ObjectDetailView):
    model = RollCall
    url_namespace = NS
    template_name = "monitoring/rollcall_detail.html"
    select_related = ("division", "started_by", "closed_by")

    def get_extra_context(self, obj) -> dict:
        user = self.request.user
        targets = RollCallTarget.objects.for_user(user).filter(roll_call=obj)
        counts = services.roll_call_counts(obj, targets)
        filterset = filters.RollCallTargetFilterSet(self.request.GET, queryset=targets, request=self.request)
        shown = filterset.qs if filterset.is_valid() else targets.none()
        page = Paginator(
            shown.select_related("enterprise", "division").order_by("status", "division_id", "pk"), 100
        ).get_page(self.request.GET.get("page"))
        called = sum(counts.values())
        return {
            "counts": counts,
            "answer_rate": rules.rate(counts["answered"] + counts["late"], called),
            "filterset": filterset,
            "page": page,
            "query": _query(self.request),
            "bad": rules.BAD_TARGET,
            "can_close": obj.status == "open" and user.has_perm("monitoring.change_rollcall"),
            "can_find": user.has_perm("monitoring.open_finding"),
            "now": timezone.now(),
        }


class RollCallCloseView(ScopedViewMixin, View):
    model = RollCall
    url_namespace = NS
    permission_required = "monitoring.change_rollcall"
    http_method_names = ["post"]

    def post(self, request, pk):
        call = self.get_object()
        services.close_roll_call(call, actor=request.user)
        messages.success(request, _("The roll-call is closed; its results are fixed."))
        return redirect(f"{NS}:rollcall_detail", pk=call.pk)


class RollCallTargetListView(ScopedViewMixin, View):
    """The enterprise user's roll-calls (one tap to answer); officers see every target in their scope."""

    model = RollCallTarget
    url_namespace = NS
    permission_required = "monitoring.view_rollcalltarget"

    def get(self, request):
        queryset = self.get_queryset().select_related("enterprise", "roll_call", "division")
        filterset = filters.RollCallTargetFilterSet(request.GET, queryset=queryset, request=request)
        shown = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(shown.order_by("-roll_call__started_at", "-pk"), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "monitoring/rollcall_targets.html",
            self.base_context(
                filterset=filterset,
                page=page,
                query=_query(request),
                now=timezone.now(),
                can_answer=request.user.has_perm("monitoring.answer_rollcall"),
                can_find=request.user.has_perm("monitoring.open_finding"),
                bad=rules.BAD_TARGET,
            ),
        )


class RollCallTargetAnswerView(ScopedViewMixin, View):
    """The one-tap answer of an enterprise user (POST)."""

    model = RollCallTarget
    url_namespace = NS
    permission_required = "monitoring.answer_rollcall"
    http_method_names = ["get", "post"]

    def get(self, request, pk):
        """Nothing to show: back to the list of roll-calls (a 404 for another enterprise's)."""
        self.get_object()
        return redirect(f"{NS}:rollcalltarget_list")

    def post(self, request, pk):
        target = self.get_object()
        try:
            target = services.answer_roll_call(target.roll_call, actor=request.user, method="app")
        except rules.SupervisionError as error:
            messages.error(request, str(error.message))
            response = _back(request, reverse(f"{NS}:rollcalltarget_list"))
            response.status_code = 302
            return response
        messages.success(request, _("Your answer is recorded ({time}).").format(
            time=timezone.localtime(target.answered_at).strftime("%H:%M:%S")
        ))  # fmt: skip
        return _back(request, reverse(f"{NS}:rollcalltarget_list"))


# --- findings ------------------------------------------------------------------------------------------


class FindingView(ScopedViewMixin, View):
    """POST kind=hazard|lead: one click from a bad result to a hazard or an enforcement lead."""

    url_namespace = NS
    permission_required = "monitoring.open_finding"
    http_method_names = ["post"]
    back = "list"

    def post(self, request, pk):
        obj = self.get_object()
        try:
            made = services.open_finding(obj, actor=request.user, kind=request.POST.get("kind", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if request.POST.get("kind") == "hazard":
                messages.success(request, _("Hidden danger #{id} reported.").format(id=made.pk))
            else:
                messages.success(request, _("Enforcement lead #{id} opened.").format(id=made.pk))
        return _back(request, reverse(self.url_name(self.back), **self.back_kwargs(obj)))

    def back_kwargs(self, obj) -> dict:
        return {}


class TargetFindingView(FindingView):
    model = RollCallTarget

    def back_kwargs(self, obj) -> dict:
        return {}


class VideoCheckFindingView(FindingView):
    model = VideoCheck
    back = "detail"

    def back_kwargs(self, obj) -> dict:
        return {"args": [obj.pk]}


class DustResultFindingView(FindingView):
    model = DustDayResult


# --- video spot-checks ---------------------------------------------------------------------------------


class VideoCheckListView(ObjectListView):
    model = VideoCheck
    url_namespace = NS
    filterset_class = filters.VideoCheckFilterSet
    columns = tables.VIDEO_COLUMNS
    select_related = ("enterprise", "division", "checked_by")


class VideoCheckAddView(ScopedViewMixin, View):
    model = VideoCheck
    url_namespace = NS
    permission_required = "monitoring.add_videocheck"

    def get(self, request):
        initial = {"enterprise": request.GET.get("enterprise")} if request.GET.get("enterprise") else {}
        return self._render(forms.VideoCheckForm(user=request.user, initial=initial))

    def post(self, request):
        form = forms.VideoCheckForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = services.record_video_check(
                    actor=request.user,
                    enterprise=data["enterprise"],
                    result=data["result"],
                    note=data["note"],
                    screenshot=data["screenshot"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{NS}:videocheck_detail", pk=check.pk)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request, "monitoring/videocheck_form.html", self.base_context(form=form), status=status
        )


class VideoCheckDetailView(ObjectDetailView):
    model = VideoCheck
    url_namespace = NS
    template_name = "monitoring/videocheck_detail.html"
    select_related = ("enterprise", "division", "checked_by")

    def get_extra_context(self, obj) -> dict:
        return {
            "screenshot": VideoScreenshot.objects.filter(video_check=obj).first(),
            "bad": services.is_bad(obj),
            "can_find": self.request.user.has_perm("monitoring.open_finding"),
        }


class VideoCheckScreenshotView(ScopedViewMixin, View):
    model = VideoCheck
    url_namespace = NS
    permission_required = "monitoring.view_videocheck"

    def get(self, request, pk):
        check = self.get_object()
        shot = VideoScreenshot.objects.filter(video_check=check).first()
        if shot is None:
            raise Http404
        return serve_private(shot.file, shot.content_type)


# --- dust-cleaning -------------------------------------------------------------------------------------


class DustScheduleListView(ObjectListView):
    model = DustSchedule
    url_namespace = NS
    filterset_class = filters.DustScheduleFilterSet
    columns = tables.DUST_SCHEDULE_COLUMNS
    select_related = ("enterprise", "division")


class DustScheduleEditView(ObjectEditView):
    model = DustSchedule
    url_namespace = NS
    form_class = forms.DustScheduleForm

    def create(self, form):
        data = form.cleaned_data
        return services.save_dust_schedule(
            actor=self.request.user,
            enterprise=data.get("enterprise"),
            area=data["area"],
            windows=form.windows_list(),
            active=data["active"],
        )

    def update(self, obj, form):
        data = form.cleaned_data
        return services.save_dust_schedule(
            obj,
            actor=self.request.user,
            area=data["area"],
            windows=form.windows_list(),
            active=data["active"],
        )


class DustScheduleDetailView(ObjectDetailView):
    model = DustSchedule
    url_namespace = NS
    template_name = "monitoring/dust_schedule_detail.html"
    select_related = ("enterprise", "division")

    def get_extra_context(self, obj) -> dict:
        user = self.request.user
        return {
            "checkins": DustCheckin.objects.for_user(user)
            .filter(schedule=obj)
            .select_related("recorded_by")[:30],
            "results": DustDayResult.objects.for_user(user).filter(schedule=obj)[:60],
            "can_checkin": user.has_perm("monitoring.add_dustcheckin"),
            "can_find": user.has_perm("monitoring.open_finding"),
            "bad": rules.BAD_DUST,
        }


class DustCheckinListView(ObjectListView):
    model = DustCheckin
    url_namespace = NS
    filterset_class = filters.DustCheckinFilterSet
    columns = tables.DUST_CHECKIN_COLUMNS
    select_related = ("enterprise", "schedule", "recorded_by")


class DustCheckinAddView(ScopedViewMixin, View):
    model = DustCheckin
    url_namespace = NS
    permission_required = "monitoring.add_dustcheckin"

    def get(self, request):
        initial = {"schedule": request.GET.get("schedule")} if request.GET.get("schedule") else {}
        return self._render(forms.DustCheckinForm(user=request.user, initial=initial))

    def post(self, request):
        form = forms.DustCheckinForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                checkin = services.record_dust_checkin(
                    actor=request.user,
                    schedule=data["schedule"],
                    done_at=data["done_at"],
                    photo=data["photo"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{NS}:dustschedule_detail", pk=checkin.schedule_id)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request, "monitoring/dust_checkin_form.html", self.base_context(form=form), status=status
        )


class DustCheckinPhotoView(ScopedViewMixin, View):
    model = DustCheckin
    url_namespace = NS
    permission_required = "monitoring.view_dustcheckin"

    def get(self, request, pk):
        checkin = self.get_object()
        if not checkin.photo:
            raise Http404
        return serve_private(checkin.photo, checkin.photo_type or "image/jpeg")


class DustResultListView(ScopedViewMixin, View):
    model = DustDayResult
    url_namespace = NS
    permission_required = "monitoring.view_dustdayresult"

    def get(self, request):
        queryset = self.get_queryset().select_related("enterprise", "schedule", "division")
        filterset = filters.DustDayResultFilterSet(request.GET, queryset=queryset, request=request)
        shown = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(shown, 100).get_page(request.GET.get("page"))
        return render(
            request,
            "monitoring/dust_results.html",
            self.base_context(
                filterset=filterset,
                page=page,
                query=_query(request),
                bad=rules.BAD_DUST,
                can_find=request.user.has_perm("monitoring.open_finding"),
            ),
        )


# --- the league table ----------------------------------------------------------------------------------


def _period(request) -> str:
    return (request.GET.get("period") or "").strip() or timezone.localdate().strftime("%Y-%m")


class LeagueView(ScopedViewMixin, View):
    model = RollCall
    url_namespace = NS
    permission_required = "monitoring.view_rollcall"

    def get(self, request):
        period = _period(request)
        try:
            table = services.league_table(user=request.user, period=period)
            error = ""
        except ValueError:
            table, error = None, _("Give a day (YYYY-MM-DD) or a month (YYYY-MM).")
        return render(
            request,
            "monitoring/supervision_league.html",
            self.base_context(table=table, period=period, error=error),
            status=400 if error else 200,
        )


class LeagueExportView(ScopedViewMixin, View):
    model = RollCall
    url_namespace = NS
    permission_required = "monitoring.export_rollcall"

    def get(self, request):
        try:
            table = services.league_table(user=request.user, period=_period(request))
        except ValueError:
            raise Http404 from None
        response = HttpResponse(
            tables.league_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="supervision-league-{table["period"]}.xlsx"'
        return response
