from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yingji.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from yingji.accounts import signals  # noqa: F401
        from yingji.accounts.models import User
        from yingji.core import audit

        audit.register(User, exclude=["password", "last_login", "failed_logins", "locked_until"])
