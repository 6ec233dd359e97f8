"""Self-check pages (日周月排查): plans, "my tasks", doing a check on a phone, raising a failed item."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, DateField, F, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import ScopedViewMixin, filtered
from yingji.hazards import services_selfcheck as services
from yingji.hazards.forms_selfcheck import (
    RESULT_CHOICES,
    CheckPlanFilterSet,
    CheckPlanForm,
    CheckTaskFilterSet,
)
from yingji.hazards.models import CheckPlan, CheckResult, CheckTask, ItemResult, TaskStatus
from yingji.hazards.rules import TransitionError

RATE_DAYS = 30
PAGE_SIZE = 50


def hazard_url(pk: int) -> str:
    try:
        return reverse("hazards:hazard_detail", args=[pk])
    except NoReverseMatch:
        return f"/hazards/{pk}/"


def rate_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=RATE_DAYS - 1), today


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class PlanMixin(ScopedViewMixin):
    model = CheckPlan
    url_namespace = "hazards"
    select_related = ("enterprise", "assignee")


class CheckPlanListView(PlanMixin, View):
    def get_permission_required(self):
        return ["hazards.view_checkplan"]

    def get(self, request):
        filterset, queryset = filtered(self, CheckPlanFilterSet, request)
        page, query = _page(request, queryset.order_by("enterprise__name", "name", "pk"))
        today = timezone.localdate()
        start, end = rate_window(today)
        tasks = CheckTask.objects.for_user(request.user)
        rates = services.rates_by_enterprise(
            tasks.filter(enterprise_id__in={plan.enterprise_id for plan in page.object_list}),
            start,
            end,
            today=today,
        )
        overall = services.self_check_rate(
            tasks.filter(enterprise__in=queryset.values("enterprise_id")), start, end, today=today
        )
        rows = [(plan, rates.get(plan.enterprise_id)) for plan in page.object_list]
        context = self.base_context(
            filterset=filterset,
            rows=rows,
            page=page,
            query=query,
            overall=overall,
            rate_days=RATE_DAYS,
            is_enterprise_user=request.user.is_enterprise_user,
        )
        return render(request, "hazards/checkplan_list.html", context)


class CheckPlanDetailView(PlanMixin, View):
    def get_permission_required(self):
        return ["hazards.view_checkplan"]

    def get(self, request, pk):
        plan = self.get_object()
        today = timezone.localdate()
        start, end = rate_window(today)
        tasks = CheckTask.objects.for_user(request.user).filter(plan=plan)
        context = self.base_context(
            object=plan,
            items=services.current_items(plan),
            tasks=tasks.order_by("-period_start", "-pk")[:60],
            rate=services.self_check_rate(tasks, start, end, today=today),
            rate_days=RATE_DAYS,
            today=today,
        )
        return render(request, "hazards/checkplan_detail.html", context)


class CheckPlanEditView(PlanMixin, View):
    def get_permission_required(self):
        return ["hazards.change_checkplan" if "pk" in self.kwargs else "hazards.add_checkplan"]

    def get(self, request, pk=None):
        plan = self.get_object() if pk else None
        return self._render(CheckPlanForm(user=request.user, plan=plan), plan)

    def post(self, request, pk=None):
        plan = self.get_object() if pk else None
        form = CheckPlanForm(request.POST, user=request.user, plan=plan)
        if form.is_valid():
            fields = form.service_fields()
            try:
                if plan is None:
                    fields.pop("is_active", None)
                    saved = services.create_plan(actor=request.user, **fields)
                else:
                    saved = services.update_plan(plan, actor=request.user, **fields)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("hazards:checkplan_detail", args=[saved.pk]))
        return self._render(form, plan, status=400)

    def _render(self, form, plan, status=200):
        context = self.base_context(form=form, object=plan)
        return render(self.request, "hazards/checkplan_form.html", context, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class CheckPlanDeactivateView(PlanMixin, View):
    def get_permission_required(self):
        return ["hazards.change_checkplan"]

    def get(self, request, pk):  # the button posts; a visit goes back to the plan (404 out of scope)
        return HttpResponseRedirect(reverse("hazards:checkplan_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        plan = self.get_object()
        try:
            services.deactivate_plan(plan, actor=request.user)
        except (TransitionError, ValidationError) as error:
            messages.error(request, getattr(error, "reason", None) or " ".join(error.messages))
        else:
            messages.success(request, _("The plan is stopped; its pending tasks were withdrawn."))
        return HttpResponseRedirect(reverse("hazards:checkplan_detail", args=[pk]))


class TaskMixin(ScopedViewMixin):
    model = CheckTask
    url_namespace = "hazards"
    select_related = ("plan", "enterprise", "done_by")


class CheckTaskListView(TaskMixin, View):
    """Tasks in scope: pending ones first (the most overdue on top), then the rest, newest first."""

    def get_permission_required(self):
        return ["hazards.view_checktask"]

    def get(self, request):
        filterset, queryset = filtered(self, CheckTaskFilterSet, request)
        if request.GET.get("mine") == "1":
            queryset = queryset.filter(plan__assignee=request.user)
        queryset = queryset.annotate(
            rank=Case(
                When(status=TaskStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            pending_due=Case(
                When(status=TaskStatus.PENDING, then=F("due_on")), default=None, output_field=DateField()
            ),
        ).order_by("rank", F("pending_due").asc(nulls_last=True), "-due_on", "-pk")
        page, query = _page(request, queryset)
        context = self.base_context(
            filterset=filterset,
            page=page,
            query=query,
            today=timezone.localdate(),
            mine=request.GET.get("mine") == "1",
            is_enterprise_user=request.user.is_enterprise_user,
        )
        return render(request, "hazards/checktask_list.html", context)


class CheckTaskDetailView(TaskMixin, View):
    """The check itself: each item pass / fail / n.a. with a note; once done, the results."""

    def get_permission_required(self):
        return ["hazards.view_checktask"]

    def get(self, request, pk):
        return render_task(request, self, self.get_object())


def render_task(request, view: TaskMixin, task: CheckTask, *, answers=None, errors=None, note="", status=200):
    today = timezone.localdate()
    refusal = services.refusal_to_complete(task, today)
    can_do = refusal is None and request.user.has_perm("hazards.change_checktask")
    answers = answers or {}
    errors = errors or {}
    rows = []
    if task.status == TaskStatus.DONE:
        results = (
            CheckResult.objects.filter(task=task).select_related("item").order_by("item__order", "item_id")
        )
        for result in results:
            rows.append(
                {
                    "item": result.item,
                    "result": result,
                    "hazard_url": result.hazard_id and hazard_url(result.hazard_id),
                }
            )
    else:
        for item in services.current_items(task.plan):
            result, item_note = answers.get(item.pk, ("", ""))
            rows.append(
                {
                    "item": item,
                    "value": result,
                    "note": item_note,
                    "errors": errors.get(f"item_{item.pk}", []),
                }
            )
    context = view.base_context(
        object=task,
        rows=rows,
        can_do=can_do,
        can_raise=request.user.has_perm("hazards.add_hazard"),
        overdue=services.is_overdue(task, today),
        result_choices=RESULT_CHOICES,
        general_errors=errors.get("results", []) + errors.get("__all__", []),
        has_errors=bool(errors),
        note=note,
        FAIL=ItemResult.FAIL,
    )
    return render(request, "hazards/checktask_detail.html", context, status=status)


class CheckTaskCompleteView(TaskMixin, View):
    def get_permission_required(self):
        return ["hazards.change_checktask"]

    def get(self, request, pk):  # the form posts; a visit goes back to the task (404 out of scope)
        return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        task = self.get_object()
        items = list(services.current_items(task.plan).values_list("pk", flat=True))
        answers = {}
        for item_id in items:
            result = request.POST.get(f"result_{item_id}", "")
            if result:
                answers[item_id] = (result, request.POST.get(f"note_{item_id}", ""))
        note = request.POST.get("note", "")
        try:
            services.complete_task(task, actor=request.user, results=answers, note=note)
        except TransitionError as error:
            messages.error(request, error.reason)
            return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[pk]))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            return render_task(request, self, task, answers=answers, errors=errors, note=note, status=400)
        messages.success(request, _("Self-check recorded."))
        return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[pk]))


class CheckResultHazardView(ScopedViewMixin, View):
    """One click: raise a failed item as a hidden danger."""

    model = CheckResult
    url_namespace = "hazards"

    def get_permission_required(self):
        return ["hazards.add_hazard"]

    def get_queryset(self):
        return CheckResult.objects.filter(task__in=CheckTask.objects.for_user(self.request.user))

    def get(self, request, pk):  # the button posts; a visit goes back to the task (404 out of scope)
        return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[self.get_object().task_id]))

    def post(self, request, pk):
        result = self.get_object()
        try:
            hazard = services.raise_hazard_from_result(result, actor=request.user)
        except TransitionError as error:
            messages.error(request, error.reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Raised as hidden danger “{title}”.").format(title=hazard.title))
        return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[result.task_id]))
