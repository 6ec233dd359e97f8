"""Incident intake (接报): the incident with its casualties and Art. 3 grade, the timeline every action
writes to, the reporting duties (1 hour to the next level; 续报 when casualties change, Art. 13) and
the investigation follow-up of accidents (调查, 责任单位, 整改措施, 挂牌督办, 回头看)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = [
    "IncidentKind",
    "IncidentChannel",
    "IncidentGrade",
    "IncidentStatus",
    "Incident",
    "TimelineEntry",
    "ReportDuty",
    "Investigation",
    "ResponsibleUnit",
    "CorrectiveMeasure",
    "ReviewTask",
    "SUBTYPES",
    "SUBTYPE_CHOICES",
    "TimelineKind",
    "ReportDutyKind",
]


class IncidentKind(models.TextChoices):
    NATURAL = "natural", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    PUBLIC_HEALTH = "public_health", _("Public health incident")
    SOCIAL_SECURITY = "social_security", _("Social security incident")


# kind -> [(subtype code, label)] (国家突发公共事件总体应急预案 categories)
SUBTYPES: dict[str, list[tuple[str, object]]] = {
    "natural": [
        ("flood_drought", _("Flood and drought")),
        ("meteorological", _("Meteorological disaster")),
        ("earthquake", _("Earthquake")),
        ("geological", _("Geological disaster")),
        ("marine", _("Marine disaster")),
        ("biological", _("Biological disaster")),
        ("forest_fire", _("Forest and grassland fire")),
    ],
    "accident": [
        ("work_safety", _("Work safety accident (industry, mining, trade)")),
        ("hazchem", _("Hazardous chemicals accident")),
        ("road_traffic", _("Road traffic accident")),
        ("fire", _("Fire accident")),
        ("transport", _("Other transport accident")),
        ("public_facility", _("Public facility and equipment accident")),
        ("environmental", _("Environmental pollution")),
        ("nuclear_radiation", _("Nuclear and radiation accident")),
    ],
    "public_health": [
        ("infectious_disease", _("Infectious disease outbreak")),
        ("food_safety", _("Food safety incident")),
        ("occupational_poisoning", _("Mass poisoning")),
        ("animal_epidemic", _("Animal epidemic")),
        ("other_health", _("Other public health incident")),
    ],
    "social_security": [
        ("terrorism", _("Terrorist attack")),
        ("economic_security", _("Economic security incident")),
        ("foreign_related", _("Foreign-related incident")),
        ("mass_incident", _("Mass incident")),
    ],
}
SUBTYPE_CHOICES = [(code, label) for pairs in SUBTYPES.values() for code, label in pairs]


class IncidentChannel(models.TextChoices):
    PHONE_12350 = "phone_12350", _("12350 hotline")
    TRANSFER_110 = "transfer_110", _("Transferred from 110")
    TRANSFER_119 = "transfer_119", _("Transferred from 119")
    ENTERPRISE = "enterprise", _("Enterprise report")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class IncidentGrade(models.TextChoices):
    NONE = "", _("Not graded")
    GENERAL = "general", _("General")  # 一般
    LARGER = "larger", _("Larger")  # 较大
    MAJOR = "major", _("Major")  # 重大
    ESPECIALLY_MAJOR = "especially_major", _("Especially major")  # 特别重大


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RESPONDING = "responding", _("Responding")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


GRADE_COLOURS = {"general": "blue", "larger": "yellow", "major": "orange", "especially_major": "red"}
STATUS_COLOURS = {"reported": "secondary", "responding": "orange", "closed": "green"}

_count: dict = {"default": 0, "validators": [MinValueValidator(0)]}


class Incident(models.Model):
    kind = models.CharField(_("type"), max_length=20, choices=IncidentKind.choices)
    subtype = models.CharField(_("sub-type"), max_length=30, choices=SUBTYPE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred"))
    reported_at = models.DateTimeField(_("reported"))
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    deaths = models.IntegerField(_("deaths"), **_count)
    missing = models.IntegerField(_("missing"), **_count)
    serious_injuries = models.IntegerField(
        _("serious injuries (incl. acute poisoning)"),
        **_count,
    )
    trapped = models.IntegerField(_("trapped"), **_count)
    direct_loss_yuan = models.DecimalField(
        _("direct economic loss (yuan)"),
        max_digits=16,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"), blank=True)
    reporter = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=IncidentChannel.choices)
    grade = models.CharField(_("grade"), max_length=20, choices=IncidentGrade.choices, blank=True)
    grade_decided_by = models.JSONField(_("grade decided by"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default="reported", db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [("grade_incident", "Re-grade an incident")]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS.get(self.grade, "secondary")

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")


class TimelineKind(models.TextChoices):
    INTAKE = "intake", _("Intake")
    CASUALTIES = "casualties", _("Casualties and grade")
    REPORT = "report", _("Report to the next level")
    RESPONSE = "response", _("Response")
    ASSIGNMENT = "assignment", _("Assignment")
    DISPATCH = "dispatch", _("Dispatch")
    SUPPLY = "supply", _("Supplies")
    SHELTER = "shelter", _("Shelter")
    INVESTIGATION = "investigation", _("Investigation")
    NOTE = "note", _("Note")
    CLOSE = "close", pgettext_lazy("timeline kind", "Closing")


class TimelineEntry(models.Model):
    """One line of the incident's timeline: written by every service, or by hand (automatic=False)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=20, choices=TimelineKind.choices)
    text = models.TextField(_("text"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    automatic = models.BooleanField(_("automatic"), default=True)
    origin_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.CharField(max_length=64, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="incident__division", enterprise="incident__enterprise")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["incident", "-at", "-id"], name="timeline_incident_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:40]}"


class ReportDutyKind(models.TextChoices):
    INITIAL = "initial", _("Report to the next level (1 hour)")
    CONTINUED = "continued", _("Continued report on casualties (续报)")


class ReportDuty(models.Model):
    """A report owed to the next level, on the core escalation ladder until done."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="report_duties")
    kind = models.CharField(_("kind"), max_length=12, choices=ReportDutyKind.choices)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("reported"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="incident__division", enterprise="incident__enterprise")

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("reporting duty")
        verbose_name_plural = _("reporting duties")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def division(self):  # the escalation ladder is chosen by division
        return self.incident.division


class Investigation(models.Model):
    """The investigation of an accident and its follow-up (挂牌督办 with a deadline, 回头看)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="investigation")
    team = models.TextField(_("investigation team"))
    findings = models.TextField(_("findings"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    supervised = models.BooleanField(_("supervised listing (挂牌督办)"), default=False)
    supervision_due_at = models.DateTimeField(_("supervision deadline"), null=True, blank=True)
    supervision_closed_at = models.DateTimeField(_("supervision lifted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="incident__division", enterprise="incident__enterprise")

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return str(self.incident)

    @property
    def division(self):
        return self.incident.division


class ResponsibleUnit(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("unit"), max_length=200)
    responsibility = models.TextField(_("responsibility"), blank=True)
    handling = models.TextField(_("handling proposed"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")

    def __str__(self) -> str:
        return self.name


class CorrectiveMeasure(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="measures")
    text = models.TextField(_("measure"))
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("corrective measure")
        verbose_name_plural = _("corrective measures")

    def __str__(self) -> str:
        return self.text[:60]


class ReviewTask(models.Model):
    """回头看: the evaluation of how the measures held, a set time after closing (a core deadline)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="reviews")
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(
        division="investigation__incident__division", enterprise="investigation__incident__enterprise"
    )

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("review (回头看)")
        verbose_name_plural = _("reviews (回头看)")

    def __str__(self) -> str:
        return f"{self.investigation} {self.due_at:%Y-%m-%d}"

    @property
    def division(self):
        return self.investigation.incident.division
