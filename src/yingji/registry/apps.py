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
