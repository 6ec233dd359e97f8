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
MONITORING = _("Major hazards and monitoring")  # 重大危险源与在线监测
WARNINGS = _("Warnings and call-and-acknowledge")  # 预警与叫应
INSPECTIONS = _("Inspections and enforcement")  # 执法检查 and 非现场执法
RESPONSE = _("Response")  # 应急响应: the one map, incidents, plans, disaster reports
RESOURCES = _("Emergency resources")  # 一库: teams, warehouses, shelters, experts, equipment
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
    NavEntry(
        _("Major hazard source register"),
        "registry:source_list",
        "registry.view_majorhazardsource",
        MONITORING,
    ),
    NavEntry(_("Custodian duties"), "registry:duty_list", "registry.view_dutytask", MONITORING),
    NavEntry(_("Monitoring overview"), "monitoring:overview", "monitoring.view_device", MONITORING),
    NavEntry(_("Alarm console"), "monitoring:alarm_list", "monitoring.view_alarm", MONITORING),
    NavEntry(_("Devices"), "monitoring:device_list", "monitoring.view_device", MONITORING),
    NavEntry(_("Alarm quality"), "monitoring:quality", "monitoring.view_alarm", MONITORING),
    NavEntry(_("Warnings"), "alerts:warning_list", "alerts.view_warning", WARNINGS),
    NavEntry(_("Warning notices"), "alerts:notice_list", "alerts.view_warning", WARNINGS),
    NavEntry(_("Call lists"), "alerts:calllistentry_list", "alerts.view_warning", WARNINGS),
    NavEntry(_("Evacuation rosters"), "alerts:evacuee_list", "alerts.view_evacuee", WARNINGS),
    NavEntry(_("Transfer rounds"), "alerts:transferround_list", "alerts.view_transferround", WARNINGS),
    NavEntry(
        _("Checklists"),
        "inspections:checklisttemplate_list",
        "inspections.view_checklisttemplate",
        INSPECTIONS,
    ),
    NavEntry(_("Inspections"), "inspections:inspection_list", "inspections.view_inspection", INSPECTIONS),
    NavEntry(
        _("Rectification orders"),
        "inspections:rectificationorder_list",
        "inspections.view_rectificationorder",
        INSPECTIONS,
    ),
    NavEntry(_("Penalties"), "inspections:penaltycase_list", "inspections.view_penaltycase", INSPECTIONS),
    NavEntry(
        _("Enforcement leads"),
        "inspections:enforcementlead_list",
        "inspections.view_enforcementlead",
        INSPECTIONS,
    ),
    NavEntry(
        _("Enforcement plans"),
        "inspections:inspectionplan_list",
        "inspections.view_inspectionplan",
        INSPECTIONS,
    ),
    NavEntry(_("Random draws"), "inspections:randomdraw_list", "inspections.view_randomdraw", INSPECTIONS),
    NavEntry(_("Coverage"), "inspections:coverage", "inspections.view_enterpriseinspectionyear", INSPECTIONS),
    NavEntry(
        _("Enforcement statistics"),
        "inspections:enforcement_statistics",
        "inspections.view_inspectionstatmonth",
        INSPECTIONS,
    ),
    NavEntry(_("QR check-ins"), "inspections:checkin_list", "inspections.view_checkin", INSPECTIONS),
    NavEntry(_("Roll-calls"), "monitoring:rollcall_list", "monitoring.view_rollcall", INSPECTIONS),
    NavEntry(
        _("Roll-call answers"),
        "monitoring:rollcalltarget_list",
        "monitoring.view_rollcalltarget",
        INSPECTIONS,
    ),
    NavEntry(_("Video spot-checks"), "monitoring:videocheck_list", "monitoring.view_videocheck", INSPECTIONS),
    NavEntry(
        _("Dust-cleaning check-ins"),
        "monitoring:dustdayresult_list",
        "monitoring.view_dustdayresult",
        INSPECTIONS,
    ),
    NavEntry(
        _("Supervision league table"),
        "monitoring:supervision_league",
        "monitoring.view_rollcall",
        INSPECTIONS,
    ),
    NavEntry(_("One map"), "dashboard:onemap", section=RESPONSE),
    NavEntry(_("Incidents"), "incidents:incident_list", "incidents.view_incident", RESPONSE),
    NavEntry(_("Responses"), "incidents:response_list", "incidents.view_response", RESPONSE),
    NavEntry(_("Disaster reports"), "incidents:disasterevent_list", "incidents.view_disasterevent", RESPONSE),
    NavEntry(_("Emergency plans"), "plans:emergencyplan_list", "plans.view_emergencyplan", RESPONSE),
    NavEntry(_("Drills"), "plans:drill_list", "plans.view_drill", RESPONSE),
    NavEntry(_("Rescue teams"), "resources:team_list", "resources.view_team", RESOURCES),
    NavEntry(_("Warehouses and stock"), "resources:warehouse_list", "resources.view_warehouse", RESOURCES),
    NavEntry(_("Supply catalogue"), "resources:supplyitem_list", "resources.view_supplyitem", RESOURCES),
    NavEntry(_("Shelters"), "resources:shelter_list", "resources.view_shelter", RESOURCES),
    NavEntry(_("Experts"), "resources:expert_list", "resources.view_expert", RESOURCES),
    NavEntry(_("Equipment"), "resources:equipment_list", "resources.view_equipment", RESOURCES),
    NavEntry(_("Nearest resources"), "resources:nearest", "resources.view_team", RESOURCES),
    NavEntry(_("Divisions"), "core:division_list", "core.view_division", ADMIN),
    NavEntry(_("Users"), "accounts:user_list", "accounts.manage_users", ADMIN),
    NavEntry(_("Audit trail"), "core:audit_list", "core.view_auditlog", ADMIN),
    NavEntry(
        _("Document numbering"), "inspections:numberpattern_list", "inspections.view_numberpattern", ADMIN
    ),
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
