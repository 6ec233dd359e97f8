"""The public report page (有奖举报), mounted at /report/ under the `public` namespace: no login."""

from django.urls import path

from yingji.hazards import views_public

urlpatterns = [
    path("", views_public.report_form, name="report_form"),
    path("done/", views_public.report_done, name="report_done"),
    path("track/", views_public.report_track, name="report_track"),
    path("notices/", views_public.notices, name="notices"),
    path("villages.json", views_public.report_villages, name="report_villages"),
]
