from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from yingji.accounts import services
from yingji.accounts.forms import LoginForm, UserForm
from yingji.accounts.models import User
from yingji.core.views import add_validation_errors
from yingji.registry.models import Enterprise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_list(request):
    users = (
        User.objects.select_related("division", "enterprise").filter(
            division__code__startswith=request.user.scope_prefix or "~"
        )
        if not request.user.is_superuser
        else User.objects.select_related("division", "enterprise")
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page})


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_add(request):
    form = UserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = None
        if data["enterprise_uscc"]:
            enterprise = (
                Enterprise.objects.for_user(request.user).filter(uscc=data["enterprise_uscc"].upper()).first()
            )
            if enterprise is None:
                form.add_error("enterprise_uscc", _("No enterprise with this code in your jurisdiction."))
        if not form.errors:
            try:
                services.create_user(
                    username=data["username"],
                    role=data["role"],
                    division=data["division"],
                    enterprise=enterprise,
                    password=data["password"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    actor=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "enterprise" in error.error_dict:
                    error.error_dict["enterprise_uscc"] = error.error_dict.pop("enterprise")
                add_validation_errors(form, error)
            else:
                messages.success(request, _("User {username} created.").format(username=data["username"]))
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)
