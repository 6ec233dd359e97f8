"""Custodian pages (包保责任制): a source's three custodians and their duties, the duty status across
sources, doing a duty (checklist + evidence, on a phone), and the printable 公示牌 (placard)."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from yingji.core import uploads
from yingji.core.views import ScopedViewMixin
from yingji.registry import rules_custodians as rules
from yingji.registry import services_custodians as services
from yingji.registry.forms_custodians import CustodianForm, DutyTaskFilterForm, ScheduleForm
from yingji.registry.models_sources import (
    Custodian,
    CustodianRole,
    DutyEvidence,
    DutyTask,
    MajorHazardSource,
)

PAGE_SIZE = 50
ANSWER_CHOICES = (
    (rules.OK, _("Done, fine")),
    (rules.ISSUE, _("Problem found")),
    (rules.NOT_APPLICABLE, _("N/A")),
)


def source_url(pk: int) -> str:
    try:
        return reverse("registry:source_detail", args=[pk])
    except NoReverseMatch:
        return f"/enterprises/sources/{pk}/"


def _page(request, queryset, size=PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _errors_onto(forms_by_prefix: dict, error: ValidationError, fallback) -> list[str]:
    """Put a service's {"main-name": [...]} errors on the right form; returns those that fit nowhere."""
    left: list[str] = []
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    for key, texts in error.message_dict.items():
        prefix, _sep, field = key.partition("-")
        form = forms_by_prefix.get(prefix)
        if form is not None and field in form.fields:
            form.add_error(field, texts)
        elif fallback is not None and key in fallback.fields:
            fallback.add_error(key, texts)
        else:
            left.extend(texts)
    return left


class CustodianMixin(ScopedViewMixin):
    """Pages keyed by a major hazard source (scoped: 404 outside the user's jurisdiction)."""

    model = MajorHazardSource
    url_namespace = "registry"
    select_related = ("enterprise", "division")

    def base_context(self, **extra):
        return {"source_url": source_url(extra["source"].pk) if "source" in extra else "", **extra}


# -- a source's custodians and duties ---------------------------------------------------------------


class SourceCustodiansView(CustodianMixin, View):
    template_name = "registry/custodians/source_custodians.html"

    def get_permission_required(self):
        return ["registry.view_custodian"]  # saving needs more, checked once the source is in scope

    @staticmethod
    def _change_permission(part: str) -> str:
        return "registry.change_custodian" if part == "custodians" else "registry.change_dutyschedule"

    def get(self, request, pk):
        source = self.get_object()
        return self._render(source, self._custodian_forms(source), self._schedule_forms(source))

    def post(self, request, pk):
        source = self.get_object()  # 404 outside the jurisdiction, before any 403
        part = request.POST.get("part", "")
        if not request.user.has_perm(self._change_permission(part)):
            raise PermissionDenied
        custodian_forms = self._custodian_forms(source, bound=part == "custodians")
        schedule_forms = self._schedule_forms(source, bound_role=part.removeprefix("schedule-"))
        general: list[str] = []
        if part == "custodians":
            if all(f.is_valid() for f in custodian_forms.values()):
                try:
                    services.set_custodians(
                        source,
                        actor=request.user,
                        entries=[f.entry(role) for role, f in custodian_forms.items()],
                    )
                except ValidationError as error:
                    general = _errors_onto(custodian_forms, error, None)
                else:
                    messages.success(request, _("Custodians saved."))
                    return HttpResponseRedirect(reverse("registry:source_custodians", args=[pk]))
        elif part.startswith("schedule-") and part.removeprefix("schedule-") in rules.ROLES:
            role = part.removeprefix("schedule-")
            form = schedule_forms[role]
            if form.is_valid():
                schedule = source.duty_schedules.filter(role=role).order_by("id").first()
                try:
                    services.save_schedule(
                        source, actor=request.user, role=role, schedule=schedule, **form.service_fields()
                    )
                except ValidationError as error:
                    general = _errors_onto({}, error, form)
                else:
                    messages.success(request, _("Duty saved."))
                    return HttpResponseRedirect(
                        reverse("registry:source_custodians", args=[pk]) + f"#duty-{role}"
                    )
        else:
            general = [_("Unknown form.")]
        return self._render(source, custodian_forms, schedule_forms, general=general, status=400)

    def _custodian_forms(self, source, bound=False) -> dict[str, CustodianForm]:
        current = services.custodians_of(source)
        users = services.enterprise_users_for(source)
        result = {}
        for role in rules.ROLES:
            custodian = current.get(role)
            initial = (
                {
                    "name": custodian.name,
                    "title": custodian.title,
                    "phone": custodian.phone,
                    "user": custodian.user_id,
                }
                if custodian
                else {}
            )
            data = self.request.POST if bound else None
            result[role] = CustodianForm(data, prefix=role, initial=initial, users=users)
        return result

    def _schedule_forms(self, source, bound_role: str = "") -> dict[str, ScheduleForm]:
        schedules = {s.role: s for s in source.duty_schedules.order_by("-id")}
        result = {}
        for role in rules.ROLES:
            schedule = schedules.get(role)
            initial = ScheduleForm.initial_for(schedule) if schedule else ScheduleForm.initial_default(role)
            data = self.request.POST if bound_role == role else None
            result[role] = ScheduleForm(data, prefix=f"schedule-{role}", initial=initial)
        return result

    def _render(self, source, custodian_forms, schedule_forms, general=(), status=200):
        user = self.request.user
        summary = services.duty_summary(source)
        roles = [
            {
                "code": role,
                "label": CustodianRole(role).label,
                "form": custodian_forms[role],
                "schedule_form": schedule_forms[role],
                "schedule": summary[role]["schedule"],
                "summary": summary[role],
            }
            for role in rules.ROLES
        ]
        context = self.base_context(
            source=source,
            object=source,
            roles=roles,
            general_errors=general,
            can_change=user.has_perm("registry.change_custodian"),
            can_schedule=user.has_perm("registry.change_dutyschedule"),
            tasks=DutyTask.objects.for_user(user).filter(source=source).select_related("custodian")[:30],
            now=timezone.now(),
        )
        return render(self.request, self.template_name, context, status=status)


