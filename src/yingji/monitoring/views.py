"""Device and point configuration pages. Thin: every change goes through `services_config`.

The overview, source and trend pages are in views_overview.py; the alarm console in views_alarms.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.monitoring import rules_config, services_config
from yingji.monitoring.filters import DeviceFilterSet, PointFilterSet
from yingji.monitoring.forms import DeviceForm, PointForm
from yingji.monitoring.models import Device, Point
from yingji.monitoring.tables import DEVICE_COLUMNS, POINT_COLUMNS

# The point form in groups, so the thresholds of each scheme sit together.
POINT_FIELD_GROUPS = [
    (
        "basics",
        (
            "code",
            "name",
            "kind",
            "unit",
            "range_low",
            "range_high",
            "sampling_period_s",
            "scheme",
            "is_active",
        ),
    ),
    ("two_level", ("high1", "high2", "low1", "low2")),
    ("four_colour", ("direction", "blue", "yellow", "orange", "red", "rollup_item")),
    ("behaviour", ("deadband", "on_delay_s", "off_delay_s", "rate_limit", "stuck_after_s")),
]


class DeviceMixin:
    model = Device
    url_namespace = "monitoring"


class DeviceListView(DeviceMixin, ObjectListView):
    filterset_class = DeviceFilterSet
    columns = DEVICE_COLUMNS
    select_related = ("enterprise", "source")


class DeviceDetailView(DeviceMixin, ObjectDetailView):
    template_name = "monitoring/device_detail.html"
    select_related = ("enterprise", "source", "division")

    def get_extra_context(self, obj):
        user = self.request.user
        return {
            "points": list(obj.points.all()),
            "can_add_point": user.has_perm("monitoring.add_point"),
        }


def _token_page(request, device: Device, token: str, status: int = 200):
    """The device's token, shown this once (only its hash is stored)."""
    context = {"object": device, "token": token}
    return render(request, "monitoring/device_token.html", context, status=status)


class DeviceEditView(DeviceMixin, ObjectEditView):
    form_class = DeviceForm

    def post(self, request, pk=None):
        if pk:
            return super().post(request, pk)
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                device, token = services_config.create_device(actor=request.user, **form.service_arguments())
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return _token_page(request, device, token, status=201)
        return self._render(form, None, status=400)

    def update(self, obj, form):
        return services_config.update_device(obj, actor=self.request.user, **form.service_arguments())


class DeviceTokenView(DeviceMixin, ScopedViewMixin, View):
    """POST: a new token replaces the old one, shown once (GET goes back to the device)."""

    http_method_names = ["get", "post"]

    def get_permission_required(self):
        return ["monitoring.change_device"]

    def get(self, request, pk):
        return HttpResponseRedirect(reverse("monitoring:device_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        device = self.get_object()
        token = services_config.rotate_device_token(device, actor=request.user)
        return _token_page(request, device, token)


class DeviceDeleteView(DeviceMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services_config.delete_device(obj, actor=self.request.user)


class PointMixin:
    model = Point
    url_namespace = "monitoring"


class PointListView(PointMixin, ObjectListView):
    filterset_class = PointFilterSet
    columns = POINT_COLUMNS
    select_related = ("device",)

    def url_name(self, action: str) -> str:
        # Points are added from their device's page: the list's "add" leads to the devices.
        return "monitoring:device_list" if action == "add" else super().url_name(action)


class PointEditView(PointMixin, ScopedViewMixin, View):
    """Add (under a device) or edit a point; "apply defaults" fills the kind's defaults without saving."""

    template_name = "monitoring/point_form.html"

    def get_permission_required(self):
        return ["monitoring.change_point" if "pk" in self.kwargs else "monitoring.add_point"]

    def _device(self, point: Point | None) -> Device:
        if point is not None:
            return point.device
        try:
            return Device.objects.for_user(self.request.user).get(pk=self.kwargs["device_pk"])
        except Device.DoesNotExist:
            from django.http import Http404

            raise Http404 from None

    def get(self, request, pk=None, device_pk=None):
        point = self.get_object() if pk else None
        return self._render(PointForm(instance=point, user=request.user), point, self._device(point))

    def post(self, request, pk=None, device_pk=None):
        point = self.get_object() if pk else None
        device = self._device(point)
        if "apply_defaults" in request.POST:
            values = rules_config.apply_defaults(request.POST.get("kind", ""), request.POST.dict())
            values.pop("csrfmiddlewaretoken", None)
            values.pop("apply_defaults", None)
            form = PointForm(initial=values, instance=point, user=request.user)
            form.initial.update(values)  # the instance's values must not win over the defaults
            return self._render(form, point, device)
        form = PointForm(request.POST, instance=point, user=request.user)
        if form.is_valid():
            try:
                if point is None:
                    point = services_config.create_point(
                        actor=request.user, device=device, **form.service_arguments()
                    )
                else:
                    point = services_config.update_point(
                        point, actor=request.user, **form.service_arguments()
                    )
            except ValidationError as error:
                add_validation_errors(form, error)
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("monitoring:point_detail", args=[point.pk]))
        return self._render(form, point, device, status=400)

    def _render(self, form, point, device, status=200):
        groups = [(name, [form[field] for field in fields]) for name, fields in POINT_FIELD_GROUPS]
        context = self.base_context(form=form, object=point, device=device, groups=groups)
        return render(self.request, self.template_name, context, status=status)


class PointDeleteView(PointMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services_config.delete_point(obj, actor=self.request.user)
