"""Roles and what each may do. Permissions are Django permission strings, granted by role in code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("Bureau admin")
    BUREAU_STAFF = "bureau_staff", _("Bureau staff")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    INSPECTOR = "inspector", _("Inspector")
    TOWN_OFFICIAL = "town_official", _("Town official")
    VILLAGE_OFFICIAL = "village_official", _("Village official / grid worker")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    LEADER = "leader", _("Leader (read-only)")


VIEW = {"registry.view_enterprise", "core.view_division", "registry.export_enterprise"}
EDIT_REGISTRY = {"registry.add_enterprise", "registry.change_enterprise", "registry.import_enterprise"}
SEE_SENSITIVE = {"core.view_sensitive"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.BUREAU_ADMIN: frozenset(
        VIEW
        | EDIT_REGISTRY
        | SEE_SENSITIVE
        | {
            "registry.delete_enterprise",
            "accounts.manage_users",
            "core.view_auditlog",
            "core.import_division",
        }
    ),
    Role.BUREAU_STAFF: frozenset(VIEW | EDIT_REGISTRY | SEE_SENSITIVE),
    Role.DUTY_OFFICER: frozenset(VIEW | SEE_SENSITIVE),
    Role.INSPECTOR: frozenset(VIEW),
    Role.TOWN_OFFICIAL: frozenset(VIEW | EDIT_REGISTRY),
    Role.VILLAGE_OFFICIAL: frozenset(VIEW),
    Role.ENTERPRISE_USER: frozenset(VIEW | {"registry.change_enterprise"}),
    Role.LEADER: frozenset(VIEW),
}

# Roles whose users must be placed at least this deep in the division tree.
ROLE_MIN_LEVEL: dict[str, str] = {
    Role.TOWN_OFFICIAL: "town",
    Role.VILLAGE_OFFICIAL: "town",
}


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
