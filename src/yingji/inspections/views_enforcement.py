"""Enforcement pages: orders (with re-inspection, close, penalty referral), penalties (decision, payment),
suspensions, leads, documents (print HTML + DOCX), number patterns and the enterprise timeline.

Reads through `for_user`, changes through services_enforcement; the buttons shown are the actions
`rules_enforcement` allows (the same table as the API and the services).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
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
from yingji.inspections import documents
from yingji.inspections import rules_enforcement as rules
from yingji.inspections import services_enforcement as services
from yingji.inspections.filters_enforcement import (
    LeadFilterSet,
    OrderFilterSet,
    PatternFilterSet,
    PenaltyFilterSet,
)
from yingji.inspections.forms_enforcement import DecisionForm, LeadForm, OrderForm, PatternForm, PenaltyForm
from yingji.inspections.models_checklists import Inspection
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Suspension,
)
from yingji.inspections.rules_enforcement import TransitionError
from yingji.inspections.tables_enforcement import (
    LEAD_COLUMNS,
    ORDER_COLUMNS,
    PATTERN_COLUMNS,
    PENALTY_COLUMNS,
)
from yingji.registry.models import Enterprise


class _Mixin:
    url_namespace = "inspections"


def _refused(request, refusal: TransitionError):
    if refusal.code == "forbidden":
        raise PermissionDenied
    messages.error(request, refusal.reason)


def _action_buttons(actions: list[str]) -> list[dict]:
    return [{"name": a, "label": rules.ACTION_LABELS[a]} for a in actions]


# -- orders -----------------------------------------------------------------------------------------


class OrderMixin(_Mixin):
    model = RectificationOrder
    select_related = ("enterprise", "division", "inspection")


class OrderListView(OrderMixin, ObjectListView):
    filterset_class = OrderFilterSet
    columns = ORDER_COLUMNS


class OrderDetailView(OrderMixin, ObjectDetailView):
    template_name = "inspections/order_detail.html"

    def get_extra_context(self, obj):
        latest = services.latest_reinspection(obj)
        results = {r.finding_id: r for r in latest.results.all()} if latest else {}
        findings = [(f, results.get(f.pk)) for f in obj.inspection.findings.order_by("id")]
        actions = services.order_actions(obj, self.request.user)
        return {
            "findings": findings,
            "documents": obj.documents.order_by("issued_at", "id"),
            "reinspections": obj.reinspections.select_related("performed_by").order_by("-performed_at"),
            "penalties": obj.penalty_cases.all(),
            "actions": _action_buttons(actions),
            "action_names": actions,
            "overdue": rules.is_overdue(obj, timezone.localdate()),
            "can_reinspect_later": obj.status == "issued" and "reinspect" not in actions,
        }


class OrderEditView(OrderMixin, ObjectEditView):
    form_class = OrderForm

    def get(self, request, pk=None):
        form = OrderForm(user=request.user, initial={"inspection": request.GET.get("inspection")})
        return self._render(form, None)

    def create(self, form):
        try:
            return services.issue_order(
                actor=self.request.user,
                inspection=form.cleaned_data["inspection"],
                deadline=form.cleaned_data["deadline"],
                requirements=form.cleaned_data["requirements"],
            )
        except TransitionError as refusal:
            raise ValidationError({"inspection": refusal.reason}) from None


class OrderActionView(OrderMixin, ScopedViewMixin, View):
    """POST action=reinspect (result_<finding id> for each finding) | close | refer_penalty; GET goes
    back to the order."""

    def get_permission_required(self):
        return ["inspections.change_rectificationorder"]

    def get(self, request, pk):
        return HttpResponseRedirect(
            reverse("inspections:rectificationorder_detail", args=[self.get_object().pk])
        )

    def post(self, request, pk):
        order = self.get_object()
        action = request.POST.get("action", "")
        target = reverse("inspections:rectificationorder_detail", args=[order.pk])
        try:
            if action == rules.Action.REINSPECT:
                results = {
                    f.pk: request.POST.get(f"result_{f.pk}", "") for f in order.inspection.findings.all()
                }
                services.reinspect(
                    actor=request.user, order=order, results=results, note=request.POST.get("note", "")
                )
            elif action == rules.Action.CLOSE:
                services.close_order(order, actor=request.user)
            elif action == rules.Action.REFER_PENALTY:
                penalty = services.refer_penalty(
                    order, actor=request.user, facts=request.POST.get("facts", "")
                )
                messages.success(request, _("Penalty case opened."))
                return HttpResponseRedirect(reverse("inspections:penaltycase_detail", args=[penalty.pk]))
            else:
                return HttpResponseBadRequest()
        except TransitionError as refusal:
            _refused(request, refusal)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(target)


# -- penalties --------------------------------------------------------------------------------------


class PenaltyMixin(_Mixin):
    model = PenaltyCase
    select_related = ("enterprise", "division", "order")


class PenaltyListView(PenaltyMixin, ObjectListView):
    filterset_class = PenaltyFilterSet
    columns = PENALTY_COLUMNS


class PenaltyDetailView(PenaltyMixin, ObjectDetailView):
    template_name = "inspections/penalty_detail.html"

    def get_extra_context(self, obj, form=None):
        actions = services.penalty_actions(obj, self.request.user)
        return {
            "findings": obj.findings.order_by("id"),
            "documents": obj.documents.order_by("issued_at", "id"),
            "suspensions": obj.suspensions.all(),
            "actions": _action_buttons([a for a in actions if a != rules.Action.DECIDE]),
            "decision_form": form or (DecisionForm(user=self.request.user) if "decide" in actions else None),
        }


class PenaltyEditView(PenaltyMixin, ObjectEditView):
    """A penalty decided at once (without an order)."""

    form_class = PenaltyForm
    template_name = "inspections/penalty_form.html"

    def create(self, form):
        data = form.cleaned_data
        try:
            return services.create_penalty(
                actor=self.request.user,
                enterprise=data["enterprise"],
                legal_basis=data["legal_basis"],
                amount=data["amount"],
                discretion=data["discretion"],
                violation=data["violation"],
                facts=data["facts"],
                suspend=data["suspend"],
                suspension_reason=data["suspension_reason"],
            )
        except TransitionError as refusal:
            raise ValidationError({"enterprise": refusal.reason}) from None


class PenaltyActionView(PenaltyDetailView):
    """POST action=decide (the decision form) | pay | enforce | close; GET goes back to the case."""

    def get_permission_required(self):
        return ["inspections.change_penaltycase"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("inspections:penaltycase_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        penalty = self.get_object()
        action = request.POST.get("action", "")
        steps = {
            rules.Action.PAY: services.record_payment,
            rules.Action.ENFORCE: services.enforce_payment,
            rules.Action.CLOSE: services.close_penalty,
        }
        try:
            if action == rules.Action.DECIDE:
                form = DecisionForm(request.POST, user=request.user)
                if not form.is_valid():
                    return self._render(penalty, form)
                data = dict(form.cleaned_data)
                data["facts"] = data["facts"] or None  # keep the facts written when the case was opened
                try:
                    services.decide_penalty(penalty, actor=request.user, **data)
                except ValidationError as error:
                    add_validation_errors(form, error)
                    return self._render(penalty, form)
            elif action in steps:
                steps[action](penalty, actor=request.user)
            else:
                return HttpResponseBadRequest()
        except TransitionError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("inspections:penaltycase_detail", args=[penalty.pk]))

    def _render(self, penalty, form):
        context = self.base_context(object=penalty, **self.get_extra_context(penalty, form=form))
        return render(self.request, self.template_name, context, status=400)


class SuspensionLiftView(_Mixin, ScopedViewMixin, View):
    model = Suspension

    def get_permission_required(self):
        return ["inspections.change_suspension"]

    def get(self, request, pk):
        suspension = self.get_object()
        return HttpResponseRedirect(
            reverse("inspections:enterprise_timeline", args=[suspension.enterprise_id])
        )

    def post(self, request, pk):
        suspension = self.get_object()
        try:
            services.lift_suspension(suspension, actor=request.user, note=request.POST.get("note", ""))
        except TransitionError as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(
            reverse("inspections:enterprise_timeline", args=[suspension.enterprise_id])
        )


# -- leads ------------------------------------------------------------------------------------------


class LeadMixin(_Mixin):
    model = EnforcementLead
    select_related = ("enterprise", "division", "inspection")


class LeadListView(LeadMixin, ObjectListView):
    filterset_class = LeadFilterSet
    columns = LEAD_COLUMNS


class LeadDetailView(LeadMixin, ObjectDetailView):
    template_name = "inspections/lead_detail.html"

    def get_extra_context(self, obj):
        actions = rules.allowed_actions(rules.LEAD, obj, self.request.user)
        inspections = []
        if "handle" in actions:
            inspections = Inspection.objects.for_user(self.request.user).filter(enterprise=obj.enterprise)[
                :50
            ]
        return {"action_names": actions, "inspections": inspections}


class LeadEditView(LeadMixin, ObjectEditView):
    form_class = LeadForm

    def get(self, request, pk=None):
        form = LeadForm(user=request.user, initial={"enterprise": request.GET.get("enterprise")})
        return self._render(form, None)

    def create(self, form):
        data = form.cleaned_data
        return services.open_lead(
            actor=self.request.user,
            enterprise=data["enterprise"],
            source=data["source"],
            summary=data["summary"],
        )


class LeadActionView(LeadMixin, ScopedViewMixin, View):
    """POST action=handle (inspection) | dismiss (reason); GET goes back to the lead."""

    def get_permission_required(self):
        return ["inspections.change_enforcementlead"]

    def get(self, request, pk):
        return HttpResponseRedirect(
            reverse("inspections:enforcementlead_detail", args=[self.get_object().pk])
        )

    def post(self, request, pk):
        lead = self.get_object()
        action = request.POST.get("action", "")
        try:
            if action == rules.Action.HANDLE:
                inspection = (
                    Inspection.objects.for_user(request.user)
                    .filter(pk=_int(request.POST.get("inspection")))
                    .first()
                )
                services.handle_lead(lead, actor=request.user, inspection=inspection)
            elif action == rules.Action.DISMISS:
                services.dismiss_lead(lead, actor=request.user, reason=request.POST.get("reason", ""))
            else:
                return HttpResponseBadRequest()
        except TransitionError as refusal:
            _refused(request, refusal)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("inspections:enforcementlead_detail", args=[lead.pk]))


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# -- documents --------------------------------------------------------------------------------------


class DocumentMixin(_Mixin):
    model = EnforcementDocument
    select_related = ("enterprise",)

    def get_permission_required(self):
        return ["inspections.view_enforcementdocument"]


class DocumentPrintView(DocumentMixin, ScopedViewMixin, View):
    """The print-ready page of a document (A4, 仿宋 body, centred title, Chinese date)."""

    def get(self, request, pk):
        document = self.get_object()
        return render(
            request, "inspections/document_print.html", {"document": document, "c": document.content}
        )


class DocumentDocxView(DocumentMixin, ScopedViewMixin, View):
    def get(self, request, pk):
        document = self.get_object()
        response = HttpResponse(documents.docx_bytes(document.content), content_type=documents.DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.docx"'
        return response


class InspectionRecordView(DocumentMixin, ScopedViewMixin, View):
    """GET ?inspection=: confirm; POST: issue the 现场检查记录 of the inspection (once) and show it."""

    def get_permission_required(self):
        return ["inspections.add_enforcementdocument"]

    def _inspection(self, request, source):
        pk = _int(source.get("inspection"))
        return get_object_or_404(
            Inspection.objects.for_user(request.user).select_related("enterprise"), pk=pk
        )

    def get(self, request):
        return render(
            request, "inspections/document_issue.html", {"inspection": self._inspection(request, request.GET)}
        )

    def post(self, request):
        inspection = self._inspection(request, request.POST)
        try:
            document = services.issue_inspection_record(actor=request.user, inspection=inspection)
        except TransitionError as refusal:
            _refused(request, refusal)
            return HttpResponseRedirect(reverse("inspections:rectificationorder_list"))
        return HttpResponseRedirect(reverse("inspections:enforcementdocument_detail", args=[document.pk]))


# -- number patterns --------------------------------------------------------------------------------


class PatternMixin(_Mixin):
    model = NumberPattern
    select_related = ("division",)


class PatternListView(PatternMixin, ObjectListView):
    filterset_class = PatternFilterSet
    columns = PATTERN_COLUMNS


class PatternEditView(PatternMixin, ObjectEditView):
    form_class = PatternForm

    def _save(self, form, instance=None):
        data = form.cleaned_data
        return services.save_pattern(
            actor=self.request.user,
            division=data["division"],
            kind=data["kind"],
            pattern=data["pattern"],
            abbr=data["abbr"],
            code=data["code"],
            instance=instance,
        )

    def create(self, form):
        return self._save(form)

    def update(self, obj, form):
        return self._save(form, obj)


class PatternDeleteView(PatternMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_pattern(obj, actor=self.request.user)


# -- the enterprise timeline ------------------------------------------------------------------------


class TimelineView(_Mixin, ScopedViewMixin, View):
    model = Enterprise

    def get_permission_required(self):
        return ["inspections.view_rectificationorder"]

    def get(self, request, enterprise_id):
        enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=enterprise_id)
        return render(
            request,
            "inspections/timeline_enterprise.html",
            {
                "enterprise": enterprise,
                "entries": services.timeline(enterprise, request.user),
                "suspension": services.active_suspension(enterprise.pk),
                "can_lift": request.user.has_perm("inspections.change_suspension"),
            },
        )
