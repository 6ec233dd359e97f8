"""Response (应急响应) to an incident: the plan and level chosen, the plan's tasks as assignments,
dispatch orders to teams and supply requests out of warehouses. Every action also writes the
incident's timeline (models_incidents.TimelineEntry)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.scoping import Scope, ScopedQuerySet

__all__ = ["Response", "Assignment", "Dispatch", "DispatchStatus", "SupplyRequest"]

_SCOPE = Scope(division="incident__division", enterprise="incident__enterprise")


class Response(models.Model):
    incident = models.OneToOneField(
        "incidents.Incident", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="response"
    )
    plan = models.ForeignKey(
        "plans.EmergencyPlan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(
        "plans.PlanLevel",
        verbose_name=_("response level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    match_reason = models.CharField(_("why this plan"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=[("open", _("Open")), ("closed", pgettext_lazy("response status", "Closed"))],
        default="open",
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = _SCOPE

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.incident)

    @property
    def division(self):
        return self.incident.division


class Assignment(models.Model):
    """One task of the plan's level given to a role or a person, with a deadline on the ladder."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=100, blank=True)
    task = models.TextField(_("task"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="response__incident__division", enterprise="response__incident__enterprise")

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.task[:60]

    @property
    def division(self):
        return self.response.incident.division


class DispatchStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    RETURNED = "returned", _("Returned")


class Dispatch(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="dispatches")
    team = models.ForeignKey(
        "resources.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="dispatches"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DispatchStatus.choices, default="dispatched", db_index=True
    )
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    eta_minutes = models.IntegerField(_("estimated arrival (minutes)"), null=True, blank=True)
    task = models.CharField(_("task"), max_length=300, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"))

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="response__incident__division", enterprise="response__incident__enterprise")

    class Meta:
        ordering = ["dispatched_at", "pk"]
        verbose_name = _("dispatch order")
        verbose_name_plural = _("dispatch orders")

    def __str__(self) -> str:
        return str(self.team)


class SupplyRequest(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="supply_requests")
    stock = models.ForeignKey(
        "resources.Stock", verbose_name=_("stock"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    movement = models.ForeignKey(
        "resources.StockMovement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="response__incident__division", enterprise="response__incident__enterprise")

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")

    def __str__(self) -> str:
        return f"{self.stock} × {self.quantity}"
