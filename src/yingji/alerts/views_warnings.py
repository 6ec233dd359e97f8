"""The warning pages: list, detail (map, CAP chain, history, action buttons), draft/edit form, the
actions approve/issue/cancel, and the printable village broadcast text (应急广播).

Thin on purpose: the buttons come from `rules.refusal` (one table with the services and the API), every
change goes through `services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from yingji.alerts import broadcast, rules, services
from yingji.alerts.filters import WarningFilterSet, visible_warnings
from yingji.alerts.forms_warnings import LEVEL_DEFAULTS, WarningForm
from yingji.alerts.models import Status, Warning
from yingji.alerts.services_notices import visible_notices
from yingji.alerts.tables import LEVEL_COLOURS, STATUS_COLOURS, WARNING_COLUMNS
from yingji.core.models import AuditLog
from yingji.core.views import ObjectDetailView, ObjectListView, ScopedViewMixin, add_validation_errors

ACTION_LABELS = {
    rules.Action.EDIT: gettext_lazy("Edit draft"),
    rules.Action.APPROVE: gettext_lazy("Approve"),
    rules.Action.ISSUE: gettext_lazy("Issue"),
    rules.Action.UPDATE: gettext_lazy("Update"),
    rules.Action.CANCEL: gettext_lazy("Cancel warning"),
}
POST_ACTIONS = (rules.Action.APPROVE, rules.Action.ISSUE, rules.Action.CANCEL)
# Refusals worth showing next to a disabled button: the user could act, but not yet or not them.
EXPLAINED = ("same_person", "approval_required", "expired")


class WarningMixin:
    model = Warning
    url_namespace = "alerts"

    def get_queryset(self):
        return visible_warnings(self.request.user).select_related("division", "drafted_by", "approved_by")


class WarningListView(WarningMixin, ObjectListView):
    filterset_class = WarningFilterSet
    columns = WARNING_COLUMNS
    template_name = "alerts/warnings/warning_list.html"
    partial_template = "alerts/warnings/warning_list_table.html"


def board_url(warning: Warning) -> str:
    """The live 叫应 board of the warning, when that part is installed."""
    try:
        return reverse("alerts:call_board", args=[warning.pk])
    except NoReverseMatch:
        return ""


def action_buttons(warning: Warning, user, now) -> list[dict]:
    buttons = []
    for action in (
        rules.Action.EDIT,
        rules.Action.APPROVE,
        rules.Action.ISSUE,
        rules.Action.UPDATE,
        rules.Action.CANCEL,
    ):
        refusal = rules.refusal(warning, user, action, now=now)
        if refusal is not None and refusal.code not in EXPLAINED:
            continue
        if action in (rules.Action.EDIT, rules.Action.UPDATE):
            url, method = reverse("alerts:warning_edit", args=[warning.pk]), "get"
        else:
            url, method = reverse(f"alerts:warning_{action}", args=[warning.pk]), "post"
        buttons.append(
            {
                "name": action,
                "label": ACTION_LABELS[action],
                "url": url,
                "method": method,
                "reason": str(refusal.reason) if refusal else "",
            }
        )
    return buttons


def history_of(warning: Warning) -> list[dict]:
    """The warning's audit trail, oldest first, with the state each change led to."""
    labels = dict(Status.choices)
    records = AuditLog.objects.filter(object_type="alerts.warning", object_id=str(warning.pk)).select_related(
        "user"
    )
    rows = []
    for record in records.order_by("created_at", "id"):
        after = (record.changes or {}).get("after") or {}
        status = after.get("status") if isinstance(after, dict) else None
        rows.append(
            {
                "record": record,
                "status": status or "",
                "status_label": labels.get(status, status or ""),
                "who": str(record.user) if record.user_id and record.user else record.username,
            }
        )
    return rows


def map_areas(warning: Warning) -> dict:
    areas = list(warning.areas.prefetch_related("divisions"))
    return {
        "level": warning.level,
        "polygons": [p for a in areas for p in a.polygons],
        "circles": [c for a in areas for c in a.circles],
        "divisions": [d.code for a in areas for d in a.divisions.all()],
    }


def detail_context(warning: Warning, user) -> dict:
    now = timezone.now()
    buttons = action_buttons(warning, user, now)
    return {
        "level_colour": LEVEL_COLOURS.get(warning.level, "secondary"),
        "status_colour": STATUS_COLOURS.get(warning.status, "secondary"),
        "areas": list(warning.areas.prefetch_related("divisions")),
        "map_data": map_areas(warning),
        "cap_messages": list(warning.messages.all()),
        "history": history_of(warning),
        "buttons": buttons,
        "refusals": [button for button in buttons if button["reason"]],
        "board_url": board_url(warning)
        if warning.status in rules.LIVE or warning.status in ("cancelled", "expired")
        else "",
        "broadcast_url": reverse("alerts:warning_broadcast", args=[warning.pk]),
        "notices": list(visible_notices(user).filter(warning=warning).order_by("-issued_at")),
        "needs_approval": rules.needs_approval(warning.level),
        "is_live": warning.status in rules.LIVE,
    }