# -- the placard (公示牌) ---------------------------------------------------------------------------


def placard_context(source: MajorHazardSource) -> dict:
    custodians = services.custodians_of(source)
    duties = {s.role: s for s in source.duty_schedules.filter(is_active=True).order_by("id")}
    rows = []
    for role in rules.ROLES:
        custodian = custodians.get(role)
        schedule = duties.get(role)
        rows.append(
            {
                "role": role,
                "label": CustodianRole(role).label,
                "name": custodian.name if custodian else "",
                "title": custodian.title if custodian else "",
                "phone": custodian.phone if custodian else "",  # in full: a public notice at the site
                "duties": list(schedule.checklist if schedule else rules.default_for(role).checklist),
            }
        )
    return {
        "source": source,
        "enterprise": source.enterprise,
        "grade_label": source.grade_label,
        "rows": rows,
        "complete": all(r["name"] for r in rows),
        "printed_on": timezone.localdate(),
    }


class SourcePlacardView(CustodianMixin, View):
    """The 公示牌 of a source: print-ready HTML, or `?format=docx` for WPS/Word."""

    def get_permission_required(self):
        return ["registry.view_custodian"]

    def get(self, request, pk):
        source = self.get_object()
        context = placard_context(source)
        if request.GET.get("format") == "docx":
            filename = _("Custodian placard") + f" {source.name}.docx"
            response = HttpResponse(placard_docx(context), content_type=DOCX_TYPE)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
            return response
        return render(request, "registry/custodians/placard.html", context)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def placard_docx(context: dict) -> bytes:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    from yingji.risk.printables import _font, _new_document, _shade, _title

    source = context["source"]
    document = _new_document()
    _title(document, _("Major hazard source safety custodians"), context["enterprise"].name)
    line = document.add_paragraph()
    text = _("Major hazard source: {name}").format(name=source.name)
    if context["grade_label"]:
        text += f"（{context['grade_label']}）"
    _font(line.add_run(text), size=14, bold=True)
    headers = [_("Role"), _("Name"), _("Position"), _("Phone"), _("Duties")]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _shade(cell, "F2F2F2")
        _font(cell.paragraphs[0].add_run(str(header)), bold=True)
    for row in context["rows"]:
        cells = table.add_row().cells
        for cell, value in zip(
            cells[:4], [str(row["label"]), row["name"], row["title"], row["phone"]], strict=True
        ):
            _font(cell.paragraphs[0].add_run(value or "—"), size=12)
        cells[4].paragraphs[0].text = ""
        for i, duty in enumerate(row["duties"], start=1):
            paragraph = cells[4].paragraphs[0] if i == 1 else cells[4].add_paragraph()
            _font(paragraph.add_run(f"{i}. {duty}"), size=9)
    for width, column in zip((Cm(2.6), Cm(2.2), Cm(2.6), Cm(3.0), Cm(6.6)), table.columns, strict=True):
        for cell in column.cells:
            cell.width = width
    footer = document.add_paragraph()
    _font(
        footer.add_run(
            _("Employees are welcome to supervise. Printed on {day}.").format(day=context["printed_on"])
        ),
        size=10,
    )
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- duty status across sources ---------------------------------------------------------------------


