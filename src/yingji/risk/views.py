"""Risk pages: units, points (with their assessment and measures inline), posts, the printables and the
bureau's level mapping. Views are thin: reads through `for_user`, changes through services."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
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
from yingji.risk import printables, rules, services
from yingji.risk.filters import PostFilterSet, RiskPointFilterSet, RiskUnitFilterSet
from yingji.risk.forms import (
    ControlMeasureForm,
    PostForm,
    RiskMethodConfigForm,
    RiskPointForm,
    RiskUnitForm,
)
from yingji.risk.models import ControlMeasure, MeasureType, Post, RiskMethodConfig, RiskPoint, RiskUnit
from yingji.risk.tables import POST_COLUMNS, RISK_POINT_COLUMNS, RISK_UNIT_COLUMNS


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# --- risk units -----------------------------------------------------------------------------------


class RiskUnitMixin:
    model = RiskUnit
    url_namespace = "risk"
    select_related = ("enterprise",)


class RiskUnitListView(RiskUnitMixin, ObjectListView):
    filterset_class = RiskUnitFilterSet
    columns = RISK_UNIT_COLUMNS


class RiskUnitDetailView(RiskUnitMixin, ObjectDetailView):
    template_name = "risk/riskunit_detail.html"

    def get_extra_context(self, obj):
        return {"points": obj.points.order_by("name", "id")}


class EnterpriseInitialMixin:
    def get(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = self.form_class(
            instance=obj, user=request.user, initial_enterprise=_int_or_none(request.GET.get("enterprise"))
        )
        return self._render(form, obj)

    def post(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            try:
                saved = self.update(obj, form) if obj else self.create(form)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse(self.url_name("detail"), args=[saved.pk]))
        return self._render(form, obj, status=400)


class RiskUnitEditView(RiskUnitMixin, EnterpriseInitialMixin, ObjectEditView):
    form_class = RiskUnitForm

    def create(self, form):
        data = form.cleaned_data
        return services.create_unit(
            actor=self.request.user,
            enterprise=data["enterprise"],
            name=data["name"],
            description=data["description"],
        )

    def update(self, obj, form):
        data = form.cleaned_data
        return services.update_unit(
            obj, actor=self.request.user, name=data["name"], description=data["description"]
        )


class RiskUnitDeleteView(RiskUnitMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_unit(obj, actor=self.request.user)


# --- risk points ----------------------------------------------------------------------------------


class RiskPointMixin:
    model = RiskPoint
    url_namespace = "risk"
    select_related = ("unit__enterprise",)


class RiskPointListView(RiskPointMixin, ObjectListView):
    filterset_class = RiskPointFilterSet
    columns = RISK_POINT_COLUMNS
    extra_template = "risk/_level_legend.html"


def point_detail_context(request, point: RiskPoint, measure_form=None) -> dict:
    measures = list(point.measures.all())
    ordered = sorted(measures, key=lambda m: MeasureType.values.index(m.measure_type))
    by_type = [
        (group[0].get_measure_type_display(), group)
        for group in (list(g) for _type, g in groupby(ordered, key=lambda m: m.measure_type))
    ]
    user = request.user
    return {
        "assessment": services.assessment_of(point),
        "measures": measures,
        "measures_by_type": by_type,
        "measure_form": measure_form or ControlMeasureForm(),
        "posts": point.posts.all(),
        "can_add_measure": user.has_perm("risk.add_controlmeasure"),
        "can_change_measure": user.has_perm("risk.change_controlmeasure"),
        "can_delete_measure": user.has_perm("risk.delete_controlmeasure"),
    }


class RiskPointDetailView(RiskPointMixin, ObjectDetailView):
    template_name = "risk/riskpoint_detail.html"

    def get_extra_context(self, obj):
        return point_detail_context(self.request, obj)


class RiskPointEditView(RiskPointMixin, ObjectEditView):
    form_class = RiskPointForm
    template_name = "risk/riskpoint_form.html"

    def get(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = RiskPointForm(
            instance=obj, user=request.user, initial_unit=_int_or_none(request.GET.get("unit"))
        )
        return self._render(form, obj)

    def create(self, form):
        return services.create_point(
            actor=self.request.user, unit=form.cleaned_data["unit"], **form.service_fields()
        )

    def update(self, obj, form):
        return services.update_point(obj, actor=self.request.user, **form.service_fields())


class RiskPointDeleteView(RiskPointMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_point(obj, actor=self.request.user)


class RiskPointMeasureAddView(RiskPointMixin, ScopedViewMixin, View):
    """POST a control measure onto a point (the form sits on the point's page)."""

    def get_permission_required(self):
        return ["risk.add_controlmeasure"]

    def get(self, request, pk):
        self.get_object()
        return HttpResponseRedirect(reverse("risk:riskpoint_detail", args=[pk]))

    def post(self, request, pk):
        point = self.get_object()
        form = ControlMeasureForm(request.POST)
        if form.is_valid():
            try:
                services.create_measure(actor=request.user, point=point, **form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("risk:riskpoint_detail", args=[pk]) + "#measures")
        context = self.base_context(object=point, **point_detail_context(request, point, form))
        return render(request, "risk/riskpoint_detail.html", context, status=400)


class RiskPointCardView(RiskPointMixin, ScopedViewMixin, View):
    """The point's 风险告知卡: `?format=docx` (default) or `?format=html` (print-ready)."""

    def get_permission_required(self):
        return ["risk.view_riskpoint"]

    def get(self, request, pk):
        point = self.get_object()
        if request.GET.get("format") == "html":
            return render(request, "risk/print_risk_card.html", printables.card_context(point))
        return _docx(printables.risk_card_docx(point), _("Risk notification card") + f" {point.name}.docx")


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=printables.DOCX_TYPE)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- control measures -----------------------------------------------------------------------------


