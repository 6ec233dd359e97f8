"""Enforcement (执法): rectification orders, re-inspections, penalty cases, suspensions (停产停业整顿),
numbered enforcement documents (执法文书) and enforcement leads (线索). The loop's rules live in
rules_enforcement.py, its changes in services_enforcement.py.

Every record copies the enterprise's division, so lists and scoping need no join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.inspections import rules_enforcement as rules

__all__ = [
    "DocumentCounter",
    "DocumentKind",
    "EnforcementDocument",
    "EnforcementLead",
    "FindingResult",
    "LeadSource",
    "LeadStatus",
    "NumberPattern",
    "OrderStatus",
    "PaymentStatus",
    "PenaltyCase",
    "PenaltyStatus",
    "Discretion",
    "Reinspection",
    "ReinspectionResult",
    "RectificationOrder",
    "Suspension",
    "SuspensionStatus",
]


class LeadSource(models.TextChoices):
    ROLL_CALL = "roll_call", _("Duty roll-call")
    VIDEO_CHECK = "video_check", _("Video check")
    DUST_CHECKIN = "dust_checkin", _("Dust clean-up check-in")
    ALARM = "alarm", _("Monitoring alarm")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")
    DISMISSED = "dismissed", _("Dismissed")


class EnforcementLead(models.Model):
    """A clue (线索) that an enterprise may need an inspection: from a missed roll-call, a video check, a
    dust check-in, an alarm, or by hand. Handled by an inspection, or dismissed with a reason."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="enforcement_leads",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices)
    summary = models.TextField(_("summary"))
    origin_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("origin type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_id = models.CharField(_("origin ID"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enforcement lead")
        verbose_name_plural = _("enforcement leads")
        indexes = [models.Index(fields=["status", "division", "created_at"], name="lead_status_div_idx")]

    def __str__(self) -> str:
        return self.summary[:60]

    @property
    def status_colour(self) -> str:
        return rules.STATUS_COLOURS.get(self.status, "secondary")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued, rectifying")
    REINSPECTED = "reinspected", _("Re-inspected")
    CLOSED = "closed", pgettext_lazy("order status", "Closed")
    PENALTY = "penalty", _("Referred to a penalty case")


