"""Warnings (预警): one row per warning, whatever the number of CAP messages that made or changed it.

A warning carries the CAP identity of its latest message (identifier, sender, sent, msgType, status,
scope, references); every message in or out is a `CapMessage` row (the chain, with the original XML).
An Update replaces the warning's fields in place and a Cancel cancels it, so the warning a page or a
call list looks at is always the current one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.alerts.events import EVENT_CHOICES, LEVELS
from yingji.core.scoping import Scope, ScopedQuerySet


class Source(models.TextChoices):
    METEOROLOGY = "met", _("Meteorology")
    WATER = "water", _("Water resources")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    EMERGENCY = "emergency", _("Emergency management")
    INTERNAL = "internal", _("Internal")


class Level(models.TextChoices):
    BLUE = "blue", LEVELS["blue"][0]
    YELLOW = "yellow", LEVELS["yellow"][0]
    ORANGE = "orange", LEVELS["orange"][0]
    RED = "red", LEVELS["red"][0]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    UPDATED = "updated", _("Updated")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class MsgType(models.TextChoices):
    ALERT = "Alert", "Alert"
    UPDATE = "Update", "Update"
    CANCEL = "Cancel", "Cancel"


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", "Actual"
    EXERCISE = "Exercise", "Exercise"
    SYSTEM = "System", "System"
    TEST = "Test", "Test"
    DRAFT = "Draft", "Draft"


class CapScope(models.TextChoices):
    PUBLIC = "Public", "Public"
    RESTRICTED = "Restricted", "Restricted"
    PRIVATE = "Private", "Private"


class Severity(models.TextChoices):
    EXTREME = "Extreme", "Extreme"
    SEVERE = "Severe", "Severe"
    MODERATE = "Moderate", "Moderate"
    MINOR = "Minor", "Minor"
    UNKNOWN = "Unknown", "Unknown"


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", "Immediate"
    EXPECTED = "Expected", "Expected"
    FUTURE = "Future", "Future"
    PAST = "Past", "Past"
    UNKNOWN = "Unknown", "Unknown"


class Certainty(models.TextChoices):
    OBSERVED = "Observed", "Observed"
    LIKELY = "Likely", "Likely"
    POSSIBLE = "Possible", "Possible"
    UNLIKELY = "Unlikely", "Unlikely"
    UNKNOWN = "Unknown", "Unknown"


class Warning(models.Model):
    division = models.ForeignKey(
        "core.Division", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="warnings"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.INTERNAL)
    event_type = models.CharField(_("event type"), max_length=20, choices=EVENT_CHOICES, default="other")
    event = models.CharField(_("event"), max_length=200, help_text=_("The CAP event text."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default="Unknown")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default="Unknown")
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices, default="Unknown")
    category = models.CharField(_("CAP category"), max_length=20, default="Met")
    language = models.CharField(_("language"), max_length=20, default="zh-CN")
    headline = models.CharField(_("headline"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    web = models.URLField(_("web page"), blank=True)
    effective = models.DateTimeField(_("effective"), null=True, blank=True)
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The CAP identity of the latest message (GB/T 35965.1 shapes when we are the sender).
    identifier = models.CharField(_("CAP identifier"), max_length=200, blank=True, db_index=True)
    sender = models.CharField(_("CAP sender"), max_length=200, blank=True)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType.choices, default="Alert")
    cap_status = models.CharField(_("CAP status"), max_length=10, choices=CapStatus.choices, default="Actual")
    cap_scope = models.CharField(_("CAP scope"), max_length=10, choices=CapScope.choices, default="Public")
    references_text = models.TextField(_("CAP references"), blank=True)
    original_xml = models.TextField(_("original XML"), blank=True)
    other_infos = models.JSONField(_("other-language info blocks"), default=list, blank=True)
    import_problems = models.JSONField(_("import problems"), default=list, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")  # the CAP <scope> is `cap_scope`

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        permissions = [
            ("approve_warning", _("Can approve warnings")),
            ("issue_warning", _("Can issue, update and cancel warnings")),
            ("import_warning", _("Can import CAP messages")),
        ]
        indexes = [models.Index(fields=["status", "expires"])]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_public(self) -> bool:
        return self.cap_scope == "Public" and self.cap_status == "Actual"


class WarningArea(models.Model):
    """One CAP `area`: its description, division codes (geocodes), polygons and circles."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="areas")
    area_desc = models.CharField(_("area description"), max_length=500)
    # [{"name": valueName, "value": value}, ...] as in the message
    geocodes = models.JSONField(_("geocodes"), default=list, blank=True)
    divisions = models.ManyToManyField(
        "core.Division", verbose_name=_("divisions"), blank=True, related_name="+"
    )
    polygons = models.JSONField(_("polygons"), default=list, blank=True)  # [[[lat, lon], ...closed], ...]
    circles = models.JSONField(_("circles"), default=list, blank=True)  # [[lat, lon, radius_km], ...]
    altitude = models.FloatField(_("altitude"), null=True, blank=True)
    ceiling = models.FloatField(_("ceiling"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("warning area")
        verbose_name_plural = _("warning areas")

    def __str__(self) -> str:
        return self.area_desc


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class CapMessage(models.Model):
    """One CAP message of a warning's chain, received or produced, with its XML as it was."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    identifier = models.CharField(_("CAP identifier"), max_length=200)
    sender = models.CharField(_("CAP sender"), max_length=200)
    sent = models.DateTimeField(_("sent"))
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType.choices)
    cap_status = models.CharField(_("CAP status"), max_length=10, choices=CapStatus.choices)
    references_text = models.TextField(_("CAP references"), blank=True)
    xml = models.TextField(_("XML"))
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["sent", "id"]
        verbose_name = _("CAP message")
        verbose_name_plural = _("CAP messages")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "identifier"], name="alerts_capmessage_sender_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.identifier}"


from yingji.alerts.models_calls import *  # noqa: E402, F401, F403
from yingji.alerts.models_notices import *  # noqa: E402, F401, F403
from yingji.alerts.models_rosters import *  # noqa: E402, F401, F403
