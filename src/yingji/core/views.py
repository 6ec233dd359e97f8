"""Generic page machinery: every entity's list, detail, edit, delete, import and export pages.

An entity declares its model, FilterSet, columns, form and services; these classes do the rest,
always reading through `Model.objects.for_user(user)`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import audit
from yingji.core.tables import cell

PAGE_SIZES = (25, 50, 100)


class ScopedViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    model: Any = None  # the entity's model class, set by each subclass
    url_namespace = ""  # e.g. "registry"
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.model.objects.for_user(self.request.user)
        # select_related() with no names would follow every foreign key: only call it with names.
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def url_name(self, action: str) -> str:
        return f"{self.url_namespace}:{self.model._meta.model_name}_{action}"

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (self.model.DoesNotExist, ValueError):
            raise Http404 from None

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()

    def base_context(self, **extra):
        opts = self.model._meta
        user = self.request.user
        return {
            "opts": opts,
            "model_name": opts.verbose_name,
            "model_name_plural": opts.verbose_name_plural,
            "list_url": reverse(self.url_name("list")),
            "can_add": user.has_perm(f"{opts.app_label}.add_{opts.model_name}"),
            "can_change": user.has_perm(f"{opts.app_label}.change_{opts.model_name}"),
            "can_delete": user.has_perm(f"{opts.app_label}.delete_{opts.model_name}"),
            "can_import": user.has_perm(f"{opts.app_label}.import_{opts.model_name}"),
            "can_export": user.has_perm(f"{opts.app_label}.export_{opts.model_name}"),
            **extra,
        }


def filtered(view: ScopedViewMixin, filterset_class, request):
    """(filterset, queryset) for the request; an invalid filter gives an empty queryset."""
    filterset = filterset_class(request.GET, queryset=view.get_queryset(), request=request)
    queryset = filterset.qs if filterset.is_valid() else view.get_queryset().none()
    return filterset, queryset


class ObjectListView(ScopedViewMixin, View):
    filterset_class = None
    columns: list = []
    template_name = "core/object_list.html"
    partial_template = "core/_object_table.html"
    extra_template: str | None = None  # optional block below the filters (e.g. a map toggle)

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.view_{opts.model_name}"]

    def get(self, request):
        filterset, queryset = filtered(self, self.filterset_class, request)
        per_page = _int(request.GET.get("per_page"), 50)
        per_page = per_page if per_page in PAGE_SIZES else 50
        page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
        rows = [(obj, [cell(obj, c) for c in self.columns]) for obj in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        context = self.base_context(
            filterset=filterset,
            columns=self.columns,
            rows=rows,
            page=page,
            per_page=per_page,
            page_sizes=PAGE_SIZES,
            query=query.urlencode(),
            sort=request.GET.get("sort", ""),
            detail_url_name=self.url_name("detail"),
            add_url=reverse(self.url_name("add")),
            import_url=_reverse_or_empty(self.url_name("import")),
            export_url=_reverse_or_empty(self.url_name("export")),
            extra_template=self.extra_template,
            partial_template=self.partial_template,
        )
        template = self.partial_template if request.headers.get("HX-Request") else self.template_name
        return render(request, template, context)


def _reverse_or_empty(name: str) -> str:
    """The URL of an optional page (not every entity has import or export), or "" when it has none."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ObjectDetailView(ScopedViewMixin, View):
    template_name = ""

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.view_{opts.model_name}"]

    def get_extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_object()
        context = self.base_context(object=obj, **self.get_extra_context(obj))
        return render(request, self.template_name, context)


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or update (pk) through the entity's services; field errors go back on the form."""

    form_class = None
    template_name = "core/object_form.html"

    def get_permission_required(self):
        opts = self.model._meta
        action = "change" if "pk" in self.kwargs else "add"
        return [f"{opts.app_label}.{action}_{opts.model_name}"]

    def create(self, form):
        raise NotImplementedError

    def update(self, obj, form):
        raise NotImplementedError

    def get(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = self.form_class(instance=obj, user=request.user)
        return self._render(form, obj)

    def post(self, request, pk=None):
        obj = self.get_object() if pk else None
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            try:
                saved = self.update(obj, form) if obj else self.create(form)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse(self.url_name("detail"), args=[saved.pk]))
        return self._render(form, obj, status=400)

    def _render(self, form, obj, status=200):
        context = self.base_context(form=form, object=obj)
        return render(self.request, self.template_name, context, status=status)


def add_validation_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ObjectDeleteView(ScopedViewMixin, View):
    """Confirm (GET) and delete (POST). Subclasses implement `delete_object(obj)` with the app's service."""

    template_name = "core/object_confirm_delete.html"
    http_method_names = ["get", "post", "head", "options"]  # no HTTP DELETE: the form posts

    def get_permission_required(self):
        opts = self.model._meta
        return [f"{opts.app_label}.delete_{opts.model_name}"]

    def delete_object(self, obj):
        raise NotImplementedError

    def get(self, request, pk):
        return render(request, self.template_name, self.base_context(object=self.get_object()))

    def post(self, request, pk):
        obj = self.get_object()
        try:
            self.delete_object(obj)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse(self.url_name("detail"), args=[pk]))
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse(self.url_name("list")))


def audit_export(model, count: int, fmt: str, query: str) -> None:
    audit.record(
        "export",
        object_type=model._meta.label_lower,
        note=f"{count} rows as {fmt}; filters: {query}"[:500],
    )
