from django.urls import path

from yingji.core import views_pages

app_name = "core"

urlpatterns = [
    path("divisions/", views_pages.DivisionListView.as_view(), name="division_list"),
    path("divisions/outlines.json", views_pages.division_outlines, name="division_outlines"),
    path("audit/", views_pages.AuditListView.as_view(), name="audit_list"),
]
