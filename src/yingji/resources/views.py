"""Resources pages: list/detail/add/edit/delete/import/export per kind, stock movements, team status,
shelter occupancy and the nearest-resources tool. Reads through `for_user`, changes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
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
from yingji.core.views_tabular import ObjectExportView, ObjectImportView, ObjectTemplateView
from yingji.resources import filters, forms, importing, rules, services, tables
from yingji.resources.models import (
    Equipment,
    Expert,
    Shelter,
    Stock,
    StockMovement,
    SupplyItem,
    Team,
    TeamMember,
    Warehouse,
)

# --- generic per-kind views ------------------------------------------------------------------------


class ResourceMixin:
    url_namespace = "resources"
    select_related: tuple[str, ...] = ("division",)

    def base_context(self, **extra):
        context = super().base_context(**extra)  # type: ignore[misc]
        context.setdefault("edit_url_name", self.url_name("edit"))  # type: ignore[attr-defined]
        context.setdefault("delete_url_name", self.url_name("delete"))  # type: ignore[attr-defined]
        return context


class ResourceEditView(ResourceMixin, ObjectEditView):
    template_name = "resources/resource_form.html"

    def create(self, form):
        return services.save_resource(actor=self.request.user, obj=form.instance)

    def update(self, obj, form):
        return services.save_resource(actor=self.request.user, obj=form.instance)


class ResourceDeleteView(ResourceMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_resource(actor=self.request.user, obj=obj)


def _views(model, filterset, columns, form, kind: str, detail_template: str, select=("division",)):
    """(list, detail, add/edit, delete, import, export, template) view classes of one kind."""
    attrs = {"model": model, "select_related": select}
    list_view = type(
        f"{model.__name__}ListView",
        (ResourceMixin, ObjectListView),
        {**attrs, "filterset_class": filterset, "columns": columns},
    )
    detail_view = type(
        f"{model.__name__}DetailView",
        (ResourceMixin, ObjectDetailView),
        {**attrs, "template_name": detail_template},
    )
    edit_view = type(f"{model.__name__}EditView", (ResourceEditView,), {**attrs, "form_class": form})
    delete_view = type(f"{model.__name__}DeleteView", (ResourceDeleteView,), attrs)
    import_view = type(
        f"{model.__name__}ImportView",
        (ResourceMixin, ObjectImportView),
        {
            **attrs,
            "importer": staticmethod(importing.importer(kind)),
            "columns": importing.KINDS[kind].columns,
        },
    )
    export_view = type(
        f"{model.__name__}ExportView",
        (ResourceMixin, ObjectExportView),
        {**attrs, "filterset_class": filterset, "exporter": staticmethod(importing.export(kind))},
    )
    template_view = type(
        f"{model.__name__}TemplateView",
        (ResourceMixin, ObjectTemplateView),
        {
            **attrs,
            "template_builder": staticmethod(lambda: importing.template(kind)),
            "template_filename": f"{importing.KINDS[kind].file_stem}-template.xlsx",
        },
    )
    return list_view, detail_view, edit_view, delete_view, import_view, export_view, template_view


class TeamDetailBase(ObjectDetailView):
    def get_extra_context(self, obj):
        return {
            "members": obj.members.all(),
            "equipment": obj.equipment.all(),
            "status_form": forms.TeamStatusForm(initial={"status": obj.status}),
            "today": timezone.localdate(),
        }


TEAM = _views(
    Team, filters.TeamFilterSet, tables.TEAM_COLUMNS, forms.TeamForm, "team", "resources/team_detail.html"
)
TeamDetailView = type(
    "TeamDetailView",
    (ResourceMixin, TeamDetailBase),
    {
        "model": Team,
        "select_related": ("division", "duty_a", "duty_b", "enterprise"),
        "template_name": "resources/team_detail.html",
    },
)


def _warehouse_context(view, obj) -> dict:
    today = timezone.localdate()
    stock = list(obj.stocks.select_related("item", "item__category"))
    for line in stock:
        line.flags = rules.stock_flags(
            line.quantity, line.minimum, line.expiry, today, rules.DEFAULT_EXPIRY_DAYS
        )
    return {
        "stock": stock,
        "flagged_count": sum(1 for line in stock if line.flags),
        "movements": obj.movements.select_related("item", "actor")[:20],
        "receive_form": forms.ReceiveForm(),
    }


class WarehouseDetailBase(ObjectDetailView):
    def get_extra_context(self, obj):
        return _warehouse_context(self, obj)


WAREHOUSE = _views(
    Warehouse,
    filters.WarehouseFilterSet,
    tables.WAREHOUSE_COLUMNS,
    forms.WarehouseForm,
    "warehouse",
    "resources/warehouse_detail.html",
)
WarehouseDetailView = type(
    "WarehouseDetailView",
    (ResourceMixin, WarehouseDetailBase),
    {
        "model": Warehouse,
        "select_related": ("division", "enterprise"),
        "template_name": "resources/warehouse_detail.html",
    },
)


class ShelterDetailBase(ObjectDetailView):
    def get_extra_context(self, obj):
        return {"occupancy_form": forms.OccupancyForm(initial={"occupancy": obj.occupancy})}


SHELTER = _views(
    Shelter,
    filters.ShelterFilterSet,
    tables.SHELTER_COLUMNS,
    forms.ShelterForm,
    "shelter",
    "resources/shelter_detail.html",
)
ShelterDetailView = type(
    "ShelterDetailView",
    (ResourceMixin, ShelterDetailBase),
    {"model": Shelter, "select_related": ("division",), "template_name": "resources/shelter_detail.html"},
)
EXPERT = _views(
    Expert,
    filters.ExpertFilterSet,
    tables.EXPERT_COLUMNS,
    forms.ExpertForm,
    "expert",
    "resources/expert_detail.html",
)
EQUIPMENT = _views(
    Equipment,
    filters.EquipmentFilterSet,
    tables.EQUIPMENT_COLUMNS,
    forms.EquipmentForm,
    "equipment",
    "resources/equipment_detail.html",
    select=("division", "team", "enterprise"),
)


# --- supply catalogue (shared by every division: no detail page, the list links to the edit page) ---


class SupplyItemMixin(ResourceMixin):
    model = SupplyItem
    select_related = ("category",)

    def get_queryset(self):
        return SupplyItem.objects.select_related("category")


class SupplyItemListView(SupplyItemMixin, ObjectListView):
    filterset_class = filters.SupplyItemFilterSet
    columns = tables.ITEM_COLUMNS

    def url_name(self, action: str) -> str:
        return super().url_name("edit" if action == "detail" else action)


class SupplyItemEditView(SupplyItemMixin, ObjectEditView):
    form_class = forms.SupplyItemForm
    template_name = "resources/resource_form.html"

    def create(self, form):
        return services.save_catalogue_item(actor=self.request.user, item=form.instance)

    def update(self, obj, form):
        return services.save_catalogue_item(actor=self.request.user, item=form.instance)

    def post(self, request, pk=None):
        response = super().post(request, pk)
        if response.status_code == 302:
            return HttpResponseRedirect(reverse("resources:supplyitem_list"))
        return response


class SupplyItemDeleteView(SupplyItemMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_catalogue_item(actor=self.request.user, item=obj)

    def post(self, request, pk):
        obj = self.get_object()
        try:
            self.delete_object(obj)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse("resources:supplyitem_list"))


class SupplyItemImportView(SupplyItemMixin, ObjectImportView):
    importer = staticmethod(importing.import_items)
    columns = importing.ITEM_COLUMNS


class SupplyItemExportView(SupplyItemMixin, ObjectExportView):
    filterset_class = filters.SupplyItemFilterSet
    exporter = staticmethod(importing.export("supplyitem"))


class SupplyItemTemplateView(SupplyItemMixin, ObjectTemplateView):
    template_builder = staticmethod(lambda: importing.template("supplyitem"))
    template_filename = "supply-catalogue-template.xlsx"


# --- stock ----------------------------------------------------------------------------------------


class StockMixin(ResourceMixin):
    model = Stock
    select_related = ("warehouse", "warehouse__division", "item")


class StockListView(StockMixin, ObjectListView):
    """Every stock line the user sees, with the warning filters (below minimum, expiring within N days)."""

    filterset_class = filters.StockFilterSet
    columns = tables.STOCK_COLUMNS

    def url_name(self, action: str) -> str:
        return "resources:warehouse_list" if action == "add" else super().url_name(action)


class StockDetailView(StockMixin, ObjectDetailView):
    template_name = "resources/stock_detail.html"

    def get_extra_context(self, obj):
        today = timezone.localdate()
        return {
            "flags": rules.stock_flags(
                obj.quantity, obj.minimum, obj.expiry, today, rules.DEFAULT_EXPIRY_DAYS
            ),
            "movements": obj.movements.select_related("actor")[:50],
            "issue_form": forms.MovementForm(prefix="issue"),
            "adjust_form": forms.MovementForm(prefix="adjust", initial={"quantity": obj.quantity}),
            "settings_form": forms.StockSettingsForm(initial={"minimum": obj.minimum, "expiry": obj.expiry}),
        }


class StockImportView(StockMixin, ObjectImportView):
    importer = staticmethod(importing.import_stock)
    columns = importing.STOCK_COLUMNS

    def get_permission_required(self):
        return ["resources.receive_stock"]


class StockExportView(StockMixin, ObjectExportView):
    filterset_class = filters.StockFilterSet
    exporter = staticmethod(importing.export("stock"))

    def get_permission_required(self):
        return ["resources.view_stock"]


class StockTemplateView(StockMixin, ObjectTemplateView):
    template_builder = staticmethod(lambda: importing.template("stock"))
    template_filename = "stock-template.xlsx"

    def get_permission_required(self):
        return ["resources.receive_stock"]


class ActionView(ResourceMixin, ScopedViewMixin, View):
    """A POST-only action on one object: bind `form_class`, call `act`, redirect to `redirect_to`;
    errors re-render `template_name` with the form (status 400)."""

    http_method_names = ["get", "post", "head", "options"]
    permission = ""
    form_class: type = forms.MovementForm
    prefix: str | None = None
    template_name = "resources/action_form.html"
    title = ""

    def get_permission_required(self):
        return [self.permission]

    def act(self, obj, data):
        raise NotImplementedError

    def redirect_to(self, obj) -> str:
        return reverse(self.url_name("detail"), args=[obj.pk])

    def get(self, request, pk):
        obj = self.get_object()
        return self._render(obj, self.form_class(prefix=self.prefix))

    def post(self, request, pk):
        obj = self.get_object()
        form = self.form_class(request.POST, prefix=self.prefix)
        if form.is_valid():
            try:
                self.act(obj, form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(self.redirect_to(obj))
        return self._render(obj, form, status=400)

    def _render(self, obj, form, status=200):
        context = self.base_context(object=obj, form=form, title=self.title, back_url=self.redirect_to(obj))
        return render(self.request, self.template_name, context, status=status)


class StockIssueView(StockMixin, ActionView):
    permission = "resources.issue_stock"
    prefix = "issue"

    def act(self, stock, data):
        services.issue_stock(
            actor=self.request.user,
            stock_id=stock.pk,
            quantity=data["quantity"],
            reason=data["reason"],
            reference=data["reference"],
        )


class StockAdjustView(StockMixin, ActionView):
    permission = "resources.receive_stock"
    prefix = "adjust"

    def act(self, stock, data):
        services.adjust_stock(
            actor=self.request.user,
            stock=stock,
            quantity=data["quantity"],
            reason=data["reason"],
            reference=data["reference"],
        )


class StockEditView(StockMixin, ActionView):
    permission = "resources.change_stock"
    form_class = forms.StockSettingsForm

    def act(self, stock, data):
        services.update_stock_settings(
            actor=self.request.user, stock=stock, minimum=data["minimum"], expiry=data["expiry"]
        )


class WarehouseReceiveView(ActionView):
    model = Warehouse
    permission = "resources.receive_stock"
    form_class = forms.ReceiveForm

    def act(self, warehouse, data):
        services.receive_stock(
            actor=self.request.user,
            warehouse=warehouse,
            item=data["item"],
            quantity=data["quantity"],
            reason=data["reason"],
            reference=data["reference"],
            expiry=data["expiry"],
            minimum=data["minimum"],
        )


class MovementListView(ResourceMixin, ObjectListView):
    model = StockMovement
    select_related = ("warehouse", "item", "actor")
    filterset_class = filters.MovementFilterSet
    template_name = "resources/movement_list.html"
    columns: list = []

    def url_name(self, action: str) -> str:
        return "resources:warehouse_list" if action in ("add", "detail") else super().url_name(action)


# --- teams: status and members ---------------------------------------------------------------------


class TeamStatusView(ActionView):
    model = Team
    permission = "resources.set_status_team"
    form_class = forms.TeamStatusForm

    def act(self, team, data):
        services.set_team_status(actor=self.request.user, team=team, status=data["status"], note=data["note"])


class TeamMemberAddView(ResourceMixin, ScopedViewMixin, View):
    """Add a member to a team (pk = the team)."""

    model = Team
    template_name = "resources/resource_form.html"

    def get_permission_required(self):
        return ["resources.add_teammember"]

    def get(self, request, pk):
        team = self.get_object()
        return self._render(team, forms.TeamMemberForm())

    def post(self, request, pk):
        team = self.get_object()
        form = forms.TeamMemberForm(request.POST, instance=TeamMember(team=team))
        if form.is_valid():
            try:
                services.save_resource(actor=request.user, obj=form.instance)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("resources:team_detail", args=[team.pk]))
        return self._render(team, form, status=400)

    def _render(self, team, form, status=200):
        context = self.base_context(
            form=form, object=None, parent=team, cancel_url=reverse("resources:team_detail", args=[team.pk])
        )
        context["model_name"] = TeamMember._meta.verbose_name
        return render(self.request, self.template_name, context, status=status)


class TeamMemberEditView(ResourceMixin, ObjectEditView):
    model = TeamMember
    select_related = ("team",)
    form_class = forms.TeamMemberForm
    template_name = "resources/resource_form.html"

    def update(self, obj, form):
        return services.save_resource(actor=self.request.user, obj=form.instance)

    def post(self, request, pk=None):
        response = super().post(request, pk)
        if response.status_code == 302:
            return HttpResponseRedirect(reverse("resources:team_detail", args=[self.get_object().team_id]))
        return response

    def base_context(self, **extra):
        context = super().base_context(**extra)
        if extra.get("object") is not None:
            context["cancel_url"] = reverse("resources:team_detail", args=[extra["object"].team_id])
        return context

    def url_name(self, action: str) -> str:
        return "resources:team_list" if action in ("list", "detail") else super().url_name(action)


class TeamMemberDeleteView(ResourceMixin, ObjectDeleteView):
    model = TeamMember
    select_related = ("team",)

    def delete_object(self, obj):
        services.delete_resource(actor=self.request.user, obj=obj)

    def url_name(self, action: str) -> str:
        return "resources:team_list" if action == "list" else super().url_name(action)

    def post(self, request, pk):
        obj = self.get_object()
        services.delete_resource(actor=request.user, obj=obj)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse("resources:team_detail", args=[obj.team_id]))


# --- shelters: occupancy and open/close ------------------------------------------------------------


class ShelterOccupancyView(ActionView):
    model = Shelter
    permission = "resources.set_occupancy_shelter"
    form_class = forms.OccupancyForm

    def act(self, shelter, data):
        services.set_shelter_occupancy(actor=self.request.user, shelter=shelter, occupancy=data["occupancy"])


class ShelterOpenView(ResourceMixin, ScopedViewMixin, View):
    """POST is_open=1|0: open or close the shelter."""

    model = Shelter
    http_method_names = ["get", "post", "head", "options"]

    def get_permission_required(self):
        return ["resources.set_occupancy_shelter"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("resources:shelter_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        shelter = self.get_object()
        try:
            services.set_shelter_open(
                actor=request.user, shelter=shelter, is_open=request.POST.get("is_open") == "1"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("resources:shelter_detail", args=[pk]))


# --- nearest ----------------------------------------------------------------------------------------


class NearestView(View):
    """Pick a point (or type coordinates), choose a kind: the nearest ones with distance and ETA."""

    template_name = "resources/nearest.html"

    def get(self, request):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        visible = [k for k in services.MODELS if request.user.has_perm(f"resources.view_{k}")]
        if not visible:
            raise PermissionDenied
        results, status = None, 200
        form = forms.NearestForm(request.GET or None, initial={"kind": "team", "limit": 10})
        form.fields["kind"].choices = [c for c in form.fields["kind"].choices if c[0] in visible]
        if request.GET and form.is_valid():
            data = form.cleaned_data
            status_filter = None
            if data["ready_only"] and data["kind"] == "team":
                status_filter = "ready"
            elif data["ready_only"] and data["kind"] == "equipment":
                status_filter = "available"
            try:
                results = services.nearest(
                    user=request.user,
                    kind=data["kind"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    limit=data["limit"],
                    item=data["item"],
                    min_free=data["min_free"],
                    status=status_filter,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
                status = 400
        elif request.GET:
            status = 400
        context = {
            "form": form,
            "results": results,
            "kind": form.cleaned_data.get("kind") if form.is_bound and form.is_valid() else "",
            "speed": rules.speed_kmh(),
            "factor": rules.road_factor(),
        }
        return render(request, self.template_name, context, status=status)
