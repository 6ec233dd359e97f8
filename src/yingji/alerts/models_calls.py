"""Call-and-acknowledge (叫应): call lists per division, deadline policies, and the calls of a warning.

`CallListEntry` — who is called for a warning of a level (and type) in a division, with an A/B role,
a superior and the channels in order. `CallPolicy` — the acknowledgement deadline and redials per
area, hazard and level. `Call` — one person called for one warning (the root call of a target, or a
child call to its B role or its superior); its timer is `next_action_at`, stored in the database.
`CallAttempt` — one row per step of the ladder (call, redial, backup, superior, unreachable).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.alerts.events import EVENT_CHOICES, LEVELS
from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = [
    "AckMethod",
    "Call",
    "CallAttempt",
    "CallKind",
    "CallListEntry",
    "CallPolicy",
    "CallRole",
    "CallStatus",
    "Tier",
]

LEVEL_CHOICES = [(code, label) for code, (label, _rank) in LEVELS.items()]


class Tier(models.TextChoices):
    COUNTY_HQ = "county_hq", _("County flood-control headquarters leader")
    TOWN_LEADER = "town_leader", _("Town party and government leader")
    VILLAGE = "village", _("Village flood-control responsible person")
    INFORMANT = "informant", _("Disaster informant")
    WORKS = "works", _("Engineering works responsible person")
    ENTERPRISE = "enterprise", _("Enterprise main responsible person")
    CUSTODIAN = "custodian", _("Evacuation custodian")


class CallRole(models.TextChoices):
    A = "A", _("A (first)")
    B = "B", _("B (if A does not answer)")


class CallListEntry(models.Model):
    """One person on a division's call list (县/乡/村 责任人, 灾害信息员, 工程责任人)."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("email"), blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("A/B role"), max_length=1, choices=CallRole.choices, default="A")
    superior = models.ForeignKey(
        "self",
        verbose_name=_("superior"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    min_level = models.CharField(
        _("called from level"),
        max_length=10,
        choices=LEVEL_CHOICES,
        default="blue",
        help_text=_("Called for warnings of this level and higher."),
    )
    event_type = models.CharField(
        _("warning type"), max_length=20, choices=EVENT_CHOICES, blank=True, help_text=_("Empty: any type.")
    )
    channels = models.JSONField(_("channels in order"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    reviewed_at = models.DateField(_("reviewed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "tier", "role", "name"]
        verbose_name = _("call list entry")
        verbose_name_plural = _("call list entries")
        indexes = [models.Index(fields=["division", "tier"], name="alerts_cle_div_tier_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_tier_display()})"


class CallPolicy(models.Model):
    """Deadline and redials for a division (and its subtree), a warning type (or any) and a level."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.CASCADE, related_name="+"
    )
    event_type = models.CharField(_("warning type"), max_length=20, choices=EVENT_CHOICES, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=LEVEL_CHOICES)
    ack_minutes = models.PositiveIntegerField(_("minutes to acknowledge"))
    redials = models.PositiveSmallIntegerField(_("redials within the deadline"), default=3)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "event_type", "level"]
        verbose_name = _("call policy")
        verbose_name_plural = _("call policies")
        constraints = [
            models.UniqueConstraint(fields=["division", "event_type", "level"], name="alerts_callpolicy_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.event_type or '*'} {self.level}: {self.ack_minutes} min"


class CallKind(models.TextChoices):
    TARGET = "target", _("Target")
    BACKUP = "backup", _("B role")
    SUPERIOR = "superior", _("Superior")


class CallStatus(models.TextChoices):
    CALLING = "calling", _("Calling")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("warning call", "Acknowledged")
    CONFIRMED = "confirmed", _("Confirmed by the superior")
    UNREACHABLE = "unreachable", _("Unreachable")
    STOPPED = "stopped", _("Stopped")


class AckMethod(models.TextChoices):
    BUTTON = "button", _("Button")
    LINK = "link", _("Link")
    SMS = "sms", _("SMS reply")
    PHONE = "phone", _("Phone answer recorded by the duty officer")
    BACKUP = "backup", _("Answered by the B role")
    SUPERIOR = "superior", _("Confirmed by the superior")


class Call(models.Model):
    """One person called for one warning. Root calls (`parent` empty) are the targets the board counts;
    a B role or a superior gets a child call with its own code."""

    warning = models.ForeignKey(
        "alerts.Warning", verbose_name=_("warning"), on_delete=models.CASCADE, related_name="calls"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("called for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CallKind.choices, default="target")
    entry = models.ForeignKey(
        CallListEntry, verbose_name=_("call list entry"), null=True, blank=True, on_delete=models.SET_NULL
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channels = models.JSONField(_("channels in order"), default=list, blank=True)
    code = models.CharField(_("reply code"), max_length=6)
    token = models.CharField(_("link token"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default="calling")
    step = models.PositiveSmallIntegerField(_("ladder step"), default=0)
    ack_minutes = models.PositiveIntegerField(_("minutes to acknowledge"), default=5)
    redials = models.PositiveSmallIntegerField(_("redials"), default=3)
    called_at = models.DateTimeField(_("called at"))
    deadline_at = models.DateTimeField(_("deadline"))
    next_action_at = models.DateTimeField(_("next action"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_method = models.CharField(_("acknowledged by"), max_length=10, choices=AckMethod.choices, blank=True)
    ack_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_site = models.BooleanField(_("on site (到岗)"), default=False)
    deployed = models.BooleanField(_("measures deployed (已部署)"), default=False)
    evacuated = models.PositiveIntegerField(_("people moved (转移人数)"), null=True, blank=True)
    support_needed = models.TextField(_("support needed (需支援)"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "tier", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["warning", "code"], name="alerts_call_warning_code"),
        ]
        indexes = [
            models.Index(fields=["status", "next_action_at"], name="alerts_call_due_idx"),
            models.Index(fields=["warning", "parent", "division"], name="alerts_call_board_idx"),
            models.Index(fields=["phone", "code"], name="alerts_call_phone_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_late(self) -> bool:
        return self.acknowledged_at is not None and self.acknowledged_at > self.deadline_at


class CallAttempt(models.Model):
    """One step of a call's ladder, as it happened (有叫有应有记录)."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="attempts")
    step = models.PositiveSmallIntegerField(_("ladder step"))
    action = models.CharField(_("action"), max_length=12)
    at = models.DateTimeField(_("at"))
    channels = models.JSONField(_("channels"), default=list, blank=True)
    message = models.ForeignKey(
        "messaging.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["call", "step", "id"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        constraints = [models.UniqueConstraint(fields=["call", "step"], name="alerts_callattempt_step")]

    def __str__(self) -> str:
        return f"{self.call_id} #{self.step} {self.action}"
