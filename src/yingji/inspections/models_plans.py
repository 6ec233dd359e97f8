"""Annual enforcement plans (年度执法计划), random draws (双随机) and the inspection counters behind
coverage (执法清零) and the enforcement statistics.

- `ClassificationConfig`: per division, which factors make an enterprise key (重点) and how often each
  class is inspected; the nearest config up the division tree applies, else the shipped defaults.
- `InspectionPlan` (per division and year, draft → published) with `InspectorGroup`s (≥ 2 inspectors)
  and `PlanEntry` rows (an enterprise, a month, a group, its class and the reasons).
- `ConflictOfInterest`: a declared conflict between an inspector and an enterprise.
- `RandomDraw` + `DrawResult`: a reproducible draw (seed, pool definition, snapshots of the candidate
  enterprise ids, the inspector ids and the excluded pairs, who drew and when) and its result.
- Counters (kept by `rollup_plans` from signals on inspections and findings, in the same transaction):
  `EnterpriseInspectionMonth` (per enterprise and month: finished inspections, findings, major
  findings), `InspectionStatMonth` (their sums per month, town and industry) and
  `EnterpriseInspectionYear` (per enterprise and year, a bitmask of the months with a finished
  inspection: coverage reads it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = [
    "EnterpriseClass",
    "ClassificationConfig",
    "PlanStatus",
    "InspectionPlan",
    "InspectorGroup",
    "PlanEntry",
    "ConflictOfInterest",
    "DrawStatus",
    "RandomDraw",
    "DrawResult",
    "EnterpriseInspectionMonth",
    "InspectionStatMonth",
    "EnterpriseInspectionYear",
]

# Factors a config may count, with their defaults (see rules_plans.classify).
DEFAULT_KEY_FLAGS = [
    "hazchem_production",
    "hazchem_business",
    "hazchem_use",
    "major_hazard_source",
    "key_process",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "metallurgy",
    "metal_smelting",
]
DEFAULT_KEY_RISK_LEVELS = ["major", "significant"]


def _default_flags() -> list[str]:
    return list(DEFAULT_KEY_FLAGS)


def _default_risk_levels() -> list[str]:
    return list(DEFAULT_KEY_RISK_LEVELS)


class EnterpriseClass(models.TextChoices):
    KEY = "key", _("Key (重点)")
    GENERAL = "general", _("General (一般)")


class ClassificationConfig(models.Model):
    division = models.OneToOneField(
        "core.Division", verbose_name=_("division"), on_delete=models.CASCADE, related_name="+"
    )
    flags = models.JSONField(
        _("supervision flags that make an enterprise key"), default=_default_flags, blank=True
    )
    risk_levels = models.JSONField(
        _("risk levels that make an enterprise key"), default=_default_risk_levels, blank=True
    )
    industries = models.JSONField(
        _("industry code prefixes that make an enterprise key"), default=list, blank=True
    )
    open_major_hazards = models.PositiveSmallIntegerField(
        _("open major hidden dangers from (0 = not counted)"), default=1
    )
    findings_last_year = models.PositiveSmallIntegerField(
        _("findings last year from (0 = not counted)"), default=5
    )
    key_per_year = models.PositiveSmallIntegerField(
        _("inspections per year of a key enterprise"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    general_per_year = models.PositiveSmallIntegerField(
        _("inspections per year of a general enterprise"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    general_share = models.PositiveSmallIntegerField(
        _("share of general enterprises inspected (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        verbose_name = _("classification config")
        verbose_name_plural = _("classification configs")

    def __str__(self) -> str:
        return f"{self.division_id}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class InspectionPlan(models.Model):
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-year", "division"]
        verbose_name = _("enforcement plan")
        verbose_name_plural = _("enforcement plans")
        constraints = [models.UniqueConstraint(fields=["division", "year"], name="insp_plan_division_year")]

    def __str__(self) -> str:
        return self.title


class InspectorGroup(models.Model):
    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division")

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("inspector group")
        verbose_name_plural = _("inspector groups")

    def __str__(self) -> str:
        return self.name


class PlanEntry(models.Model):
    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="entries"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    group = models.ForeignKey(
        InspectorGroup,
        verbose_name=_("inspector group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
    )
    enterprise_class = models.CharField(_("class"), max_length=10, choices=EnterpriseClass.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division", enterprise="enterprise")

    class Meta:
        ordering = ["plan", "month", "id"]
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise", "month"], name="insp_plan_entry_once"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="insp_plan_month"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.enterprise_id} {self.month}"


class ConflictOfInterest(models.Model):
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["inspector", "enterprise"], name="insp_conflict_once")]

    def __str__(self) -> str:
        return f"{self.inspector_id} × {self.enterprise_id}"


class DrawStatus(models.TextChoices):
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Published")


class RandomDraw(models.Model):
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.DRAWN
    )
    seed = models.BigIntegerField(_("seed"))
    pool = models.JSONField(_("pool definition"), default=dict)
    candidate_ids = models.JSONField(_("candidate enterprises"), default=list)
    inspector_ids = models.JSONField(_("candidate inspectors"), default=list)
    exclusions = models.JSONField(_("excluded inspector-enterprise pairs"), default=list)
    count = models.PositiveIntegerField(_("enterprises to draw"))
    per_enterprise = models.PositiveSmallIntegerField(
        _("inspectors per enterprise"), default=2, validators=[MinValueValidator(2)]
    )
    exclude_previous = models.BooleanField(_("exclude the inspectors of the previous draw"), default=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")

    def __str__(self) -> str:
        return self.title


class DrawResult(models.Model):
    draw = models.ForeignKey(
        RandomDraw, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="results"
    )
    position = models.PositiveIntegerField(_("position"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="draw__division", enterprise="enterprise")

    class Meta:
        ordering = ["draw", "position"]
        verbose_name = _("draw result")
        verbose_name_plural = _("draw results")
        constraints = [models.UniqueConstraint(fields=["draw", "enterprise"], name="insp_draw_result_once")]

    def __str__(self) -> str:
        return f"{self.draw_id} #{self.position}"


# -- counters ---------------------------------------------------------------------------------------


class EnterpriseInspectionMonth(models.Model):
    """One enterprise's month (local time): finished inspections (by `finished_at`) and their findings,
    rectification orders issued, penalties decided (count and fines) and suspensions started."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))  # the first day
    division = models.CharField(_("division"), max_length=12)  # the enterprise's, when counted
    industry = models.CharField(_("industry"), max_length=2, blank=True)
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    major_findings = models.PositiveIntegerField(_("major findings"), default=0)
    orders = models.PositiveIntegerField(_("rectification orders"), default=0)
    penalties = models.PositiveIntegerField(_("penalties decided"), default=0)
    penalty_amount = models.DecimalField(_("fines (yuan)"), max_digits=14, decimal_places=2, default=0)
    suspensions = models.PositiveIntegerField(_("suspensions"), default=0)

    class Meta:
        verbose_name = _("inspections of an enterprise in a month")
        verbose_name_plural = _("inspections of enterprises per month")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="insp_ent_month_key"),
        ]
        indexes = [models.Index(fields=["division", "month"], name="insp_ent_month_div_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.month}"


class InspectionStatMonth(models.Model):
    """Sums of `EnterpriseInspectionMonth` per month, town and industry (2 digits)."""

    month = models.DateField(_("month"))
    town = models.CharField(_("town"), max_length=12)  # the first 9 digits of the division, zero-padded
    industry = models.CharField(_("industry"), max_length=2, blank=True)
    inspections = models.IntegerField(_("inspections"), default=0)
    findings = models.IntegerField(_("findings"), default=0)
    major_findings = models.IntegerField(_("major findings"), default=0)
    orders = models.IntegerField(_("rectification orders"), default=0)
    penalties = models.IntegerField(_("penalties decided"), default=0)
    penalty_amount = models.DecimalField(_("fines (yuan)"), max_digits=16, decimal_places=2, default=0)
    suspensions = models.IntegerField(_("suspensions"), default=0)

    class Meta:
        verbose_name = _("inspection statistic")
        verbose_name_plural = _("inspection statistics")
        permissions = [("export_inspectionstatmonth", _("Can export the enforcement statistics"))]
        constraints = [
            models.UniqueConstraint(fields=["month", "town", "industry"], name="insp_stat_month_key"),
        ]
        indexes = [
            models.Index(
                fields=[
                    "month",
                    "town",
                    "industry",
                    "inspections",
                    "findings",
                    "major_findings",
                    "orders",
                    "penalties",
                    "penalty_amount",
                    "suspensions",
                ],
                name="insp_stat_month_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.town} {self.industry}"


class EnterpriseInspectionYear(models.Model):
    """Which months of a year an enterprise had a finished inspection: bit (month - 1) of `months`."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    months = models.PositiveIntegerField(_("months inspected (bitmask)"), default=0)
    # The enterprise's town and industry (2 digits), kept with the counters: coverage counts a county
    # from this table's covering index alone, without a pass over the enterprises.
    town = models.CharField(_("town"), max_length=12, default="")
    industry = models.CharField(_("industry"), max_length=2, blank=True, default="")

    class Meta:
        verbose_name = _("inspected months of an enterprise")
        verbose_name_plural = _("inspected months of enterprises")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="insp_ent_year_key")]
        indexes = [
            models.Index(fields=["year", "months", "enterprise"], name="insp_ent_year_cover_idx"),
            models.Index(fields=["year", "town", "industry", "months"], name="insp_ent_year_town_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


# The counters follow every change of an inspection, a finding, an order, a penalty or a suspension, in
# the same transaction (each of those has `enterprise_id`, a finding through its inspection).
def _inspection_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from yingji.inspections import rollup_plans

    rollup_plans.refresh_enterprise(instance.enterprise_id)


def _finding_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= {"hazard"}):
        return  # a finding linked to its hazard counts the same
    from yingji.inspections import rollup_plans

    rollup_plans.refresh_for_inspection(instance.inspection_id)


post_save.connect(
    _inspection_changed, sender="inspections.Inspection", dispatch_uid="insp_plan_counters_save"
)
post_delete.connect(
    _inspection_changed, sender="inspections.Inspection", dispatch_uid="insp_plan_counters_delete"
)
post_save.connect(_finding_changed, sender="inspections.Finding", dispatch_uid="insp_plan_finding_save")
post_delete.connect(_finding_changed, sender="inspections.Finding", dispatch_uid="insp_plan_finding_delete")
for _model in ("RectificationOrder", "PenaltyCase", "Suspension"):
    post_save.connect(
        _inspection_changed, sender=f"inspections.{_model}", dispatch_uid=f"insp_plan_{_model}_save"
    )
    post_delete.connect(
        _inspection_changed, sender=f"inspections.{_model}", dispatch_uid=f"insp_plan_{_model}_delete"
    )
