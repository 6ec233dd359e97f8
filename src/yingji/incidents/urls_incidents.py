from django.urls import path

from yingji.incidents import views_incidents as views

urlpatterns: list = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("add/", views.IncidentAddView.as_view(), name="incident_add"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/numbers/", views.IncidentNumbersView.as_view(), name="incident_numbers"),
    path("<int:pk>/timeline/", views.IncidentTimelineView.as_view(), name="incident_timeline"),
    path("<int:pk>/sitrep.docx", views.IncidentSitrepView.as_view(), name="incident_sitrep"),
    path("<int:pk>/sitrep/", views.IncidentSitrepPrintView.as_view(), name="incident_sitrep_print"),
    path("<int:pk>/investigation/", views.IncidentInvestigationView.as_view(), name="incident_investigation"),
    path("duties/<int:pk>/done/", views.ReportDutyCompleteView.as_view(), name="reportduty_done"),
    path("reviews/<int:pk>/done/", views.ReviewTaskDoneView.as_view(), name="reviewtask_done"),
]
