from django.urls import path

from yingji.resources import views

app_name = "resources"


def _crud(prefix: str, name: str, classes) -> list:
    list_view, detail_view, edit_view, delete_view, import_view, export_view, template_view = classes
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/import/", import_view.as_view(), name=f"{name}_import"),
        path(f"{prefix}/import/template.xlsx", template_view.as_view(), name=f"{name}_template"),
        path(f"{prefix}/export/", export_view.as_view(), name=f"{name}_export"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


def _with_detail(classes, detail_view):
    return (classes[0], detail_view, *classes[2:])


urlpatterns = [
    *_crud("teams", "team", _with_detail(views.TEAM, views.TeamDetailView)),
    path("teams/<int:pk>/status/", views.TeamStatusView.as_view(), name="team_status"),
    path("teams/<int:pk>/members/add/", views.TeamMemberAddView.as_view(), name="team_addmember"),
    path("members/<int:pk>/edit/", views.TeamMemberEditView.as_view(), name="teammember_edit"),
    path("members/<int:pk>/delete/", views.TeamMemberDeleteView.as_view(), name="teammember_delete"),
    *_crud("warehouses", "warehouse", _with_detail(views.WAREHOUSE, views.WarehouseDetailView)),
    path("warehouses/<int:pk>/receive/", views.WarehouseReceiveView.as_view(), name="warehouse_receive"),
    path("stock/", views.StockListView.as_view(), name="stock_list"),
    path("stock/import/", views.StockImportView.as_view(), name="stock_import"),
    path("stock/import/template.xlsx", views.StockTemplateView.as_view(), name="stock_template"),
    path("stock/export/", views.StockExportView.as_view(), name="stock_export"),
    path("stock/<int:pk>/", views.StockDetailView.as_view(), name="stock_detail"),
    path("stock/<int:pk>/issue/", views.StockIssueView.as_view(), name="stock_issue"),
    path("stock/<int:pk>/adjust/", views.StockAdjustView.as_view(), name="stock_adjust"),
    path("stock/<int:pk>/edit/", views.StockEditView.as_view(), name="stock_edit"),
    path("movements/", views.MovementListView.as_view(), name="stockmovement_list"),
    path("catalogue/", views.SupplyItemListView.as_view(), name="supplyitem_list"),
    path("catalogue/add/", views.SupplyItemEditView.as_view(), name="supplyitem_add"),
    path("catalogue/import/", views.SupplyItemImportView.as_view(), name="supplyitem_import"),
    path(
        "catalogue/import/template.xlsx", views.SupplyItemTemplateView.as_view(), name="supplyitem_template"
    ),
    path("catalogue/export/", views.SupplyItemExportView.as_view(), name="supplyitem_export"),
    path("catalogue/<int:pk>/edit/", views.SupplyItemEditView.as_view(), name="supplyitem_edit"),
    path("catalogue/<int:pk>/delete/", views.SupplyItemDeleteView.as_view(), name="supplyitem_delete"),
    *_crud("shelters", "shelter", _with_detail(views.SHELTER, views.ShelterDetailView)),
    path("shelters/<int:pk>/occupancy/", views.ShelterOccupancyView.as_view(), name="shelter_occupancy"),
    path("shelters/<int:pk>/open/", views.ShelterOpenView.as_view(), name="shelter_open"),
    *_crud("experts", "expert", views.EXPERT),
    *_crud("equipment", "equipment", views.EQUIPMENT),
    path("nearest/", views.NearestView.as_view(), name="nearest"),
]
