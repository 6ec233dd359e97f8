from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_catalogue(sender, **kwargs):
    """Ship the supply catalogue: after `migrate`, add the categories and items that are missing."""
    from yingji.resources import services

    services.load_catalogue()


class ResourcesConfig(AppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = _("Emergency resources")

    def ready(self):
        from yingji.core import audit
        from yingji.resources import models

        audit.register(models.Team, exclude=["updated_at", "status_changed_at"])
        audit.register(models.TeamMember)
        audit.register(models.Warehouse, exclude=["updated_at", "alerted_on"])
        audit.register(models.SupplyCategory)
        audit.register(models.SupplyItem)
        audit.register(models.Shelter, exclude=["updated_at", "occupancy_updated_at"])
        audit.register(models.Expert, exclude=["updated_at"])
        audit.register(models.Equipment, exclude=["updated_at"])
        post_migrate.connect(_load_catalogue, sender=self, dispatch_uid="resources_catalogue")
