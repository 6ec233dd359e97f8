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
_CHECKLISTS_ALL = {
    f"inspections.{a}_{m}"
    for a in ("view", "add", "change", "delete")
    for m in ("checklisttemplate", "inspection")
} | {
    "inspections.import_checklisttemplate",
    "inspections.export_checklisttemplate",
    "inspections.view_checkin",
}
CHECKLIST_GRANTS: dict[str, set[str]] = {  # inspections: checklists, inspections, QR check-ins
    "bureau_admin": set(_CHECKLISTS_ALL),
    "bureau_staff": set(_CHECKLISTS_ALL),
    "inspector": set(_CHECKLISTS_ALL),
    "town_official": {
        "inspections.view_checklisttemplate",
        "inspections.view_inspection",
        "inspections.add_inspection",
    },
    "duty_officer": {"inspections.view_checklisttemplate", "inspections.view_inspection"},
    "enterprise_user": {"inspections.view_inspection"},
    "leader": {
        "inspections.view_checklisttemplate",
        "inspections.view_inspection",
        "inspections.view_checkin",
    },
}
# inspections: orders, re-inspections, penalties, suspensions, documents, leads, number patterns
_ENFORCEMENT_MODELS = (
    "rectificationorder",
    "reinspection",
    "penaltycase",
    "suspension",
    "enforcementdocument",
    "enforcementlead",
)
_VIEW_ENFORCEMENT = {f"inspections.view_{m}" for m in _ENFORCEMENT_MODELS}
_DO_ENFORCEMENT = (
    _VIEW_ENFORCEMENT
    | {f"inspections.{a}_{m}" for a in ("add", "change") for m in _ENFORCEMENT_MODELS}
    | {"inspections.decide_penaltycase"}
)
_LEADS = {
    "inspections.view_enforcementlead",
    "inspections.add_enforcementlead",
    "inspections.change_enforcementlead",
}
ENFORCEMENT_GRANTS: dict[str, set[str]] = {
    "bureau_admin": _DO_ENFORCEMENT
    | {f"inspections.{a}_numberpattern" for a in ("view", "add", "change", "delete")},
    "bureau_staff": set(_DO_ENFORCEMENT),
    "inspector": set(_DO_ENFORCEMENT),
    "town_official": _VIEW_ENFORCEMENT | _LEADS,
    "duty_officer": _VIEW_ENFORCEMENT | {"inspections.add_enforcementlead"},
    "enterprise_user": {
        "inspections.view_rectificationorder",
        "inspections.view_reinspection",
        "inspections.view_penaltycase",
        "inspections.view_suspension",
        "inspections.view_enforcementdocument",
    },
    "leader": set(_VIEW_ENFORCEMENT),
}
INSPECTION_PLAN_GRANTS: dict[str, set[str]] = {  # inspections: annual plans, random draws, coverage
    "bureau_admin": {
        f"inspections.{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("inspectionplan", "randomdraw", "conflictofinterest", "classificationconfig")
    }
    | {
        "inspections.view_enterpriseinspectionyear",
        "inspections.view_inspectionstatmonth",
        "inspections.export_inspectionstatmonth",
    },
    **{
        role: {
            "inspections.view_inspectionplan",
            "inspections.add_inspectionplan",
            "inspections.change_inspectionplan",
            "inspections.view_randomdraw",
            "inspections.add_randomdraw",
            "inspections.change_randomdraw",
            "inspections.view_conflictofinterest",
            "inspections.add_conflictofinterest",
            "inspections.delete_conflictofinterest",
            "inspections.view_classificationconfig",
            "inspections.view_enterpriseinspectionyear",
            "inspections.view_inspectionstatmonth",
            "inspections.export_inspectionstatmonth",
        }
        for role in ("bureau_staff", "inspector")
    },
    "town_official": {"inspections.view_enterpriseinspectionyear", "inspections.view_inspectionstatmonth"},
    "leader": {
        "inspections.view_inspectionplan",
        "inspections.view_randomdraw",
        "inspections.view_conflictofinterest",
        "inspections.view_classificationconfig",
        "inspections.view_enterpriseinspectionyear",
        "inspections.view_inspectionstatmonth",
    },
}
_SUPERVISION_VIEW = {
    "monitoring.view_rollcall",
    "monitoring.view_rollcalltarget",
    "monitoring.view_videocheck",
    "monitoring.view_dustschedule",
    "monitoring.view_dustcheckin",
    "monitoring.view_dustdayresult",
}
_SUPERVISION_OFFICER = _SUPERVISION_VIEW | {
    "monitoring.add_rollcall",
    "monitoring.change_rollcall",
    "monitoring.add_videocheck",
    "monitoring.open_finding",
    "monitoring.export_rollcall",
}
# monitoring: roll-calls, video checks, dust check-ins (非现场执法)
SUPERVISION_GRANTS: dict[str, set[str]] = {
    "bureau_admin": _SUPERVISION_OFFICER | {"monitoring.add_dustschedule", "monitoring.change_dustschedule"},
    "bureau_staff": _SUPERVISION_OFFICER | {"monitoring.add_dustschedule", "monitoring.change_dustschedule"},
    "duty_officer": set(_SUPERVISION_OFFICER),
    "inspector": set(_SUPERVISION_OFFICER),
    "enterprise_user": (_SUPERVISION_VIEW - {"monitoring.view_rollcall"})  # they answer their own targets
    | {
        "monitoring.answer_rollcall",
        "monitoring.add_dustschedule",
        "monitoring.change_dustschedule",
        "monitoring.add_dustcheckin",
    },
    "town_official": set(_SUPERVISION_VIEW),
    "leader": set(_SUPERVISION_VIEW),
}
_RESOURCE_MODELS = ("team", "teammember", "warehouse", "supplyitem", "shelter", "expert", "equipment")
_RESOURCE_VIEW = {
    f"resources.view_{m}" for m in (*_RESOURCE_MODELS, "supplycategory", "stock", "stockmovement")
}
_RESOURCE_EXPORT = {
    f"resources.export_{m}" for m in ("team", "warehouse", "supplyitem", "shelter", "expert", "equipment")
}
_RESOURCE_OPERATE = {"resources.issue_stock", "resources.set_status_team", "resources.set_occupancy_shelter"}
_RESOURCE_LOCAL = {  # towns and villages keep their own warehouses (stock included) and shelters
    f"resources.{a}_{m}" for a in ("add", "change", "delete", "import") for m in ("warehouse", "shelter")
} | {
    "resources.receive_stock",
    "resources.change_stock",
    "resources.export_warehouse",
    "resources.export_shelter",
}
_RESOURCE_ALL = (
    _RESOURCE_VIEW
    | _RESOURCE_EXPORT
    | _RESOURCE_OPERATE
    | _RESOURCE_LOCAL
    | {f"resources.{a}_{m}" for a in ("add", "change", "delete") for m in _RESOURCE_MODELS}
    | {f"resources.import_{m}" for m in ("team", "warehouse", "supplyitem", "shelter", "expert", "equipment")}
)
RESOURCE_GRANTS: dict[str, set[str]] = {  # resources: teams, warehouses, shelters, experts
    "bureau_admin": set(_RESOURCE_ALL),
    "bureau_staff": set(_RESOURCE_ALL),
    "duty_officer": _RESOURCE_VIEW | _RESOURCE_EXPORT | _RESOURCE_OPERATE,
    "town_official": _RESOURCE_VIEW | _RESOURCE_LOCAL | _RESOURCE_OPERATE,
    "village_official": _RESOURCE_VIEW | _RESOURCE_LOCAL | _RESOURCE_OPERATE,
    "enterprise_user": {
        f"resources.view_{m}"
        for m in (
            "team",
            "teammember",
            "warehouse",
            "stock",
            "stockmovement",
            "supplyitem",
            "supplycategory",
            "equipment",
        )
    },
    "leader": set(_RESOURCE_VIEW),
}
_INCIDENT_VIEW = {
    "incidents.view_incident",
    "incidents.view_timelineentry",
    "incidents.view_response",
    "incidents.view_investigation",
}
_INCIDENT_ALL = _INCIDENT_VIEW | {
    "incidents.add_incident",
    "incidents.change_incident",
    "incidents.add_timelineentry",
    "incidents.add_response",
    "incidents.change_response",
    "incidents.add_investigation",
    "incidents.change_investigation",
}
INCIDENT_GRANTS: dict[str, set[str]] = {  # incidents: intake, response, investigations
    "bureau_admin": _INCIDENT_ALL,
    "bureau_staff": _INCIDENT_ALL,
    "duty_officer": _INCIDENT_ALL,
    "town_official": {"incidents.add_incident"} | _INCIDENT_VIEW,
    "village_official": {"incidents.add_incident"},
    "enterprise_user": {"incidents.add_incident", "incidents.view_incident", "incidents.view_timelineentry"},
    "leader": set(_INCIDENT_VIEW),
}
_REPORTS_VIEW = {
    "incidents.view_disasterevent",
    "incidents.view_disasterreport",
    "incidents.export_disasterreport",
}
_REPORTS_FILL = _REPORTS_VIEW | {"incidents.change_disasterreport", "incidents.review_disasterreport"}
_REPORTS_ALL = _REPORTS_FILL | {
    "incidents.add_disasterevent",
    "incidents.change_disasterevent",
    "incidents.delete_disasterevent",
}
DISASTER_REPORT_GRANTS: dict[str, set[str]] = {  # incidents: disaster reports
    "bureau_admin": set(_REPORTS_ALL),
    "bureau_staff": set(_REPORTS_ALL),
    "duty_officer": set(_REPORTS_ALL),
    "town_official": set(_REPORTS_FILL),
    "village_official": set(_REPORTS_FILL),
    "leader": set(_REPORTS_VIEW),
}
_PLANS_VIEW = {"plans.view_emergencyplan", "plans.view_drill"}
_PLANS_ALL = _PLANS_VIEW | {
    f"plans.{a}_{m}" for a in ("add", "change", "delete") for m in ("emergencyplan", "drill")
}
EMERGENCY_PLAN_GRANTS: dict[str, set[str]] = {  # plans: emergency plans and drills
    "bureau_admin": set(_PLANS_ALL),
    "bureau_staff": set(_PLANS_ALL),
    "duty_officer": set(_PLANS_VIEW),
    "town_official": set(_PLANS_VIEW),
    "village_official": set(_PLANS_VIEW),
    "enterprise_user": set(_PLANS_ALL),
    "leader": set(_PLANS_VIEW),
}
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
