"""/api/v1/inspection-plans: enforcement plans, classification, random draws, conflicts of interest,
coverage and the enforcement statistics (see docs/inspection-plans.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from yingji.core.api import ApiError, filtered_or_400, page_of, require_perm
from yingji.core.models import Division
from yingji.inspections import coverage, services_plans, statistics
from yingji.inspections.filters_plans import ConflictFilterSet, DrawFilterSet, EntryFilterSet, PlanFilterSet
from yingji.inspections.forms_plans import StatisticsForm
from yingji.inspections.models_plans import (
    ConflictOfInterest,
    InspectionPlan,
    InspectorGroup,
    PlanEntry,
    RandomDraw,
)
from yingji.registry.models import Enterprise

router = Router(tags=["inspection-plans"])


# -- helpers ------------------------------------------------------------------------------------------


def _division(request, code: str) -> Division:
    division = Division.objects.for_user(request.user).filter(code=code).first() if code else None
    if division is None:
        raise ValidationError({"division": _("Unknown division or outside your jurisdiction.")})
    return division


def _enterprise(request, pk: int | None) -> Enterprise:
    enterprise = Enterprise.objects.for_user(request.user).filter(pk=pk).first() if pk else None
    if enterprise is None:
        raise ValidationError({"enterprise": _("Unknown enterprise or outside your jurisdiction.")})
    return enterprise


def _group(plan: InspectionPlan, pk: int | None) -> InspectorGroup | None:
    if pk is None:
        return None
    group = InspectorGroup.objects.filter(plan=plan, pk=pk).first()
    if group is None:
        raise ValidationError({"group": _("Unknown group of this plan.")})
    return group


def _inspectors(ids: list[int], field: str = "members") -> list:
    users = list(get_user_model().objects.filter(pk__in=ids))
    if len(users) != len(set(ids)):
        raise ValidationError({field: _("Unknown user.")})
    return users


def _user(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _plan(plan: InspectionPlan, *, groups: bool = False) -> dict:
    data = {
        "id": plan.pk,
        "division": plan.division_id,
        "year": plan.year,
        "title": plan.title,
        "status": plan.status,
        "created_by": _user(plan.created_by),
        "created_at": plan.created_at.isoformat(),
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
    }
    if groups:
        data["groups"] = [
            {"id": g.pk, "name": g.name, "members": [_user(m) for m in g.members.all()]}
            for g in plan.groups.prefetch_related("members")
        ]
        data["entry_count"] = plan.entries.count()
    return data


def _entry(entry: PlanEntry) -> dict:
    return {
        "id": entry.pk,
        "plan": entry.plan_id,
        "enterprise": {"id": entry.enterprise_id, "name": entry.enterprise.name},
        "month": entry.month,
        "group": entry.group_id,
        "enterprise_class": entry.enterprise_class,
        "reasons": entry.reasons,
    }


def _draw(draw: RandomDraw, *, results: bool = False) -> dict:
    data = {
        "id": draw.pk,
        "division": draw.division_id,
        "title": draw.title,
        "status": draw.status,
        "seed": draw.seed,
        "pool": draw.pool,
        "pool_size": len(draw.candidate_ids),
        "count": draw.count,
        "per_enterprise": draw.per_enterprise,
        "exclude_previous": draw.exclude_previous,
        "drawn_by": _user(draw.drawn_by),
        "drawn_at": draw.drawn_at.isoformat(),
        "published_at": draw.published_at.isoformat() if draw.published_at else None,
    }
    if results:
        data["candidate_ids"] = draw.candidate_ids
        data["inspector_ids"] = draw.inspector_ids
        data["exclusions"] = draw.exclusions
        data["verified"] = services_plans.verify_draw(draw)
        data["results"] = [
            {
                "position": r.position,
                "enterprise": {"id": r.enterprise_id, "name": r.enterprise.name},
                "inspectors": [_user(u) for u in r.inspectors.all()],
            }
            for r in draw.results.select_related("enterprise").prefetch_related("inspectors")
        ]
    return data


def _config(config, division: Division) -> dict:
    return {
        "division": division.code,
        "own": config.pk is not None and config.division_id == division.code,
        "flags": config.flags,
        "risk_levels": config.risk_levels,
        "industries": config.industries,
        "open_major_hazards": config.open_major_hazards,
        "findings_last_year": config.findings_last_year,
        "key_per_year": config.key_per_year,
        "general_per_year": config.general_per_year,
        "general_share": config.general_share,
    }


def _bad_parameters(form) -> ApiError:
    return ApiError(400, "invalid_filter", _("Some parameters are not valid."), coverage.form_errors(form))


# -- plans --------------------------------------------------------------------------------------------


class PlanIn(Schema):
    division: str = ""
    year: int = 0
    title: str = ""
    generate: bool = True
    groups: list[list[int]] = []


class EntryIn(Schema):
    enterprise: int | None = None
    month: int = 0
    group: int | None = None


class EntryPatch(Schema):
    month: int = 0
    group: int | None = None


class GroupIn(Schema):
    name: str = ""
    members: list[int] = []


def _plans(request):
    return InspectionPlan.objects.for_user(request.user).select_related("division", "created_by")


@router.get("/plans", url_name="inspectionplan_list_api", summary="Enforcement plans")
def list_plans(request):
    require_perm(request, "inspections.view_inspectionplan")
    plans = filtered_or_400(PlanFilterSet, request, _plans(request))
    return page_of(plans, request, _plan)


@router.post("/plans", response={201: dict}, url_name="inspectionplan_add_api", summary="Create a draft plan")
def create_plan(request, payload: PlanIn):
    """With `generate`, the plan is filled from the division's classification and frequencies;
    `groups` are lists of inspector ids (at least two each), assigned to the entries in turn."""
    require_perm(request, "inspections.add_inspectionplan")
    division = _division(request, payload.division)
    groups = [_inspectors(ids) for ids in payload.groups]
    plan = services_plans.create_plan(
        actor=request.user,
        division=division,
        year=payload.year,
        title=payload.title,
        groups=groups,
        generate=payload.generate,
    )
    return Status(201, _plan(plan, groups=True))


@router.get(
    "/plans/{inspection_plan_id}", url_name="inspectionplan_detail_api", summary="One plan with its groups"
)
def get_plan(request, inspection_plan_id: int):
    require_perm(request, "inspections.view_inspectionplan")
    return _plan(get_object_or_404(_plans(request), pk=inspection_plan_id), groups=True)


@router.post(
    "/plans/{inspection_plan_id}/publish", url_name="inspectionplan_publish_api", summary="Publish a plan"
)
def publish_plan(request, inspection_plan_id: int):
    require_perm(request, "inspections.change_inspectionplan")
    plan = get_object_or_404(_plans(request), pk=inspection_plan_id)
    return _plan(services_plans.publish_plan(actor=request.user, plan=plan), groups=True)


@router.post(
    "/plans/{inspection_plan_id}/groups",
    response={201: dict},
    url_name="inspectorgroup_add_api",
    summary="Add an inspector group",
)
def add_group(request, inspection_plan_id: int, payload: GroupIn):
    require_perm(request, "inspections.change_inspectionplan")
    plan = get_object_or_404(_plans(request), pk=inspection_plan_id)
    group = services_plans.add_group(
        actor=request.user, plan=plan, name=payload.name, members=_inspectors(payload.members)
    )
    return Status(
        201, {"id": group.pk, "name": group.name, "members": [_user(m) for m in group.members.all()]}
    )


@router.get("/plans/{inspection_plan_id}/entries", url_name="planentry_list_api", summary="A plan's entries")
def list_entries(request, inspection_plan_id: int):
    """Filters: `month`, `enterprise_class` (key | general), `group`."""
    require_perm(request, "inspections.view_inspectionplan")
    plan = get_object_or_404(_plans(request), pk=inspection_plan_id)
    entries = PlanEntry.objects.filter(plan=plan).select_related("enterprise").order_by("month", "id")
    return page_of(filtered_or_400(EntryFilterSet, request, entries), request, _entry)


@router.post(
    "/plans/{inspection_plan_id}/entries",
    response={201: dict},
    url_name="planentry_add_api",
    summary="Add an enterprise to a plan",
)
def add_entry(request, inspection_plan_id: int, payload: EntryIn):
    require_perm(request, "inspections.change_inspectionplan")
    plan = get_object_or_404(_plans(request), pk=inspection_plan_id)
    entry = services_plans.add_entry(
        actor=request.user,
        plan=plan,
        enterprise=_enterprise(request, payload.enterprise),
        month=payload.month,
        group=_group(plan, payload.group),
    )
    return Status(201, _entry(entry))


def _entries(request):
    return PlanEntry.objects.for_user(request.user).select_related("plan", "plan__division", "enterprise")


@router.patch(
    "/entries/{plan_entry_id}", url_name="planentry_edit_api", summary="Move an entry or change its group"
)
def edit_entry(request, plan_entry_id: int, payload: EntryPatch):
    require_perm(request, "inspections.change_inspectionplan")
    entry = get_object_or_404(_entries(request), pk=plan_entry_id)
    entry = services_plans.update_entry(
        actor=request.user, entry=entry, month=payload.month, group=_group(entry.plan, payload.group)
    )
    return _entry(entry)


@router.delete(
    "/entries/{plan_entry_id}",
    response={204: None},
    url_name="planentry_delete_api",
    summary="Remove an entry",
)
def delete_entry(request, plan_entry_id: int):
    require_perm(request, "inspections.change_inspectionplan")
    entry = get_object_or_404(_entries(request), pk=plan_entry_id)
    services_plans.delete_entry(actor=request.user, entry=entry)
    return Status(204, None)


# -- classification -----------------------------------------------------------------------------------


class ConfigIn(Schema):
    flags: list[str] | None = None
    risk_levels: list[str] | None = None
    industries: list[str] | None = None
    open_major_hazards: int | None = None
    findings_last_year: int | None = None
    key_per_year: int | None = None
    general_per_year: int | None = None
    general_share: int | None = None


@router.get("/classification", url_name="classification_api", summary="A division's classification rules")
def get_classification(request, division: str = ""):
    """The config that applies to the division (its own, the nearest above, or the shipped default;
    `own` says which) and, with `enterprise=<id>`, that enterprise's class and reasons."""
    require_perm(request, "inspections.view_classificationconfig")
    place = _division(request, division or request.user.division_id or "")
    config = services_plans.config_for(place)
    data = _config(config, place)
    enterprise_id = request.GET.get("enterprise")
    if enterprise_id:
        enterprise = _enterprise(request, int(enterprise_id) if enterprise_id.isdigit() else None)
        cls, reasons = services_plans.classify_enterprises(
            Enterprise.objects.filter(pk=enterprise.pk), config, _year(request)
        )[enterprise.pk]
        data["enterprise"] = {"id": enterprise.pk, "class": cls, "reasons": reasons}
    return data