def _state_filter(state: str, now) -> Q | None:
    if state == "due":
        return Q(status=rules.PENDING, due_at__gte=now)
    if state == "overdue":
        return Q(status=rules.PENDING, due_at__lt=now)
    if state in (rules.MISSED, rules.DONE):
        return Q(status=state)
    return None


class DutyMixin(ScopedViewMixin):
    model = DutyTask
    url_namespace = "registry"
    select_related = ("schedule", "source", "enterprise", "custodian", "done_by")

    def base_context(self, **extra):
        return {"list_url": reverse("registry:duty_list"), **extra}


class DutyListView(DutyMixin, View):
    """The custodian duty status: counts by state, a matrix of sources × roles (the latest task of
    each), and the tasks themselves, filtered."""

    def get_permission_required(self):
        return ["registry.view_dutytask"]

    def get(self, request):
        now = timezone.now()
        form = DutyTaskFilterForm(request.GET or None)
        tasks = self.get_queryset()
        cleaned = form.cleaned_data if form.is_valid() else {}
        if cleaned.get("role"):
            tasks = tasks.filter(role=cleaned["role"])
        if cleaned.get("q"):
            tasks = tasks.filter(
                Q(source__name__icontains=cleaned["q"]) | Q(enterprise__name__icontains=cleaned["q"])
            )
        counts = tasks.aggregate(
            due=Count("pk", filter=_state_filter("due", now)),
            overdue=Count("pk", filter=_state_filter("overdue", now)),
            missed=Count("pk", filter=_state_filter("missed", now)),
            done=Count("pk", filter=_state_filter("done", now)),
        )
        state_q = _state_filter(cleaned.get("state") or "", now)
        if state_q is not None:
            tasks = tasks.filter(state_q)
        view = "sources" if request.GET.get("view") == "sources" else "tasks"
        context = self.base_context(form=form, counts=counts, view=view, now=now)
        if view == "sources":
            context.update(self._matrix(request, cleaned, now))
        else:
            # pending first (the most overdue on top), then missed, then done, newest first
            ordered = tasks.annotate(
                rank=Case(
                    When(status=rules.PENDING, then=Value(0)),
                    When(status=rules.MISSED, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
                pending_due=Case(When(status=rules.PENDING, then=F("due_at")), default=None),
            ).order_by("rank", F("pending_due").asc(nulls_last=True), "-due_at", "-pk")
            page, query = _page(request, ordered)
            context.update(
                page=page,
                query=query,
                rows=[(t, rules.state(t.status, t.due_at, now)) for t in page.object_list],
            )
        return render(request, "registry/custodians/duty_list.html", context)

    def _matrix(self, request, cleaned, now) -> dict:
        sources = (
            MajorHazardSource.objects.for_user(request.user)
            .filter(is_major=True)
            .select_related("enterprise")
        )
        if cleaned.get("q"):
            sources = sources.filter(
                Q(name__icontains=cleaned["q"]) | Q(enterprise__name__icontains=cleaned["q"])
            )
        page, query = _page(request, sources.order_by("enterprise__name", "name", "pk"), size=30)
        ids = [s.pk for s in page.object_list]
        latest: dict[tuple[int, str], DutyTask] = {}
        for task in DutyTask.objects.filter(source_id__in=ids).order_by("source_id", "role", "-due_at"):
            latest.setdefault((task.source_id, task.role), task)
        missed = {
            (row["source_id"], row["role"]): row["n"]
            for row in DutyTask.objects.filter(source_id__in=ids, status=rules.MISSED)
            .values("source_id", "role")
            .annotate(n=Count("pk"))
        }
        names = {(c.source_id, c.role): c.name for c in Custodian.objects.filter(source_id__in=ids)}
        matrix = []
        for source in page.object_list:
            cells = []
            for role in rules.ROLES:
                task = latest.get((source.pk, role))
                cells.append(
                    {
                        "role": role,
                        "label": CustodianRole(role).label,
                        "name": names.get((source.pk, role), ""),
                        "task": task,
                        "state": rules.state(task.status, task.due_at, now) if task else "",
                        "missed": missed.get((source.pk, role), 0),
                    }
                )
            matrix.append({"source": source, "url": source_url(source.pk), "cells": cells})
        return {
            "page": page,
            "query": query,
            "matrix": matrix,
            "role_labels": [CustodianRole(r).label for r in rules.ROLES],
        }


# -- one duty task ----------------------------------------------------------------------------------


def _answers_from_post(post, count: int) -> dict[int, tuple[str, str]]:
    answers = {}
    for index in range(count):
        answer = post.get(f"answer_{index}", "")
        if answer:
            answers[index] = (answer, post.get(f"note_{index}", ""))
    return answers


class DutyDetailView(DutyMixin, View):
    def get_permission_required(self):
        return ["registry.view_dutytask"]

    def get(self, request, pk):
        return render_task(request, self, self.get_object())


def render_task(request, view, task: DutyTask, *, answers=None, errors=None, note="", status=200):
    now = timezone.now()
    user = request.user
    refusal = services.refusal_to_complete(task, user)
    answers = answers or {}
    errors = errors or {}
    checklist = list(task.schedule.checklist or [])
    rows = [
        {
            "index": i,
            "text": text,
            "value": answers.get(i, ("", ""))[0],
            "note": answers.get(i, ("", ""))[1],
            "errors": errors.get(f"item_{i}", []),
        }
        for i, text in enumerate(checklist)
    ]
    context = view.base_context(
        object=task,
        source_url=source_url(task.source_id),
        state=rules.state(task.status, task.due_at, now),
        rows=rows,
        results=task.results if task.status == rules.DONE else [],
        answer_labels=dict(ANSWER_CHOICES),
        answer_choices=ANSWER_CHOICES,
        photos=list(task.photos.all()),
        can_do=refusal is None and user.has_perm("registry.change_dutytask"),
        errors=errors,
        general_errors=errors.get("results", []) + errors.get("__all__", []) + errors.get("status", []),
        has_errors=bool(errors),
        note=note,
        missed_after=task.due_at + rules.grace(task.schedule.cadence_days),
    )
    return render(request, "registry/custodians/duty_detail.html", context, status=status)


class DutyCompleteView(DutyMixin, View):
    def get_permission_required(self):
        return ["registry.change_dutytask"]

    def get(self, request, pk):  # the form posts; a visit goes back to the task (404 out of scope)
        return HttpResponseRedirect(reverse("registry:duty_detail", args=[self.get_object().pk]))

    def post(self, request, pk):
        task = self.get_object()
        answers = _answers_from_post(request.POST, len(task.schedule.checklist or []))
        note = request.POST.get("evidence_note", "")
        try:
            services.complete_task(
                task, actor=request.user, results=answers, note=note, photos=request.FILES.getlist("photos")
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not record this duty."))
            return HttpResponseRedirect(reverse("registry:duty_detail", args=[pk]))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            return render_task(request, self, task, answers=answers, errors=errors, note=note, status=400)
        messages.success(request, _("Duty recorded."))
        return HttpResponseRedirect(reverse("registry:duty_detail", args=[pk]))


class DutyPhotoView(DutyMixin, View):
    """A photo of a duty task the user may see (files live outside the web root)."""

    def get_permission_required(self):
        return ["registry.view_dutytask"]

    def get(self, request, pk, evidence_id):
        task = self.get_object()
        photo = get_object_or_404(DutyEvidence, pk=evidence_id, task=task)
        try:
            return uploads.serve_private(photo.file, photo.content_type)
        except FileNotFoundError:
            raise Http404 from None
