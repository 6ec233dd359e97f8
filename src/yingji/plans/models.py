"""Emergency plans (预案), digital plans and drills (演练).

An `EmergencyPlan` is one registered plan (government or enterprise) with its approval, 备案 filing
and three-yearly review. Its digital form: response levels (`PlanLevel`, I..IV) with trigger
conditions — free text plus structured minimums read by `services.match_plans` — and, per level, a
role → task matrix (`PlanTask`) and contacts (`PlanContact`); `PlanStep` is the response flow of the
one-page card (一图一表). A `Drill` exercises a plan; each `DrillProblem` can become a hazard.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.core.uploads import private_storage

__all__ = [
    "OwnerKind",
    "PlanLevelKind",
    "PlanType",
    "PlanStatus",
    "EmergencyPlan",
    "PlanAttachment",
    "PlanLevel",
    "PlanTask",
    "PlanContact",
    "PlanStep",
    "DrillKind",
    "Drill",
    "DrillProblem",
]


class OwnerKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    ENTERPRISE = "enterprise", _("Enterprise")


class PlanLevelKind(models.TextChoices):
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    ENTERPRISE = "enterprise", _("Enterprise")


class PlanType(models.TextChoices):
    GENERAL = "general", _("General plan")
    SPECIAL = "special", _("Special plan")
    DEPARTMENT = "department", _("Department plan")
    ONSITE = "onsite", _("On-site response procedure")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    RETIRED = "retired", _("Retired")


class EmergencyPlan(models.Model):
    title = models.CharField(_("title"), max_length=200)
    owner_kind = models.CharField(_("owner kind"), max_length=12, choices=OwnerKind.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="emergency_plans",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )  # for an enterprise plan, copied from the enterprise
    level = models.CharField(_("plan level"), max_length=12, choices=PlanLevelKind.choices)
    plan_type = models.CharField(_("plan type"), max_length=12, choices=PlanType.choices)
    incident_types = models.JSONField(
        _("incident types covered"),
        default=list,
        blank=True,
        help_text=_("Incident kinds or subtypes, e.g. accident, natural, flood, hazchem; empty = all."),
    )
    owner = models.CharField(
        _("owner"), max_length=100, help_text=_("The unit that drafts and keeps the plan.")
    )
    version = models.CharField(_("version"), max_length=20, default="1")
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approved_at = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=60, blank=True)
    filed_at = models.DateField(_("filed on"), null=True, blank=True)
    last_reviewed_at = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review = models.DateField(_("next review due"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["division_id", "title", "-id"]
        indexes = [models.Index(fields=["next_review"], name="plan_next_review")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:emergencyplan_detail", args=[self.pk])

    @property
    def review_state(self) -> str:
        """'overdue', 'due_soon' or '' (computed from next_review, never stored)."""
        from django.utils import timezone

        from yingji.plans import rules

        today = timezone.localdate()
        if rules.review_overdue(self.next_review, self.status, today):
            return "overdue"
        if rules.review_due_soon(self.next_review, self.status, today):
            return "due_soon"
        return ""

    @property
    def review_badge(self):
        state = self.review_state
        if not state:
            return self.next_review or ""
        css, label = (
            ("bg-red text-red-fg", _("overdue"))
            if state == "overdue"
            else ("bg-yellow text-yellow-fg", _("due soon"))
        )
        return format_html(
            '{} <span class="badge {}" data-review="{}">{}</span>', self.next_review, css, state, label
        )


class PlanAttachment(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), storage=private_storage, upload_to="plans/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division", enterprise="plan__enterprise")

    class Meta:
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")
        ordering = ["plan_id", "id"]

    def __str__(self) -> str:
        return self.name


class PlanLevel(models.Model):
    CODES = [("I", "I"), ("II", "II"), ("III", "III"), ("IV", "IV")]

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("response level"), max_length=3, choices=CODES)
    name = models.CharField(_("name"), max_length=100)
    trigger_text = models.TextField(_("trigger conditions"), blank=True)
    min_deaths = models.PositiveIntegerField(_("minimum deaths"), null=True, blank=True)
    min_serious_injuries = models.PositiveIntegerField(_("minimum serious injuries"), null=True, blank=True)
    min_direct_loss_yuan = models.DecimalField(
        _("minimum direct loss (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    accident_grades = models.JSONField(
        _("accident grades"),
        default=list,
        blank=True,
        help_text=_("general, larger, major, especially_major"),
    )
    incident_types = models.JSONField(_("incident types"), default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division", enterprise="plan__enterprise")

    class Meta:
        verbose_name = _("response level")
        verbose_name_plural = _("response levels")
        ordering = ["plan_id", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_level_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def rank(self) -> int:
        return {"I": 1, "II": 2, "III": 3, "IV": 4}.get(self.code, 9)


class PlanTask(models.Model):
    level = models.ForeignKey(PlanLevel, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    role = models.CharField(_("role"), max_length=100)
    task = models.TextField(_("task"))
    deadline_minutes = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="level__plan__division", enterprise="level__plan__enterprise")

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["level_id", "number", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.task[:40]}"


class PlanContact(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="contacts")
    level = models.ForeignKey(
        PlanLevel, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )  # null = for every level
    role = models.CharField(_("role"), max_length=100)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division", enterprise="plan__enterprise")

    class Meta:
        verbose_name = _("plan contact")
        verbose_name_plural = _("plan contacts")
        ordering = ["plan_id", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"


class PlanStep(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    name = models.CharField(_("step"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="plan__division", enterprise="plan__enterprise")

    class Meta:
        verbose_name = _("response step")
        verbose_name_plural = _("response steps")
        ordering = ["plan_id", "number", "id"]

    def __str__(self) -> str:
        return self.name


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("Tabletop")
    FUNCTIONAL = "functional", _("Functional")
    FULL_SCALE = "full_scale", _("Full-scale")


class Drill(models.Model):
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="drills"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )  # copied from the plan
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="drills"
    )  # copied from the plan
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("drill type"), max_length=12, choices=DrillKind.choices)
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    participant_units = models.TextField(_("participating units"), blank=True)
    scenario = models.TextField(_("scenario"), blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    evaluation = models.TextField(_("evaluation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.held_on}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:drill_detail", args=[self.pk])


class DrillProblem(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField(_("problem"))
    hazard = models.OneToOneField(
        "hazards.Hazard", on_delete=models.SET_NULL, null=True, blank=True, related_name="drill_problem"
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="drill__division", enterprise="drill__enterprise")

    class Meta:
        verbose_name = _("drill problem")
        verbose_name_plural = _("drill problems")
        ordering = ["drill_id", "id"]

    def __str__(self) -> str:
        return self.description[:60]
