from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from yingji.core import audit
        from yingji.incidents import escalation_actions, models

        for model in (
            models.Incident,
            models.ReportDuty,
            models.Investigation,
            models.ResponsibleUnit,
            models.CorrectiveMeasure,
            models.ReviewTask,
            models.Response,
            models.Assignment,
            models.Dispatch,
            models.SupplyRequest,
            models.DisasterEvent,
            models.DisasterReport,
            models.ReportVersion,
        ):
            audit.register(model)
        escalation_actions.register()
