from django.urls import include, path

app_name = "incidents"

urlpatterns = [
    path("", include("yingji.incidents.urls_incidents")),  # intake, grading, investigations
    path("", include("yingji.incidents.urls_reports")),  # disaster reports 初报/续报/核报
    path("", include("yingji.incidents.urls_response")),  # response, dispatch, timeline
]
