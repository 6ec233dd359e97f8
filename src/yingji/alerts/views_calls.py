"""叫应 pages: the live board of a warning (htmx polling), the closing record exports, the personal
acknowledgement link (no login), the acknowledge/record buttons, and the call lists."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from yingji.alerts import exports_calls, rules_calls, services_calls
from yingji.alerts.models import Call, CallListEntry, CallStatus, Warning
from yingji.core import audit
from yingji.core.forms import StyledFormMixin
from yingji.core.identifiers import mask_phone
from yingji.core.models import Division

POLL_SECONDS = 5
STATUS_FILTERS = ("calling", "acknowledged", "confirmed", "unreachable", "late")


class _PermissionMixin(LoginRequiredMixin):
    permission = "alerts.view_warning"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def warning(self, pk) -> Warning:
        return get_object_or_404(Warning.objects.for_user(self.request.user), pk=pk)


def _people(warning: Warning, request):
    calls = Call.objects.filter(warning=warning, parent__isnull=True).select_related("division")
    status = request.GET.get("status", "")
    if status == "late":
        calls = calls.filter(
            Q(status__in=rules_calls.DONE, acknowledged_at__gt=F("deadline_at"))
            | Q(status__in=rules_calls.OPEN, deadline_at__lt=timezone.now())
        )
    elif status in STATUS_FILTERS:
        calls = calls.filter(status=status)
    division = request.GET.get("division", "")
    if division.isdigit():
        calls = calls.filter(division__code__startswith=division)
    page = Paginator(calls.order_by("division_id", "tier", "pk"), 50).get_page(request.GET.get("page"))
    for call in page.object_list:
        call.masked_phone = mask_phone(call.phone)
    return page, status, division


class CallBoardView(_PermissionMixin, View):
    """Counts per tier and division (SQL aggregates) and one page of people; `?partial=1` is the part
    htmx reloads every few seconds."""

    def get(self, request, pk):
        warning = self.warning(pk)
        division = request.GET.get("division", "")
        data = services_calls.board(warning, prefix=division if division.isdigit() else "")
        labels = dict(Call._meta.get_field("tier").choices)
        for row in data["by_tier"]:
            row["label"] = labels.get(row["tier"], row["tier"])
        page, status, division = _people(warning, request)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("partial", None)
        context = {
            "warning": warning,
            "board": data,
            "page": page,
            "status": status,
            "division": division,
            "status_choices": [
                (s, CallStatus(s).label if s != "late" else _("Late")) for s in STATUS_FILTERS
            ],
            "query": query.urlencode(),
            "poll_seconds": POLL_SECONDS,
            "can_record": request.user.has_perm("alerts.issue_warning"),
        }
        template = "alerts/calls/_board.html" if request.GET.get("partial") else "alerts/calls/board.html"
        return render(request, template, context)


class CallBoardExportView(_PermissionMixin, View):
    def get(self, request, pk, fmt):
        warning = self.warning(pk)
        if fmt == "xlsx":
            content, content_type = exports_calls.closing_xlsx(warning), exports_calls.XLSX_TYPE
        elif fmt == "docx":
            content, content_type = exports_calls.closing_docx(warning), exports_calls.DOCX_TYPE
        else:
            raise Http404
        audit.record("export", warning, user=request.user, note=f"calls closing record {fmt}")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="calls-{warning.pk}.{fmt}"'
        return response


class FeedbackForm(StyledFormMixin, forms.Form):
    on_site = forms.BooleanField(label=gettext_lazy("On site (到岗)"), required=False)
    deployed = forms.BooleanField(label=gettext_lazy("Measures deployed (已部署)"), required=False)
    evacuated = forms.IntegerField(label=gettext_lazy("People moved (转移人数)"), required=False, min_value=0)
    support_needed = forms.CharField(
        label=gettext_lazy("Support needed (需支援)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallAckView(_PermissionMixin, View):
    """POST: the called person's own button, or a duty officer recording a phone answer (GET goes
    back to the warning's board)."""

    def get(self, request, pk):
        call = get_object_or_404(Call.objects.for_user(request.user), pk=pk)
        return HttpResponseRedirect(reverse("alerts:call_board", args=[call.warning_id]))

    def post(self, request, pk):
        call = get_object_or_404(Call.objects.for_user(request.user), pk=pk)
        form = FeedbackForm(request.POST)
        feedback = form.cleaned_data if form.is_valid() else {}
        try:
            if call.user_id == request.user.pk:
                services_calls.acknowledge_button(call, actor=request.user, feedback=feedback)
            else:
                services_calls.record_phone_answer(call, actor=request.user, feedback=feedback)
        except rules_calls.AckError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The acknowledgement was recorded."))
        return HttpResponseRedirect(reverse("alerts:call_board", args=[call.warning_id]))