class RectificationOrder(models.Model):
    """责令限期整改指令书: one per inspection with findings; the enterprise rectifies by the deadline and
    a re-inspection (复查) on or after it closes the order or opens a penalty case."""

    inspection = models.OneToOneField(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="rectification_order",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="rectification_orders",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("rectification deadline"))
    requirements = models.TextField(_("requirements"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        indexes = [models.Index(fields=["status", "division", "deadline"], name="order_status_div_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.deadline:%Y-%m-%d}"

    @property
    def status_colour(self) -> str:
        return rules.STATUS_COLOURS.get(self.status, "secondary")


class Reinspection(models.Model):
    """整改复查: a visit on or after the order's deadline with a result per finding."""

    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("rectification order"),
        on_delete=models.PROTECT,
        related_name="reinspections",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(_("re-inspected"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-inspected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("opinion"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("re-inspection")
        verbose_name_plural = _("re-inspections")

    def __str__(self) -> str:
        return f"{self.order} {self.performed_at:%Y-%m-%d}"


class FindingResult(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")


class ReinspectionResult(models.Model):
    reinspection = models.ForeignKey(
        Reinspection, verbose_name=_("re-inspection"), on_delete=models.CASCADE, related_name="results"
    )
    finding = models.ForeignKey(
        "inspections.Finding", verbose_name=_("finding"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=14, choices=FindingResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["reinspection", "finding"]
        verbose_name = _("re-inspection result")
        verbose_name_plural = _("re-inspection results")
        constraints = [models.UniqueConstraint(fields=["reinspection", "finding"], name="reinsp_result_once")]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.result}"


class PenaltyStatus(models.TextChoices):
    OPEN = "open", _("Open, awaiting decision")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", pgettext_lazy("penalty status", "Closed")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    ENFORCED = "enforced", _("Enforced")


class Discretion(models.TextChoices):
    LENIENT = "lenient", _("Lenient (从轻)")
    GENERAL = "general", _("General (一般)")
    SEVERE = "severe", _("Severe (从重)")


class PenaltyCase(models.Model):
    """行政处罚: opened from an order whose findings were not rectified (or directly), decided with a
    legal basis, an amount and a discretion level, then paid or enforced and closed."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="penalty_cases",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("rectification order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalty_cases",
    )
    findings = models.ManyToManyField(
        "inspections.Finding", verbose_name=_("findings"), blank=True, related_name="+"
    )
    facts = models.TextField(_("facts"), blank=True)
    violation = models.CharField(_("violation (discretion table)"), max_length=20, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    discretion = models.CharField(
        _("discretion level"), max_length=10, choices=Discretion.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PenaltyStatus.choices, default=PenaltyStatus.OPEN
    )
    payment_status = models.CharField(
        _("payment"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid or enforced"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("penalty case")
        verbose_name_plural = _("penalty cases")
        permissions = [("decide_penaltycase", _("Can decide penalties"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="penalty_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.opened_at:%Y-%m-%d}"

    @property
    def status_colour(self) -> str:
        return rules.STATUS_COLOURS.get(self.status, "secondary")

    @property
    def payment_colour(self) -> str:
        return rules.STATUS_COLOURS.get(self.payment_status, "secondary")


class SuspensionStatus(models.TextChoices):
    ACTIVE = "active", _("Suspended")
    LIFTED = "lifted", _("Lifted")


class Suspension(models.Model):
    """停产停业整顿 of an enterprise (强制措施), from a penalty decision or alone; lifted when resolved."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="suspensions",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    penalty = models.ForeignKey(
        PenaltyCase,
        verbose_name=_("penalty case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspensions",
    )
    reason = models.TextField(_("reason"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=SuspensionStatus.choices, default=SuspensionStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_note = models.TextField(_("note on lifting"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.started_at:%Y-%m-%d}"

    @property
    def status_colour(self) -> str:
        return rules.STATUS_COLOURS.get(self.status, "secondary")


class DocumentKind(models.TextChoices):
    INSPECTION_RECORD = rules.INSPECTION_RECORD, _("On-site inspection record")
    RECTIFICATION_ORDER = rules.RECTIFICATION_ORDER, _("Order to rectify by a deadline")
    REINSPECTION_OPINION = rules.REINSPECTION_OPINION, _("Re-inspection opinion")
    PENALTY_DECISION = rules.PENALTY_DECISION, _("Penalty decision")
    COERCIVE_MEASURE = rules.COERCIVE_MEASURE, _("Coercive measure decision")


class NumberPattern(models.Model):
    """How a bureau numbers one kind of document: e.g. "({abbr})应急{code}〔{year}〕{seq}号". The pattern
    of the nearest division up the tree applies; its division owns the gap-free counter."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("document kind"), max_length=24, choices=DocumentKind.choices)
    pattern = models.CharField(_("pattern"), max_length=100, default=rules.DEFAULT_PATTERN)
    abbr = models.CharField(_("abbreviation"), max_length=10, blank=True)
    code = models.CharField(_("document code"), max_length=10, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["division", "kind"]
        verbose_name = _("document number pattern")
        verbose_name_plural = _("document number patterns")
        constraints = [models.UniqueConstraint(fields=["division", "kind"], name="numpattern_once")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.kind}"


class DocumentCounter(models.Model):
    """The last number used per (division, kind, year). Incremented by an UPDATE inside the
    transaction that writes the document, so a rolled-back document gives its number back."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("document kind"), max_length=24, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["division", "kind", "year"], name="doccounter_once")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.kind} {self.year}: {self.last}"


class EnforcementDocument(models.Model):
    """One issued document (执法文书) with its number and the snapshot it prints from."""

    kind = models.CharField(_("document kind"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=100)
    numbering_division = models.ForeignKey(
        "core.Division", verbose_name=_("numbering bureau"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="enforcement_documents",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    order = models.ForeignKey(
        RectificationOrder,
        verbose_name=_("rectification order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    reinspection = models.ForeignKey(
        Reinspection,
        verbose_name=_("re-inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    penalty = models.ForeignKey(
        PenaltyCase,
        verbose_name=_("penalty case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    suspension = models.ForeignKey(
        Suspension,
        verbose_name=_("suspension"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    content = models.JSONField(_("content"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("enforcement document")
        verbose_name_plural = _("enforcement documents")
        constraints = [
            models.UniqueConstraint(
                fields=["numbering_division", "kind", "year", "seq"], name="doc_seq_once"
            ),
            models.UniqueConstraint(fields=["numbering_division", "number"], name="doc_number_once"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def title(self) -> str:
        return rules.DOCUMENT_TITLES.get(self.kind, "")
