"""The warning list's filters (pages and API alike) and which warnings a user may read.

A warning is scoped by its jurisdiction (`division`); a town or village also reads the live warnings
whose area covers it (a county warning for the whole county), to pass them on and print the broadcast
text. That wider reading never allows an action: the services check the jurisdiction.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.alerts import rules
from yingji.alerts.events import EVENT_CHOICES
from yingji.alerts.models import Level, Source, Status, Warning
from yingji.core import divisions
from yingji.core.filters import DivisionPrefixFilter, ScopedFilterSet

SORTABLE = ["created_at", "onset", "expires", "issued_at", "level", "status", "headline"]


def ancestor_codes(code: str) -> list[str]:
    """The codes of a division and of every division above it, by the shape of the code."""
    codes = []
    current: str | None = code
    while current:
        codes.append(current)
        current = divisions.parent_code_of(current)
    return codes


def visible_warnings(user) -> QuerySet:
    scoped = Warning.objects.for_user(user)
    prefix = getattr(user, "scope_prefix", None)
    if not prefix or getattr(user, "is_enterprise_user", False) or not user.division_id:
        return scoped  # everything ('') or nothing (None) already
    covering = Warning.objects.filter(status__in=rules.LIVE).filter(
        Q(areas__divisions__code__in=ancestor_codes(user.division_id))
        | Q(areas__divisions__code__startswith=prefix)
    )
    return Warning.objects.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=covering.values("pk")))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class WarningFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    event_type = django_filters.ChoiceFilter(label=_("Event type"), choices=EVENT_CHOICES)
    division = DivisionPrefixFilter(label=_("Town / division"))
    active_from = django_filters.DateFilter(
        label=_("In force from"), method="in_force_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    active_to = django_filters.DateFilter(
        label=_("In force until"), method="in_force_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = django_filters.OrderingFilter(label=_("Sort"), fields=[(f, f) for f in SORTABLE])

    class Meta:
        model = Warning
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(headline__contains=value) | Q(event__contains=value))

    def in_force_from(self, queryset, name, value):
        """Warnings still in force on or after that day (no expiry: always)."""
        return queryset.filter(Q(expires__isnull=True) | Q(expires__gte=_start_of(value)))

    def in_force_to(self, queryset, name, value):
        """Warnings that began (onset, else creation) before the end of that day."""
        end = _start_of(value + datetime.timedelta(days=1))
        return queryset.filter(Q(onset__lt=end) | Q(onset__isnull=True, created_at__lt=end))
