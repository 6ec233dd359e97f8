from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_criteria(sender, **kwargs):
    """The shipped 判定标准 criteria after every `migrate` and database flush (migration 0002 loads them
    once; a flush, as tests with a live server do, would otherwise leave the table empty)."""
    from yingji.hazards.models import HazardCriterion
    from yingji.hazards.rules import shipped_criteria

    existing = set(HazardCriterion.objects.values_list("code", flat=True))
    HazardCriterion.objects.bulk_create(
        HazardCriterion(
            code=c.code, standard=c.standard, number=c.number, short=c.short, text=c.text, source=c.source
        )
        for c in shipped_criteria()
        if c.code not in existing
    )


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
        post_migrate.connect(_load_criteria, sender=self, dispatch_uid="hazards_criteria")
