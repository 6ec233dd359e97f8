from django.urls import include, path
from django.views.generic import RedirectView

from yingji.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("accounts/", include("yingji.accounts.urls")),
    path("enterprises/", include("yingji.registry.urls")),
    path("inbox/", include("yingji.messaging.urls")),
    path("hazards/", include("yingji.hazards.urls")),
    path("risk/", include("yingji.risk.urls")),
    path("monitoring/", include("yingji.monitoring.urls")),
    path("report/", include(("yingji.hazards.urls_public", "public"))),  # 有奖举报: no login
    path("cap/", include(("yingji.alerts.urls_public", "cap"))),  # CAP feed: no login
    path("alerts/", include("yingji.alerts.urls")),
    path("inspections/", include("yingji.inspections.urls")),
    path("incidents/", include("yingji.incidents.urls")),
    path("resources/", include("yingji.resources.urls")),
    path("plans/", include("yingji.plans.urls")),
    path("", include("yingji.dashboard.urls")),
    path("", include("yingji.core.urls")),
]
