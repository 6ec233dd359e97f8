from django.urls import path

from yingji.alerts import views_notices as views

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("add/", views.NoticeAddView.as_view(), name="notice_add"),
    path("<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path(
        "<int:pk>/feedback/", views.NoticeFeedbackView.as_view(), name="notice_feedback"
    ),  # POST recipient=<id>
]
