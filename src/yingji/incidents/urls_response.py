from django.urls import path

from yingji.incidents import views_response as views

urlpatterns: list = [
    path("responses/", views.ResponseListView.as_view(), name="response_list"),
    path("<int:pk>/respond/", views.IncidentRespondView.as_view(), name="incident_respond"),
    path("responses/<int:pk>/", views.ResponseDetailView.as_view(), name="response_detail"),
    path("responses/<int:pk>/dispatch/", views.ResponseDispatchView.as_view(), name="response_dispatch"),
    path("responses/<int:pk>/supply/", views.ResponseSupplyView.as_view(), name="response_supply"),
    path("responses/<int:pk>/shelter/", views.ResponseShelterView.as_view(), name="response_shelter"),
    path("responses/<int:pk>/close/", views.ResponseCloseView.as_view(), name="response_close"),
    path("dispatches/<int:pk>/status/", views.DispatchStatusView.as_view(), name="dispatch_status"),
    path("assignments/<int:pk>/done/", views.AssignmentDoneView.as_view(), name="assignment_done"),
]
