"""Emergency plans (预案), digital plans and drills (演练)."""

from django.urls import path

from yingji.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="emergencyplan_list"),
    path("add/", views.PlanEditView.as_view(), name="emergencyplan_add"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="emergencyplan_detail"),
    path("<int:pk>/edit/", views.PlanEditView.as_view(), name="emergencyplan_edit"),
    path("<int:pk>/delete/", views.PlanDeleteView.as_view(), name="emergencyplan_delete"),
    path("<int:pk>/card/", views.PlanCardView.as_view(), name="emergencyplan_card"),
    path("<int:pk>/levels/", views.PlanPartView.as_view(part="level"), name="emergencyplan_level_add"),
    path("<int:pk>/tasks/", views.PlanPartView.as_view(part="task"), name="emergencyplan_task_add"),
    path("<int:pk>/contacts/", views.PlanPartView.as_view(part="contact"), name="emergencyplan_contact_add"),
    path("<int:pk>/steps/", views.PlanPartView.as_view(part="step"), name="emergencyplan_step_add"),
    path(
        "<int:pk>/attachments/",
        views.PlanPartView.as_view(part="attachment"),
        name="emergencyplan_attachment_add",
    ),
    path("<int:pk>/review/", views.PlanPartView.as_view(part="review"), name="emergencyplan_review"),
    path("levels/<int:pk>/delete/", views.LevelDeleteView.as_view(), name="planlevel_delete"),
    path("tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="plantask_delete"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="plancontact_delete"),
    path("steps/<int:pk>/delete/", views.StepDeleteView.as_view(), name="planstep_delete"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="planattachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="planattachment_delete"),
    path("drills/", views.DrillListView.as_view(), name="drill_list"),
    path("drills/add/", views.DrillEditView.as_view(), name="drill_add"),
    path("drills/<int:pk>/", views.DrillDetailView.as_view(), name="drill_detail"),
    path("drills/<int:pk>/edit/", views.DrillEditView.as_view(), name="drill_edit"),
    path("drills/<int:pk>/delete/", views.DrillDeleteView.as_view(), name="drill_delete"),
    path("drills/<int:pk>/problems/", views.DrillProblemAddView.as_view(), name="drill_problem_add"),
    path("drills/problems/<int:pk>/hazard/", views.ProblemHazardView.as_view(), name="drillproblem_hazard"),
]
