"""Enforcement plans, classification, random draws, conflicts of interest, coverage and statistics
(included by inspections/urls.py under the `inspections` namespace)."""

from django.urls import path

from yingji.inspections import views_plans as views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="inspectionplan_list"),
    path("plans/add/", views.PlanAddView.as_view(), name="inspectionplan_add"),
    path("plans/classification/", views.ClassificationView.as_view(), name="plan_classification"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="inspectionplan_detail"),
    path("plans/<int:pk>/publish/", views.PlanPublishView.as_view(), name="inspectionplan_publish"),
    path("plans/<int:pk>/entries/add/", views.PlanEntryAddView.as_view(), name="planentry_add"),
    path("plans/<int:pk>/groups/add/", views.PlanGroupAddView.as_view(), name="inspectorgroup_add"),
    path("plans/entries/<int:pk>/edit/", views.PlanEntryEditView.as_view(), name="planentry_edit"),
    path("plans/entries/<int:pk>/delete/", views.PlanEntryDeleteView.as_view(), name="planentry_delete"),
    path("draws/", views.DrawListView.as_view(), name="randomdraw_list"),
    path("draws/add/", views.DrawAddView.as_view(), name="randomdraw_add"),
    path("draws/<int:pk>/", views.DrawDetailView.as_view(), name="randomdraw_detail"),
    path("draws/<int:pk>/publish/", views.DrawPublishView.as_view(), name="randomdraw_publish"),
    path("draws/<int:pk>/public/", views.DrawPublicView.as_view(), name="randomdraw_public"),
    path("conflicts/", views.ConflictListView.as_view(), name="conflictofinterest_list"),
    path("conflicts/add/", views.ConflictAddView.as_view(), name="conflictofinterest_add"),
    path("conflicts/<int:pk>/delete/", views.ConflictDeleteView.as_view(), name="conflictofinterest_delete"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("statistics/", views.StatisticsView.as_view(), name="enforcement_statistics"),
    path("statistics/export/", views.StatisticsExportView.as_view(), name="enforcement_statistics_export"),
]
