from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "yingji.registry"
    label = "registry"
    verbose_name = _("Enterprise registry")

    def ready(self):
        from yingji.core import audit
        from yingji.registry.models import Enterprise

        audit.register(Enterprise, exclude=["updated_at"])

        from yingji.registry import escalation_actions
        from yingji.registry.models_sources import Custodian, DutySchedule, MajorHazardSource, SourceChemical

        audit.register(MajorHazardSource, exclude=["updated_at", "assessed_at", "assessment"])
        audit.register(SourceChemical)
        audit.register(Custodian)
        audit.register(DutySchedule)
        escalation_actions.register()
