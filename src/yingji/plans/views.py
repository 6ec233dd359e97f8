"""Plan and drill pages. Reads through `for_user`, changes through `plans.services`."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.plans import printables, services
from yingji.plans.filters import DrillFilterSet, PlanFilterSet
from yingji.plans.forms import (
    AttachmentForm,
    ContactForm,
    DrillForm,
    LevelForm,
    PlanForm,
    ProblemForm,
    ReviewForm,
    StepForm,
    TaskForm,
)
from yingji.plans.models import (
    Drill,
    DrillProblem,
    EmergencyPlan,
    PlanAttachment,
    PlanContact,
    PlanLevel,
    PlanStep,
    PlanTask,
)
from yingji.plans.tables import DRILL_COLUMNS, PLAN_COLUMNS

# -- plans ------------------------------------------------------------------------------------------


class PlanMixin:
    model = EmergencyPlan
    url_namespace = "plans"
    select_related = ("division", "enterprise")


class PlanListView(PlanMixin, ObjectListView):
    filterset_class = PlanFilterSet
    columns = PLAN_COLUMNS


def plan_context(request, plan: EmergencyPlan, **forms) -> dict:
    levels = list(plan.levels.prefetch_related("tasks"))
    return {
        "levels": levels,
        "contacts": list(plan.contacts.select_related("level")),
        "steps": list(plan.steps.all()),
        "flow": services.flow_steps(plan),
        "attachments": list(plan.attachments.all()),
        "drills": list(plan.drills.all()[:10]),
        "level_form": forms.get("level_form") or LevelForm(),
        "task_form": forms.get("task_form") or TaskForm(plan=plan),
        "contact_form": forms.get("contact_form") or ContactForm(plan=plan),
        "step_form": forms.get("step_form") or StepForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "can_edit_plan": request.user.has_perm("plans.change_emergencyplan"),
    }


class PlanDetailView(PlanMixin, ObjectDetailView):
    template_name = "plans/plan_detail.html"

    def get_extra_context(self, obj):
        return plan_context(self.request, obj)


class PlanEditView(PlanMixin, ObjectEditView):
    form_class = PlanForm

    def create(self, form):
        fields = form.service_fields()
        if form.errors:
            raise ValidationError({})
        return services.create_plan(actor=self.request.user, **fields)

    def update(self, obj, form):
        fields = form.service_fields()
        if form.errors:
            raise ValidationError({})
        return services.update_plan(obj, actor=self.request.user, **fields)


class PlanDeleteView(PlanMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_plan(obj, actor=self.request.user)


class PlanPartView(PlanMixin, ScopedViewMixin, View):
    """POST one part of the digital plan (a level, task, contact, step, attachment, review) from the
    plan page; errors re-render the page with the form's field errors."""

    part = ""
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["plans.change_emergencyplan"]

    def get(self, request, pk):
        plan = self.get_object()
        return HttpResponseRedirect(reverse("plans:emergencyplan_detail", args=[plan.pk]))

    def post(self, request, pk):
        plan = self.get_object()
        form, save = self.form_and_action(request, plan)
        if form.is_valid():
            try:
                save(form)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("plans:emergencyplan_detail", args=[plan.pk]) + f"#{self.part}"
                )
        context = self.base_context(object=plan, **plan_context(request, plan, **{f"{self.part}_form": form}))
        return render(request, "plans/plan_detail.html", context, status=400)

    def form_and_action(self, request, plan):
        user = request.user
        if self.part == "level":
            form = LevelForm(request.POST)
            return form, lambda f: services.save_level(plan, actor=user, **f.cleaned_data)
        if self.part == "task":
            form = TaskForm(request.POST, plan=plan)

            def save_task(f):
                data = dict(f.cleaned_data)
                return services.save_task(data.pop("level"), actor=user, **data)

            return form, save_task
        if self.part == "contact":
            form = ContactForm(request.POST, plan=plan)
            return form, lambda f: services.save_contact(plan, actor=user, **f.cleaned_data)
        if self.part == "step":
            form = StepForm(request.POST)
            return form, lambda f: services.save_step(plan, actor=user, **f.cleaned_data)
        if self.part == "attachment":
            form = AttachmentForm(request.POST, request.FILES)
            return form, lambda f: services.add_attachment(plan, actor=user, upload=f.cleaned_data["file"])
        form = ReviewForm(request.POST)
        return form, lambda f: services.record_review(
            plan, actor=user, reviewed_on=f.cleaned_data["reviewed_on"]
        )


