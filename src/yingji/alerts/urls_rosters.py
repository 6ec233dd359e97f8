"""Evacuation rosters (临灾转移) under /alerts/rosters/: people, triggers, transfer rounds."""

from django.urls import path

from yingji.alerts import views_rosters as views

urlpatterns = [
    path("", views.EvacueeListView.as_view(), name="evacuee_list"),
    path("add/", views.EvacueeEditView.as_view(), name="evacuee_add"),
    path("import/", views.EvacueeImportView.as_view(), name="evacuee_import"),
    path("export/", views.EvacueeExportView.as_view(), name="evacuee_export"),
    path("template/", views.EvacueeTemplateView.as_view(), name="evacuee_template"),
    path("<int:pk>/", views.EvacueeDetailView.as_view(), name="evacuee_detail"),
    path("<int:pk>/edit/", views.EvacueeEditView.as_view(), name="evacuee_edit"),
    path("<int:pk>/delete/", views.EvacueeDeleteView.as_view(), name="evacuee_delete"),
    path("<int:pk>/phones/", views.EvacueeRevealView.as_view(), name="evacuee_reveal"),
    path("triggers/", views.TriggerListView.as_view(), name="roundtrigger_list"),
    path("triggers/add/", views.TriggerEditView.as_view(), name="roundtrigger_add"),
    path("triggers/<int:pk>/edit/", views.TriggerEditView.as_view(), name="roundtrigger_edit"),
    path("triggers/<int:pk>/delete/", views.TriggerDeleteView.as_view(), name="roundtrigger_delete"),
    path("rounds/", views.RoundListView.as_view(), name="transferround_list"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="transferround_detail"),
    path("rounds/<int:pk>/close/", views.RoundCloseView.as_view(), name="transferround_close"),
    path("rounds/start/<int:warning_pk>/", views.RoundStartView.as_view(), name="transferround_start"),
    path(
        "rounds/warning/<int:warning_pk>/",
        views.WarningRoundsView.as_view(),
        name="transferround_for_warning",
    ),
    path("marks/<int:pk>/", views.MarkView.as_view(), name="transferstatus_mark"),
]
