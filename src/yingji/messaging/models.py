"""Messages (one per recipient; the in-app inbox) and their deliveries (one row per channel and address)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DIGEST_TEMPLATE = "digest"


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app inbox")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DIGESTED = "digested", _("Held for a digest")


class ErrorKind(models.TextChoices):
    NONE = "", _("None")
    PERMANENT = "permanent", _("Permanent")
    TEMPORARY = "temporary", _("Temporary")


class Message(models.Model):
    """What one person (or one plain address) is told. Messages of a user are that user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    template = models.CharField(_("template"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="msg_recipient_read_idx"),
            # The storm rule counts a person's messages of the last window on every send; the inbox
            # lists them newest first.
            models.Index(fields=["recipient", "created_at"], name="msg_recipient_created_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One channel's attempt(s) to bring a message to one address; the worker's unit of work."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    error_kind = models.CharField(
        _("error kind"), max_length=10, choices=ErrorKind.choices, default=ErrorKind.NONE, blank=True
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # A delivery held by the rate limit points at the digest delivery that carried it.
    digest = models.ForeignKey(
        "self",
        verbose_name=_("digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="dlv_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address or self.message.recipient} ({self.status})"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    TEMPORARY = "temporary", _("Temporary error")
    PERMANENT = "permanent", _("Permanent error")


class DeliveryAttempt(models.Model):
    """One try of the worker to bring a delivery through its channel: the delivery's history."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=AttemptOutcome.choices)
    error = models.TextField(_("error"), blank=True)
    permanent = models.BooleanField(_("permanent"), default=False)

    class Meta:
        ordering = ["delivery", "number", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.outcome}"
