import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SESSION_KEY = "yingji_last_seen"


class IdleTimeoutMiddleware:
    """Log a browser session out after YINGJI_SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                request.yingji_idle_logout = True
            elif last_seen is None or now - last_seen >= 30:
                # Refresh at most every 30 s so reading pages does not write the session each time.
                request.session[SESSION_KEY] = now
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs after every middleware's request phase, so the message storage exists by now.
        if getattr(request, "yingji_idle_logout", False):
            messages.warning(
                request, _("Your session expired after a period of inactivity. Please log in again.")
            )
