from django.urls import include, path

from yingji.alerts import views

app_name = "alerts"

urlpatterns = [
    path("cap/upload/", views.CapUploadView.as_view(), name="warning_import"),
    path("warnings/", include("yingji.alerts.urls_warnings")),  # list, detail, form, actions, broadcast
    path("notices/", include("yingji.alerts.urls_notices")),  # 预警提示单
    path("rosters/", include("yingji.alerts.urls_rosters")),  # 临灾转移: rosters, triggers, rounds
    path("", include("yingji.alerts.urls_calls")),  # 叫应: board, acknowledgement, call lists
]
