"""Changes to enforcement plans, classification configs, conflicts of interest and random draws: one
function per action, the actor keyword-only, each in one transaction; a refused change writes nothing."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import divisions
from yingji.core.models import Division
from yingji.inspections import rules_plans
from yingji.inspections.models_plans import (
    ClassificationConfig,
    ConflictOfInterest,
    DrawResult,
    EnterpriseInspectionMonth,
    InspectionPlan,
    InspectorGroup,
    PlanEntry,
    RandomDraw,
)
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise

RISK_LEVELS = ("major", "significant", "general", "low")
MAX_SEED = 2**53 - 1  # exact in JSON numbers too


# -- scope ------------------------------------------------------------------------------------------


def _prefix_of(actor) -> str:
    prefix = getattr(actor, "scope_prefix", None)
    if prefix is None or getattr(actor, "is_enterprise_user", False):
        raise ValidationError({"division": ValidationError(_("Outside your jurisdiction."), code="scope")})
    return prefix


def _check_division(actor, division: Division) -> None:
    if not division.code.startswith(_prefix_of(actor)):
        raise ValidationError({"division": ValidationError(_("Outside your jurisdiction."), code="scope")})


def _check_enterprise(actor, enterprise: Enterprise, division: Division) -> None:
    if not enterprise.division_id.startswith(division.prefix):
        raise ValidationError(
            {"enterprise": ValidationError(_("The enterprise is not in the plan's division."), code="scope")}
        )
    _prefix_of(actor)
    if not enterprise.division_id.startswith(actor.scope_prefix):
        raise ValidationError({"enterprise": ValidationError(_("Outside your jurisdiction."), code="scope")})


def _ancestor_codes(code: str) -> list[str]:
    codes = []
    parent = divisions.parent_code_of(code)
    while parent:
        codes.append(parent)
        parent = divisions.parent_code_of(parent)
    return codes


def inspectors_for(division: Division):
    """Active inspectors of the division's subtree and of the divisions above it."""
    users = get_user_model().objects.filter(role="inspector", is_active=True)
    return users.filter(
        Q(division__code__startswith=division.prefix) | Q(division_id__in=_ancestor_codes(division.code))
    )


# -- classification -----------------------------------------------------------------------------------


def config_for(division: Division) -> ClassificationConfig:
    """The nearest saved config up the division tree, else an unsaved one with the shipped defaults."""
    codes = [division.code, *_ancestor_codes(division.code)]
    found = {c.division_id: c for c in ClassificationConfig.objects.filter(division_id__in=codes)}
    for code in codes:
        if code in found:
            return found[code]
    return ClassificationConfig(division=division)


def thresholds_of(config: ClassificationConfig) -> rules_plans.Thresholds:
    return rules_plans.Thresholds(
        flags=frozenset(config.flags or ()),
        risk_levels=frozenset(config.risk_levels or ()),
        industries=tuple(config.industries or ()),
        open_major_hazards=config.open_major_hazards,
        findings_last_year=config.findings_last_year,
        key_per_year=config.key_per_year,
        general_per_year=config.general_per_year,
        general_share=config.general_share,
    )


def save_config(*, actor, division: Division, **fields) -> ClassificationConfig:
    """Create or change the division's own classification config."""
    _check_division(actor, division)
    current = ClassificationConfig.objects.filter(division=division).first() or config_for(division)
    errors: dict[str, ValidationError] = {}
    flags = list(fields.get("flags", current.flags))
    if set(flags) - set(SUPERVISION_FLAGS):
        errors["flags"] = ValidationError(_("Unknown supervision flag."), code="invalid_choice")
    levels = list(fields.get("risk_levels", current.risk_levels))
    if set(levels) - set(RISK_LEVELS):
        errors["risk_levels"] = ValidationError(_("Unknown risk level."), code="invalid_choice")
    industries = [str(i).strip() for i in fields.get("industries", current.industries) if str(i).strip()]
    if any(not i.isdigit() or len(i) > 4 for i in industries):
        errors["industries"] = ValidationError(_("Industry prefixes are 1 to 4 digits."), code="invalid")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        config = ClassificationConfig.objects.filter(division=division).first() or ClassificationConfig(
            division=division
        )
        config.flags, config.risk_levels, config.industries = flags, levels, industries
        for name in (
            "open_major_hazards",
            "findings_last_year",
            "key_per_year",
            "general_per_year",
            "general_share",
        ):
            setattr(config, name, fields.get(name, getattr(current, name)))
        config.updated_by = actor
        config.full_clean()
        config.save()
    return config


