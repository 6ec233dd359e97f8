"""Checklist pages: list, detail, add/edit (a draft, with its items), delete a draft, new version,
activate, retire, import, export and the import template. Reads through
`ChecklistTemplate.objects.for_user`, changes through `services_checklists`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    add_validation_errors,
)
from yingji.core.views_tabular import ObjectExportView, ObjectImportView, ObjectTemplateView
from yingji.inspections import rules_checklists
from yingji.inspections import services_checklists as services
from yingji.inspections.filters_inspections import ChecklistTemplateFilterSet
from yingji.inspections.forms_inspections import ChecklistTemplateForm, ItemFormSet, item_initial
from yingji.inspections.models_checklists import ChecklistTemplate
from yingji.inspections.rules_checklists import ItemLine, TemplateRefused
from yingji.inspections.tables_inspections import CHECKLIST_COLUMNS


class ChecklistMixin:
    model = ChecklistTemplate
    url_namespace = "inspections"
    select_related = ("division",)


class ChecklistListView(ChecklistMixin, ObjectListView):
    filterset_class = ChecklistTemplateFilterSet
    columns = CHECKLIST_COLUMNS

    def get_queryset(self):
        return (
            super().get_queryset().annotate(item_count=Count("items")).order_by("topic", "code", "-version")
        )


class ChecklistDetailView(ChecklistMixin, ObjectDetailView):
    template_name = "inspections/checklist_detail.html"

    def get_extra_context(self, obj):
        user = self.request.user
        editable = obj.division_id is not None or user.scope_prefix == ""
        return {
            "items": obj.items.select_related("criterion"),
            "versions": self.get_queryset().filter(code=obj.code).exclude(pk=obj.pk).order_by("-version"),
            "status_colour": rules_checklists.STATUS_COLOURS.get(obj.status, "secondary"),
            "may_edit": editable
            and obj.status == "draft"
            and user.has_perm("inspections.change_checklisttemplate"),
            "may_activate": editable
            and obj.status == "draft"
            and user.has_perm("inspections.change_checklisttemplate"),
            "may_retire": editable
            and obj.status == "active"
            and user.has_perm("inspections.change_checklisttemplate"),
            "may_delete": editable
            and obj.status == "draft"
            and user.has_perm("inspections.delete_checklisttemplate"),
            "may_copy": user.has_perm("inspections.add_checklisttemplate"),
            "inspection_count": obj.inspections.count(),
        }


def _lines(formset) -> list[ItemLine]:
    lines = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        lines.append(
            ItemLine(
                number=data["number"],
                text=data.get("text") or "",
                legal_basis=data.get("legal_basis") or "",
                is_major_criterion=bool(data.get("is_major_criterion")),
                criterion=(data.get("criterion") or "").strip(),
                default_deadline_days=data.get("default_deadline_days") or 30,
            )
        )
    return lines


def _item_errors_on_formset(formset, error: ValidationError) -> ValidationError | None:
    """Put `items[i].field` errors on the i-th kept form; return what is left for the form itself."""
    if not hasattr(error, "error_dict"):
        return error
    kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    rest: dict = {}
    for key, messages_ in error.message_dict.items():
        if key.startswith("items[") and "]." in key:
            index, field = key[6:].split("].", 1)
            if index.isdigit() and int(index) < len(kept):
                kept[int(index)].add_error(field if field in kept[int(index)].fields else None, messages_)
                kept[int(index)].style_fields()
                continue
        rest[key] = messages_
    return ValidationError(rest) if rest else None


class ChecklistEditView(ChecklistMixin, ScopedViewMixin, View):
    """Add a checklist (a draft) or change a draft, with its items, on one page."""

    template_name = "inspections/checklist_form.html"

    def get_permission_required(self):
        action = "change" if "pk" in self.kwargs else "add"
        return [f"inspections.{action}_checklisttemplate"]

    def get(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = ChecklistTemplateForm(instance=obj, user=request.user)
        formset = ItemFormSet(initial=item_initial(obj), prefix="items")
        return self._render(form, formset, obj)

    def post(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = ChecklistTemplateForm(request.POST, instance=obj, user=request.user)
        formset = ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            fields = {k: form.cleaned_data[k] for k in ("name", "topic", "industries", "description")}
            try:
                if obj is None:
                    saved = services.create_template(
                        actor=request.user, code=form.cleaned_data["code"], items=_lines(formset), **fields
                    )
                else:
                    saved = services.update_template(obj, actor=request.user, items=_lines(formset), **fields)
            except TemplateRefused as refused:
                form.add_error(None, refused.message)
            except ValidationError as error:
                rest = _item_errors_on_formset(formset, error)
                if rest is not None:
                    add_validation_errors(form, rest)
                form.style_fields()
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("inspections:checklisttemplate_detail", args=[saved.pk]))
        return self._render(form, formset, obj, status=400)

    def _render(self, form, formset, obj, status=200):
        context = self.base_context(form=form, formset=formset, object=obj)
        return render(self.request, self.template_name, context, status=status)


class ChecklistDeleteView(ChecklistMixin, ObjectDeleteView):
    def delete_object(self, obj):
        try:
            services.delete_template(obj, actor=self.request.user)
        except TemplateRefused as refused:
            raise ValidationError(refused.message) from None


class ChecklistActionView(ChecklistMixin, ScopedViewMixin, View):
    """POST: new_version (a draft copy), activate, retire."""

    action = ""
    ACTIONS = {
        "new_version": ("add", services.new_version),
        "activate": ("change", services.activate_template),
        "retire": ("change", services.retire_template),
    }

    def get_permission_required(self):
        return [f"inspections.{self.ACTIONS[self.action][0]}_checklisttemplate"]

    def get(self, request, pk):
        self.get_object()
        return HttpResponseRedirect(reverse("inspections:checklisttemplate_detail", args=[pk]))

    def post(self, request, pk):
        obj = self.get_object()
        try:
            result = self.ACTIONS[self.action][1](obj, actor=request.user)
        except TemplateRefused as refused:
            messages.error(request, refused.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("inspections:checklisttemplate_detail", args=[result.pk]))
        return HttpResponseRedirect(reverse("inspections:checklisttemplate_detail", args=[pk]))


class ChecklistImportView(ChecklistMixin, ObjectImportView):
    importer = services.import_templates
    columns = services.ITEM_COLUMNS


class ChecklistExportView(ChecklistMixin, ObjectExportView):
    filterset_class = ChecklistTemplateFilterSet
    exporter = services.export_templates


class ChecklistTemplateFileView(ChecklistMixin, ObjectTemplateView):
    template_builder = services.import_template_xlsx
    template_filename = "checklist-template.xlsx"


class ChecklistNewVersionView(ChecklistActionView):
    action = "new_version"


class ChecklistActivateView(ChecklistActionView):
    action = "activate"


class ChecklistRetireView(ChecklistActionView):
    action = "retire"