def _year(request) -> int:
    return timezone.localdate().year


@router.put("/classification", url_name="classification_edit_api", summary="Change a division's rules")
def put_classification(request, payload: ConfigIn, division: str = ""):
    require_perm(request, "inspections.change_classificationconfig")
    place = _division(request, division or request.user.division_id or "")
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    config = services_plans.save_config(actor=request.user, division=place, **fields)
    return _config(config, place)


# -- draws --------------------------------------------------------------------------------------------


class DrawIn(Schema):
    division: str = ""
    title: str = ""
    count: int = 0
    per_enterprise: int = 2
    enterprise_class: str = ""
    industry: str = ""
    seed: int | None = None
    exclude_previous: bool = True
    inspectors: list[int] | None = None


def _draws(request):
    return RandomDraw.objects.for_user(request.user).select_related("division", "drawn_by")


@router.get("/draws", url_name="randomdraw_list_api", summary="Random draws")
def list_draws(request):
    require_perm(request, "inspections.view_randomdraw")
    return page_of(filtered_or_400(DrawFilterSet, request, _draws(request)), request, _draw)


@router.post("/draws", response={201: dict}, url_name="randomdraw_add_api", summary="Make a random draw")
def create_draw(request, payload: DrawIn):
    """Draws `count` enterprises of the pool (the division's operating enterprises, optionally one
    class and an industry prefix) and `per_enterprise` (≥ 2) inspectors each, excluding declared
    conflicts and, with `exclude_previous`, the inspectors each enterprise had in the previous draw.
    Errors: `pool` empty_pool, `count` above_pool, `inspectors` too few eligible."""
    require_perm(request, "inspections.add_randomdraw")
    division = _division(request, payload.division)
    inspectors = None if payload.inspectors is None else _inspectors(payload.inspectors, "inspectors")
    draw = services_plans.run_draw(
        actor=request.user,
        division=division,
        title=payload.title,
        count=payload.count,
        per_enterprise=payload.per_enterprise,
        enterprise_class=payload.enterprise_class,
        industry=payload.industry,
        seed=payload.seed,
        exclude_previous=payload.exclude_previous,
        inspectors=inspectors,
    )
    return Status(201, _draw(draw, results=True))


