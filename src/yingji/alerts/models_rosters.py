"""Evacuation rosters (临灾转移): the people each village must move when a warning comes, and the
transfer rounds that follow them until everyone is safe.

`Evacuee` is one person on a village's roster with their custodian (包保责任人) and target shelter.
`RoundTrigger` rows say which warnings start a round by themselves (event type or any, a minimum level,
a division subtree). A `TransferRound` belongs to one warning; it holds one `TransferStatus` per person
of the roster inside the warning's area, and every mark a custodian makes is a `TransferMark` row.
The shelter is free text for now: there is no `resources` app (shelters as places) yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.alerts.events import EVENT_CHOICES, LEVELS
from yingji.core.identifiers import mask_phone
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.registry.validators import validate_phone

__all__ = [
    "EvacueeCategory",
    "Evacuee",
    "RoundTrigger",
    "RoundStatus",
    "TransferRound",
    "TransferState",
    "TransferStatus",
    "TransferMark",
]


class EvacueeCategory(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly person living alone")
    DISABLED = "disabled", _("Person with a disability")
    DANGEROUS_HOUSE = "dangerous_house", _("Dangerous house")
    LOW_LYING = "low_lying", _("Low-lying area")
    GEOHAZARD = "geohazard", _("Geological hazard point")
    PREGNANT = "pregnant", _("Pregnant woman")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other")


class Evacuee(models.Model):
    """One person a village must move before a disaster (临灾转移人员)."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=EvacueeCategory.choices, default=EvacueeCategory.OTHER
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    custodian_name = models.CharField(_("custodian"), max_length=50)
    custodian_phone = models.CharField(
        _("custodian's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    custodian_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Free text until shelters exist as places (a future `resources` app).
    shelter = models.CharField(_("target shelter"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "name", "id"]
        verbose_name = _("evacuee")
        verbose_name_plural = _("evacuees")
        permissions = [
            ("import_evacuee", _("Can import evacuation rosters")),
            ("export_evacuee", _("Can export evacuation rosters")),
        ]
        indexes = [models.Index(fields=["division", "active"], name="alerts_evacuee_div_act_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_custodian_phone(self) -> str:
        return mask_phone(self.custodian_phone)

    @property
    def active_display(self) -> str:
        return str(_("Yes") if self.active else _("No"))


class RoundTrigger(models.Model):
    """A warning of this type (or any) and at least this level, whose area lies in this division's
    subtree, starts a transfer round for the villages there."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.CharField(
        _("event type"), max_length=20, choices=EVENT_CHOICES, blank=True, help_text=_("Empty: any type.")
    )
    min_level = models.CharField(
        _("minimum level"),
        max_length=10,
        choices=[(code, label) for code, (label, _rank) in LEVELS.items()],
        default="orange",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "event_type", "min_level"]
        verbose_name = _("transfer round trigger")
        verbose_name_plural = _("transfer round triggers")

    def __str__(self) -> str:
        return f"{self.division_id} {self.event_type or '*'} ≥{self.min_level}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TransferRound(models.Model):
    """One transfer (转移) for one warning: a status per person of the rosters inside its area."""

    warning = models.ForeignKey(
        "alerts.Warning", verbose_name=_("warning"), on_delete=models.PROTECT, related_name="transfer_rounds"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default="open")
    trigger = models.ForeignKey(
        RoundTrigger,
        verbose_name=_("trigger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when started by hand."),
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    people = models.PositiveIntegerField(_("people"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("transfer round")
        verbose_name_plural = _("transfer rounds")
        permissions = [("close_transferround", _("Can close transfer rounds"))]
        constraints = [
            models.UniqueConstraint(
                fields=["warning"], condition=models.Q(status="open"), name="alerts_round_one_open"
            )
        ]

    def __str__(self) -> str:
        return str(self.warning)


class TransferState(models.TextChoices):
    PENDING = "pending", _("Not yet marked")
    MOVED = "moved", _("Moved")
    REFUSED = "refused", _("Refused")
    NOT_HOME = "not_home", _("Not at home")
    RETURNED = "returned", _("Returned")


class TransferStatus(models.Model):
    """Where one person of a round stands; the village is copied so roll-ups group by code prefix."""

    round = models.ForeignKey(TransferRound, on_delete=models.CASCADE, related_name="statuses")
    evacuee = models.ForeignKey(Evacuee, on_delete=models.PROTECT, related_name="transfer_statuses")
    division = models.ForeignKey("core.Division", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=TransferState.choices, default="pending")
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "evacuee__name", "id"]
        verbose_name = _("transfer status")
        verbose_name_plural = _("transfer statuses")
        constraints = [
            models.UniqueConstraint(fields=["round", "evacuee"], name="alerts_transfer_round_person")
        ]
        indexes = [models.Index(fields=["round", "division", "status"], name="alerts_transfer_rds_idx")]

    def __str__(self) -> str:
        return f"{self.evacuee_id} {self.status}"


class TransferMark(models.Model):
    """One mark a custodian made (the domain history of a person's transfer)."""

    transfer = models.ForeignKey(TransferStatus, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(_("status"), max_length=10, choices=TransferState.choices)
    previous = models.CharField(_("previous status"), max_length=10, choices=TransferState.choices)
    marked_at = models.DateTimeField(_("marked at"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["marked_at", "id"]
        verbose_name = _("transfer mark")
        verbose_name_plural = _("transfer marks")

    def __str__(self) -> str:
        return f"{self.transfer_id} → {self.status}"
