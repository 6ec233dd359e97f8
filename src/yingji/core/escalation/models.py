"""Deadline rows for any record, their escalation ladders, fired steps and extension requests.

Re-exported from `yingji.core.models` so Django finds them in the `core` app.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Deadline",
    "DeadlineState",
    "EscalationAction",
    "EscalationEvent",
    "EscalationLadder",
    "EscalationStep",
    "ExtensionRequest",
    "ExtensionState",
]


class EscalationAction(models.TextChoices):
    REMIND_ASSIGNEE = "remind_assignee", _("Remind the assignee")
    NOTIFY_SUPERIOR = "notify_superior", _("Notify the superior")
    MARK_OVERDUE = "mark_overdue", _("Mark overdue")
    FORMAL_LETTER = "formal_letter", _("Formal letter")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    INTERVIEW = "interview", _("Interview")
    EXPOSURE = "exposure", _("Exposure list")


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class EscalationLadder(models.Model):
    """Configurable per bureau: the ladder of a division applies to its subtree; no division = default."""

    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalation_ladders",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "core_escalation_ladder"
        ordering = ["pk"]
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    ladder = models.ForeignKey(
        EscalationLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    offset_minutes = models.IntegerField(
        _("offset (minutes)"), help_text=_("Relative to the deadline; negative means before it.")
    )
    action = models.CharField(_("action"), max_length=30, choices=EscalationAction.choices)

    class Meta:
        db_table = "core_escalation_step"
        ordering = ["ladder", "offset_minutes", "order"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [models.UniqueConstraint(fields=["ladder", "order"], name="escalation_step_order")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.offset_minutes:+d} min)"


class DeadlineQuerySet(models.QuerySet):
    def open(self) -> DeadlineQuerySet:
        return self.filter(state=DeadlineState.OPEN)

    def overdue(self, now: datetime.datetime | None = None) -> DeadlineQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())

    def for_object(self, obj: models.Model) -> DeadlineQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class Deadline(models.Model):
    """The deadline of one record (any model). Overdue is computed from `due_at`, never stored."""

    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # deadline_one_open (content_type, object_id) starts with it
    )
    object_id = models.CharField(_("record ID"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField(_("due"))
    # Not indexed: every index of this table is written again each time a step fires (next_step_at
    # changes, so PostgreSQL cannot make a HOT update); nothing looks deadlines up by assignee yet.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
        db_index=False,
    )
    # Not indexed: every index costs the escalation pass a write per row, and ladders are few.
    ladder = models.ForeignKey(
        EscalationLadder,
        verbose_name=_("ladder"),
        on_delete=models.PROTECT,
        related_name="deadlines",
        db_index=False,
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    # The ladder position: steps before next_step_index have fired; next_step_at is when the next one
    # is due (NULL once closed or when the ladder is exhausted), so the periodic pass is an index scan.
    next_step_index = models.PositiveSmallIntegerField(_("next step"), default=0)
    # Indexed by deadline_next_step_idx, partial: closed and exhausted deadlines (NULL) are not in it.
    next_step_at = models.DateTimeField(_("next step at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        db_table = "core_deadline"
        ordering = ["due_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        # A record's open deadline is found through the partial UNIQUE deadline_one_open; there is no
        # full (content_type, object_id) index, one index fewer for the escalation pass to keep up.
        indexes = [
            models.Index(
                fields=["next_step_at"],
                name="deadline_next_step_idx",
                condition=models.Q(next_step_at__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="open"),
                name="deadline_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.due_at:%Y-%m-%d %H:%M}"

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.state == DeadlineState.OPEN and self.due_at < (now or timezone.now())


class EscalationEvent(models.Model):
    """One fired step. UNIQUE (deadline, step): a step can never fire twice, whatever the workers do."""

    # No separate index on deadline_id: the UNIQUE (deadline, step) index starts with it.
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    # Not indexed either: one index fewer to write per fired step; steps are hardly ever deleted.
    step = models.ForeignKey(
        EscalationStep,
        verbose_name=_("step"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    fired_at = models.DateTimeField(_("fired"))
    action = models.CharField(_("action"), max_length=30, choices=EscalationAction.choices)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    # When its handler ran (set at once for record-only steps). The pass only records fired steps;
    # `process_escalation_events` then claims the pending ones and runs their handlers, so what a step
    # does (messages, timeline rows) commits with the claim: once, and off the pass's clock.
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        db_table = "core_escalation_event"
        ordering = ["fired_at", "pk"]
        verbose_name = _("escalation event")
        verbose_name_plural = _("escalation events")
        constraints = [models.UniqueConstraint(fields=["deadline", "step"], name="escalation_event_once")]
        indexes = [
            # Only the pending events: record-only steps never enter it, so the pass pays nothing.
            models.Index(
                fields=["id"], name="escalation_event_pending", condition=models.Q(handled_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.action} {self.fired_at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """申请延期: the assignee asks for a later deadline; someone else approves or rejects it."""

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.PROTECT, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    old_due_at = models.DateTimeField(_("due before"))
    new_due_at = models.DateTimeField(_("new due"))
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(
        _("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        db_table = "core_extension_request"
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.deadline_id} → {self.new_due_at:%Y-%m-%d %H:%M}"
