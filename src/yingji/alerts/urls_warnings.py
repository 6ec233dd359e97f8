from django.urls import path

from yingji.alerts import views_warnings as views

urlpatterns = [
    path("", views.WarningListView.as_view(), name="warning_list"),
    path("add/", views.WarningEditView.as_view(), name="warning_add"),
    path("<int:pk>/", views.WarningDetailView.as_view(), name="warning_detail"),
    path("<int:pk>/edit/", views.WarningEditView.as_view(), name="warning_edit"),
    path("<int:pk>/broadcast/", views.WarningBroadcastView.as_view(), name="warning_broadcast"),
    # One path per action (not <action>): /alerts/warnings/<pk>/board/ belongs to the 叫应 pages.
    path("<int:pk>/approve/", views.WarningActionView.as_view(action="approve"), name="warning_approve"),
    path("<int:pk>/issue/", views.WarningActionView.as_view(action="issue"), name="warning_issue"),
    path("<int:pk>/cancel/", views.WarningActionView.as_view(action="cancel"), name="warning_cancel"),
]