def factors_of(enterprises: QuerySet, year: int) -> dict[int, rules_plans.Factors]:
    """Classification factors of the enterprises (a queryset; four grouped queries in all): their flags
    and industry, risk level, open major hidden dangers now and findings in the year before `year`."""
    from yingji.hazards.models import Hazard, Status
    from yingji.risk.models import EnterpriseRisk

    names = list(SUPERVISION_FLAGS)
    facts: dict[int, dict] = {}
    for row in enterprises.values("id", "industry", *names):
        facts[row["id"]] = {
            "flags": frozenset(n for n in names if row[n]),
            "industry": row["industry"] or "",
            "risk": "",
            "hazards": 0,
            "findings": 0,
        }
    ids = enterprises.values("id")
    for enterprise_id, level in EnterpriseRisk.objects.filter(enterprise__in=ids).values_list(
        "enterprise_id", "level"
    ):
        if enterprise_id in facts:
            facts[enterprise_id]["risk"] = level or ""
    hazards = (
        Hazard.objects.filter(enterprise__in=ids, grade="major", status__in=Status.open_values())
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in hazards:
        if row["enterprise_id"] in facts:
            facts[row["enterprise_id"]]["hazards"] = row["n"]
    findings = (
        EnterpriseInspectionMonth.objects.filter(
            enterprise__in=ids,
            month__gte=datetime.date(year - 1, 1, 1),
            month__lte=datetime.date(year - 1, 12, 1),
        )
        .values("enterprise_id")
        .annotate(n=Sum("findings"))
        .order_by()
    )
    for row in findings:
        if row["enterprise_id"] in facts:
            facts[row["enterprise_id"]]["findings"] = row["n"] or 0
    return {
        pk: rules_plans.Factors(
            flags=f["flags"],
            industry=f["industry"],
            risk_level=f["risk"],
            open_major_hazards=f["hazards"],
            findings_last_year=f["findings"],
        )
        for pk, f in facts.items()
    }


def classify_enterprises(enterprises: QuerySet, config: ClassificationConfig, year: int) -> dict:
    """{enterprise id: (class, reasons)} under the config."""
    thresholds = thresholds_of(config)
    return {pk: rules_plans.classify(f, thresholds) for pk, f in factors_of(enterprises, year).items()}


def enterprises_in(division: Division) -> QuerySet:
    """The operating enterprises of a division's subtree: the scope of plans, draws and coverage."""
    return Enterprise.objects.filter(division__code__startswith=division.prefix, status="operating")


# -- plans --------------------------------------------------------------------------------------------


def _check_group_members(members: Sequence) -> list:
    members = list({m.pk: m for m in members}.values())
    if len(members) < rules_plans.MIN_INSPECTORS:
        raise ValidationError(
            {"members": ValidationError(_("A group needs at least two inspectors."), code="too_few")}
        )
    if any(getattr(m, "role", "") != "inspector" or not m.is_active for m in members):
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Only active inspectors can be in a group."), code="invalid_choice"
                )
            }
        )
    return members


def _check_draft(plan: InspectionPlan) -> None:
    if plan.status != "draft":
        raise ValidationError(
            {"status": ValidationError(_("A published plan can no longer be changed."), code="published")}
        )


def create_plan(
    *,
    actor,
    division: Division,
    year: int,
    title: str = "",
    groups: Sequence[Sequence] = (),
    generate: bool = True,
) -> InspectionPlan:
    """A draft plan; with `generate`, one entry per planned inspection of each key enterprise and of the
    sampled general ones (the config's frequencies and share), spread over the months, the groups
    given (lists of ≥ 2 inspectors) assigned in turn."""
    _check_division(actor, division)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": ValidationError(_("Enter a year from 2000 to 2100."), code="invalid")})
    teams = [_check_group_members(g) for g in groups]
    if InspectionPlan.objects.filter(division=division, year=year).exists():
        raise ValidationError(
            {"year": ValidationError(_("This division already has a plan for that year."), code="unique")}
        )
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            division=division,
            year=year,
            title=title
            or _("{year} enforcement plan of {division}").format(year=year, division=division.name),
            created_by=actor,
        )
        saved_groups = []
        for number, members in enumerate(teams, start=1):
            group = InspectorGroup.objects.create(plan=plan, name=_("Group {n}").format(n=number))
            group.members.set(members)
            saved_groups.append(group)
        if generate:
            _generate_entries(plan, saved_groups)
    return plan


