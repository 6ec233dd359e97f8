"""The hazards pages: one include per part of the job, all under the `hazards` namespace."""

from django.urls import include, path

app_name = "hazards"

urlpatterns = [
    path("", include("yingji.hazards.urls_loop")),  # the closed loop: list, detail, actions, photos
    path("", include("yingji.hazards.urls_ledger")),  # ledger (挂账销账) and statistics
    path("self-checks/", include("yingji.hazards.urls_selfcheck")),  # 日周月排查
    path("public-reports/", include("yingji.hazards.urls_reports")),  # the bureau's queue of public reports
]
