"""The main menu: only modules that exist and that the user may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None


MENU = [
    NavEntry(_("Overview"), "dashboard:home"),
    NavEntry(_("Inbox"), "messaging:message_list"),
    NavEntry(_("Enterprises"), "registry:enterprise_list", "registry.view_enterprise"),
    NavEntry(_("Divisions"), "core:division_list", "core.view_division"),
    NavEntry(_("Users"), "accounts:user_list", "accounts.manage_users"),
    NavEntry(_("Audit trail"), "core:audit_list", "core.view_auditlog"),
    NavEntry(_("API"), "api:openapi-view"),
]


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in MENU:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        url = reverse(entry.url_name)
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": entry.label, "url": url, "active": active})
    return {"nav_items": items}
