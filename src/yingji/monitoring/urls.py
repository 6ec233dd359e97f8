from django.urls import include, path

from yingji.monitoring import views, views_alarms, views_overview

app_name = "monitoring"

urlpatterns = [
    path("", views_overview.OverviewView.as_view(), name="overview"),
    path("sources/<int:source_pk>/", views_overview.SourceMonitoringView.as_view(), name="source_detail"),
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/add/", views.DeviceEditView.as_view(), name="device_add"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/edit/", views.DeviceEditView.as_view(), name="device_edit"),
    path("devices/<int:pk>/token/", views.DeviceTokenView.as_view(), name="device_token"),
    path("devices/<int:pk>/delete/", views.DeviceDeleteView.as_view(), name="device_delete"),
    path("devices/<int:device_pk>/points/add/", views.PointEditView.as_view(), name="point_add"),
    path("points/", views.PointListView.as_view(), name="point_list"),
    path("points/<int:pk>/", views_overview.PointTrendView.as_view(), name="point_detail"),
    path("points/<int:pk>/edit/", views.PointEditView.as_view(), name="point_edit"),
    path("points/<int:pk>/delete/", views.PointDeleteView.as_view(), name="point_delete"),
    path("alarms/", views_alarms.AlarmConsoleView.as_view(), name="alarm_list"),
    path("alarms/<int:pk>/", views_alarms.AlarmDetailView.as_view(), name="alarm_detail"),
    path("alarms/<int:pk>/<str:action>/", views_alarms.AlarmActionView.as_view(), name="alarm_action"),
    path("quality/", views_alarms.AlarmQualityView.as_view(), name="quality"),
    path("supervision/", include("yingji.monitoring.urls_supervision")),  # 非现场执法
]
