"""Warning notice pages (预警提示单): list, issue, detail (who answered when, who is late) and the
recipients' feedback. Every change goes through `services_notices`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from yingji.alerts import rules_notices as rules
from yingji.alerts import services_notices as services
from yingji.alerts.filters import visible_warnings
from yingji.alerts.forms_warnings import _datetime_field
from yingji.alerts.models import Notice, NoticeRecipient
from yingji.core.forms import DivisionChoiceField, StyledFormMixin
from yingji.core.models import Division
from yingji.core.views import add_validation_errors


class NoticeForm(StyledFormMixin, forms.Form):
    division = DivisionChoiceField(label=gettext_lazy("Issuing division"))
    warning = forms.ModelChoiceField(label=gettext_lazy("Warning"), queryset=None, required=False)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=rules.MAX_TITLE)
    content = forms.CharField(
        label=gettext_lazy("Situation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    measures = forms.CharField(
        label=gettext_lazy("Required measures"), widget=forms.Textarea(attrs={"rows": 5})
    )
    feedback_due = _datetime_field(gettext_lazy("Feedback due"), required=True)
    recipient_divisions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Recipient divisions (towns)"),
        queryset=Division.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    recipient_users = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Recipient people (departments)"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        self.fields["warning"].queryset = visible_warnings(user).order_by("-created_at")
        self.fields["recipient_divisions"].queryset = Division.objects.for_user(user).filter(
            level__in=["town", "village"]
        )
        self.fields["recipient_divisions"].label_from_instance = self.fields["division"].label_from_instance
        prefix = user.scope_prefix or ""
        self.fields["recipient_users"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, enterprise__isnull=True, division__code__startswith=prefix)
            .exclude(pk=user.pk)
            .order_by("division_id", "username")
        )
        self.fields["recipient_users"].label_from_instance = lambda u: (
            f"{u} · {u.division.name if u.division else ''}"
        )
        self.style_fields()


class FeedbackForm(StyledFormMixin, forms.Form):
    feedback = forms.CharField(label=gettext_lazy("Feedback"), widget=forms.Textarea(attrs={"rows": 3}))
    measures_taken = forms.CharField(
        label=gettext_lazy("Measures taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NoticeMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(rules.VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_notice(self, pk) -> Notice:
        notice = services.visible_notices(self.request.user).select_related(
            "division", "warning", "issued_by"
        )
        notice = notice.filter(pk=pk).first()
        if notice is None:
            raise Http404
        return notice


class NoticeListView(NoticeMixin, View):
    def get(self, request):
        queryset = (
            services.visible_notices(request.user)
            .select_related("division", "warning")
            .annotate(
                recipients_count=Count("recipients", distinct=True),
                answered_count=Count(
                    "recipients", filter=Q(recipients__answered_at__isnull=False), distinct=True
                ),
            )
            .order_by("-issued_at", "-id")
        )
        page = Paginator(queryset, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "alerts/notices/notice_list.html",
            {"page": page, "now": timezone.now(), "can_add": request.user.has_perm(rules.ISSUE_PERMISSION)},
        )


class NoticeAddView(NoticeMixin, View):
    template_name = "alerts/notices/notice_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(rules.ISSUE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {"division": request.user.division_id}
        warning = (
            visible_warnings(request.user).filter(pk=request.GET.get("warning") or 0).first()
            if (request.GET.get("warning", "").isdigit())
            else None
        )
        if warning is not None:
            initial.update(
                warning=warning.pk,
                title=_("On responding to: {headline}").format(headline=warning.headline),
                content=warning.description,
                measures=warning.instruction,
            )
        return self._render(NoticeForm(user=request.user, initial=initial))

    def post(self, request):
        form = NoticeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.issue_notice(
                    actor=request.user,
                    division=data["division"],
                    title=data["title"],
                    content=data["content"],
                    measures=data["measures"],
                    feedback_due=data["feedback_due"],
                    warning=data["warning"],
                    recipient_divisions=data["recipient_divisions"],
                    recipient_users=data["recipient_users"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Issued: {number}.").format(number=notice.document_no))
                return HttpResponseRedirect(reverse("alerts:notice_detail", args=[notice.pk]))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form}, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        add_validation_errors(form, error)


def recipient_rows(notice: Notice, user, now) -> list[dict]:
    recipients = list(notice.recipients.select_related("division", "user", "answered_by"))
    mine = {r.pk for r in services.answerable_by(notice, user)}
    return [
        {
            "recipient": r,
            "state": (
                state := rules.recipient_state(answered_at=r.answered_at, due=notice.feedback_due, now=now)
            ),
            "state_label": rules.STATE_LABELS[state],
            "form": FeedbackForm(
                prefix=f"r{r.pk}", initial={"feedback": r.feedback, "measures_taken": r.measures_taken}
            )
            if r.pk in mine
            else None,
        }
        for r in recipients
    ]


class NoticeDetailView(NoticeMixin, View):
    template_name = "alerts/notices/notice_detail.html"

    def get(self, request, pk):
        notice = self.get_notice(pk)
        return render(request, self.template_name, self.context(notice))

    def context(self, notice, **extra) -> dict:
        now = timezone.now()
        rows = recipient_rows(notice, self.request.user, now)
        return {
            "notice": notice,
            "rows": rows,
            "late": [row for row in rows if row["state"] in ("late", "answered_late")],
            "overdue": notice.closed_at is None and now > notice.feedback_due,
            **extra,
        }


class NoticeFeedbackView(NoticeDetailView):
    """POST `recipient=<id>` with `r<id>-feedback` and `r<id>-measures_taken`."""

    def get(self, request, pk):
        self.get_notice(pk)
        return HttpResponseRedirect(reverse("alerts:notice_detail", args=[pk]))

    def post(self, request, pk):
        notice = self.get_notice(pk)
        recipient = NoticeRecipient.objects.filter(
            notice=notice, pk=_int(request.POST.get("recipient"))
        ).first()
        if recipient is None or recipient.pk not in {
            r.pk for r in services.answerable_by(notice, request.user)
        }:
            raise PermissionDenied
        form = FeedbackForm(request.POST, prefix=f"r{recipient.pk}")
        if form.is_valid():
            try:
                services.record_feedback(
                    recipient,
                    actor=request.user,
                    feedback=form.cleaned_data["feedback"],
                    measures_taken=form.cleaned_data["measures_taken"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Feedback recorded."))
                return HttpResponseRedirect(reverse("alerts:notice_detail", args=[pk]))
        context = self.context(notice)
        for row in context["rows"]:
            if row["recipient"].pk == recipient.pk:
                row["form"] = form
        return render(request, self.template_name, context, status=400)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
