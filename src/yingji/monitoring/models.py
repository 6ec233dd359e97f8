"""Online monitoring: devices and their points, raw readings with 1-minute and 1-hour rollups,
alarms with their lifecycle, and what the ingest rejected.

Readings are keyed (point, ts) so telemetry is idempotent; on PostgreSQL the table is partitioned
by month (migration 0002). The hot path (ingest, evaluation) writes readings and rollups with
plain SQL; everything else goes through the ORM.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.scoping import Scope, ScopedQuerySet


class PointKind(models.TextChoices):
    LEVEL = "level", _("Liquid level")
    TEMPERATURE = "temperature", _("Temperature")
    PRESSURE = "pressure", _("Pressure")
    FLOW = "flow", _("Flow")
    COMBUSTIBLE_GAS = "combustible_gas", _("Combustible gas (%LEL)")
    TOXIC_GAS = "toxic_gas", _("Toxic gas (ppm)")
    OXYGEN = "oxygen", _("Oxygen")
    DISPLACEMENT = "displacement", _("Slope / dam displacement")
    RESERVOIR_LEVEL = "reservoir_level", _("Reservoir water level")
    PHREATIC_LINE = "phreatic_line", _("Phreatic line")
    BEACH_LENGTH = "beach_length", _("Dry beach length")
    RAINFALL = "rainfall", _("Rainfall")
    VIDEO = "video", _("Video online")
    OTHER = "other", _("Other")


class ThresholdScheme(models.TextChoices):
    TWO_LEVEL = "two_level", _("Two levels (high/high-high, low/low-low)")
    FOUR_COLOUR = "four_colour", _("Four colours (blue/yellow/orange/red)")


class Direction(models.TextChoices):
    HIGH = "high", _("Rising is dangerous")
    LOW = "low", _("Falling is dangerous")


class Device(models.Model):
    """A data-acquisition device (gateway/RTU/detector) that sends readings for its points."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="devices"
    )
    source = models.ForeignKey(
        "registry.MajorHazardSource",
        verbose_name=_("major hazard source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )  # copied from the enterprise
    code = models.CharField(_("device code"), max_length=64, unique=True)  # the MQTT topic's device part
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=128, blank=True)  # sha256 of the HTTP token
    sampling_period_s = models.PositiveIntegerField(_("expected sampling period (s)"), default=10)
    offline_after_periods = models.PositiveSmallIntegerField(_("offline after missed periods"), default=6)
    is_active = models.BooleanField(_("active"), default=True)
    is_online = models.BooleanField(_("online"), default=False)
    last_seen_at = models.DateTimeField(_("last data"), null=True, blank=True)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise", "code"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [models.Index(fields=["is_active", "is_online", "last_seen_at"], name="dev_online_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Point(models.Model):
    """One measured quantity of a device, with its range and alarm settings."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="points"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        "registry.MajorHazardSource",
        verbose_name=_("major hazard source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("point code"), max_length=64)  # unique within its device; used in payloads
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PointKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    range_low = models.FloatField(_("range low"), null=True, blank=True)
    range_high = models.FloatField(_("range high"), null=True, blank=True)
    sampling_period_s = models.PositiveIntegerField(_("expected sampling period (s)"), null=True, blank=True)
    scheme = models.CharField(
        _("threshold scheme"),
        max_length=12,
        choices=ThresholdScheme.choices,
        default=ThresholdScheme.TWO_LEVEL,
    )
    # Two-level scheme: 高/高高 (一级/二级 for gas detectors) and 低/低低; any may be empty.
    high1 = models.FloatField(_("high (level 1)"), null=True, blank=True)
    high2 = models.FloatField(_("high-high (level 2)"), null=True, blank=True)
    low1 = models.FloatField(_("low (level 1)"), null=True, blank=True)
    low2 = models.FloatField(_("low-low (level 2)"), null=True, blank=True)
    # Four-colour scheme (tailings ponds, slopes): thresholds in the dangerous direction.
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.HIGH
    )
    blue = models.FloatField(_("blue"), null=True, blank=True)
    yellow = models.FloatField(_("yellow"), null=True, blank=True)
    orange = models.FloatField(_("orange"), null=True, blank=True)
    red = models.FloatField(_("red"), null=True, blank=True)
    rollup_item = models.CharField(
        _("roll-up item"),
        max_length=50,
        blank=True,
        help_text=_("Points of one monitored item roll up together (GB 50863)."),
    )
    deadband = models.FloatField(_("deadband"), default=0)
    on_delay_s = models.PositiveIntegerField(_("on-delay (s)"), default=0)
    off_delay_s = models.PositiveIntegerField(_("off-delay (s)"), default=0)
    rate_limit = models.FloatField(_("rate-of-change limit (per minute)"), null=True, blank=True)
    stuck_after_s = models.PositiveIntegerField(_("stuck after (s)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_ts = models.DateTimeField(_("last reading"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["device", "code"]
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")
        constraints = [models.UniqueConstraint(fields=["device", "code"], name="point_device_code_uniq")]
        indexes = [models.Index(fields=["source", "kind"], name="point_source_kind_idx")]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    pk = models.CompositePrimaryKey("point_id", "ts")
    point = models.ForeignKey(
        Point, verbose_name=_("monitoring point"), on_delete=models.CASCADE, related_name="+"
    )
    ts = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [models.Index(fields=["ts"], name="reading_ts_idx")]  # retention (SQLite only, 0002)

    def __str__(self) -> str:
        return f"{self.point_id} {self.ts:%Y-%m-%d %H:%M:%S} {self.value}"


class Rollup(models.Model):
    """min/max/sum/count of a point's readings in one bucket (charts read these, never raw rows)."""

    point = models.ForeignKey(
        Point, verbose_name=_("monitoring point"), on_delete=models.CASCADE, related_name="+"
    )
    bucket = models.DateTimeField(_("bucket"))
    vmin = models.FloatField(_("minimum"))
    vmax = models.FloatField(_("maximum"))
    vsum = models.FloatField(_("sum"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.point_id} {self.bucket:%Y-%m-%d %H:%M} n={self.count}"

    @property
    def avg(self) -> float:
        return self.vsum / self.count if self.count else 0.0


class ReadingMinute(Rollup):
    pk = models.CompositePrimaryKey("point_id", "bucket")

    class Meta:
        verbose_name = _("1-minute rollup")
        verbose_name_plural = _("1-minute rollups")


class ReadingHour(Rollup):
    pk = models.CompositePrimaryKey("point_id", "bucket")

    class Meta:
        verbose_name = _("1-hour rollup")
        verbose_name_plural = _("1-hour rollups")


class AlarmCondition(models.TextChoices):
    HIGH = "high", _("High")
    LOW = "low", _("Low")
    COLOUR = "colour", _("Four-colour level")
    ROLLUP = "rollup", _("Rolled-up level")
    RATE = "rate", _("Rate of change")
    STUCK = "stuck", _("Stuck value")
    OUT_OF_RANGE = "out_of_range", _("Out of physical range")
    OFFLINE = "offline", _("Offline")
    EXTERNAL = "external", _("External alarm")


class AlarmState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("alarm state", "Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    HANDLED = "handled", pgettext_lazy("alarm state", "Handled")
    CLEARED = "cleared", _("Cleared")


# Severity is one scale for every condition: 1 = 一级/高/蓝 … 4 = 红. Two-level points use 1 and 2.
SEVERITY_LABELS = {1: _("Level 1 / blue"), 2: _("Level 2 / yellow"), 3: _("Orange"), 4: _("Red")}
OPEN_STATES = ("active", "acknowledged")


class Alarm(models.Model):
    point = models.ForeignKey(
        Point,
        verbose_name=_("monitoring point"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alarms",
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alarms",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="alarms"
    )
    source = models.ForeignKey(
        "registry.MajorHazardSource",
        verbose_name=_("major hazard source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alarms",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    condition = models.CharField(_("condition"), max_length=15, choices=AlarmCondition.choices)
    rollup_item = models.CharField(_("roll-up item"), max_length=50, blank=True)  # ROLLUP alarms
    severity = models.PositiveSmallIntegerField(_("severity"), default=1)
    state = models.CharField(_("state"), max_length=15, choices=AlarmState.choices, default=AlarmState.ACTIVE)
    is_open = models.BooleanField(_("open"), default=True)  # active or acknowledged
    value = models.FloatField(_("value"), null=True, blank=True)  # when raised
    peak_value = models.FloatField(_("peak value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    raised_at = models.DateTimeField(_("raised"))
    severity_changed_at = models.DateTimeField(_("severity changed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disposal = models.TextField(_("disposal notes"), blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    retriggers = models.PositiveIntegerField(_("re-triggers"), default=0)
    external_source = models.CharField(_("external source"), max_length=50, blank=True)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hidden danger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        permissions = [
            ("acknowledge_alarm", _("Can acknowledge and handle alarms")),
        ]
        constraints = [
            # One open alarm per point and condition (per roll-up item for ROLLUP, per device for
            # OFFLINE); severity rises in place.
            models.UniqueConstraint(
                fields=["point", "condition"],
                condition=models.Q(is_open=True, point__isnull=False),
                name="alarm_one_open_per_point",
            ),
            models.UniqueConstraint(
                fields=["device", "condition"],
                condition=models.Q(is_open=True, point__isnull=True, device__isnull=False),
                name="alarm_one_open_per_device",
            ),
            models.UniqueConstraint(
                fields=["source", "rollup_item", "condition"],
                condition=models.Q(
                    is_open=True, point__isnull=True, device__isnull=True, source__isnull=False
                ),
                name="alarm_one_open_per_source_item",
            ),
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="alarm_external_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["is_open", "division", "severity"], name="alarm_open_div_idx"),
            models.Index(fields=["division", "raised_at"], name="alarm_div_raised_idx"),
            models.Index(fields=["enterprise", "is_open"], name="alarm_ent_open_idx"),
        ]

    def __str__(self) -> str:
        return self.message or f"{self.get_condition_display()} {self.raised_at:%Y-%m-%d %H:%M}"


class AlarmEvent(models.Model):
    """The history of an alarm: raised, severity up/down, acknowledged, handled, cleared,
    re-triggered, notified, escalated."""

    alarm = models.ForeignKey(Alarm, verbose_name=_("alarm"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("event"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    severity = models.PositiveSmallIntegerField(_("severity"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M:%S}"


class IngestRejection(models.Model):
    """A message or reading the ingest refused, with the reason (kept for the operators)."""

    at = models.DateTimeField(_("time"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10)  # mqtt | http | csv | webhook
    device_code = models.CharField(_("device code"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=40, db_index=True)  # a stable code
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("ingest rejection")
        verbose_name_plural = _("ingest rejections")

    def __str__(self) -> str:
        return f"{self.reason} ×{self.count} {self.at:%Y-%m-%d %H:%M}"


# Online supervision (非现场执法): roll-calls, video spot-checks, dust-cleaning check-ins.
from yingji.monitoring.models_supervision import *  # noqa: E402, F403
