"""The JSON API under /api/v1/, assembled from the apps' routers (OpenAPI at /api/v1/docs)."""

from ninja import NinjaAPI

from yingji.accounts.api import BearerAuth
from yingji.accounts.api import router as accounts_router
from yingji.alerts.api import router as alerts_router
from yingji.alerts.api_calls import router as alert_calls_router
from yingji.alerts.api_rosters import router as alert_rosters_router
from yingji.alerts.api_warnings import router as warnings_router
from yingji.core.api import ActiveSessionAuth, install_error_handlers
from yingji.core.api_divisions import router as divisions_router
from yingji.dashboard.api_map import router as map_router
from yingji.hazards.api import router as hazards_router
from yingji.hazards.api_ledger import router as ledger_router
from yingji.hazards.api_reports import router as public_reports_router
from yingji.hazards.api_selfcheck import router as selfcheck_router
from yingji.incidents.api import router as incidents_router
from yingji.incidents.api_reports import router as disaster_reports_router
from yingji.incidents.api_response import router as response_router
from yingji.inspections.api_enforcement import router as enforcement_router
from yingji.inspections.api_inspections import router as inspections_router
from yingji.inspections.api_plans import router as inspection_plans_router
from yingji.messaging.api import router as messaging_router
from yingji.monitoring.api import router as monitoring_router
from yingji.monitoring.api_external import router as monitoring_external_router
from yingji.monitoring.api_ingest import router as monitoring_ingest_router
from yingji.monitoring.api_supervision import router as supervision_router
from yingji.plans.api import router as plans_router
from yingji.registry.api import router as registry_router
from yingji.registry.api_custodians import router as custodian_duties_router
from yingji.registry.api_sources import router as sources_router
from yingji.registry.api_tabular import router as registry_tabular_router
from yingji.resources.api import router as resources_router
from yingji.risk.api import router as risk_router

api = NinjaAPI(
    title="Yingji API",
    version="1",
    urls_namespace="api",
    description=(
        "Yingji emergency-management platform. Authenticate with a browser session or "
        "`Authorization: Bearer <token>` (create one with `yingji token create USERNAME`). "
        'Every error is `{"code": ..., "message": ..., "fields": {...}}`.'
    ),
    auth=[BearerAuth(), ActiveSessionAuth()],
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/divisions", divisions_router)
api.add_router("/enterprises", registry_tabular_router)  # before: /import, /export are not ids
api.add_router("/enterprises", registry_router)
api.add_router("/inbox", messaging_router)
api.add_router("/hazards", hazards_router)
api.add_router("/ledger", ledger_router)
api.add_router("/self-checks", selfcheck_router)
api.add_router("/public-reports", public_reports_router)
api.add_router("/risk", risk_router)
api.add_router("/alerts/calls", alert_calls_router)  # 叫应; before /alerts
api.add_router("/alerts/rosters", alert_rosters_router)  # 临灾转移; before /alerts
api.add_router("/alerts", alerts_router)
api.add_router("/alerts/warnings", warnings_router)
api.add_router("/monitoring/ingest", monitoring_ingest_router)
api.add_router("/monitoring/external-alarms", monitoring_external_router)
api.add_router("/monitoring/supervision", supervision_router)  # 非现场执法; before /monitoring
api.add_router("/monitoring", monitoring_router)
api.add_router("/sources", sources_router)
api.add_router("/custodian-duties", custodian_duties_router)
api.add_router("/inspections", inspections_router)  # checklists, inspections, QR check-ins
api.add_router("/enforcement", enforcement_router)  # orders, re-inspections, penalties, documents
api.add_router("/inspection-plans", inspection_plans_router)  # annual plans, random draws, coverage
api.add_router("/resources", resources_router)
api.add_router("/incidents/response", response_router)  # before /incidents
api.add_router("/incidents", incidents_router)
api.add_router("/disaster-reports", disaster_reports_router)
api.add_router("/plans", plans_router)
api.add_router("/map", map_router)  # the one map's layers
