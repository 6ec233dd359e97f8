"""Self-check pages (日周月排查), under /hazards/self-checks/ in the `hazards` namespace."""

from django.urls import path

from yingji.hazards import views_selfcheck as views

urlpatterns = [
    path("", views.CheckPlanListView.as_view(), name="checkplan_list"),
    path("add/", views.CheckPlanEditView.as_view(), name="checkplan_add"),
    path("<int:pk>/", views.CheckPlanDetailView.as_view(), name="checkplan_detail"),
    path("<int:pk>/edit/", views.CheckPlanEditView.as_view(), name="checkplan_edit"),
    path("<int:pk>/deactivate/", views.CheckPlanDeactivateView.as_view(), name="checkplan_deactivate"),
    path("tasks/", views.CheckTaskListView.as_view(), name="checktask_list"),
    path("tasks/<int:pk>/", views.CheckTaskDetailView.as_view(), name="checktask_detail"),
    path("tasks/<int:pk>/complete/", views.CheckTaskCompleteView.as_view(), name="checktask_complete"),
    path("results/<int:pk>/hazard/", views.CheckResultHazardView.as_view(), name="checkresult_hazard"),
]