@router.get(
    "/draws/{random_draw_id}", url_name="randomdraw_detail_api", summary="A draw with its record and result"
)
def get_draw(request, random_draw_id: int):
    require_perm(request, "inspections.view_randomdraw")
    return _draw(get_object_or_404(_draws(request), pk=random_draw_id), results=True)


@router.post("/draws/{random_draw_id}/publish", url_name="randomdraw_publish_api", summary="Publish a draw")
def publish_draw(request, random_draw_id: int):
    require_perm(request, "inspections.change_randomdraw")
    draw = get_object_or_404(_draws(request), pk=random_draw_id)
    return _draw(services_plans.publish_draw(actor=request.user, draw=draw), results=True)


# -- conflicts of interest ------------------------------------------------------------------------------


class ConflictIn(Schema):
    inspector: int | None = None
    enterprise: int | None = None
    reason: str = ""


def _conflict(conflict: ConflictOfInterest) -> dict:
    return {
        "id": conflict.pk,
        "inspector": _user(conflict.inspector),
        "enterprise": {"id": conflict.enterprise_id, "name": conflict.enterprise.name},
        "reason": conflict.reason,
        "created_at": conflict.created_at.isoformat(),
    }


def _conflicts(request):
    return ConflictOfInterest.objects.for_user(request.user).select_related("inspector", "enterprise")


