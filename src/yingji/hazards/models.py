"""Hidden dangers (隐患) and their closed loop, supervised listing (挂牌督办), self-check schedules
(日周月排查) and public reports (有奖举报). The state machine and the grading rules live in rules.py.

`Hazard.division` and `Hazard.industry` copy the enterprise's at report time (or the reported place
for a public report without an enterprise): lists, the ledger and statistics filter and group on them
without a join over a million rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.models import StoredImage
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.core.uploads import private_storage


class Source(models.TextChoices):
    SELF_CHECK = "self_check", _("Enterprise self-check")
    INSPECTION = "inspection", _("Inspection")
    PUBLIC_REPORT = "public_report", _("Public report")
    MONITORING = "monitoring", _("Monitoring alarm")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class Treatment(models.TextChoices):
    IMMEDIATE = "immediate", _("Rectify on the spot")
    DEADLINE = "deadline", _("Rectify by a deadline")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Submitted for verification")
    VERIFIED = "verified", _("Verified, awaiting sign-off")
    CLOSED = "closed", pgettext_lazy("hidden danger status", "Closed")  # 已销号

    @classmethod
    def open_values(cls) -> list[str]:
        return [s.value for s in cls if s != cls.CLOSED]


STATUS_COLOURS = {
    Status.REPORTED: "secondary",
    Status.CONFIRMED: "azure",
    Status.RECTIFYING: "orange",
    Status.SUBMITTED: "purple",
    Status.VERIFIED: "teal",
    Status.CLOSED: "green",
}


class HazardCriterion(models.Model):
    """One item of a 重大事故隐患判定标准 checklist (shipped in data/, loaded by migration)."""

    code = models.CharField(_("code"), max_length=30, unique=True)  # e.g. chem-2017-4
    standard = models.CharField(_("standard"), max_length=30)
    number = models.PositiveSmallIntegerField(_("item"))
    short = models.CharField(_("summary"), max_length=200)
    text = models.TextField(_("text"))
    source = models.CharField(_("source and clause"), max_length=300)

    class Meta:
        ordering = ["standard", "number"]
        verbose_name = _("major hazard criterion")
        verbose_name_plural = _("major hazard criteria")

    def __str__(self) -> str:
        return f"{self.number}. {self.short}"


class Hazard(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=4, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    criteria = models.ManyToManyField(
        HazardCriterion, verbose_name=_("major hazard criteria"), blank=True, related_name="hazards"
    )
    treatment = models.CharField(
        _("treatment"), max_length=10, choices=Treatment.choices, default=Treatment.DEADLINE
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REPORTED)
    due_at = models.DateTimeField(_("rectification deadline"), null=True, blank=True)
    # 五到位 (required for a major hazard before rectification starts)
    plan_measures = models.TextField(_("rectification measures"), blank=True)
    plan_responsible = models.CharField(_("responsible person"), max_length=50, blank=True)
    plan_funds = models.DecimalField(
        _("funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    plan_contingency = models.TextField(_("contingency plan"), blank=True)
    rectification_note = models.TextField(_("rectification done"), blank=True)
    rejections = models.PositiveSmallIntegerField(_("rejections"), default=0)
    is_supervised = models.BooleanField(_("under supervised listing"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rectified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("hidden danger")
        verbose_name_plural = _("hidden dangers")
        permissions = [
            ("export_hazard", _("Can export hidden dangers")),
            ("confirm_hazard", _("Can confirm hidden dangers")),
            ("rectify_hazard", _("Can rectify hidden dangers")),
            ("verify_hazard", _("Can verify hidden dangers")),
            ("supervise_hazard", _("Can list hidden dangers for supervision and sign them off")),
        ]
        indexes = [
            models.Index(fields=["division", "reported_at"], name="hz_div_reported_idx"),
            models.Index(fields=["status", "division", "due_at"], name="hz_status_div_due_idx"),
            models.Index(fields=["enterprise", "status"], name="hz_ent_status_idx"),
            models.Index(fields=["reported_at", "id"], name="hz_reported_idx"),
            # The ledger and "overdue now" read the open hazards from this index alone (no table lookups).
            models.Index(
                fields=[
                    "status",
                    "division",
                    "reported_at",
                    "due_at",
                    "grade",
                    "industry",
                    "source",
                    "is_supervised",
                ],
                name="hz_open_cover_idx",
            ),
            models.Index(fields=["grade", "reported_at"], name="hz_grade_reported_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")


class HazardEvent(models.Model):
    """The domain history of a hazard: one row per action (the legal record, read by reports)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hidden danger"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hidden danger event")
        verbose_name_plural = _("hidden danger events")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before rectification")
    AFTER = "after", _("After rectification")
    DOCUMENT = "document", _("Supporting document")


class HazardPhoto(StoredImage):
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hidden danger"), on_delete=models.CASCADE, related_name="photos"
    )
    event = models.ForeignKey(
        HazardEvent,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to="hazards/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class SupervisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")