def _generate_entries(plan: InspectionPlan, groups: list[InspectorGroup]) -> int:
    config = config_for(plan.division)
    thresholds = thresholds_of(config)
    classes = classify_enterprises(enterprises_in(plan.division), config, plan.year)
    key = sorted(pk for pk, (cls, _r) in classes.items() if cls == rules_plans.KEY)
    general = rules_plans.sampled(
        [pk for pk, (cls, _r) in classes.items() if cls == rules_plans.GENERAL],
        thresholds.general_share,
        seed=plan.year * 1_000_003 + int(plan.division_id[:6]),
    )
    entries: list[PlanEntry] = []
    index = 0
    for ids, visits in ((key, thresholds.key_per_year), (general, thresholds.general_per_year)):
        for pk in ids:
            cls, reasons = classes[pk]
            for month in rules_plans.visit_months(visits, index):
                group = groups[len(entries) % len(groups)] if groups else None
                entries.append(
                    PlanEntry(
                        plan=plan,
                        enterprise_id=pk,
                        month=month,
                        group=group,
                        enterprise_class=cls,
                        reasons=reasons,
                    )
                )
            index += 1
    PlanEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def add_group(*, actor, plan: InspectionPlan, name: str, members: Sequence) -> InspectorGroup:
    _check_division(actor, plan.division)
    _check_draft(plan)
    members = _check_group_members(members)
    if not name.strip():
        raise ValidationError({"name": ValidationError(_("Enter a name."), code="required")})
    with transaction.atomic():
        group = InspectorGroup.objects.create(plan=plan, name=name.strip())
        group.members.set(members)
    return group


def _check_month(month) -> int:
    if not rules_plans.valid_month(month):
        raise ValidationError(
            {"month": ValidationError(_("The month must be from 1 to 12."), code="invalid_month")}
        )
    return int(month)


def _check_group(plan: InspectionPlan, group: InspectorGroup | None) -> None:
    if group is not None and group.plan_id != plan.pk:
        raise ValidationError(
            {"group": ValidationError(_("The group belongs to another plan."), code="invalid")}
        )


def add_entry(
    *, actor, plan: InspectionPlan, enterprise: Enterprise, month: int, group: InspectorGroup | None = None
) -> PlanEntry:
    _check_division(actor, plan.division)
    _check_draft(plan)
    month = _check_month(month)
    _check_enterprise(actor, enterprise, plan.division)
    _check_group(plan, group)
    cls, reasons = classify_enterprises(
        Enterprise.objects.filter(pk=enterprise.pk), config_for(plan.division), plan.year
    )[enterprise.pk]
    try:
        with transaction.atomic():
            return PlanEntry.objects.create(
                plan=plan,
                enterprise=enterprise,
                month=month,
                group=group,
                enterprise_class=cls,
                reasons=reasons,
            )
    except IntegrityError:
        raise ValidationError(
            {"month": ValidationError(_("The enterprise is already planned in that month."), code="unique")}
        ) from None


