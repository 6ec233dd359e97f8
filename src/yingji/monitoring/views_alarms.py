"""The alarm console, an alarm's detail with its history, the alarm actions and the quality panel.

Buttons come from `rules.allowed_alarm_actions`; every change goes through the alarm services.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.views import add_validation_errors, filtered
from yingji.monitoring import rules
from yingji.monitoring.filters import AlarmFilterSet
from yingji.monitoring.forms import AcknowledgeForm, HandleForm
from yingji.monitoring.models import SEVERITY_LABELS, Alarm
from yingji.monitoring.tables import SEVERITY_COLOURS, STATE_COLOURS
from yingji.monitoring.views_overview import MonitoringView, red_q

ACTION_LABELS = {
    rules.ACKNOWLEDGE: gettext_lazy("Acknowledge"),
    rules.HANDLE: gettext_lazy("Handle"),
    rules.TO_HAZARD: gettext_lazy("To hidden danger"),
}
ACTION_FORMS = {rules.ACKNOWLEDGE: AcknowledgeForm, rules.HANDLE: HandleForm}
CONSOLE_PAGE_SIZE = 50
POLL_SECONDS = 5


def alarm_queryset(user):
    return (
        Alarm.objects.for_user(user)
        .select_related("point", "enterprise", "source", "device")
        .annotate(is_red=Case(When(red_q(), then=Value(1)), default=Value(0), output_field=IntegerField()))
    )


def console_order(queryset):
    """Open alarms first, the most severe and the newest first among them."""
    return queryset.order_by("-is_open", "-severity", "-raised_at", "-id")


TWO_LEVEL_CONDITIONS = ("high", "low")


def severity_colour(severity: int, condition: str) -> str:
    """Two-level thresholds have no colours of their own: level 1 shows orange, level 2 red."""
    if condition in TWO_LEVEL_CONDITIONS:
        return "red" if severity >= 2 else "orange"
    return SEVERITY_COLOURS[min(severity, 4)]


def severity_label(severity: int, condition: str):
    if condition in TWO_LEVEL_CONDITIONS:
        return _("Level {level}").format(level=severity)
    return SEVERITY_LABELS.get(severity, severity)


def decorate(alarm: Alarm, user) -> Alarm:
    alarm.colour = severity_colour(alarm.severity, alarm.condition)
    alarm.state_colour = STATE_COLOURS.get(alarm.state, "secondary")
    alarm.severity_label = severity_label(alarm.severity, alarm.condition)
    alarm.actions = [(name, ACTION_LABELS[name]) for name in rules.allowed_alarm_actions(alarm, user)]
    return alarm


class AlarmConsoleView(MonitoringView):
    permission_required = "monitoring.view_alarm"

    def get_queryset(self):
        return alarm_queryset(self.request.user)

    def get(self, request):
        filterset, queryset = filtered(self, AlarmFilterSet, request)
        page = Paginator(console_order(queryset), CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
        alarms = [decorate(alarm, request.user) for alarm in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("partial", None)
        console_url = reverse("monitoring:alarm_list")
        context = {
            "filterset": filterset,
            "alarms": alarms,
            "page": page,
            "query": query.urlencode(),
            "poll_seconds": POLL_SECONDS,
            "open_count": queryset.filter(is_open=True).count(),
            "handle_form": HandleForm(prefix="handle"),
            "next": f"{console_url}?{query.urlencode()}" if query else console_url,
        }
        partial = request.headers.get("HX-Request") and request.GET.get("partial") == "1"
        template = "monitoring/_alarm_table.html" if partial else "monitoring/alarm_console.html"
        return render(request, template, context)


def _get_alarm(user, pk) -> Alarm:
    try:
        return alarm_queryset(user).get(pk=pk)
    except (Alarm.DoesNotExist, ValueError):
        raise Http404 from None


def detail_context(alarm: Alarm, user, forms: dict | None = None) -> dict:
    decorate(alarm, user)
    forms = forms or {}
    return {
        "object": alarm,
        "events": list(alarm.events.select_related("actor")),
        "action_forms": [
            {
                "name": name,
                "label": label,
                "form": forms.get(name)
                or (ACTION_FORMS[name](prefix=name) if name in ACTION_FORMS else None),
                "url": reverse("monitoring:alarm_action", args=[alarm.pk, name]),
            }
            for name, label in alarm.actions
        ]
        + _lead_action(alarm, user),
    }


def _lead_action(alarm: Alarm, user) -> list[dict]:
    """The "to enforcement lead" button (issue 5), outside the transition table: services.alarm_to_lead."""
    from yingji.monitoring import services

    if services.lead_refusal(alarm, user) is not None:
        return []
    url = reverse("monitoring:alarm_action", args=[alarm.pk, services.TO_LEAD])
    return [{"name": services.TO_LEAD, "label": _("To enforcement lead"), "form": None, "url": url}]


class AlarmDetailView(MonitoringView):
    permission_required = "monitoring.view_alarm"

    def get(self, request, pk):
        alarm = _get_alarm(request.user, pk)
        return render(request, "monitoring/alarm_detail.html", detail_context(alarm, request.user))


def take_action(alarm: Alarm, action: str, form, user):
    """Run the alarm service for `action`; returns what it returned (a hazard for to_hazard)."""
    from yingji.monitoring import services

    if action == rules.ACKNOWLEDGE:
        return services.acknowledge_alarm(alarm, actor=user, note=form.cleaned_data["note"] if form else "")
    if action == rules.HANDLE:
        return services.handle_alarm(alarm, actor=user, disposal=form.cleaned_data["disposal"])
    if action == rules.TO_HAZARD:
        return services.alarm_to_hazard(alarm, actor=user)
    raise Http404


# Whoever holds none of these can only look (a leader): refused before the action is even read.
ACTING_PERMISSIONS = ("monitoring.acknowledge_alarm", "hazards.add_hazard")


class AlarmActionView(MonitoringView):
    """POST an action. A refusal is a 403 without the permission or scope, else 409 with the reason;
    invalid fields give the detail page back with the form's errors (400)."""

    permission_required = "monitoring.view_alarm"
    http_method_names = ["get", "post"]

    def get(self, request, pk, action):
        """Nothing to show: back to the alarm (a 404 outside the user's jurisdiction)."""
        return HttpResponseRedirect(
            reverse("monitoring:alarm_detail", args=[_get_alarm(request.user, pk).pk])
        )

    def post(self, request, pk, action):
        alarm = _get_alarm(request.user, pk)
        if action == "to_lead":
            return self._to_lead(request, alarm)
        if not any(request.user.has_perm(p) for p in ACTING_PERMISSIONS):
            raise PermissionDenied
        if action not in rules.ACTIONS:
            raise Http404
        refusal = rules.refusal(alarm, request.user, action)
        if refusal is not None:
            return self._refused(request, alarm, refusal)
        form_class = ACTION_FORMS.get(action)
        form = form_class(request.POST, prefix=action) if form_class else None
        if form is not None and not form.is_valid():
            context = detail_context(alarm, request.user, {action: form})
            context["open_action"] = action
            return render(request, "monitoring/alarm_detail.html", context, status=400)
        try:
            result = take_action(alarm, action, form, request.user)
        except rules.AlarmError as error:
            return self._refused(request, alarm, error)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(reverse("monitoring:alarm_detail", args=[alarm.pk]))
            add_validation_errors(form, error)
            context = detail_context(alarm, request.user, {action: form})
            context["open_action"] = action
            return render(request, "monitoring/alarm_detail.html", context, status=400)
        messages.success(request, _("Done."))
        hazard_pk = getattr(result, "pk", None) if action == rules.TO_HAZARD else None
        if hazard_pk and request.user.has_perm("hazards.view_hazard"):
            return HttpResponseRedirect(reverse("hazards:hazard_detail", args=[hazard_pk]))
        return HttpResponseRedirect(self._next(request, alarm))

    def _to_lead(self, request, alarm: Alarm):
        from yingji.monitoring import services

        try:
            lead = services.alarm_to_lead(alarm, actor=request.user)
        except rules.AlarmError as error:
            return self._refused(request, alarm, error)
        messages.success(request, _("Enforcement lead #{id} opened.").format(id=lead.pk))
        return HttpResponseRedirect(self._next(request, alarm))

    def _next(self, request, alarm: Alarm) -> str:
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return target
        return reverse("monitoring:alarm_detail", args=[alarm.pk])

    def _refused(self, request, alarm: Alarm, error):
        if error.code == "forbidden":
            raise PermissionDenied
        context = detail_context(alarm, request.user)
        context["refusal"] = error.reason
        context["refusal_code"] = error.code
        return render(request, "monitoring/alarm_detail.html", context, status=409)


def quality_window(request) -> tuple[datetime.datetime, datetime.datetime]:
    """?start=&end= (ISO 8601), by default the last 24 hours."""
    end = parse_datetime(request.GET.get("end") or "") or timezone.now()
    start = parse_datetime(request.GET.get("start") or "") or end - datetime.timedelta(hours=24)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if start >= end:
        start = end - datetime.timedelta(hours=24)
    return start, end


class AlarmQualityView(MonitoringView):
    permission_required = "monitoring.view_alarm"

    def get(self, request):
        from yingji.monitoring import quality

        start, end = quality_window(request)
        report = quality.alarm_quality(request.user, start=start, end=end)
        context = {"report": report, "start": start, "end": end}
        return render(request, "monitoring/quality.html", context)
