"""Plumbing only: put logins, logouts and failed logins in the audit trail and count failures."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yingji.accounts import services
from yingji.core import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    services.reset_login_failures(user)
    audit.record("login", user, user=user, ip=audit.client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", user, user=user, ip=audit.client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    ip = audit.client_ip(request) if request is not None else ""
    services.register_login_failure(credentials.get("username", ""), ip=ip)
