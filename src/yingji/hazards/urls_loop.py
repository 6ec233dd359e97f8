"""The closed loop's pages: list, export, report, detail, actions and photos."""

from django.urls import path

from yingji.hazards import views

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard_list"),
    path("add/", views.HazardAddView.as_view(), name="hazard_add"),
    path("export/", views.HazardExportView.as_view(), name="hazard_export"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/actions/<str:action>/", views.HazardActionView.as_view(), name="hazard_action"),
    path("<int:pk>/photos/<int:photo_id>/", views.HazardPhotoView.as_view(), name="hazard_photo"),
]
