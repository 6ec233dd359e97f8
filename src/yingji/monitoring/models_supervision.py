"""Online supervision (非现场执法): roll-calls (值班值守点名), video spot-checks, dust-cleaning check-ins.

`RollCall` — a duty officer's roll-call of a pool of enterprises, with a reply code and a deadline;
`RollCallTarget` — one enterprise called (answered / late / no answer). `VideoCheck` — what an
officer saw on an enterprise's video link. `DustSchedule` — an enterprise's cleaning of one area at
time windows each day; `DustCheckin` — one cleaning recorded; `DustDayResult` — each window's result
for a day (computed by the daily task). Bad results become a finding: a hazard (`hazard`) or an
enforcement lead (`lead_ref`, the id of an `inspections.EnforcementLead`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.models import StoredImage
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.core.uploads import private_storage

__all__ = [
    "AnswerMethod",
    "VideoScreenshot",
    "DustCheckin",
    "DustDayResult",
    "DustSchedule",
    "RollCall",
    "RollCallStatus",
    "RollCallTarget",
    "TargetStatus",
    "VideoCheck",
    "VideoResult",
    "WindowStatus",
]


class RollCallStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("roll-call", "Open")
    CLOSED = "closed", pgettext_lazy("roll-call", "Closed")


class TargetStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the answer")
    ANSWERED = "answered", pgettext_lazy("roll-call", "Answered")
    LATE = "late", _("Answered late")
    NO_ANSWER = "no_answer", _("No answer")


class AnswerMethod(models.TextChoices):
    APP = "app", _("In the app")
    API = "api", _("API")
    SMS = "sms", _("SMS reply")


class Finding(models.Model):
    """What a bad result became: a hazard or an enforcement lead (at most one of each)."""

    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hidden danger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_ref = models.PositiveIntegerField(_("enforcement lead"), null=True, blank=True)

    class Meta:
        abstract = True


class RollCall(models.Model):
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    pool = models.JSONField(_("pool"), default=dict, blank=True)  # {"division", "industries", "flags"}
    code = models.CharField(_("reply code"), max_length=6, db_index=True)
    minutes = models.PositiveIntegerField(_("minutes to answer"), validators=[MinValueValidator(1)])
    late_minutes = models.PositiveIntegerField(_("late answers accepted for (minutes)"), default=30)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    deadline_at = models.DateTimeField(_("deadline"))
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=RollCallStatus.choices, default="open")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_count = models.PositiveIntegerField(_("enterprises called"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("roll-call")
        verbose_name_plural = _("roll-calls")
        permissions = [
            ("answer_rollcall", _("Can answer roll-calls of the own enterprise")),
            ("open_finding", _("Can turn a supervision result into a hazard or an enforcement lead")),
            ("export_rollcall", _("Can export the supervision league table")),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="mon_rollcall_due_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.started_at:%Y-%m-%d %H:%M})"


class RollCallTarget(Finding):
    roll_call = models.ForeignKey(
        RollCall, verbose_name=_("roll-call"), on_delete=models.CASCADE, related_name="targets"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TargetStatus.choices, default="pending")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    method = models.CharField(_("answered by"), max_length=5, choices=AnswerMethod.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["roll_call", "division", "id"]
        verbose_name = _("roll-call target")
        verbose_name_plural = _("roll-call targets")
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "enterprise"], name="mon_rct_call_ent_uniq"),
        ]
        indexes = [
            models.Index(fields=["roll_call", "phone"], name="mon_rct_call_phone_idx"),
            models.Index(fields=["enterprise", "status"], name="mon_rct_ent_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.roll_call_id}/{self.enterprise_id} {self.status}"


class VideoResult(models.TextChoices):
    NORMAL = "normal", _("Normal")
    OFF_POST = "off_post", _("Off post (脱岗)")
    ASLEEP = "asleep", _("Asleep on duty (睡岗)")
    OFFLINE = "offline", _("Video offline")
    OTHER = "other", pgettext_lazy("video check", "Other")


class VideoCheck(Finding):
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=10, choices=VideoResult.choices)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("video spot-check")
        verbose_name_plural = _("video spot-checks")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.result} {self.checked_at:%Y-%m-%d %H:%M}"


class VideoScreenshot(StoredImage):
    video_check = models.OneToOneField(
        VideoCheck, verbose_name=_("video spot-check"), on_delete=models.CASCADE, related_name="screenshot"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="supervision/video/%Y/%m/")

    class Meta(StoredImage.Meta):
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")


class DustSchedule(models.Model):
    """An enterprise cleans one area at these time windows every day ("08:00-09:00")."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("area"), max_length=100)
    windows = models.JSONField(_("time windows"), default=list)  # ["08:00-09:00", "16:00-17:00"]
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["enterprise", "area", "id"]
        verbose_name = _("dust-cleaning schedule")
        verbose_name_plural = _("dust-cleaning schedules")
        constraints = [models.UniqueConstraint(fields=["enterprise", "area"], name="mon_dust_ent_area_uniq")]

    def __str__(self) -> str:
        return f"{self.area} ({self.windows_text})"

    @property
    def windows_text(self) -> str:
        return ", ".join(self.windows or [])


class DustCheckin(models.Model):
    schedule = models.ForeignKey(
        DustSchedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="checkins"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("cleaned at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.FileField(
        _("photo"), storage=private_storage, upload_to="supervision/dust/%Y/%m/", blank=True
    )
    photo_type = models.CharField(_("photo content type"), max_length=50, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-done_at", "-id"]
        verbose_name = _("dust-cleaning check-in")
        verbose_name_plural = _("dust-cleaning check-ins")

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.done_at:%Y-%m-%d %H:%M}"


class WindowStatus(models.TextChoices):
    DONE = "done", _("Done on time")
    LATE = "late", _("Done late")
    MISSED = "missed", _("Missed")


class DustDayResult(Finding):
    """One time window of one schedule on one day, as the daily task found it."""

    schedule = models.ForeignKey(
        DustSchedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="results"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"), db_index=True)
    window = models.CharField(_("time window"), max_length=11)
    status = models.CharField(_("result"), max_length=10, choices=WindowStatus.choices)
    checkin = models.ForeignKey(
        DustCheckin,
        verbose_name=_("check-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["-day", "schedule", "window"]
        verbose_name = _("dust-cleaning result")
        verbose_name_plural = _("dust-cleaning results")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "day", "window"], name="mon_dustres_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.day} {self.window} {self.status}"
