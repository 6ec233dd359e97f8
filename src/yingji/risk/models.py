"""Risk units and points of an enterprise, their assessment and control measures, and the per-bureau
level mapping of each assessment method. The grading itself lives in rules.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.registry.validators import validate_phone
from yingji.risk import rules
from yingji.risk.rules import Level, Method


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
