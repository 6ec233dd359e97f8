from django.urls import path

from yingji.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("points.json", views.EnterprisePointsView.as_view(), name="enterprise_points"),
    path("add/", views.EnterpriseEditView.as_view(), name="enterprise_add"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("<int:pk>/delete/", views.EnterpriseDeleteView.as_view(), name="enterprise_delete"),
    path("<int:pk>/contacts/", views.EnterpriseRevealView.as_view(), name="enterprise_reveal"),
]

from yingji.registry import views_tabular  # noqa: E402

urlpatterns += [
    path("import/", views_tabular.EnterpriseImportView.as_view(), name="enterprise_import"),
    path("export/", views_tabular.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("template/", views_tabular.EnterpriseTemplateView.as_view(), name="enterprise_template"),
]
from yingji.registry import urls_sources  # noqa: E402

urlpatterns += urls_sources.urlpatterns

from yingji.registry import urls_custodians  # noqa: E402

urlpatterns += urls_custodians.urlpatterns
