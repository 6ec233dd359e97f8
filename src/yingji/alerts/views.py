"""The CAP upload page (the warning pages themselves belong to the warnings UI)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from yingji.alerts import capio, services
from yingji.core.forms import StyledFormMixin

MAX_BYTES = 1024 * 1024


class CapUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("CAP 1.2 file (XML)"))
    lenient = forms.BooleanField(
        label=_("Lenient: take a readable message even if it breaks the schema (its problems are kept)"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("A CAP message may be at most 1 MB."))
        return upload


class CapUploadView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "alerts.import_warning"
    template_name = "alerts/cap_upload.html"

    def get(self, request):
        form = CapUploadForm()
        form.style_fields()
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = CapUploadForm(request.POST, request.FILES)
        context: dict = {"form": form}
        form.is_valid()
        form.style_fields()
        if form.is_valid():
            try:
                warning = services.import_cap(
                    form.cleaned_data["file"].read(), actor=request.user, lenient=form.cleaned_data["lenient"]
                )
            except capio.CapError as error:
                context["error"] = error
                context["problems"] = error.problems()
            else:
                context["warning"] = warning
                context["result"] = capio.summary(warning)
        return render(request, self.template_name, context, status=400 if "error" in context else 200)
