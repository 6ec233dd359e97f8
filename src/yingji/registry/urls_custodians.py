"""Custodian pages (包保责任制), included from registry/urls.py."""

from django.urls import path

from yingji.registry import views_custodians as views

urlpatterns = [
    path("sources/<int:pk>/custodians/", views.SourceCustodiansView.as_view(), name="source_custodians"),
    path("sources/<int:pk>/placard/", views.SourcePlacardView.as_view(), name="source_placard"),
    path("duties/", views.DutyListView.as_view(), name="duty_list"),
    path("duties/<int:pk>/", views.DutyDetailView.as_view(), name="duty_detail"),
    path("duties/<int:pk>/complete/", views.DutyCompleteView.as_view(), name="duty_complete"),
    path("duties/<int:pk>/photos/<int:evidence_id>/", views.DutyPhotoView.as_view(), name="duty_photo"),
]
