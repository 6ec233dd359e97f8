"""The monitoring overview (enterprises with devices), a source with its points, a point's trend."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views import View

from yingji.core.views import ObjectDetailView
from yingji.monitoring import series
from yingji.monitoring.models import Alarm, Device, Point
from yingji.monitoring.tables import SEVERITY_COLOURS
from yingji.registry.models import Enterprise, MajorHazardSource


class MonitoringView(LoginRequiredMixin, PermissionRequiredMixin, View):
    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


def overview_rows(user) -> tuple[list[dict], dict]:
    """One row per enterprise with devices: online/offline counts, open alarms, worst severity."""
    devices = (
        Device.objects.for_user(user)
        .filter(is_active=True)
        .values("enterprise_id")
        .annotate(total=Count("id"), online=Count("id", filter=Q(is_online=True)))
    )
    alarms = {
        row["enterprise_id"]: row
        for row in Alarm.objects.for_user(user)
        .filter(is_open=True)
        .values("enterprise_id")
        .annotate(open=Count("id"), worst=Max("severity"), red=Count("id", filter=red_q()))
    }
    counts = {row["enterprise_id"]: row for row in devices}
    enterprises = Enterprise.objects.filter(pk__in=list(counts) + list(alarms)).select_related("division")
    sources: dict[int, list] = {}
    for source in (
        MajorHazardSource.objects.for_user(user).filter(enterprise_id__in=list(counts)).order_by("name")
    ):
        sources.setdefault(source.enterprise_id, []).append(source)
    rows = []
    for enterprise in enterprises:
        device_row = counts.get(enterprise.pk, {"total": 0, "online": 0})
        alarm_row = alarms.get(enterprise.pk, {"open": 0, "worst": 0, "red": 0})
        worst = alarm_row["worst"] or 0
        rows.append(
            {
                "enterprise": enterprise,
                "devices": device_row["total"],
                "online": device_row["online"],
                "offline": device_row["total"] - device_row["online"],
                "open_alarms": alarm_row["open"],
                "red": alarm_row["red"],
                "worst": worst,
                "colour": worst_colour(worst, alarm_row["red"]),
                "sources": sources.get(enterprise.pk, []),
            }
        )
    rows.sort(
        key=lambda row: (
            -row["red"],
            -row["worst"],
            -row["open_alarms"],
            -row["offline"],
            row["enterprise"].name,
        )
    )
    totals = {
        "enterprises": len(rows),
        "devices": sum(r["devices"] for r in rows),
        "online": sum(r["online"] for r in rows),
        "offline": sum(r["offline"] for r in rows),
        "open_alarms": sum(r["open_alarms"] for r in rows),
        "red_alarms": Alarm.objects.for_user(user).filter(red_q(), is_open=True).count(),
    }
    return rows, totals


def red_q() -> Q:
    """The "red" alarms (sound and browser notification): severity 4 (红) on the four-colour scale,
    and level 2 (二级/高高/低低) of a two-level threshold, the highest level such a point has."""
    return Q(severity__gte=4) | Q(condition__in=("high", "low"), severity__gte=2)


class OverviewView(MonitoringView):
    permission_required = "monitoring.view_device"

    def get(self, request):
        rows, totals = overview_rows(request.user)
        return render(request, "monitoring/overview.html", {"rows": rows, "totals": totals})


def worst_colour(worst: int, red: int) -> str:
    """Red when any open alarm is red (two-level level 2 included), else the worst severity's colour."""
    return "red" if red else SEVERITY_COLOURS[min(worst or 0, 4)]


def point_rows(points) -> list[dict]:
    open_alarms = {
        row["point_id"]: (row["worst"], row["red"])
        for row in Alarm.objects.filter(point__in=points, is_open=True)
        .values("point_id")
        .annotate(worst=Max("severity"), red=Count("id", filter=red_q()))
    }
    rows = []
    for point in points:
        worst, red = open_alarms.get(point.pk, (0, 0))
        rows.append({"point": point, "worst": worst, "colour": worst_colour(worst, red)})
    return rows


class SourceMonitoringView(MonitoringView):
    permission_required = "monitoring.view_point"

    def get(self, request, source_pk):
        try:
            source = (
                MajorHazardSource.objects.for_user(request.user)
                .select_related("enterprise")
                .get(pk=source_pk)
            )
        except MajorHazardSource.DoesNotExist:
            raise Http404 from None
        points = list(Point.objects.for_user(request.user).filter(source=source).select_related("device"))
        devices = Device.objects.for_user(request.user).filter(source=source)
        alarms = (
            Alarm.objects.for_user(request.user)
            .filter(source=source, is_open=True)
            .select_related("point")[:50]
        )
        context = {
            "source": source,
            "rows": point_rows(points),
            "devices": devices,
            "alarms": alarms,
            "registry_url": _source_registry_url(source.pk),
        }
        return render(request, "monitoring/source_detail.html", context)


def _source_registry_url(pk: int) -> str:
    """The source's GB 18218 page (owned by the registry), when that page exists."""
    for name in ("registry:source_detail", "sources:source_detail"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


class PointTrendView(ObjectDetailView):
    model = Point
    url_namespace = "monitoring"
    template_name = "monitoring/point_detail.html"
    select_related = ("device", "enterprise", "source")

    def get_extra_context(self, obj):
        alarms = Alarm.objects.for_user(self.request.user).filter(point=obj).order_by("-raised_at")[:20]
        thresholds = [
            {**threshold, "label": Point._meta.get_field(threshold["name"]).verbose_name}
            for threshold in series.thresholds_of(obj)
        ]
        return {"thresholds": thresholds, "alarms": alarms}
