"""The pages of the hidden-danger closed loop: list, export, detail, report, actions and photos.

Thin on purpose: buttons come from `services.allowed_actions`, every change from `services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import uploads
from yingji.core.views import (
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.core.views_tabular import ObjectExportView
from yingji.hazards import rules, services
from yingji.hazards.filters import HazardFilterSet
from yingji.hazards.forms import ACTION_FORMS, HazardReportForm
from yingji.hazards.models import Hazard, HazardPhoto, PhotoKind
from yingji.hazards.rules import TransitionError
from yingji.hazards.tables import HAZARD_COLUMNS, export_hazards


class HazardMixin:
    model = Hazard
    url_namespace = "hazards"


class HazardListView(HazardMixin, ObjectListView):
    filterset_class = HazardFilterSet
    columns = HAZARD_COLUMNS
    partial_template = "hazards/hazard_list_table.html"
    # One query each for the page's enterprises, divisions and their parents (the town of a village),
    # instead of JOINs over the whole table.
    prefetch_related = ("enterprise", "division__parent")

    def get_queryset(self):
        overdue = ExpressionWrapper(rules.overdue_q(timezone.now()), output_field=BooleanField())
        return super().get_queryset().annotate(overdue=overdue)


class HazardExportView(HazardMixin, ObjectExportView):
    filterset_class = HazardFilterSet
    exporter = export_hazards


def detail_context(hazard: Hazard, user) -> dict:
    photos = list(hazard.photos.all())
    actions = services.allowed_actions(hazard, user)
    return {
        "overdue": rules.is_overdue(hazard, timezone.now()),
        "criteria": list(hazard.criteria.all()),
        "before_photos": [p for p in photos if p.kind != PhotoKind.AFTER],
        "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
        "supervision": services.active_supervision(hazard),
        "events": [
            (event, rules.EVENT_LABELS.get(event.action, event.action))
            for event in hazard.events.select_related("actor")
        ],
        "extension": services.pending_extension(hazard),
        "actions": [
            {
                "name": action,
                "label": rules.ACTION_LABELS[action],
                "form": ACTION_FORMS[action](hazard=hazard, user=user, prefix=action),
                "url": reverse("hazards:hazard_action", args=[hazard.pk, action]),
            }
            for action in actions
        ],
    }


class HazardDetailView(HazardMixin, ObjectDetailView):
    template_name = "hazards/hazard_detail.html"
    select_related = ("enterprise", "division", "reported_by", "rectified_by", "verified_by")

    def get_extra_context(self, obj):
        return detail_context(obj, self.request.user)


class HazardAddView(HazardMixin, ScopedViewMixin, View):
    template_name = "hazards/hazard_form.html"

    def get_permission_required(self):
        return ["hazards.add_hazard"]

    def get(self, request):
        return self._render(HazardReportForm(user=request.user))

    def post(self, request):
        form = HazardReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                hazard = services.report_hazard(actor=request.user, **form.service_arguments())
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("The hidden danger is reported."))
                return HttpResponseRedirect(reverse("hazards:hazard_detail", args=[hazard.pk]))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(self.request, self.template_name, self.base_context(form=form), status=status)


class HazardActionView(HazardMixin, ScopedViewMixin, View):
    """GET: the action's form on its own page (the detail page shows it in a dialog). POST: take it.

    A refusal is a 403 without the permission, else a 409 showing the reason on the detail page;
    invalid fields give the form back with its errors (400); success goes back to the detail page.
    """

    template_name = "hazards/hazard_action.html"

    def get_permission_required(self):
        return ["hazards.view_hazard"]

    def _form_class(self, action: str):
        if action not in ACTION_FORMS:
            raise Http404
        return ACTION_FORMS[action]

    def get(self, request, pk, action):
        hazard = self.get_object()
        form_class = self._form_class(action)
        refusal = rules.refusal(hazard, request.user, action, services.facts_of(hazard))
        if refusal is not None:
            return self.refused(hazard, refusal)
        return self._render(hazard, action, form_class(hazard=hazard, user=request.user, prefix=action))

    def post(self, request, pk, action):
        hazard = self.get_object()
        form_class = self._form_class(action)
        refusal = rules.refusal(hazard, request.user, action, services.facts_of(hazard))
        if refusal is not None:
            return self.refused(hazard, refusal)
        form = form_class(request.POST, request.FILES, hazard=hazard, user=request.user, prefix=action)
        if form.is_valid():
            try:
                services.perform_action(
                    hazard,
                    action,
                    actor=request.user,
                    data=form.data_for_service(),
                    photos=form.cleaned_data.get("photos"),
                )
            except TransitionError as error:
                return self.refused(hazard, error)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Done: {action}.").format(action=rules.ACTION_LABELS[action]))
                return HttpResponseRedirect(reverse("hazards:hazard_detail", args=[hazard.pk]))
        return self._render(hazard, action, form, status=400)

    def refused(self, hazard, error: TransitionError):
        if error.code == "forbidden":
            raise PermissionDenied
        messages.error(self.request, error.reason)
        hazard = self.get_queryset().select_related(*HazardDetailView.select_related).get(pk=hazard.pk)
        context = self.base_context(object=hazard, **detail_context(hazard, self.request.user))
        return render(self.request, HazardDetailView.template_name, context, status=409)

    def _render(self, hazard, action, form, status=200):
        context = self.base_context(
            object=hazard,
            action={"name": action, "label": rules.ACTION_LABELS[action], "form": form},
        )
        return render(self.request, self.template_name, context, status=status)


class HazardPhotoView(HazardMixin, ScopedViewMixin, View):
    """A photo of a hidden danger the user may see (files live outside the web root)."""

    def get_permission_required(self):
        return ["hazards.view_hazard"]

    def get(self, request, pk, photo_id):
        hazard = self.get_object()  # scoped: 404 outside the user's jurisdiction
        photo = get_object_or_404(HazardPhoto, pk=photo_id, hazard=hazard)
        try:
            return uploads.serve_private(photo.file, photo.content_type)
        except FileNotFoundError:
            raise Http404 from None