class CallAckLinkView(View):
    """The personal link in the message: no login; the token in the URL is the proof of person."""

    def _call(self, token):
        call = Call.objects.select_related("warning", "division").filter(token=token).first()
        if call is None:
            raise Http404
        return call

    def get(self, request, token):
        call = self._call(token)
        return render(request, "alerts/calls/ack.html", {"call": call, "form": FeedbackForm()})

    def post(self, request, token):
        call = self._call(token)
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return render(request, "alerts/calls/ack.html", {"call": call, "form": form}, status=400)
        try:
            services_calls.acknowledge_link(token, feedback=form.cleaned_data)
        except rules_calls.AckError as error:
            context = {"call": call, "form": form, "error": error}
            return render(request, "alerts/calls/ack.html", context, status=error.status)
        call.refresh_from_db()
        return render(request, "alerts/calls/ack.html", {"call": call, "done": True})


# --- call lists --------------------------------------------------------------------------------------


class CallListEntryForm(StyledFormMixin, forms.ModelForm):
    division = forms.CharField(label=gettext_lazy("Division code"), max_length=12)
    webhook_url = forms.URLField(label=gettext_lazy("webhook URL"), required=False, assume_scheme="https")
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels in order"),
        choices=[(c, c) for c in rules_calls.CHANNELS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CallListEntry
        fields = [
            "division", "tier", "name", "phone", "email", "webhook_url", "role", "superior", "min_level",
            "event_type", "channels", "active", "reviewed_at",
        ]  # fmt: skip
        widgets = {"reviewed_at": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["superior"].queryset = (
            CallListEntry.objects.for_user(user) if user else CallListEntry.objects.none()
        )
        if self.instance.pk:
            self.initial["division"] = self.instance.division_id
        self.style_fields()

    def clean_division(self):
        division = Division.objects.filter(code=self.cleaned_data["division"]).first()
        if division is None:
            raise ValidationError(_("Unknown division."))
        return division


class CallListView(_PermissionMixin, View):
    def get(self, request):
        entries = CallListEntry.objects.for_user(request.user).select_related("division", "superior")
        division = request.GET.get("division", "")
        if division.isdigit():
            entries = entries.filter(division__code__startswith=division)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        for entry in page.object_list:
            entry.masked_phone = mask_phone(entry.phone)
        context = {
            "page": page,
            "division": division,
            "can_edit": request.user.has_perm("alerts.change_warning"),
        }
        return render(request, "alerts/calls/entry_list.html", context)


class CallListEditView(_PermissionMixin, View):
    permission = "alerts.change_warning"

    def _entry(self, pk):
        if pk is None:
            return None
        return get_object_or_404(CallListEntry.objects.for_user(self.request.user), pk=pk)

    def get(self, request, pk=None):
        form = CallListEntryForm(instance=self._entry(pk), user=request.user)
        return render(request, "alerts/calls/entry_form.html", {"form": form})

    def post(self, request, pk=None):
        entry = self._entry(pk)
        form = CallListEntryForm(request.POST, instance=entry, user=request.user)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services_calls.save_entry(
                    CallListEntry.objects.get(pk=entry.pk) if entry else None, actor=request.user, **fields
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return HttpResponseRedirect(reverse("alerts:calllistentry_list"))
        return render(request, "alerts/calls/entry_form.html", {"form": form}, status=400)
