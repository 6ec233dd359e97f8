from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "yingji.alerts"
    label = "alerts"
    verbose_name = _("Warnings")

    def ready(self):
        from yingji.alerts import (
            checks,  # noqa: F401 - registers the startup checks
            services_notices,
        )
        from yingji.alerts.models import Warning, WarningArea
        from yingji.core import audit

        audit.register(Warning, exclude=["updated_at", "original_xml"])
        audit.register(WarningArea)
        services_notices.register()  # what the escalation ladder does to a 预警提示单
        from yingji.alerts import services_rosters

        services_rosters.register()  # audit of rosters and rounds; custodians as call targets
