"""The JSON API under /api/v1/, assembled from the apps' routers (OpenAPI at /api/v1/docs)."""

from ninja import NinjaAPI

from yingji.accounts.api import BearerAuth
from yingji.accounts.api import router as accounts_router
from yingji.core.api import ActiveSessionAuth, install_error_handlers
from yingji.core.api_divisions import router as divisions_router
from yingji.hazards.api import router as hazards_router
from yingji.hazards.api_ledger import router as ledger_router
from yingji.hazards.api_reports import router as public_reports_router
from yingji.hazards.api_selfcheck import router as selfcheck_router
from yingji.messaging.api import router as messaging_router
from yingji.registry.api import router as registry_router
from yingji.registry.api_tabular import router as registry_tabular_router
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
