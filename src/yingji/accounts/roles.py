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
# Hidden dangers: everyone who sees a jurisdiction sees its hazards, ledger and statistics.
VIEW_HAZARDS = {
    "hazards.view_hazard",
    "hazards.export_hazard",
    "hazards.view_checkplan",
    "hazards.view_checktask",
}
REPORT_HAZARDS = {"hazards.add_hazard"}
RECTIFY_HAZARDS = {"hazards.rectify_hazard"}
GOVERN_HAZARDS = {"hazards.confirm_hazard", "hazards.verify_hazard"}
SUPERVISE_HAZARDS = {"hazards.supervise_hazard"}
HANDLE_REPORTS = {"hazards.view_publicreport", "hazards.handle_publicreport"}
PLAN_CHECKS = {"hazards.add_checkplan", "hazards.change_checkplan", "hazards.delete_checkplan"}
DO_CHECKS = {"hazards.change_checktask"}
# Risk grading: units, points and measures are kept by the enterprise (or the bureau for it).
VIEW_RISK = {"risk.view_riskunit", "risk.view_riskpoint", "risk.view_controlmeasure", "risk.view_post"}
EDIT_RISK = {
    "risk.add_post",
    "risk.change_post",
    "risk.delete_post",
    "risk.add_riskunit",
    "risk.change_riskunit",
    "risk.delete_riskunit",
    "risk.add_riskpoint",
    "risk.change_riskpoint",
    "risk.delete_riskpoint",
    "risk.add_controlmeasure",
    "risk.change_controlmeasure",
    "risk.delete_controlmeasure",
}
CONFIGURE_RISK = {"risk.view_riskmethodconfig", "risk.change_riskmethodconfig", "risk.add_riskmethodconfig"}
# Major hazard sources (GB 18218) and custodians: kept by the enterprise or the bureau for it.
VIEW_SOURCES = {"registry.view_majorhazardsource", "registry.view_custodian", "registry.view_dutytask"}
EDIT_SOURCES = {
    "registry.add_majorhazardsource",
    "registry.change_majorhazardsource",
    "registry.delete_majorhazardsource",
    "registry.add_custodian",
    "registry.change_custodian",
    "registry.delete_custodian",
    "registry.add_dutyschedule",
    "registry.change_dutyschedule",
    "registry.delete_dutyschedule",
}
DO_DUTIES = {"registry.change_dutytask"}
# Online monitoring: devices and points are configured by the enterprise or the bureau; alarms are
# acknowledged and handled by duty officers and the enterprise.
VIEW_MONITORING = {"monitoring.view_device", "monitoring.view_point", "monitoring.view_alarm"}
CONFIGURE_MONITORING = {
    "monitoring.add_device",
    "monitoring.change_device",
    "monitoring.delete_device",
    "monitoring.add_point",
    "monitoring.change_point",
    "monitoring.delete_point",
}
HANDLE_ALARMS = {"monitoring.acknowledge_alarm", "monitoring.add_alarm"}  # add = external alarm import
# Warnings (预警): the bureau and the duty officers draft, issue and approve (a second person approves
# orange/red, alerts.rules); towns, villages and leaders see them.
VIEW_WARNINGS = {"alerts.view_warning"}
EDIT_WARNINGS = {
    "alerts.add_warning",
    "alerts.change_warning",
    "alerts.issue_warning",
    "alerts.import_warning",
}
APPROVE_WARNINGS = {"alerts.approve_warning"}
# Evacuation rosters (临灾转移): towns and villages keep their own rosters and mark people; the bureau
# keeps them all, configures the triggers and starts/closes rounds; leaders view.
VIEW_ROSTERS = {
    "alerts.view_evacuee",
    "alerts.view_transferround",
    "alerts.view_transferstatus",
    "alerts.view_roundtrigger",
}
EDIT_ROSTERS = {
    "alerts.add_evacuee",
    "alerts.change_evacuee",
    "alerts.delete_evacuee",
    "alerts.import_evacuee",
    "alerts.export_evacuee",
    "alerts.change_transferstatus",
}
RUN_ROUNDS = {
    "alerts.add_transferround",
    "alerts.close_transferround",
    "alerts.add_roundtrigger",
    "alerts.change_roundtrigger",
    "alerts.delete_roundtrigger",
}