class Supervision(models.Model):
    """挂牌督办 of a major hazard by an authority; closing the hazard needs that authority's sign-off."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hidden danger"), on_delete=models.CASCADE, related_name="supervisions"
    )
    level = models.CharField(_("level"), max_length=10, choices=SupervisionLevel.choices)
    authority = models.ForeignKey(
        "core.Division",
        verbose_name=_("supervising authority (division)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.CharField(_("supervising unit"), max_length=100)
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    due_at = models.DateTimeField(_("supervision deadline"))
    listed_at = models.DateTimeField(_("listed"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("listed by"), on_delete=models.PROTECT, related_name="+"
    )
    delisted_at = models.DateTimeField(_("delisted"), null=True, blank=True)
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delisted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="hazard__division", enterprise="hazard__enterprise")

    class Meta:
        ordering = ["-listed_at", "-id"]
        verbose_name = _("supervised listing")
        verbose_name_plural = _("supervised listings")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=models.Q(delisted_at__isnull=True), name="hz_one_active_listing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.document_no}".strip()

    @property
    def is_active(self) -> bool:
        return self.delisted_at is None


class HazardStat(models.Model):
    """Daily counters per (day, town, industry, source, grade), kept by the services in the same
    transaction as the change: statistics read a few thousand rows instead of a million hazards."""

    day = models.DateField(_("day"))
    town = models.CharField(_("town"), max_length=12)  # the first 9 digits of the division, zero-padded
    industry = models.CharField(_("industry"), max_length=4, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    found = models.PositiveIntegerField(_("found"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    closed_late = models.PositiveIntegerField(_("closed after the deadline"), default=0)
    close_days = models.PositiveIntegerField(_("days to close (sum)"), default=0)

    class Meta:
        verbose_name = _("hidden danger statistic")
        verbose_name_plural = _("hidden danger statistics")
        constraints = [
            models.UniqueConstraint(fields=["day", "town", "industry", "source", "grade"], name="hz_stat_key")
        ]
        indexes = [
            models.Index(fields=["town", "day"], name="hz_stat_town_day_idx"),
            # The statistics sum a period's counters from this index alone.
            models.Index(
                fields=[
                    "day",
                    "town",
                    "industry",
                    "source",
                    "grade",
                    "found",
                    "closed",
                    "closed_late",
                    "close_days",
                ],
                name="hz_stat_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.town} {self.source} {self.grade}"


# The monthly rollup's counter columns: one per counter x grade x source, named like
# `found_major_inspection` (see `month_column`).
STAT_COUNTERS = ("found", "closed", "closed_late", "close_days")
STAT_COUNTER_LABELS = {
    "found": _("found"),
    "closed": _("closed"),
    "closed_late": _("closed after the deadline"),
    "close_days": _("days to close (sum)"),
}


def month_column(counter: str, grade: str, source: str) -> str:
    """The `HazardStatMonth` column holding `counter` for one grade and source."""
    return f"{counter}_{grade}_{source}"


def _counter(counter: str, grade: str, source: str) -> models.PositiveIntegerField:
    label = format_lazy(
        _("{counter} ({grade}, {source})"),
        counter=STAT_COUNTER_LABELS[counter],
        grade=Grade(grade).label,
        source=Source(source).label,
    )
    return models.PositiveIntegerField(label, default=0)


class HazardStatMonth(models.Model):
    """The daily counters rolled up per (month, town, industry), the grades and sources as columns
    (`month_column`): statistics over long periods read the whole months here and only the partial
    months at the two edges from `HazardStat`. Kept by the services in the same transaction as the
    daily row; `statistics.rebuild_statistics()` rebuilds it from the daily rows."""

    month = models.DateField(_("month"))  # the first day of the month
    town = models.CharField(_("town"), max_length=12)
    industry = models.CharField(_("industry"), max_length=4, blank=True)
    found_general_self_check = _counter("found", "general", "self_check")
    found_general_inspection = _counter("found", "general", "inspection")
    found_general_public_report = _counter("found", "general", "public_report")
    found_general_monitoring = _counter("found", "general", "monitoring")
    found_general_other = _counter("found", "general", "other")
    found_major_self_check = _counter("found", "major", "self_check")
    found_major_inspection = _counter("found", "major", "inspection")
    found_major_public_report = _counter("found", "major", "public_report")
    found_major_monitoring = _counter("found", "major", "monitoring")
    found_major_other = _counter("found", "major", "other")
    closed_general_self_check = _counter("closed", "general", "self_check")
    closed_general_inspection = _counter("closed", "general", "inspection")
    closed_general_public_report = _counter("closed", "general", "public_report")
    closed_general_monitoring = _counter("closed", "general", "monitoring")
    closed_general_other = _counter("closed", "general", "other")
    closed_major_self_check = _counter("closed", "major", "self_check")
    closed_major_inspection = _counter("closed", "major", "inspection")
    closed_major_public_report = _counter("closed", "major", "public_report")
    closed_major_monitoring = _counter("closed", "major", "monitoring")
    closed_major_other = _counter("closed", "major", "other")
    closed_late_general_self_check = _counter("closed_late", "general", "self_check")
    closed_late_general_inspection = _counter("closed_late", "general", "inspection")
    closed_late_general_public_report = _counter("closed_late", "general", "public_report")
    closed_late_general_monitoring = _counter("closed_late", "general", "monitoring")
    closed_late_general_other = _counter("closed_late", "general", "other")
    closed_late_major_self_check = _counter("closed_late", "major", "self_check")
    closed_late_major_inspection = _counter("closed_late", "major", "inspection")
    closed_late_major_public_report = _counter("closed_late", "major", "public_report")
    closed_late_major_monitoring = _counter("closed_late", "major", "monitoring")
    closed_late_major_other = _counter("closed_late", "major", "other")
    close_days_general_self_check = _counter("close_days", "general", "self_check")
    close_days_general_inspection = _counter("close_days", "general", "inspection")
    close_days_general_public_report = _counter("close_days", "general", "public_report")
    close_days_general_monitoring = _counter("close_days", "general", "monitoring")
    close_days_general_other = _counter("close_days", "general", "other")
    close_days_major_self_check = _counter("close_days", "major", "self_check")
    close_days_major_inspection = _counter("close_days", "major", "inspection")
    close_days_major_public_report = _counter("close_days", "major", "public_report")
    close_days_major_monitoring = _counter("close_days", "major", "monitoring")
    close_days_major_other = _counter("close_days", "major", "other")

    class Meta:
        verbose_name = _("hidden danger monthly statistic")
        verbose_name_plural = _("hidden danger monthly statistics")
        constraints = [
            models.UniqueConstraint(fields=["month", "town", "industry"], name="hz_stat_month_key")
        ]
        indexes = [models.Index(fields=["town", "month"], name="hz_stat_month_town_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.town} {self.industry}"


# -- self-check schedules (日周月排查) ------------------------------------------------------------------


class PlanKind(models.TextChoices):
    TEAM_DAILY = "team_daily", _("Team daily check")
    DEPARTMENT_WEEKLY = "dept_weekly", _("Department weekly check")
    MANAGER_MONTHLY = "manager_monthly", _("Manager monthly check")
    HOLIDAY = "holiday", _("Pre-holiday check")
    SEASONAL = "seasonal", _("Seasonal check")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    ONCE = "once", _("Once")


class CheckPlan(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="check_plans",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise", "name", "id"]
        verbose_name = _("self-check plan")
        verbose_name_plural = _("self-check plans")

    def __str__(self) -> str:
        return self.name


class CheckPlanItem(models.Model):
    plan = models.ForeignKey(
        CheckPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("check item"), max_length=300)
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("check item")
        verbose_name_plural = _("check items")

    def __str__(self) -> str:
        return self.text


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class CheckTask(models.Model):
    """One scheduled check of a plan for one period; created by the scheduler, done by the enterprise."""

    plan = models.ForeignKey(
        CheckPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="check_tasks",
    )
    period_start = models.DateField(_("period start"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="enterprise__division", enterprise="enterprise")

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("self-check task")
        verbose_name_plural = _("self-check tasks")
        constraints = [models.UniqueConstraint(fields=["plan", "period_start"], name="hz_task_once")]
        indexes = [models.Index(fields=["status", "due_on"], name="hz_task_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}"


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class CheckResult(models.Model):
    task = models.ForeignKey(
        CheckTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        CheckPlanItem, verbose_name=_("check item"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=4, choices=ItemResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("hidden danger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["task", "item__order"]
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        constraints = [models.UniqueConstraint(fields=["task", "item"], name="hz_result_once")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.item_id} {self.result}"


# -- public reports (有奖举报) ----------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted as a hidden danger")
    DISMISSED = "dismissed", _("Dismissed")


class PublicReport(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise_name = models.CharField(_("enterprise or place reported"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=200)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    description = models.TextField(_("description"))
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    client_key = models.CharField(_("client key"), max_length=64, db_index=True)  # hashed address
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("hidden danger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissal_reason = models.CharField(_("reason for dismissal"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    reward_yuan = models.DecimalField(
        _("reward (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reward_granted_at = models.DateTimeField(_("reward granted"), null=True, blank=True)
    reward_note = models.CharField(_("reward note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        permissions = [("handle_publicreport", _("Can handle public reports and see reporters"))]

    def __str__(self) -> str:
        return self.tracking_code


class ReportPhoto(StoredImage):
    report = models.ForeignKey(
        PublicReport, verbose_name=_("public report"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="reports/%Y/%m/")
