from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = _("Hidden dangers")

    def ready(self):
        from yingji.core import audit
        from yingji.hazards.models import CheckPlan, CheckPlanItem, Hazard, PublicReport, Supervision

        audit.register(Hazard, exclude=["updated_at"])
        audit.register(Supervision)
        audit.register(CheckPlan, exclude=["updated_at"])
        audit.register(CheckPlanItem)
        audit.register(PublicReport, exclude=["reporter_phone", "reporter_name", "client_key"])

        from yingji.hazards.escalation_actions import register as register_escalation_actions

        register_escalation_actions()