def update_entry(*, actor, entry: PlanEntry, month: int, group: InspectorGroup | None = None) -> PlanEntry:
    plan = entry.plan
    _check_division(actor, plan.division)
    _check_draft(plan)
    month = _check_month(month)
    _check_group(plan, group)
    if (
        PlanEntry.objects.filter(plan=plan, enterprise_id=entry.enterprise_id, month=month)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ValidationError(
            {"month": ValidationError(_("The enterprise is already planned in that month."), code="unique")}
        )
    with transaction.atomic():
        entry.month, entry.group = month, group
        entry.save(update_fields=["month", "group"])
    return entry


def delete_entry(*, actor, entry: PlanEntry) -> None:
    _check_division(actor, entry.plan.division)
    _check_draft(entry.plan)
    with transaction.atomic():
        entry.delete()


def publish_plan(*, actor, plan: InspectionPlan, now: datetime.datetime | None = None) -> InspectionPlan:
    _check_division(actor, plan.division)
    _check_draft(plan)
    with transaction.atomic():
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        _check_draft(locked)
        if not locked.entries.exists():
            raise ValidationError({"entries": ValidationError(_("The plan has no entries."), code="empty")})
        locked.status, locked.published_by, locked.published_at = "published", actor, now or timezone.now()
        locked.save(update_fields=["status", "published_by", "published_at"])
    return locked


# -- conflicts of interest ------------------------------------------------------------------------------


def declare_conflict(*, actor, inspector, enterprise: Enterprise, reason: str) -> ConflictOfInterest:
    _prefix_of(actor)
    if not enterprise.division_id.startswith(actor.scope_prefix):
        raise ValidationError({"enterprise": ValidationError(_("Outside your jurisdiction."), code="scope")})
    if getattr(inspector, "role", "") != "inspector":
        raise ValidationError(
            {"inspector": ValidationError(_("Choose an inspector."), code="invalid_choice")}
        )
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Enter a reason."), code="required")})
    if ConflictOfInterest.objects.filter(inspector=inspector, enterprise=enterprise).exists():
        raise ValidationError(
            {"inspector": ValidationError(_("This conflict is already declared."), code="unique")}
        )
    with transaction.atomic():
        return ConflictOfInterest.objects.create(
            inspector=inspector, enterprise=enterprise, reason=reason.strip(), created_by=actor
        )


def withdraw_conflict(*, actor, conflict: ConflictOfInterest) -> None:
    _prefix_of(actor)
    if not conflict.enterprise.division_id.startswith(actor.scope_prefix):
        raise ValidationError({"enterprise": ValidationError(_("Outside your jurisdiction."), code="scope")})
    with transaction.atomic():
        conflict.delete()


# -- random draws -------------------------------------------------------------------------------------


def _refusal(refused: rules_plans.DrawRefused) -> ValidationError:
    messages = {
        "empty_pool": _("No enterprise matches the pool: nothing to draw from."),
        "above_pool": _("The pool has {pool} enterprises; you cannot draw {count}."),
        "too_few_inspectors": _(
            "Fewer than two eligible inspectors remain for an enterprise after the exclusions ({eligible})."
        ),
        "too_few": _("At least {minimum} inspectors per enterprise."),
        "min_value": _("Draw at least {minimum} enterprise."),
    }
    message = messages.get(refused.code, refused.code).format(**refused.params)
    return ValidationError({refused.field: ValidationError(message, code=refused.code)})


def pool_enterprises(
    division: Division, *, enterprise_class: str = "", industry: str = "", year: int | None = None
):
    """The candidate enterprises of a pool definition, as sorted ids."""
    queryset = enterprises_in(division)
    if industry:
        queryset = queryset.filter(industry__startswith=industry)
    if enterprise_class:
        year = year or timezone.localdate().year
        classes = classify_enterprises(queryset, config_for(division), year)
        return sorted(pk for pk, (cls, _r) in classes.items() if cls == enterprise_class)
    return sorted(queryset.values_list("id", flat=True))


def _previous_result(division: Division) -> dict[int, list[int]]:
    last = RandomDraw.objects.filter(division=division).order_by("-drawn_at", "-id").first()
    if last is None:
        return {}
    result: dict[int, list[int]] = {}
    for enterprise_id, user_id in DrawResult.inspectors.through.objects.filter(
        drawresult__draw=last
    ).values_list("drawresult__enterprise_id", "user_id"):
        result.setdefault(enterprise_id, []).append(user_id)
    return result


def run_draw(
    *,
    actor,
    division: Division,
    count: int,
    title: str = "",
    per_enterprise: int = 2,
    enterprise_class: str = "",
    industry: str = "",
    seed: int | None = None,
    exclude_previous: bool = True,
    inspectors: Iterable | None = None,
    now: datetime.datetime | None = None,
) -> RandomDraw:
    """Draw `count` enterprises of the pool and `per_enterprise` inspectors for each (see
    rules_plans.draw); records the seed, the pool definition and snapshots of the candidate
    enterprises, inspectors and excluded pairs, so `replay_draw` gives the same result."""
    _check_division(actor, division)
    if enterprise_class not in ("", rules_plans.KEY, rules_plans.GENERAL):
        raise ValidationError(
            {"enterprise_class": ValidationError(_("Unknown class."), code="invalid_choice")}
        )
    if industry and (not industry.isdigit() or len(industry) > 4):
        raise ValidationError(
            {"industry": ValidationError(_("Industry prefixes are 1 to 4 digits."), code="invalid")}
        )
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": ValidationError(_("The seed is out of range."), code="invalid")})
    now = now or timezone.now()
    candidates = pool_enterprises(
        division, enterprise_class=enterprise_class, industry=industry, year=now.year
    )
    if inspectors is None:
        inspector_ids = sorted(inspectors_for(division).values_list("id", flat=True))
    else:
        allowed = set(inspectors_for(division).values_list("id", flat=True))
        inspector_ids = sorted({u.pk for u in inspectors})
        if set(inspector_ids) - allowed:
            raise ValidationError(
                {
                    "inspectors": ValidationError(
                        _("Only active inspectors of the division."), code="invalid_choice"
                    )
                }
            )
    candidate_set = set(candidates)
    exclusions = {
        (i, e)
        for i, e in ConflictOfInterest.objects.filter(
            enterprise__division__code__startswith=division.prefix
        ).values_list("inspector_id", "enterprise_id")
        if e in candidate_set
    }
    if exclude_previous:
        exclusions |= {
            (i, e) for i, e in rules_plans.previous_pairs(_previous_result(division)) if e in candidate_set
        }
    try:
        drawn = rules_plans.draw(
            seed=seed,
            candidate_ids=candidates,
            inspector_ids=inspector_ids,
            count=count,
            per_enterprise=per_enterprise,
            exclusions=exclusions,
        )
    except rules_plans.DrawRefused as refused:
        raise _refusal(refused) from None
    with transaction.atomic():
        draw = RandomDraw.objects.create(
            division=division,
            title=title
            or _("Random draw of {division}, {day}").format(
                division=division.name, day=timezone.localdate(now).isoformat()
            ),
            seed=seed,
            pool={"division": division.code, "enterprise_class": enterprise_class, "industry": industry},
            candidate_ids=candidates,
            inspector_ids=inspector_ids,
            exclusions=sorted([i, e] for i, e in exclusions),
            count=count,
            per_enterprise=per_enterprise,
            exclude_previous=exclude_previous,
            drawn_by=actor,
            drawn_at=now,
        )
        results = DrawResult.objects.bulk_create(
            [
                DrawResult(draw=draw, position=n, enterprise_id=e)
                for n, (e, _team) in enumerate(drawn, start=1)
            ]
        )
        through = DrawResult.inspectors.through
        through.objects.bulk_create(
            [
                through(drawresult_id=result.pk, user_id=user_id)
                for result, (_e, team) in zip(results, drawn, strict=True)
                for user_id in team
            ]
        )
    return draw


def replay_draw(draw: RandomDraw) -> list[tuple[int, list[int]]]:
    """The draw computed again from its recorded seed and snapshots."""
    return rules_plans.draw(
        seed=draw.seed,
        candidate_ids=draw.candidate_ids,
        inspector_ids=draw.inspector_ids,
        count=draw.count,
        per_enterprise=draw.per_enterprise,
        exclusions=draw.exclusions,
    )


def stored_result(draw: RandomDraw) -> list[tuple[int, list[int]]]:
    teams: dict[int, list[int]] = {}
    for result_id, user_id in DrawResult.inspectors.through.objects.filter(drawresult__draw=draw).values_list(
        "drawresult_id", "user_id"
    ):
        teams.setdefault(result_id, []).append(user_id)
    return [(r.enterprise_id, sorted(teams.get(r.pk, []))) for r in draw.results.order_by("position")]


def verify_draw(draw: RandomDraw) -> bool:
    """Whether the stored result is what the recorded seed and snapshots give."""
    try:
        return replay_draw(draw) == stored_result(draw)
    except rules_plans.DrawRefused:
        return False  # the record cannot give any result: it was not made by run_draw


def publish_draw(*, actor, draw: RandomDraw, now: datetime.datetime | None = None) -> RandomDraw:
    _check_division(actor, draw.division)
    with transaction.atomic():
        locked = RandomDraw.objects.select_for_update().get(pk=draw.pk)
        if locked.status != "drawn":
            raise ValidationError(
                {"status": ValidationError(_("The draw is already published."), code="published")}
            )
        locked.status, locked.published_by, locked.published_at = "published", actor, now or timezone.now()
        locked.save(update_fields=["status", "published_by", "published_at"])
    return locked
