from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.core.forms import DivisionChoiceField, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password. After {max} failed attempts the account is locked for {minutes} minutes."
        ),
        "locked": _(
            "This account is locked after too many failed logins. Try again in {minutes} minutes or ask an admin."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def clean(self):
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.is_locked():
            # Counted and audited like any failure, without even checking the password.
            from yingji.accounts.services import register_login_failure
            from yingji.core.audit import client_ip

            register_login_failure(username, ip=client_ip(self.request) if self.request else "")
            raise forms.ValidationError(
                self.error_messages["locked"].format(minutes=settings.LOGIN_LOCKOUT_MINUTES), code="locked"
            )
        return super().clean()

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"].format(
                max=settings.LOGIN_MAX_FAILURES, minutes=settings.LOGIN_LOCKOUT_MINUTES
            ),
            code="invalid_login",
        )


class UserForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        error_messages={"invalid": _("3–150 letters, digits or . @ + - _")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    division = DivisionChoiceField(label=_("Division"))
    enterprise_uscc = forms.CharField(
        label=_("Enterprise (USCC)"), max_length=18, required=False, help_text=_("Only for enterprise users.")
    )
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].limit_to(user)
        self.style_fields()
