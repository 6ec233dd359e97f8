"""Warning notices to departments (预警提示单): a bureau tells departments and towns what to do about a
warning (or a coming danger), with a feedback deadline on the core escalation ladder.

A notice is numbered 预警提示单〔year〕N号, gap-free per issuing division and year (the number is taken
inside the issuing transaction, under a lock on the division row). Each recipient (a division, a user,
or both) answers with feedback and the measures taken; who is late is computed from `feedback_due`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = ["Notice", "NoticeRecipient"]


class Notice(models.Model):
    division = models.ForeignKey(
        "core.Division", verbose_name=_("issuing division"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    warning = models.ForeignKey(
        "alerts.Warning",
        verbose_name=_("warning"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("situation"), blank=True)
    measures = models.TextField(_("required measures"))
    feedback_due = models.DateTimeField(_("feedback due"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    closed_at = models.DateTimeField(_("all answered at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("warning notice")
        verbose_name_plural = _("warning notices")
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year", "number"], name="alerts_notice_division_year_number"
            )
        ]

    def __str__(self) -> str:
        return self.document_no

    @property
    def document_no(self) -> str:
        return f"预警提示单〔{self.year}〕{self.number}号"


class NoticeRecipient(models.Model):
    """One addressee of a notice and its answer (feedback and measures taken)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback = models.TextField(_("feedback"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division__isnull=False) | models.Q(user__isnull=False),
                name="alerts_noticerecipient_someone",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.division)