@router.get("/conflicts", url_name="conflictofinterest_list_api", summary="Declared conflicts of interest")
def list_conflicts(request):
    require_perm(request, "inspections.view_conflictofinterest")
    return page_of(filtered_or_400(ConflictFilterSet, request, _conflicts(request)), request, _conflict)


@router.post(
    "/conflicts",
    response={201: dict},
    url_name="conflictofinterest_add_api",
    summary="Declare a conflict of interest",
)
def add_conflict(request, payload: ConflictIn):
    require_perm(request, "inspections.add_conflictofinterest")
    inspector = get_user_model().objects.filter(pk=payload.inspector).first() if payload.inspector else None
    if inspector is None:
        raise ValidationError({"inspector": _("Choose an inspector.")})
    conflict = services_plans.declare_conflict(
        actor=request.user,
        inspector=inspector,
        enterprise=_enterprise(request, payload.enterprise),
        reason=payload.reason,
    )
    return Status(201, _conflict(conflict))


@router.delete(
    "/conflicts/{conflict_id}",
    response={204: None},
    url_name="conflictofinterest_delete_api",
    summary="Withdraw a conflict",
)
def delete_conflict(request, conflict_id: int):
    require_perm(request, "inspections.delete_conflictofinterest")
    conflict = get_object_or_404(_conflicts(request), pk=conflict_id)
    services_plans.withdraw_conflict(actor=request.user, conflict=conflict)
    return Status(204, None)


# -- coverage and statistics ----------------------------------------------------------------------------


@router.get("/coverage", url_name="coverage_api", summary="Inspection coverage for a period")
def get_coverage(
    request,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    group_by: str = "town",
    division: str = "",
    industry: str = "",
):
    """Operating enterprises in scope, those with a finished inspection in the period (a year, or
    one `quarter` or `month` of it), by town or industry."""
    require_perm(request, "inspections.view_enterpriseinspectionyear")
    form = coverage.CoverageForm(request.GET)
    if not form.is_valid():
        raise _bad_parameters(form)
    data = form.cleaned_data
    result = coverage.coverage(
        request.user, period=data["period"], group_by=data["group_by"], filters=form.filters()
    )
    return {
        "period": result.period.key,
        "group_by": result.group_by,
        "rows": [r.as_dict() for r in result.rows],
        "total": result.total.as_dict(),
    }


@router.get("/coverage/uninspected", url_name="coverage_uninspected_api", summary="Enterprises not inspected")
def get_uninspected(
    request,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    division: str = "",
    industry: str = "",
):
    require_perm(request, "inspections.view_enterpriseinspectionyear")
    form = coverage.PeriodForm(request.GET)
    if not form.is_valid():
        raise _bad_parameters(form)
    period, filters = form.cleaned_data["period"], form.filters()
    missing = coverage.uninspected(request.user, period=period, filters=filters)
    # The count from the coverage figures (covering indexes) rather than a COUNT over the list.
    total = coverage.coverage(request.user, period=period, filters=filters).total.uninspected
    return page_of(
        coverage.Counted(missing.only("id", "name", "division_id", "industry"), total),
        request,
        lambda e: {"id": e.pk, "name": e.name, "division": e.division_id, "industry": e.industry},
    )


@router.get(
    "/statistics", url_name="enforcement_statistics_api", summary="Enforcement statistics for a period"
)
def get_statistics(
    request,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    group_by: str = "town",
    division: str = "",
    industry: str = "",
):
    """Per town, industry or month: enterprises, enterprises_inspected, coverage_rate, inspections,
    findings, major_findings, orders, penalties, penalty_amount (yuan, string), suspensions,
    rollcall_rate and checkin_rate (% or null)."""
    require_perm(request, "inspections.view_inspectionstatmonth")
    form = StatisticsForm(request.GET)
    if not form.is_valid():
        raise _bad_parameters(form)
    data = form.cleaned_data
    result = statistics.statistics(
        request.user, period=data["period"], group_by=data["group_by"], filters=form.filters()
    )
    return {
        "period": result.period.key,
        "group_by": result.group_by,
        "supervision": result.supervision,
        "rows": [r.as_dict() for r in result.rows],
        "total": result.total.as_dict(),
    }
