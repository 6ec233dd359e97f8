"""Major hazard sources (重大危险源) and their custodians (包保责任制).

A `MajorHazardSource` is one unit an enterprise registers: for hazardous chemicals a production or
storage unit (生产单元/储存单元) whose chemicals are identified and graded by GB 18218-2018
(`rules_gb18218`), the computation kept line by line in `assessment`; tailings ponds and mines are
registered as sources directly. Each has three custodians with periodic duties that become tasks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yingji.core.models import StoredImage
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.core.uploads import private_storage
from yingji.registry.validators import validate_latitude, validate_longitude, validate_phone

__all__ = [
    "SourceCategory",
    "UnitKind",
    "SourceStatus",
    "GRADE_LABELS",
    "MajorHazardSource",
    "SourceChemical",
    "CustodianRole",
    "Custodian",
    "DutySchedule",
    "DutyStatus",
    "DutyTask",
    "DutyEvidence",
]


class SourceCategory(models.TextChoices):
    HAZCHEM = "hazchem", _("Hazardous chemicals (GB 18218)")
    TAILINGS = "tailings", _("Tailings pond")
    MINE = "mine", _("Non-coal mine")
    OTHER = "other", _("Other")


class UnitKind(models.TextChoices):
    PRODUCTION = "production", _("Production unit")
    STORAGE = "storage", _("Storage unit")


class SourceStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    SUSPENDED = "suspended", _("Suspended")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


GRADE_LABELS = {1: _("Grade 1"), 2: _("Grade 2"), 3: _("Grade 3"), 4: _("Grade 4")}
GRADE_BADGE_CLASSES = {
    1: "bg-red text-red-fg",
    2: "bg-orange text-orange-fg",
    3: "bg-yellow text-yellow-fg",
    4: "bg-blue text-blue-fg",
}


class MajorHazardSource(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="sources"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )  # copied from the enterprise, so the scope needs no join
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("registration code"), max_length=40, blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=SourceCategory.choices, default=SourceCategory.HAZCHEM
    )
    kind = models.CharField(_("unit kind"), max_length=10, choices=UnitKind.choices, blank=True)
    exposed_population = models.PositiveIntegerField(
        _("people within 500 m"), default=0, help_text=_("Decides the correction factor α.")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    status = models.CharField(
        _("status"), max_length=15, choices=SourceStatus.choices, default=SourceStatus.IN_USE
    )
    # The GB 18218 result, recomputed by the services whenever the unit or its chemicals change.
    is_major = models.BooleanField(_("major hazard source"), default=False)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)  # 1..4, None when not major
    sum_q_over_q = models.DecimalField(_("S = Σ q/Q"), max_digits=16, decimal_places=4, null=True, blank=True)
    r_value = models.DecimalField(_("R"), max_digits=16, decimal_places=4, null=True, blank=True)
    assessment = models.JSONField(_("computation"), default=dict, blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise__name", "name", "id"]
        verbose_name = _("major hazard source")
        verbose_name_plural = _("major hazard sources")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="mhs_enterprise_name_uniq"),
        ]
        indexes = [models.Index(fields=["division", "is_major", "grade"], name="mhs_div_major_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.name}" if self.enterprise_id else self.name

    @property
    def grade_label(self) -> str:
        return str(GRADE_LABELS.get(self.grade or 0, ""))

    @property
    def grade_badge(self) -> str:
        """A coloured badge: the grade of a major source, "major" when ungraded, "not major" otherwise."""
        if self.grade:
            css, text = GRADE_BADGE_CLASSES[self.grade], self.grade_label
        elif self.is_major:
            css, text = "bg-red-lt", str(_("Major hazard source"))
        else:
            css, text = "bg-secondary-lt", str(_("Not a major hazard source"))
        return format_html('<span class="badge {}" data-grade="{}">{}</span>', css, self.grade or "", text)

    @property
    def major_label(self) -> str:
        return str(_("Yes") if self.is_major else _("No"))


class SourceChemical(models.Model):
    """One chemical held in a unit: matched to Table 1 by name, alias or CAS, or classified by
    Table 2 categories (codes such as J1, W2, W5.3, comma-separated)."""

    source = models.ForeignKey(
        MajorHazardSource,
        verbose_name=_("major hazard source"),
        on_delete=models.CASCADE,
        related_name="chemicals",
    )
    name = models.CharField(_("chemical"), max_length=100, blank=True)
    cas = models.CharField(_("CAS number"), max_length=20, blank=True)
    categories = models.CharField(_("hazard categories"), max_length=100, blank=True)
    quantity_t = models.DecimalField(_("maximum quantity (t)"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]
        verbose_name = _("chemical on site")
        verbose_name_plural = _("chemicals on site")

    def __str__(self) -> str:
        return self.name or self.cas

    @property
    def quantity_text(self) -> str:
        """The quantity without trailing zeros ("62.5", "100")."""
        return format(self.quantity_t.normalize(), "f") if self.quantity_t is not None else ""

    def as_input(self) -> dict:
        """The chemical as `rules_gb18218.assess_chemical` reads it."""
        data: dict = {"quantity_t": str(self.quantity_t)}
        if self.name:
            data["name"] = self.name
        if self.cas:
            data["cas"] = self.cas
        codes = [c.strip() for c in self.categories.replace("，", ",").split(",") if c.strip()]
        if codes:
            data["categories"] = codes
        return data


class CustodianRole(models.TextChoices):
    MAIN = "main", _("Main custodian")
    TECHNICAL = "technical", _("Technical custodian")
    OPERATIONAL = "operational", _("Operational custodian")


class Custodian(models.Model):
    source = models.ForeignKey(
        MajorHazardSource,
        verbose_name=_("major hazard source"),
        on_delete=models.CASCADE,
        related_name="custodians",
    )
    role = models.CharField(_("role"), max_length=12, choices=CustodianRole.choices)
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custodianships",
    )

    class Meta:
        ordering = ["source", "role"]
        verbose_name = _("custodian")
        verbose_name_plural = _("custodians")
        constraints = [models.UniqueConstraint(fields=["source", "role"], name="custodian_source_role_uniq")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class DutySchedule(models.Model):
    """A custodian's periodic duty (e.g. technical: quarterly; operational: weekly) with its checklist."""

    source = models.ForeignKey(
        MajorHazardSource,
        verbose_name=_("major hazard source"),
        on_delete=models.CASCADE,
        related_name="duty_schedules",
    )
    role = models.CharField(_("role"), max_length=12, choices=CustodianRole.choices)
    title = models.CharField(_("duty"), max_length=100)
    cadence_days = models.PositiveSmallIntegerField(_("every (days)"))
    checklist = models.JSONField(_("checklist"), default=list, blank=True)  # list of item texts
    next_due_at = models.DateTimeField(_("next due"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["source", "role", "id"]
        verbose_name = _("custodian duty")
        verbose_name_plural = _("custodian duties")

    def __str__(self) -> str:
        return self.title


class DutyStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class DutyTask(models.Model):
    schedule = models.ForeignKey(
        DutySchedule, verbose_name=_("custodian duty"), on_delete=models.CASCADE, related_name="tasks"
    )
    source = models.ForeignKey(
        MajorHazardSource,
        verbose_name=_("major hazard source"),
        on_delete=models.CASCADE,
        related_name="duty_tasks",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=CustodianRole.choices)
    custodian = models.ForeignKey(
        Custodian,
        verbose_name=_("custodian"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=DutyStatus.choices, default=DutyStatus.PENDING
    )
    results = models.JSONField(_("checklist results"), default=list, blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("duty task")
        verbose_name_plural = _("duty tasks")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="dutytask_schedule_due_uniq")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="dutytask_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.schedule} {self.due_at:%Y-%m-%d}"


class DutyEvidence(StoredImage):
    task = models.ForeignKey(
        DutyTask, verbose_name=_("duty task"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="duties/%Y/%m/")
