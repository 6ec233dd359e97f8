"""Disaster reports (灾情报送): events, each division's report, reviews, the xlsx."""

from django.urls import path

from yingji.incidents import views_reports as views

urlpatterns = [
    path("disasters/", views.EventListView.as_view(), name="disasterevent_list"),
    path("disasters/add/", views.EventEditView.as_view(), name="disasterevent_add"),
    path("disasters/<int:pk>/", views.EventDetailView.as_view(), name="disasterevent_detail"),
    path("disasters/<int:pk>/end/", views.EventEndView.as_view(), name="disasterevent_end"),
    path("disasters/<int:pk>/report/", views.EventReportView.as_view(), name="disasterevent_report"),
    path("disasters/<int:pk>/export/", views.EventExportView.as_view(), name="disasterevent_export"),
    path("disasters/reports/<int:pk>/", views.ReportDetailView.as_view(), name="disasterreport_detail"),
    path(
        "disasters/reports/<int:pk>/fill/",
        views.ReportActionView.as_view(action="fill"),
        name="disasterreport_fill",
    ),
    path(
        "disasters/reports/<int:pk>/submit/",
        views.ReportActionView.as_view(action="submit"),
        name="disasterreport_submit",
    ),
    path(
        "disasters/versions/<int:pk>/review/", views.VersionReviewView.as_view(), name="reportversion_review"
    ),
]
