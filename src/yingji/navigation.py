"""The main menu: only modules that exist and that the user may open."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None
    section: str = ""  # a heading shown above the first entry of each section


DAILY = ""
PREVENTION = _("Dual prevention")  # 双重预防: risk grading and the hidden-danger loop
ADMIN = _("Administration")

MENU = [
    NavEntry(_("Overview"), "dashboard:home", section=DAILY),
    NavEntry(_("Inbox"), "messaging:message_list", section=DAILY),
    NavEntry(_("Enterprises"), "registry:enterprise_list", "registry.view_enterprise", DAILY),
    NavEntry(_("Risk points"), "risk:riskpoint_list", "risk.view_riskpoint", PREVENTION),
    NavEntry(_("Hidden dangers"), "hazards:hazard_list", "hazards.view_hazard", PREVENTION),
    NavEntry(_("Hazard ledger"), "hazards:ledger", "hazards.view_hazard", PREVENTION),
    NavEntry(_("Hazard statistics"), "hazards:statistics", "hazards.view_hazard", PREVENTION),
    NavEntry(_("Self-checks"), "hazards:checktask_list", "hazards.view_checktask", PREVENTION),
    NavEntry(_("Public reports"), "hazards:report_list", "hazards.view_publicreport", PREVENTION),
    NavEntry(_("Divisions"), "core:division_list", "core.view_division", ADMIN),
    NavEntry(_("Users"), "accounts:user_list", "accounts.manage_users", ADMIN),
    NavEntry(_("Audit trail"), "core:audit_list", "core.view_auditlog", ADMIN),
    NavEntry(_("API"), "api:openapi-view", section=ADMIN),
]


def nav_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = [e for e in MENU if not e.permission or user.has_perm(e.permission)]
    urls = [reverse(e.url_name) for e in entries]
    # The active entry is the longest URL the path starts with (/hazards/ledger/ is not /hazards/).
    matching = [u for u in urls if request.path == u or (u != "/" and request.path.startswith(u))]
    active = max(matching, key=len, default=None)
    items, section = [], None
    for entry, url in zip(entries, urls, strict=True):
        heading = entry.section if entry.section != section else ""
        section = entry.section
        items.append({"label": entry.label, "url": url, "active": url == active, "heading": heading})
    return {"nav_items": items}