# Grants of the parts added for issues 4 and 7, role -> permission strings. Each part keeps its own
# table here; ROLE_PERMISSIONS below adds them to each role.
CHECKLIST_GRANTS: dict[str, set[str]] = {}  # inspections: checklists, inspections, QR check-ins
ENFORCEMENT_GRANTS: dict[str, set[str]] = {}  # inspections: orders, re-inspections, penalties
INSPECTION_PLAN_GRANTS: dict[str, set[str]] = {}  # inspections: annual plans, random draws, coverage
SUPERVISION_GRANTS: dict[str, set[str]] = {}  # monitoring: roll-calls, video checks, dust check-ins
RESOURCE_GRANTS: dict[str, set[str]] = {}  # resources: teams, warehouses, shelters, experts
INCIDENT_GRANTS: dict[str, set[str]] = {}  # incidents: intake, response, investigations
DISASTER_REPORT_GRANTS: dict[str, set[str]] = {}  # incidents: disaster reports
EMERGENCY_PLAN_GRANTS: dict[str, set[str]] = {}  # plans: emergency plans and drills
ONE_MAP_GRANTS: dict[str, set[str]] = {}  # dashboard: the one map
PART_GRANTS = (
    CHECKLIST_GRANTS,
    ENFORCEMENT_GRANTS,
    INSPECTION_PLAN_GRANTS,
    SUPERVISION_GRANTS,
    RESOURCE_GRANTS,
    INCIDENT_GRANTS,
    DISASTER_REPORT_GRANTS,
    EMERGENCY_PLAN_GRANTS,
    ONE_MAP_GRANTS,
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.BUREAU_ADMIN: frozenset(
        VIEW
        | EDIT_REGISTRY
        | SEE_SENSITIVE
        | VIEW_HAZARDS
        | VIEW_RISK
        | REPORT_HAZARDS
        | RECTIFY_HAZARDS
        | GOVERN_HAZARDS
        | SUPERVISE_HAZARDS
        | HANDLE_REPORTS
        | PLAN_CHECKS
        | EDIT_RISK
        | CONFIGURE_RISK
        | VIEW_SOURCES
        | EDIT_SOURCES
        | VIEW_MONITORING
        | CONFIGURE_MONITORING
        | HANDLE_ALARMS
        | VIEW_WARNINGS
        | EDIT_WARNINGS
        | APPROVE_WARNINGS
        | VIEW_ROSTERS
        | EDIT_ROSTERS
        | RUN_ROUNDS
        | {
            "registry.delete_enterprise",
            "accounts.manage_users",
            "core.view_auditlog",
            "core.import_division",
        }
    ),
    Role.BUREAU_STAFF: frozenset(
        VIEW
        | EDIT_REGISTRY
        | SEE_SENSITIVE
        | VIEW_HAZARDS
        | VIEW_RISK
        | REPORT_HAZARDS
        | RECTIFY_HAZARDS
        | GOVERN_HAZARDS
        | SUPERVISE_HAZARDS
        | HANDLE_REPORTS
        | PLAN_CHECKS
        | EDIT_RISK
        | VIEW_SOURCES
        | EDIT_SOURCES
        | VIEW_MONITORING
        | CONFIGURE_MONITORING
        | HANDLE_ALARMS
        | VIEW_WARNINGS
        | EDIT_WARNINGS
        | APPROVE_WARNINGS
        | VIEW_ROSTERS
        | EDIT_ROSTERS
        | RUN_ROUNDS
    ),
    Role.DUTY_OFFICER: frozenset(
        VIEW
        | SEE_SENSITIVE
        | VIEW_HAZARDS
        | VIEW_RISK
        | REPORT_HAZARDS
        | VIEW_SOURCES
        | VIEW_MONITORING
        | HANDLE_ALARMS
        | VIEW_WARNINGS
        | EDIT_WARNINGS
        | APPROVE_WARNINGS
        | VIEW_ROSTERS
        | RUN_ROUNDS
        | {"alerts.change_transferstatus"}
    ),
    Role.INSPECTOR: frozenset(
        VIEW | VIEW_HAZARDS | VIEW_RISK | REPORT_HAZARDS | GOVERN_HAZARDS | VIEW_SOURCES | VIEW_MONITORING
    ),
    Role.TOWN_OFFICIAL: frozenset(
        VIEW
        | EDIT_REGISTRY
        | VIEW_HAZARDS
        | VIEW_RISK
        | REPORT_HAZARDS
        | GOVERN_HAZARDS
        | SUPERVISE_HAZARDS
        | HANDLE_REPORTS
        | VIEW_SOURCES
        | VIEW_MONITORING
        | VIEW_WARNINGS
        | VIEW_ROSTERS
        | EDIT_ROSTERS
        | {"alerts.add_transferround"}
    ),
    Role.VILLAGE_OFFICIAL: frozenset(
        VIEW | VIEW_HAZARDS | VIEW_RISK | REPORT_HAZARDS | VIEW_WARNINGS | VIEW_ROSTERS | EDIT_ROSTERS
    ),
    # An enterprise finds, rectifies and verifies its own general hazards (自查自改); different people
    # must rectify and verify (rules.refusal).
    Role.ENTERPRISE_USER: frozenset(
        VIEW
        | VIEW_HAZARDS
        | VIEW_RISK
        | REPORT_HAZARDS
        | RECTIFY_HAZARDS
        | GOVERN_HAZARDS
        | PLAN_CHECKS
        | DO_CHECKS
        | EDIT_RISK
        | VIEW_SOURCES
        | EDIT_SOURCES
        | DO_DUTIES
        | VIEW_MONITORING
        | CONFIGURE_MONITORING
        | HANDLE_ALARMS
        | {"registry.change_enterprise"}
    ),
    Role.LEADER: frozenset(
        VIEW
        | VIEW_HAZARDS
        | VIEW_RISK
        | VIEW_SOURCES
        | VIEW_MONITORING
        | VIEW_WARNINGS
        | VIEW_ROSTERS
        | {"hazards.view_publicreport"}
    ),
}

ROLE_PERMISSIONS = {
    role: perms.union(*(grants.get(role, set()) for grants in PART_GRANTS))
    for role, perms in ROLE_PERMISSIONS.items()
}

# Roles whose users must be placed at least this deep in the division tree.
ROLE_MIN_LEVEL: dict[str, str] = {
    Role.TOWN_OFFICIAL: "town",
    Role.VILLAGE_OFFICIAL: "town",
}


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
