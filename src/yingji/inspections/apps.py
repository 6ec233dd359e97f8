from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yingji.inspections"
    label = "inspections"
    verbose_name = _("Inspections and enforcement")

    def ready(self):
        from yingji.core import audit
        from yingji.inspections.models_checklists import (
            ChecklistTemplate,
            Finding,
            Inspection,
            InspectionItemResult,
        )

        # Checklists, inspections and QR check-ins (CheckIn rows are themselves the record of a scan).
        audit.register(ChecklistTemplate, exclude=["updated_at"])
        audit.register(Inspection)
        audit.register(InspectionItemResult)
        audit.register(Finding)
        from yingji.inspections import services_enforcement

        services_enforcement.register()  # audit of the enforcement records; what overdue orders escalate to