class WarningDetailView(WarningMixin, ObjectDetailView):
    template_name = "alerts/warnings/warning_detail.html"

    def get_extra_context(self, obj):
        return detail_context(obj, self.request.user)


class WarningEditView(WarningMixin, ScopedViewMixin, View):
    """New draft (no pk), change a draft, or update an issued warning (a new CAP Update message)."""

    template_name = "alerts/warnings/warning_form.html"

    def get_permission_required(self):
        return ["alerts.change_warning" if "pk" in self.kwargs else "alerts.add_warning"]

    def get_queryset(self):
        return Warning.objects.for_user(self.request.user).select_related(
            "division"
        )  # only one's own to change

    def _refusal(self, warning):
        if warning is None:
            return None
        action = rules.Action.EDIT if warning.status == "draft" else rules.Action.UPDATE
        return rules.refusal(warning, self.request.user, action, now=timezone.now())

    def get(self, request, pk=None):
        warning = self.get_object() if pk else None
        refusal = self._refusal(warning)
        if refusal is not None:
            return self.refused(warning, refusal)
        return self._render(WarningForm(user=request.user, warning=warning), warning)

    def post(self, request, pk=None):
        warning = self.get_object() if pk else None
        refusal = self._refusal(warning)
        if refusal is not None:
            return self.refused(warning, refusal)
        form = WarningForm(request.POST, user=request.user, warning=warning)
        if form.is_valid():
            try:
                saved = self.save(warning, form.service_arguments())
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("alerts:warning_detail", args=[saved.pk]))
        return self._render(form, warning, status=400)

    def save(self, warning, arguments: dict) -> Warning:
        user = self.request.user
        if warning is None:
            return services.create_draft(actor=user, **arguments)
        if warning.status == "draft":
            return services.update_draft(warning, actor=user, **arguments)
        return services.update_warning(warning, actor=user, **arguments)

    def refused(self, warning, refusal):
        if refusal.code == "forbidden":
            raise PermissionDenied
        messages.error(self.request, str(refusal.reason))
        return HttpResponseRedirect(reverse("alerts:warning_detail", args=[warning.pk]))

    def _render(self, form, warning, status=200):
        context = self.base_context(
            form=form,
            object=warning,
            level_defaults=LEVEL_DEFAULTS,
            is_update=warning is not None and warning.status != "draft",
        )
        return render(self.request, self.template_name, context, status=status)


SERVICE_ACTIONS = {
    rules.Action.APPROVE: services.approve,
    rules.Action.ISSUE: services.issue,
    rules.Action.CANCEL: services.cancel,
}


class WarningActionView(WarningMixin, ScopedViewMixin, View):
    """POST approve / issue / cancel. A refusal shows the detail page with the reason on the field it
    concerns (409; 403 without the permission); nothing is changed then."""

    action = ""  # set in urls_warnings

    def get_permission_required(self):
        return ["alerts.view_warning"]

    def get_queryset(self):
        return Warning.objects.for_user(self.request.user).select_related(
            "division", "drafted_by", "approved_by"
        )

    def get(self, request, pk):
        self.get_object()
        return HttpResponseRedirect(reverse("alerts:warning_detail", args=[pk]))

    def post(self, request, pk):
        warning = self.get_object()
        action = self.action
        try:
            SERVICE_ACTIONS[action](warning, actor=request.user)
        except ValidationError as error:
            return self.refused(warning, error, 409)
        messages.success(request, _("Done: {action}.").format(action=ACTION_LABELS[action]))
        return HttpResponseRedirect(reverse("alerts:warning_detail", args=[pk]))

    def refused(self, warning, error, status):
        errors = (
            error.message_dict if isinstance(error, ValidationError) and hasattr(error, "error_dict") else {}
        )
        text = (
            " ".join(m for ms in errors.values() for m in ms)
            if errors
            else " ".join(error.messages if isinstance(error, ValidationError) else [str(error)])
        )
        messages.error(self.request, text)
        warning.refresh_from_db()
        context = self.base_context(
            object=warning, field_errors=errors, **detail_context(warning, self.request.user)
        )
        return render(self.request, WarningDetailView.template_name, context, status=status)


class WarningBroadcastView(WarningMixin, ObjectDetailView):
    """The village broadcast text (应急广播), print-ready; towns and villages print it."""

    template_name = "alerts/warnings/warning_broadcast.html"

    def get_extra_context(self, obj):
        return {
            "text": broadcast.broadcast_text(obj),
            "readings": range(broadcast.REPEAT),
            "is_live": obj.status in rules.LIVE,
        }
