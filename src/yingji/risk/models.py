"""Risk units and points of an enterprise, their assessment and control measures, and the per-bureau
level mapping of each assessment method. The grading itself lives in rules.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.registry.validators import validate_phone
from yingji.risk import rules
from yingji.risk.rules import Level, Method

# Tabler colour classes of the four levels (red/orange/yellow/blue).
BADGE_CLASSES = {
    "major": "bg-red text-red-fg",
    "significant": "bg-orange text-orange-fg",
    "general": "bg-yellow text-yellow-fg",
    "low": "bg-blue text-blue-fg",
}


def level_badge(level: str) -> str:
    """A coloured badge for a level ("" when there is none), for tables and templates."""
    if not level:
        return ""
    return format_html(
        '<span class="badge {} yj-risk-{}">{}</span>', BADGE_CLASSES[str(level)], level, Level(level).label
    )


class PointKind(models.TextChoices):
    ACTIVITY = "activity", _("Work activity")
    EQUIPMENT = "equipment", _("Equipment or facility")
    PLACE = "place", _("Place")


class MeasureType(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering and technical")
    MANAGEMENT = "management", _("Management")
    TRAINING = "training", _("Training and education")
    PPE = "ppe", _("Personal protection")
    EMERGENCY = "emergency", _("Emergency response")


class ControlLevel(models.TextChoices):
    COMPANY = "company", _("Company")
    WORKSHOP = "workshop", _("Workshop")
    TEAM = "team", _("Team")
    POST = "post", _("Post")


class RiskUnit(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="risk_units",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise", "name", "id"]
        verbose_name = _("risk unit")
        verbose_name_plural = _("risk units")

    def __str__(self) -> str:
        return self.name


class RiskPoint(models.Model):
    unit = models.ForeignKey(
        RiskUnit, verbose_name=_("risk unit"), on_delete=models.CASCADE, related_name="points"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PointKind.choices)
    hazard_factors = models.TextField(_("hazard factors"), blank=True)
    consequences = models.TextField(_("possible consequences"), blank=True)
    method = models.CharField(_("assessment method"), max_length=3, choices=Method.choices)
    lec_l = models.DecimalField(_("L (likelihood)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lec_e = models.DecimalField(_("E (exposure)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lec_c = models.DecimalField(_("C (consequence)"), max_digits=5, decimal_places=2, null=True, blank=True)
    ls_l = models.PositiveSmallIntegerField(
        _("L (likelihood, 1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    ls_s = models.PositiveSmallIntegerField(
        _("S (severity, 1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # D (LEC) or R (LS), exact: LEC scores have at most two decimals (0.1 × 0.5 × 1 = 0.05).
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2)
    level = models.CharField(_("risk level"), max_length=12, choices=Level.choices, db_index=True)
    # The level mapping that produced `level` (rules.Bands.as_json()), since bureaus may change theirs.
    mapping = models.JSONField(_("level mapping used"), default=dict)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="unit__enterprise__division", enterprise="unit__enterprise")

    class Meta:
        ordering = ["unit", "name", "id"]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return rules.colour_of(self.level)

    @property
    def level_badge(self) -> str:
        return level_badge(self.level)

    @property
    def enterprise(self):
        return self.unit.enterprise


class ControlMeasure(models.Model):
    point = models.ForeignKey(
        RiskPoint, verbose_name=_("risk point"), on_delete=models.CASCADE, related_name="measures"
    )
    measure_type = models.CharField(_("measure type"), max_length=12, choices=MeasureType.choices)
    control_level = models.CharField(_("control level"), max_length=10, choices=ControlLevel.choices)
    description = models.TextField(_("measure"))
    responsible_person = models.CharField(_("responsible person"), max_length=50)
    responsible_phone = models.CharField(
        _("responsible person's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="point__unit__enterprise__division", enterprise="point__unit__enterprise")

    class Meta:
        ordering = ["point", "measure_type", "id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return self.description[:50]


class RiskMethodConfig(models.Model):
    """A bureau's level mapping for one method; the nearest one up the division tree applies.

    `division` empty = the installation-wide default (otherwise the shipped rules.DEFAULTS apply).
    """

    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("assessment method"), max_length=3, choices=Method.choices)
    bands = models.JSONField(
        _("level bands"),
        help_text=_('Three increasing edges, e.g. {"edges": [70, 160, 320], "closed": "right"}.'),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["division", "method"]
        verbose_name = _("risk method configuration")
        verbose_name_plural = _("risk method configurations")
        constraints = [
            models.UniqueConstraint(fields=["division", "method"], name="risk_cfg_division_method_uniq"),
            models.UniqueConstraint(
                fields=["method"], condition=models.Q(division__isnull=True), name="risk_cfg_default_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_id or '*'} {self.method}"

    def clean(self) -> None:
        super().clean()
        if self.method in Method.values:
            try:
                rules.bands_from_json(self.method, self.bands)
            except rules.BandsError as error:
                raise ValidationError({"bands": str(error)}) from error

    def as_bands(self) -> rules.Bands:
        return rules.bands_from_json(self.method, self.bands)


class EnterpriseRisk(models.Model):
    """An enterprise's risk level (its highest point) and point counts per level, kept by the services
    in the same transaction as every point change, so maps and lists read it without a per-row query."""

    enterprise = models.OneToOneField(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk",
    )
    level = models.CharField(
        _("risk level"), max_length=12, choices=Level.choices, blank=True, default="", db_index=True
    )
    major = models.PositiveIntegerField(_("major"), default=0)
    significant = models.PositiveIntegerField(_("significant"), default=0)
    general = models.PositiveIntegerField(_("general"), default=0)
    low = models.PositiveIntegerField(_("low"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        verbose_name = _("enterprise risk level")
        verbose_name_plural = _("enterprise risk levels")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.level}"

    @property
    def colour(self) -> str:
        return rules.colour_of(self.level) if self.level else ""

    @property
    def level_badge(self) -> str:
        return level_badge(self.level)

    @property
    def counts(self) -> dict[str, int]:
        return {level: getattr(self, level) for level in rules.LEVELS_LOW_TO_HIGH}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Post(models.Model):
    """A post (岗位) of an enterprise: its duties, operating steps, emergency steps and the risk points
    it faces — the source of the 两单两卡 (risk list, duty list, operating card, emergency card)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="posts"
    )
    name = models.CharField(_("name"), max_length=100)
    duties = models.TextField(_("duties"), blank=True, help_text=_("One duty per line."))
    operating_steps = models.TextField(_("operating steps"), blank=True, help_text=_("One step per line."))
    emergency_steps = models.TextField(_("emergency steps"), blank=True, help_text=_("One step per line."))
    risk_points = models.ManyToManyField(
        RiskPoint, verbose_name=_("risk points"), blank=True, related_name="posts"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise", "name", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def duty_lines(self) -> list[str]:
        return self.lines(self.duties)

    @property
    def operating_lines(self) -> list[str]:
        return self.lines(self.operating_steps)

    @property
    def emergency_lines(self) -> list[str]:
        return self.lines(self.emergency_steps)
