"""The bureau's queue of public reports (有奖举报), under /hazards/public-reports/ (namespace `hazards`)."""

from django.urls import path

from yingji.hazards import views_reports as views

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:pk>/accept/", views.ReportAcceptView.as_view(), name="report_accept"),
    path("<int:pk>/dismiss/", views.ReportDismissView.as_view(), name="report_dismiss"),
    path("<int:pk>/reward/", views.ReportRewardView.as_view(), name="report_reward"),
    path("photos/<int:pk>/", views.ReportPhotoView.as_view(), name="report_photo"),
]
