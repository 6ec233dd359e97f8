from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from yingji.core import audit
from yingji.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    filtered,
)
from yingji.registry import services
from yingji.registry.filters import EnterpriseFilterSet
from yingji.registry.forms import EnterpriseForm
from yingji.registry.models import Enterprise
from yingji.registry.tables import ENTERPRISE_COLUMNS
from yingji.risk.models import EnterpriseRisk, RiskPoint
from yingji.risk.rules import LEVELS_LOW_TO_HIGH


class EnterpriseMixin:
    model = Enterprise
    url_namespace = "registry"
    prefetch_related = ("division",)  # one query for the page's divisions, not a JOIN on every row


class EnterpriseListView(EnterpriseMixin, ObjectListView):
    filterset_class = EnterpriseFilterSet
    columns = ENTERPRISE_COLUMNS
    extra_template = "registry/_enterprise_map_toggle.html"


class EnterpriseDetailView(EnterpriseMixin, ObjectDetailView):
    template_name = "registry/enterprise_detail.html"

    def get_extra_context(self, obj):
        return {
            "division_path": [*obj.division.ancestors(), obj.division],
            "points_url": reverse("registry:enterprise_points") + f"?id={obj.pk}",
            **risk_context(self.request.user, obj),
        }


class EnterpriseEditView(EnterpriseMixin, ObjectEditView):
    form_class = EnterpriseForm
    template_name = "registry/enterprise_form.html"

    def create(self, form):
        return services.create_enterprise(actor=self.request.user, **form.cleaned_data)

    def update(self, obj, form):
        return services.update_enterprise(obj, actor=self.request.user, **form.cleaned_data)


class EnterpriseDeleteView(EnterpriseMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_enterprise(obj, actor=self.request.user)


class EnterpriseRevealView(EnterpriseMixin, ObjectDetailView):
    """The unmasked phones of one enterprise, for roles that may see them; every view is audited."""

    permission_required = "core.view_sensitive"

    def get_permission_required(self):
        return [self.permission_required]

    def get(self, request, pk):
        obj = self.get_object()
        audit.record("reveal", obj, note="main_person_phone, safety_manager_phone")
        return render(request, "registry/_enterprise_contacts.html", {"object": obj, "revealed": True})


def risk_context(user, enterprise) -> dict:
    """The enterprise's risk level and its points by level, highest first, for the "Risk points" card."""
    if not user.has_perm("risk.view_riskpoint"):
        return {}
    rank = {level: n for n, level in enumerate(reversed(LEVELS_LOW_TO_HIGH))}
    points = sorted(
        RiskPoint.objects.for_user(user).filter(unit__enterprise=enterprise).select_related("unit"),
        key=lambda p: (rank[p.level], p.unit.name, p.name),
    )
    return {"risk": EnterpriseRisk.objects.filter(enterprise=enterprise).first(), "risk_points": points}


MAX_MAP_POINTS = 20000


class EnterprisePointsView(EnterpriseMixin, ScopedViewMixin, View):
    """Map points of the filtered enterprises: {"points": [[id, name, lng, lat, risk level], ...],
    "truncated": bool}; the risk level ("major" ... "low", or null without points) comes from one join
    on risk.EnterpriseRisk, kept by the risk services."""

    def get_permission_required(self):
        return ["registry.view_enterprise"]

    def get(self, request):
        _filterset, queryset = filtered(self, EnterpriseFilterSet, request)
        if request.GET.get("id", "").isdigit():
            queryset = queryset.filter(pk=int(request.GET["id"]))
        rows = list(
            queryset.filter(longitude__isnull=False, latitude__isnull=False)
            .order_by()
            .values_list("id", "name", "longitude", "latitude", "risk__level")[: MAX_MAP_POINTS + 1]
        )
        points = [[*row[:4], row[4] or None] for row in rows[:MAX_MAP_POINTS]]
        return JsonResponse({"points": points, "truncated": len(rows) > MAX_MAP_POINTS})
