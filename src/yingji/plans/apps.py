from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "yingji.plans"
    label = "plans"
    verbose_name = _("Emergency plans and drills")

    def ready(self) -> None:
        from yingji.core import audit
        from yingji.plans import models

        audit.register(models.EmergencyPlan, exclude=["updated_at"])
        audit.register(models.PlanAttachment, exclude=["file"])
        for model in (
            models.PlanLevel,
            models.PlanTask,
            models.PlanContact,
            models.PlanStep,
            models.Drill,
            models.DrillProblem,
        ):
            audit.register(model)
