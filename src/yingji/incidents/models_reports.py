"""Disaster reports (灾情报送, 自然灾害情况统计调查制度): a disaster event (灾害过程) has one report per
division (village → town → county); each level fills its own figures (the draft on `DisasterReport`)
and submits them as an immutable `ReportVersion` (初报 / 续报 / 核报) that the level above accepts or
returns. The current version is the latest; a town's or county's totals are computed from the
accepted versions of the level below."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = [
    "HazardType",
    "EventStatus",
    "ReportStage",
    "ReportStatus",
    "DisasterEvent",
    "DisasterReport",
    "ReportVersion",
]


class HazardType(models.TextChoices):
    FLOOD = "flood", _("Flood")
    TYPHOON = "typhoon", _("Typhoon")
    WIND_HAIL = "wind_hail", _("Wind and hail")
    DROUGHT = "drought", _("Drought")
    EARTHQUAKE = "earthquake", _("Earthquake")
    GEOLOGICAL = "geological", _("Geological disaster")
    LOW_TEMPERATURE = "low_temperature", _("Low temperature and frost")
    SNOW = "snow", _("Snow disaster")
    FOREST_FIRE = "forest_fire", _("Forest fire")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ENDED = "ended", _("Ended")


class ReportStage(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    UPDATE = "update", _("Update report")
    FINAL = "final", _("Final report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class EventQuerySet(ScopedQuerySet):
    def for_user(self, user) -> ScopedQuerySet:
        """Events in the user's subtree, and the events of the divisions above the user's own (a
        county's event is reported by its towns and villages)."""
        scoped = super().for_user(user)
        division_id = getattr(user, "division_id", None) if user is not None else None
        if (
            not division_id
            or getattr(user, "is_enterprise_user", False)
            or not getattr(user, "is_authenticated", False)
            or not getattr(user, "is_active", False)
        ):
            return scoped
        from yingji.core.divisions import parent_code_of

        chain = []
        parent = parent_code_of(division_id)
        while parent is not None:
            chain.append(parent)
            parent = parent_code_of(parent)
        return self.filter(models.Q(pk__in=scoped.values("pk")) | models.Q(division_id__in=chain))


class DisasterEvent(models.Model):
    title = models.CharField(_("title"), max_length=200)
    hazard_type = models.CharField(_("disaster type"), max_length=16, choices=HazardType.choices)
    started_on = models.DateField(_("start date"))
    opened_at = models.DateTimeField(_("opened at"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=EventStatus.choices, default=EventStatus.OPEN
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )  # the area of the event (usually the county)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disaster_events",
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EventQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        verbose_name = _("disaster event")
        verbose_name_plural = _("disaster events")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:disasterevent_detail", args=[self.pk])


class Figures(models.Model):
    """The indicators of the 自然灾害情况统计快报表; null = not given."""

    affected_population = models.IntegerField(_("affected population"), null=True, blank=True)
    deaths = models.IntegerField(_("deaths"), null=True, blank=True)
    missing = models.IntegerField(_("missing"), null=True, blank=True)
    relocated = models.IntegerField(_("people relocated and resettled"), null=True, blank=True)
    needing_aid = models.IntegerField(_("people needing emergency aid"), null=True, blank=True)
    collapsed_households = models.IntegerField(_("collapsed houses (households)"), null=True, blank=True)
    collapsed_rooms = models.IntegerField(_("collapsed houses (rooms)"), null=True, blank=True)
    severe_households = models.IntegerField(_("severely damaged houses (households)"), null=True, blank=True)
    severe_rooms = models.IntegerField(_("severely damaged houses (rooms)"), null=True, blank=True)
    general_households = models.IntegerField(
        _("generally damaged houses (households)"), null=True, blank=True
    )
    general_rooms = models.IntegerField(_("generally damaged houses (rooms)"), null=True, blank=True)
    crop_affected_ha = models.DecimalField(
        _("crops affected (ha)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    crop_disaster_ha = models.DecimalField(
        _("crops damaged (ha)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    crop_failed_ha = models.DecimalField(
        _("crops lost (ha)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    loss_agriculture = models.DecimalField(
        _("agriculture loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_industry = models.DecimalField(
        _("industry, mining and trade loss (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    loss_infrastructure = models.DecimalField(
        _("infrastructure loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_public = models.DecimalField(
        _("public service facilities loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_household = models.DecimalField(
        _("household property loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_other = models.DecimalField(
        _("other loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    direct_loss = models.DecimalField(
        _("direct economic loss (10k yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        abstract = True


class DisasterReport(Figures):
    event = models.ForeignKey(
        DisasterEvent, verbose_name=_("disaster event"), on_delete=models.CASCADE, related_name="reports"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        verbose_name = _("disaster report")
        verbose_name_plural = _("disaster reports")
        ordering = ["event_id", "division_id"]
        constraints = [models.UniqueConstraint(fields=["event", "division"], name="disaster_report_unique")]
        permissions = [
            ("review_disasterreport", "Can review lower-level disaster reports"),
            ("export_disasterreport", "Can export disaster reports"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.division}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:disasterreport_detail", args=[self.pk])


class ReportVersion(Figures):
    """One submission, never changed afterwards (only its review is recorded)."""

    report = models.ForeignKey(DisasterReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    stage = models.CharField(_("stage"), max_length=8, choices=ReportStage.choices)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    review_status = models.CharField(
        _("review"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    review_reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="report__division")

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
