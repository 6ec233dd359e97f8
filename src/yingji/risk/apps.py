from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "yingji.risk"
    label = "risk"
    verbose_name = _("Risk grading")

    def ready(self):
        from yingji.core import audit
        from yingji.risk.models import ControlMeasure, Post, RiskMethodConfig, RiskPoint, RiskUnit

        audit.register(RiskUnit, exclude=["updated_at"])
        audit.register(RiskPoint, exclude=["updated_at"])
        audit.register(ControlMeasure, exclude=["updated_at"])
        audit.register(RiskMethodConfig, exclude=["updated_at"])
        audit.register(Post, exclude=["updated_at"])