class PartDeleteView(ScopedViewMixin, View):
    """POST: delete a level, task, contact, step or attachment of a plan."""

    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["plans.change_emergencyplan"]

    def get(self, request, pk):
        obj = self.get_object()
        plan = obj.level.plan if isinstance(obj, PlanTask) else obj.plan
        return HttpResponseRedirect(reverse("plans:emergencyplan_detail", args=[plan.pk]))

    def post(self, request, pk):
        obj = self.get_object()
        plan = obj.level.plan if isinstance(obj, PlanTask) else obj.plan
        try:
            if isinstance(obj, PlanAttachment):
                services.delete_attachment(obj, actor=request.user)
            else:
                services.delete_part(obj, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("plans:emergencyplan_detail", args=[plan.pk]))


class LevelDeleteView(PartDeleteView):
    model = PlanLevel


class TaskDeleteView(PartDeleteView):
    model = PlanTask


class ContactDeleteView(PartDeleteView):
    model = PlanContact


class StepDeleteView(PartDeleteView):
    model = PlanStep


class AttachmentDeleteView(PartDeleteView):
    model = PlanAttachment


class AttachmentDownloadView(ScopedViewMixin, View):
    model = PlanAttachment

    def get_permission_required(self):
        return ["plans.view_emergencyplan"]

    def get(self, request, pk):
        attachment = self.get_object()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=attachment.content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
        return response


class PlanCardView(PlanMixin, ScopedViewMixin, View):
    """一图一表: `?format=html` (default, one A4 page) or `?format=docx`."""

    def get_permission_required(self):
        return ["plans.view_emergencyplan"]

    def get(self, request, pk):
        plan = self.get_object()
        if request.GET.get("format") == "docx":
            response = HttpResponse(printables.card_docx(plan), content_type=printables.DOCX_TYPE)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.title + '.docx')}"
            return response
        return render(request, "plans/print_plan_card.html", printables.card_context(plan))


# -- drills -----------------------------------------------------------------------------------------


class DrillMixin:
    model = Drill
    url_namespace = "plans"
    select_related = ("plan", "division")


class DrillListView(DrillMixin, ObjectListView):
    filterset_class = DrillFilterSet
    columns = DRILL_COLUMNS


class DrillDetailView(DrillMixin, ObjectDetailView):
    template_name = "plans/drill_detail.html"

    def get_extra_context(self, obj):
        return {
            "problems": list(obj.problems.select_related("hazard")),
            "problem_form": ProblemForm(),
            "can_make_hazard": obj.enterprise_id is not None
            and self.request.user.has_perm("plans.change_drill")
            and self.request.user.has_perm("hazards.add_hazard"),
        }


class DrillEditView(DrillMixin, ObjectEditView):
    form_class = DrillForm

    def create(self, form):
        data = dict(form.cleaned_data)
        problems = (data.pop("problems", "") or "").splitlines()
        return services.save_drill(actor=self.request.user, problems=problems, **data)

    def update(self, obj, form):
        return services.save_drill(actor=self.request.user, drill=obj, **form.cleaned_data)


class DrillDeleteView(DrillMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_drill(obj, actor=self.request.user)


class DrillProblemAddView(DrillMixin, ScopedViewMixin, View):
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["plans.change_drill"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("plans:drill_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        drill = self.get_object()
        form = ProblemForm(request.POST)
        if form.is_valid():
            try:
                services.add_problem(drill, actor=request.user, description=form.cleaned_data["description"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Describe the problem."))
        return HttpResponseRedirect(reverse("plans:drill_detail", args=[drill.pk]))


class ProblemHazardView(ScopedViewMixin, View):
    """One click: the problem becomes a hazard (enterprise drills only)."""

    model = DrillProblem
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["plans.change_drill", "hazards.add_hazard"]

    def get(self, request, pk):
        problem = self.get_object()
        return HttpResponseRedirect(reverse("plans:drill_detail", args=[problem.drill_id]))

    def post(self, request, pk):
        problem = get_object_or_404(DrillProblem.objects.for_user(request.user), pk=pk)
        try:
            hazard = services.problem_to_hazard(problem, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("plans:drill_detail", args=[problem.drill_id]))
        messages.success(request, _("The problem is now a hazard."))
        return HttpResponseRedirect(reverse("hazards:hazard_detail", args=[hazard.pk]))
