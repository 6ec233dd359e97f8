from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = _("Online monitoring")

    def ready(self):
        from yingji.core import audit
        from yingji.monitoring import (
            checks,  # noqa: F401 - registers the startup checks
            escalation_actions,
        )
        from yingji.monitoring.models import Device, DustCheckin, DustSchedule, Point, RollCall, VideoCheck

        audit.register(Device, exclude=["is_online", "last_seen_at", "offline_since", "token_hash"])
        audit.register(Point, exclude=["last_value", "last_ts"])
        escalation_actions.register()
        # Online supervision: roll-call targets are written in bulk and answered by conditional UPDATEs
        # (the answer's time, method and user stay on the target row), so only these go through signals.
        for model in (RollCall, VideoCheck, DustSchedule, DustCheckin):
            audit.register(model)