class ControlMeasureMixin:
    model = ControlMeasure
    url_namespace = "risk"
    select_related = ("point__unit__enterprise",)

    def base_context(self, **extra):
        """Measures have no list page of their own: "back" is their point's page."""
        obj = extra.get("object")
        return {
            "opts": ControlMeasure._meta,
            "model_name": ControlMeasure._meta.verbose_name,
            "model_name_plural": ControlMeasure._meta.verbose_name_plural,
            "list_url": reverse("risk:riskpoint_detail", args=[obj.point_id]) if obj else "",
            **extra,
        }


class ControlMeasureEditView(ControlMeasureMixin, ObjectEditView):
    form_class = ControlMeasureForm

    def get(self, request, pk=None):
        if pk is None:
            raise Http404
        return super().get(request, pk)

    def post(self, request, pk=None):
        if pk is None:
            raise Http404
        obj = self.get_object()
        form = ControlMeasureForm(request.POST, instance=obj)
        if form.is_valid():
            try:
                services.update_measure(obj, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("risk:riskpoint_detail", args=[obj.point_id]) + "#measures"
                )
        return self._render(form, obj, status=400)


class ControlMeasureDeleteView(ControlMeasureMixin, ObjectDeleteView):
    def post(self, request, pk):
        obj = self.get_object()
        services.delete_measure(obj, actor=request.user)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse("risk:riskpoint_detail", args=[obj.point_id]) + "#measures")


# --- posts ----------------------------------------------------------------------------------------


class PostMixin:
    model = Post
    url_namespace = "risk"
    select_related = ("enterprise",)


class PostListView(PostMixin, ObjectListView):
    filterset_class = PostFilterSet
    columns = POST_COLUMNS


class PostDetailView(PostMixin, ObjectDetailView):
    template_name = "risk/post_detail.html"

    def get_extra_context(self, obj):
        return {"points": obj.risk_points.select_related("unit")}


class PostEditView(PostMixin, EnterpriseInitialMixin, ObjectEditView):
    form_class = PostForm

    def create(self, form):
        data = dict(form.cleaned_data)
        enterprise = data.pop("enterprise")
        return services.create_post(actor=self.request.user, enterprise=enterprise, **data)

    def update(self, obj, form):
        data = dict(form.cleaned_data)
        data.pop("enterprise", None)
        return services.update_post(obj, actor=self.request.user, **data)


class PostDeleteView(PostMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_post(obj, actor=self.request.user)


class PostCardsView(PostMixin, ScopedViewMixin, View):
    """The post's 两单两卡: `?format=docx` (default) or `?format=html` (print-ready)."""

    def get_permission_required(self):
        return ["risk.view_post"]

    def get(self, request, pk):
        post = self.get_object()
        if request.GET.get("format") == "html":
            return render(request, "risk/print_post_cards.html", printables.post_context(post))
        return _docx(printables.post_cards_docx(post), _("Post cards") + f" {post.name}.docx")


# --- the bureau's level mapping -------------------------------------------------------------------


class RiskMethodConfigView(ScopedViewMixin, View):
    """The level mapping in force at the user's division, per method; editable with the permission."""

    model = RiskMethodConfig
    url_namespace = "risk"

    def get_permission_required(self):
        if self.request.method == "POST":
            return ["risk.change_riskmethodconfig"]
        return ["risk.view_riskmethodconfig"]

    def _forms(self, data=None, method=None):
        division = self.request.user.division
        rows = []
        for value, label in rules.Method.choices:
            bands = services.config_for(division, value)
            symbol = "D" if value == rules.LEC else "R"
            own = RiskMethodConfig.objects.filter(division=division, method=value).first()
            bound = data if method == value else None
            rows.append(
                {
                    "method": value,
                    "label": label,
                    "bands": bands,
                    "describe": [
                        (rules.Level(lv).label, text) for lv, text in rules.describe_bands(bands, symbol)
                    ],
                    "own": own,
                    "form": RiskMethodConfigForm(bound, bands=bands, note=own.note if own else ""),
                }
            )
        return rows

    def get(self, request):
        return render(request, "risk/method_config.html", {"rows": self._forms()})

    def post(self, request):
        method = request.POST.get("method", "")
        if method not in rules.Method.values:
            raise Http404
        rows = self._forms(request.POST, method)
        form = next(row["form"] for row in rows if row["method"] == method)
        if form.is_valid():
            try:
                services.set_method_config(
                    actor=request.user,
                    division=request.user.division,
                    method=method,
                    bands=form.bands_json(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if "bands" in getattr(error, "message_dict", {}):
                    form.add_error(None, error.message_dict["bands"])
                else:
                    add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("risk:riskmethodconfig_list"))
        return render(request, "risk/method_config.html", {"rows": rows}, status=400)
