"""Evacuation roster pages (list, detail, edit, import, export, reveal), the round triggers, and the
transfer rounds: the round page (roll-up by town and village with progress bars, auto-refreshed with
htmx; the people with their mark buttons), starting a round by hand, marking, closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from yingji.alerts import importing_rosters, rules_rosters, services_rosters
from yingji.alerts.forms_rosters import EVACUEE_COLUMNS, EvacueeFilterSet, EvacueeForm, TriggerForm
from yingji.alerts.models import Evacuee, RoundTrigger, TransferState, TransferStatus
from yingji.core import audit
from yingji.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from yingji.core.views_tabular import ObjectExportView, ObjectImportView, ObjectTemplateView

POLL_SECONDS = 15
PEOPLE_PER_PAGE = 50
STATE_COLOURS = {
    "pending": "secondary",
    "moved": "green",
    "refused": "red",
    "not_home": "orange",
    "returned": "azure",
}


# --- rosters -----------------------------------------------------------------------------------------


class EvacueeMixin:
    model = Evacuee
    url_namespace = "alerts"
    prefetch_related = ("division",)


class EvacueeListView(EvacueeMixin, ObjectListView):
    filterset_class = EvacueeFilterSet
    columns = EVACUEE_COLUMNS
    extra_template = "alerts/rosters/_roster_links.html"


class EvacueeDetailView(EvacueeMixin, ObjectDetailView):
    template_name = "alerts/rosters/evacuee_detail.html"

    def get_extra_context(self, obj):
        statuses = (
            TransferStatus.objects.filter(evacuee=obj)
            .select_related("round__warning", "marked_by")
            .order_by("-round__started_at")[:20]
        )
        return {"statuses": statuses, "state_colours": STATE_COLOURS}


class EvacueeEditView(EvacueeMixin, ObjectEditView):
    form_class = EvacueeForm

    def create(self, form):
        return services_rosters.create_evacuee(actor=self.request.user, **form.cleaned_data)

    def update(self, obj, form):
        return services_rosters.update_evacuee(obj, actor=self.request.user, **form.cleaned_data)


class EvacueeDeleteView(EvacueeMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services_rosters.delete_evacuee(obj, actor=self.request.user)


class EvacueeRevealView(EvacueeMixin, ObjectDetailView):
    """The full phone numbers of one person, for roles that may see them; every view is audited."""

    def get_permission_required(self):
        return ["core.view_sensitive"]

    def get(self, request, pk):
        obj = self.get_object()
        audit.record("reveal", obj, note="phone, custodian_phone")
        return render(request, "alerts/rosters/_evacuee_phones.html", {"object": obj, "revealed": True})


class EvacueeImportView(EvacueeMixin, ObjectImportView):
    importer = importing_rosters.import_roster
    columns = importing_rosters.ROSTER_COLUMNS


class EvacueeExportView(EvacueeMixin, ObjectExportView):
    filterset_class = EvacueeFilterSet
    exporter = importing_rosters.export_roster


class EvacueeTemplateView(EvacueeMixin, ObjectTemplateView):
    template_builder = importing_rosters.template
    template_filename = "evacuation-roster-template.xlsx"


# --- triggers ----------------------------------------------------------------------------------------


class _Perm(LoginRequiredMixin):
    permission = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _PostOnly:
    """A GET answers 404 for an object out of reach (as every page does), else 405."""

    def lookup(self, **kwargs):
        raise NotImplementedError

    def get(self, request, **kwargs):
        self.lookup(**kwargs)
        return HttpResponseNotAllowed(["POST"])


class TriggerListView(_Perm, View):
    permission = "alerts.view_roundtrigger"

    def get(self, request):
        triggers = RoundTrigger.objects.for_user(request.user).select_related("division")
        return render(
            request,
            "alerts/rosters/trigger_list.html",
            {"triggers": triggers, "can_edit": request.user.has_perm("alerts.add_roundtrigger")},
        )


class TriggerEditView(_Perm, View):
    permission = "alerts.add_roundtrigger"

    def _trigger(self, pk):
        if pk is None:
            return None
        return get_object_or_404(RoundTrigger.objects.for_user(self.request.user), pk=pk)

    def get(self, request, pk=None):
        trigger = self._trigger(pk)
        return self._render(TriggerForm(instance=trigger, user=request.user), trigger)

    def post(self, request, pk=None):
        trigger = self._trigger(pk)
        form = TriggerForm(request.POST, instance=trigger, user=request.user)
        if form.is_valid():
            try:
                services_rosters.save_trigger(
                    RoundTrigger.objects.get(pk=pk) if pk else None, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                from yingji.core.views import add_validation_errors

                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("alerts:roundtrigger_list"))
        return self._render(form, trigger, status=400)

    def _render(self, form, trigger, status=200):
        return render(
            self.request,
            "alerts/rosters/trigger_form.html",
            {"form": form, "object": trigger, "list_url": reverse("alerts:roundtrigger_list")},
            status=status,
        )


class TriggerDeleteView(_Perm, _PostOnly, View):
    permission = "alerts.delete_roundtrigger"

    def lookup(self, pk):
        return get_object_or_404(RoundTrigger.objects.for_user(self.request.user), pk=pk)

    def post(self, request, pk):
        trigger = self.lookup(pk)
        services_rosters.delete_trigger(trigger, actor=request.user)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse("alerts:roundtrigger_list"))


# --- rounds ------------------------------------------------------------------------------------------


def _startable_warnings(user):
    """Live warnings the user can see that have no open round (for the manual start)."""
    from yingji.alerts.filters import visible_warnings

    return (
        visible_warnings(user)
        .filter(status__in=services_rosters.LIVE_WARNING)
        .exclude(transfer_rounds__status="open")
        .order_by("-issued_at")[:50]
    )


class RoundListView(_Perm, View):
    permission = "alerts.view_transferround"

    def get(self, request):
        rounds = list(
            services_rosters.visible_rounds(request.user)
            .select_related("warning", "division", "started_by", "closed_by")
            .order_by("-started_at")[:100]
        )
        prefix = request.user.scope_prefix or ""
        for round_ in rounds:
            round_.counts = services_rosters.totals(round_, prefix=prefix)
        can_start = request.user.has_perm("alerts.add_transferround")
        return render(
            request,
            "alerts/rosters/round_list.html",
            {
                "rounds": rounds,
                "can_start": can_start,
                "warnings": _startable_warnings(request.user) if can_start else [],
            },
        )


class RoundStartView(_Perm, _PostOnly, View):
    permission = "alerts.add_transferround"

    def lookup(self, warning_pk):
        from yingji.alerts.filters import visible_warnings

        return get_object_or_404(visible_warnings(self.request.user), pk=warning_pk)

    def post(self, request, warning_pk):
        warning = self.lookup(warning_pk)
        try:
            round_ = services_rosters.start_round_by_hand(warning, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("alerts:transferround_list"))
        messages.success(request, _("Transfer round started for {count} people.").format(count=round_.people))
        return HttpResponseRedirect(reverse("alerts:transferround_detail", args=[round_.pk]))


def _round_for(user, pk):
    return get_object_or_404(
        services_rosters.visible_rounds(user).select_related(
            "warning", "division", "started_by", "closed_by"
        ),
        pk=pk,
    )


def _rollup_context(round_, user, town: str) -> dict:
    prefix = user.scope_prefix or ""
    towns = services_rosters.rollup(round_, "town", prefix=prefix)
    village_prefix = town if town.startswith(prefix) and len(town) == 9 else prefix
    villages = services_rosters.rollup(round_, "village", prefix=village_prefix)
    counties = services_rosters.rollup(round_, "county", prefix=prefix) if len(prefix) < 6 else []
    return {
        "totals": services_rosters.totals(round_, prefix=prefix),
        "counties": counties,
        "towns": towns,
        "villages": villages,
        "town": town,
        "states": [(value, label, STATE_COLOURS[value]) for value, label in TransferState.choices],
    }


def _people(round_, user, request):
    statuses = (
        TransferStatus.objects.for_user(user)
        .filter(round=round_)
        .select_related("evacuee", "division", "marked_by")
        .order_by("division_id", "evacuee__name", "pk")
    )
    division = request.GET.get("division", "")
    if division.isdigit():
        statuses = statuses.filter(division__code__startswith=division)
    state = request.GET.get("status", "")
    if state in rules_rosters.STATES:
        statuses = statuses.filter(status=state)
    if request.GET.get("mine") == "1":
        statuses = statuses.filter(evacuee__custodian_user=user)
    page = Paginator(statuses, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(TransferState.choices)
    for transfer in page.object_list:
        transfer.colour = STATE_COLOURS[transfer.status]
        allowed = rules_rosters.allowed_marks(round_status=round_.status, current=transfer.status)
        may = services_rosters.may_mark(user, transfer)
        transfer.actions = [(value, labels[value], STATE_COLOURS[value]) for value in allowed] if may else []
    return page, division, state


class RoundDetailView(_Perm, View):
    permission = "alerts.view_transferround"

    def get(self, request, pk):
        round_ = _round_for(request.user, pk)
        town = request.GET.get("town", "")
        context = {"round": round_, "warning": round_.warning, "poll_seconds": POLL_SECONDS}
        context.update(_rollup_context(round_, request.user, town))
        if request.GET.get("partial") == "1":
            return render(request, "alerts/rosters/_round_rollup.html", context)
        page, division, state = _people(round_, request.user, request)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            division=division,
            status=state,
            mine=request.GET.get("mine") == "1",
            query=query.urlencode(),
            can_close=round_.status == "open" and request.user.has_perm("alerts.close_transferround"),
            next_url=request.get_full_path(),
        )
        return render(request, "alerts/rosters/round_detail.html", context)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


class MarkView(_Perm, _PostOnly, View):
    permission = "alerts.view_transferround"

    def lookup(self, pk):
        transfer = TransferStatus.objects.filter(pk=pk).select_related("evacuee", "round").first()
        if transfer is None or not (
            services_rosters.may_mark(self.request.user, transfer)
            or TransferStatus.objects.for_user(self.request.user).filter(pk=pk).exists()
        ):
            raise Http404
        return transfer

    def post(self, request, pk):
        transfer = self.lookup(pk)
        try:
            services_rosters.mark(
                transfer,
                actor=request.user,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back(request, reverse("alerts:transferround_detail", args=[transfer.round_id]))


class RoundCloseView(_Perm, _PostOnly, View):
    permission = "alerts.close_transferround"

    def lookup(self, pk):
        return _round_for(self.request.user, pk)

    def post(self, request, pk):
        round_ = self.lookup(pk)
        try:
            services_rosters.close_round(round_, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The transfer round is closed."))
        return HttpResponseRedirect(reverse("alerts:transferround_detail", args=[round_.pk]))


class WarningRoundsView(_Perm, View):
    """The rounds of one warning (a link target for the warning page): the open one, else the list."""

    permission = "alerts.view_transferround"

    def get(self, request, warning_pk):
        from yingji.alerts.filters import visible_warnings

        warning = get_object_or_404(visible_warnings(request.user), pk=warning_pk)
        round_ = services_rosters.visible_rounds(request.user).filter(warning=warning).first()
        if round_ is None:
            return HttpResponseRedirect(reverse("alerts:transferround_list"))
        return HttpResponseRedirect(reverse("alerts:transferround_detail", args=[round_.pk]))
