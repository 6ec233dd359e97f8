"""Checklists (检查表), inspections (执法检查记录) and QR check-ins (扫码检查).

A checklist template is versioned: a new version is a copy (same `code`, `version` + 1) and an
inspection keeps the version it used. Finishing an inspection turns each failed item and each free
finding into a hidden danger (hazards app) — see services_inspections.finish_inspection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import StoredImage
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.core.uploads import private_storage

__all__ = [
    "ChecklistTemplate",
    "ChecklistItem",
    "Inspection",
    "InspectionItemResult",
    "InspectionPhoto",
    "Finding",
    "QrCode",
    "CheckIn",
]


class Topic(models.TextChoices):
    HAZCHEM = "hazchem", _("Hazardous chemicals")  # 危化
    DUST = "dust", _("Combustible dust")  # 粉尘涉爆
    CONFINED_SPACE = "confined_space", _("Confined spaces")  # 有限空间
    INDUSTRY_GENERAL = "industry_general", _("Industry and trade (general)")  # 工贸通用
    SMALL_VENUE_FIRE = "small_venue_fire", _("Small venues: fire safety")  # 小场所消防
    OTHER = "other", _("Other")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class ChecklistTemplateQuerySet(models.QuerySet):
    """Templates a user may see: the platform's (no division), those of divisions in their scope and
    those of the divisions above theirs. Enterprise users see none (their inspections show the items they were checked against)."""

    def for_user(self, user) -> ChecklistTemplateQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "is_enterprise_user", False):
            return self.none()
        prefix = getattr(user, "scope_prefix", None)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self.all()
        # The platform's, those of the user's subtree, and those of the divisions above (a county's
        # checklists are used by its towns).
        from yingji.core import divisions

        above = []
        code = getattr(user, "division_id", None)
        while code:
            code = divisions.parent_code_of(code)
            if code:
                above.append(code)
        return self.filter(
            models.Q(division__isnull=True)
            | models.Q(division__code__startswith=prefix)
            | models.Q(division_id__in=above)
        )


class ChecklistTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    industries = models.CharField(
        _("industries"),
        max_length=200,
        blank=True,
        help_text=_("GB/T 4754 code prefixes separated by commas; empty = every industry."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for templates shipped with the platform."),
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "code", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="insp_template_code_version")]
        permissions = [
            ("import_checklisttemplate", _("Can import checklist templates")),
            ("export_checklisttemplate", _("Can export checklist templates")),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def industry_prefixes(self) -> list[str]:
        return [p.strip() for p in self.industries.replace("，", ",").split(",") if p.strip()]

    @property
    def owner(self) -> str:
        return self.division.name if self.division_id else str(_("Platform"))


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("check item"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    is_major_criterion = models.BooleanField(_("major hidden danger item"), default=False)
    default_deadline_days = models.PositiveSmallIntegerField(_("default deadline (days)"), default=30)
    criterion = models.ForeignKey(
        "hazards.HazardCriterion",
        verbose_name=_("major hidden danger criterion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The article of the 判定标准 a failed item meets (required for a major criterion item)."),
    )

    class Meta:
        ordering = ["template", "number"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="insp_item_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PLANNED = "planned", _("Planned")
    SPECIAL = "special", _("Special campaign")
    REINSPECTION = "reinspection", _("Re-inspection")


class InspectionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")


class Inspection(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(
        _("kind"), max_length=15, choices=InspectionKind.choices, default=InspectionKind.ROUTINE
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["status", "started_at"], name="insp_status_started_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.started_at:%Y-%m-%d}"

    @property
    def is_finished(self) -> bool:
        return self.status == InspectionStatus.FINISHED


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class InspectionItemResult(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("check item"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=4, choices=ItemResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "item__number"]
        verbose_name = _("inspection item result")
        verbose_name_plural = _("inspection item results")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="insp_result_once")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.result}"


class InspectionPhoto(StoredImage):
    """A photo of one checked item (`result.photos`)."""

    result = models.ForeignKey(
        InspectionItemResult,
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="inspections/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")


class Finding(models.Model):
    """A problem found: a failed checklist item (item set) or a free finding (item empty). Finishing
    the inspection links each to the hidden danger made from it."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("check item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    is_major = models.BooleanField(_("major hidden danger"), default=False)
    criterion = models.ForeignKey(
        "hazards.HazardCriterion",
        verbose_name=_("major hidden danger criterion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("rectification deadline"))
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("hidden danger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.description[:60]


class QrCode(models.Model):
    """The enterprise's check-in poster key: random, stored, and signed in the URL."""

    enterprise = models.OneToOneField(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="qr_code",
    )
    key = models.CharField(_("key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        verbose_name = _("QR code")
        verbose_name_plural = _("QR codes")

    def __str__(self) -> str:
        return str(self.enterprise)


class CheckInPurpose(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    SELF_CHECK = "self_check", _("Enterprise self-check")
    PUBLIC_REPORT = "public_report", _("Public report")
    VIEW = "view", _("View only")


class CheckIn(models.Model):
    """One scan of an enterprise's QR poster (扫码打卡)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="check_ins",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    purpose = models.CharField(_("purpose"), max_length=15, choices=CheckInPurpose.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the enterprise (m)"), null=True, blank=True)
    is_far = models.BooleanField(_("far from the enterprise"), default=False)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="check_ins",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.at:%Y-%m-%d %H:%M}"

    @property
    def location_known(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def distance_label(self) -> str:
        if self.distance_m is None:
            return str(_("Unknown"))
        return f"{self.distance_m:,.0f} m"

    @property
    def far_label(self) -> str:
        return str(_("Yes")) if self.is_far else ""
