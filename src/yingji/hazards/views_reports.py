"""The bureau's queue of public reports: list (received first), detail with photos, accept, dismiss,
reward. Reads go through `PublicReport.objects.for_user`; changes through `services_reports`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import uploads
from yingji.core.identifiers import mask_phone
from yingji.core.views import add_validation_errors
from yingji.hazards import services_reports
from yingji.hazards.forms_reports import AcceptForm, DismissForm, RewardForm
from yingji.hazards.models import PublicReport, ReportPhoto, ReportStatus
from yingji.hazards.rules import TransitionError

VIEW_PERMISSION = "hazards.view_publicreport"
HANDLE_PERMISSION = services_reports.HANDLE_PERMISSION


def contact_of(report: PublicReport, user) -> dict:
    """The reporter's name and phone as this user may see them (masked without the handle permission)."""
    if user.has_perm(HANDLE_PERMISSION):
        return {"name": report.reporter_name, "phone": report.reporter_phone, "masked": False}
    name = report.reporter_name[:1] + "*" * (len(report.reporter_name) - 1) if report.reporter_name else ""
    return {"name": name, "phone": mask_phone(report.reporter_phone), "masked": True}


def queue_order(queryset):
    """Received reports first, newest first within each status."""
    first = Case(
        When(status=ReportStatus.RECEIVED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return queryset.annotate(queue=first).order_by("queue", "-created_at", "-id")


class ReportViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW_PERMISSION

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()

    def get_report(self) -> PublicReport:
        try:
            return (
                PublicReport.objects.for_user(self.request.user)
                .select_related("division", "hazard", "handled_by")
                .get(pk=self.kwargs["pk"])
            )
        except PublicReport.DoesNotExist:
            raise Http404 from None


class ReportListView(ReportViewMixin, View):
    def get(self, request):
        queryset = PublicReport.objects.for_user(request.user).select_related("division")
        status = request.GET.get("status", "")
        if status in ReportStatus.values:
            queryset = queryset.filter(status=status)
        page = Paginator(queue_order(queryset), 50).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "status": status,
            "statuses": ReportStatus.choices,
            "counts": {
                s: PublicReport.objects.for_user(request.user).filter(status=s).count()
                for s in ReportStatus.values
            },
        }
        return render(request, "hazards/report_list.html", context)


class ReportDetailView(ReportViewMixin, View):
    def get(self, request, pk):
        return self.render_detail(self.get_report())

    def render_detail(self, report, *, status=200, action_error: str = "", **forms):
        user = self.request.user
        can_handle = user.has_perm(HANDLE_PERMISSION)
        context = {
            "object": report,
            "contact": contact_of(report, user),
            "photos": list(report.photos.all()),
            "can_handle": can_handle,
            "action_error": action_error,
            "accept_form": forms.get("accept_form")
            or (AcceptForm(user=user, report=report) if can_handle else None),
            "dismiss_form": forms.get("dismiss_form") or DismissForm(),
            "reward_form": forms.get("reward_form") or RewardForm(),
        }
        return render(self.request, "hazards/report_detail.html", context, status=status)


class ReportActionView(ReportDetailView):
    """POST only: one of accept, dismiss, reward; errors go back on the detail page."""

    permission_required = HANDLE_PERMISSION

    def get(self, request, pk):
        self.get_report()  # another jurisdiction's report is not found, whatever the method
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        report = self.get_report()
        form, key = self.make_form(request, report)
        if form.is_valid():
            try:
                self.perform(report, form)
            except ValidationError as error:
                add_validation_errors(form, error)
            except TransitionError as error:
                return self.render_detail(report, status=409, action_error=error.reason)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("hazards:report_detail", args=[report.pk]))
        return self.render_detail(report, status=400, **{key: form})

    def make_form(self, request, report):
        raise NotImplementedError

    def perform(self, report, form) -> None:
        raise NotImplementedError


class ReportAcceptView(ReportActionView):
    def make_form(self, request, report):
        return AcceptForm(request.POST, user=request.user, report=report), "accept_form"

    def perform(self, report, form):
        data = form.cleaned_data
        services_reports.accept_report(
            report,
            actor=self.request.user,
            title=data["title"],
            enterprise=data.get("enterprise"),
            grade=data["grade"],
            criteria=[c.code for c in data.get("criteria") or []],
        )


class ReportDismissView(ReportActionView):
    def make_form(self, request, report):
        return DismissForm(request.POST), "dismiss_form"

    def perform(self, report, form):
        services_reports.dismiss_report(report, actor=self.request.user, reason=form.cleaned_data["reason"])


class ReportRewardView(ReportActionView):
    def make_form(self, request, report):
        return RewardForm(request.POST), "reward_form"

    def perform(self, report, form):
        data = form.cleaned_data
        services_reports.grant_reward(
            report, actor=self.request.user, amount_yuan=data["amount_yuan"], note=data.get("note", "")
        )


class ReportPhotoView(ReportViewMixin, View):
    """A report's photo, after checking the user may see the report."""

    def get(self, request, pk):
        reports = PublicReport.objects.for_user(request.user)
        try:
            photo = ReportPhoto.objects.select_related("report").get(pk=pk, report__in=reports)
        except ReportPhoto.DoesNotExist:
            raise Http404 from None
        return uploads.serve_private(photo.file, photo.content_type)
