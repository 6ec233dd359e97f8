"""Major hazard source pages: list, detail (the GB 18218 result line by line), edit with chemicals, delete.
Reads through `MajorHazardSource.objects.for_user`, changes through `services_sources`."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import ObjectDeleteView, ObjectDetailView, ObjectListView, ScopedViewMixin
from yingji.registry import services_sources as services
from yingji.registry.filters_sources import SourceFilterSet
from yingji.registry.forms_sources import SourceForm, chemical_formset, chemicals_of
from yingji.registry.models import MajorHazardSource
from yingji.registry.tables_sources import SOURCE_COLUMNS

CHEMICAL_KEY = re.compile(r"^chemicals\[(\d+)\]\.(\w+)$")


class SourceMixin:
    model = MajorHazardSource
    url_namespace = "registry"
    select_related = ("enterprise", "division")

    def url_name(self, action: str) -> str:
        return f"registry:source_{action}"


class SourceListView(SourceMixin, ObjectListView):
    filterset_class = SourceFilterSet
    columns = SOURCE_COLUMNS


class SourceDetailView(SourceMixin, ObjectDetailView):
    template_name = "registry/sources/source_detail.html"

    def get_extra_context(self, obj):
        return {"chemicals": obj.chemicals.all(), "result": obj.assessment or {}}


class SourceAssessmentView(SourceDetailView):
    """The GB 18218 result page: the whole computation, printable."""

    template_name = "registry/sources/source_assessment.html"


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class SourceEditView(SourceMixin, ScopedViewMixin, View):
    """Create (no pk) or update (pk) a source and its chemicals in one form; errors go back on the row."""

    template_name = "registry/sources/source_form.html"

    def get_permission_required(self):
        action = "change" if "pk" in self.kwargs else "add"
        return [f"registry.{action}_majorhazardsource"]

    def get(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = SourceForm(
            instance=obj, user=request.user, initial_enterprise=_int_or_none(request.GET.get("enterprise"))
        )
        return self._render(form, chemical_formset(source=obj), obj)

    def post(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = SourceForm(request.POST, instance=obj, user=request.user)
        formset = chemical_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            rows, where = chemicals_of(formset)
            fields = dict(form.cleaned_data)
            try:
                if obj:
                    saved = services.update_source(obj, actor=request.user, chemicals=rows, **fields)
                else:
                    saved = services.create_source(actor=request.user, chemicals=rows, **fields)
            except ValidationError as error:
                _place_errors(error, form, formset, where)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("registry:source_assessment", args=[saved.pk]))
        return self._render(form, formset, obj, status=400)

    def _render(self, form, formset, obj, status=200):
        context = self.base_context(form=form, formset=formset, object=obj)
        return render(self.request, self.template_name, context, status=status)


def _place_errors(error: ValidationError, form, formset, where: list[int]) -> None:
    """Service errors onto the form: `chemicals[i].field` onto the i-th filled row's field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        match = CHEMICAL_KEY.match(key)
        if match and int(match[1]) < len(where):
            row = formset.forms[where[int(match[1])]]
            field = match[2] if match[2] in row.fields else None
            row.add_error(field, messages_)
        elif key == "chemicals":
            formset._non_form_errors = formset.error_class(messages_)
        else:
            form.add_error(key if key in form.fields else None, messages_)


class SourceDeleteView(SourceMixin, ObjectDeleteView):
    def delete_object(self, obj):
        services.delete_source(obj, actor=self.request.user)
