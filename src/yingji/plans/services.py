"""Use cases of emergency plans and drills: one function per action, actor keyword-only."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.escalation import services as escalation
from yingji.core.models import Deadline, Division
from yingji.plans import rules
from yingji.plans.models import (
    Drill,
    DrillProblem,
    EmergencyPlan,
    PlanAttachment,
    PlanContact,
    PlanLevel,
    PlanStep,
    PlanTask,
)
from yingji.registry.models import Enterprise

PLAN_FIELDS = (
    "title",
    "owner_kind",
    "enterprise",
    "enterprise_id",
    "division",
    "division_id",
    "level",
    "plan_type",
    "incident_types",
    "owner",
    "version",
    "status",
    "approved_at",
    "approved_by",
    "filing_number",
    "filed_at",
    "last_reviewed_at",
    "summary",
)


# -- scope ------------------------------------------------------------------------------------------


def _check_scope(actor, division: Division | None, enterprise: Enterprise | None = None) -> None:
    """The actor may write a record of this division / enterprise (None = the command line)."""
    if actor is None:
        return
    if getattr(actor, "is_enterprise_user", False):
        if enterprise is None or enterprise.pk != actor.enterprise_id:
            raise ValidationError({"enterprise": _("You may only manage your own enterprise's plans.")})
        return
    prefix = actor.scope_prefix
    if prefix is None or division is None or not division.code.startswith(prefix):
        raise ValidationError({"division": _("This division is outside your jurisdiction.")})


def _types(value: Any, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: _("Give a list of incident types.")})
    return sorted({v.strip() for v in value if v.strip()})


# -- plans ------------------------------------------------------------------------------------------


def _prepare(plan: EmergencyPlan) -> None:
    plan.incident_types = _types(plan.incident_types, "incident_types")
    if plan.owner_kind == "enterprise":
        if plan.enterprise_id is None:
            raise ValidationError({"enterprise": _("An enterprise plan needs its enterprise.")})
        plan.division_id = plan.enterprise.division_id
        plan.level = "enterprise"
    else:
        plan.enterprise = None
        if plan.level == "enterprise":
            raise ValidationError({"level": _("A government plan is a county, town or village plan.")})
    if plan.filed_at and not plan.filing_number:
        raise ValidationError({"filing_number": _("Give the filing number with the filing date.")})
    if plan.filing_number and not plan.filed_at:
        raise ValidationError({"filed_at": _("Give the filing date with the filing number.")})
    if plan.status == "in_force" and plan.approved_at is None:
        raise ValidationError({"approved_at": _("A plan in force needs its approval date.")})
    base = plan.last_reviewed_at or plan.approved_at
    if plan.approved_at and plan.last_reviewed_at and plan.last_reviewed_at < plan.approved_at:
        raise ValidationError({"last_reviewed_at": _("The review cannot be before the approval.")})
    plan.next_review = rules.next_review_from(base) if base else None
    plan.full_clean()


def _sync_deadline(plan: EmergencyPlan, *, actor, now: datetime.datetime | None = None) -> None:
    """Keep one open core deadline on the plan at its next review (none when not in force)."""
    now = now or timezone.now()
    open_deadline = Deadline.objects.for_object(plan).open().first()
    due = None
    if plan.status == "in_force" and plan.next_review is not None:
        due = timezone.make_aware(datetime.datetime.combine(plan.next_review, datetime.time(9, 0)))
    if open_deadline is not None:
        if due is not None and open_deadline.due_at == due:
            return
        escalation.close_deadline(plan, actor=actor, now=now)
    if due is not None and due > now:
        escalation.attach_deadline(plan, due_at=due, actor=actor, now=now)


def create_plan(*, actor, now: datetime.datetime | None = None, **fields: Any) -> EmergencyPlan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    plan = EmergencyPlan(created_by=actor if getattr(actor, "pk", None) else None, **fields)
    with transaction.atomic():
        if plan.owner_kind == "enterprise" and plan.enterprise_id:
            plan.division_id = plan.enterprise.division_id
        _check_scope(actor, plan.division if plan.division_id else None, plan.enterprise)
        _prepare(plan)
        plan.save()
        _sync_deadline(plan, actor=actor, now=now)
    return plan


def update_plan(
    plan: EmergencyPlan, *, actor, now: datetime.datetime | None = None, **fields: Any
) -> EmergencyPlan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    with transaction.atomic():
        plan = EmergencyPlan.objects.select_for_update().get(pk=plan.pk)
        _check_scope(actor, plan.division, plan.enterprise)
        for name, value in fields.items():
            setattr(plan, name, value)
        if plan.owner_kind == "enterprise" and plan.enterprise_id:
            plan.division_id = plan.enterprise.division_id
        _check_scope(actor, plan.division, plan.enterprise)
        _prepare(plan)
        plan.save()
        _sync_deadline(plan, actor=actor, now=now)
    return plan


def delete_plan(plan: EmergencyPlan, *, actor) -> None:
    with transaction.atomic():
        _check_scope(actor, plan.division, plan.enterprise)
        if plan.drills.exists():
            raise ValidationError({"plan": _("The plan has drills; retire it instead.")})
        if Deadline.objects.for_object(plan).open().exists():
            escalation.close_deadline(plan, actor=actor)
        plan.delete()


def record_review(
    plan: EmergencyPlan,
    *,
    actor,
    reviewed_on: datetime.date,
    note: str = "",
    now: datetime.datetime | None = None,
) -> EmergencyPlan:
    """The plan was evaluated (评估); the next review is three years later."""
    today = timezone.localdate(now)
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": _("The review date cannot be in the future.")})
    if plan.approved_at and reviewed_on < plan.approved_at:
        raise ValidationError({"reviewed_on": _("The review cannot be before the approval.")})
    return update_plan(plan, actor=actor, now=now, last_reviewed_at=reviewed_on)


def review_state(plan: EmergencyPlan, today: datetime.date | None = None) -> str:
    """'overdue', 'due_soon' or '' — computed, never stored."""
    today = today or timezone.localdate()
    if rules.review_overdue(plan.next_review, plan.status, today):
        return "overdue"
    if rules.review_due_soon(plan.next_review, plan.status, today):
        return "due_soon"
    return ""


def send_review_reminders(*, today: datetime.date | None = None) -> int:
    """Daily: remind the people of each plan in force whose review falls due within the window or is
    overdue. Returns the number of plans reminded."""
    from yingji.messaging import services as messaging

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=rules.REMIND_DAYS_BEFORE)
    plans = (
        EmergencyPlan.objects.filter(status="in_force", next_review__lte=horizon)
        .select_related("created_by")
        .prefetch_related("contacts__user")
    )
    count = 0
    for plan in plans:
        # remind on the window's first day, on the due date, and weekly once overdue: not every day
        days = (plan.next_review - today).days if plan.next_review else 0
        if days not in (rules.REMIND_DAYS_BEFORE, 7, 0) and not (days < 0 and days % 7 == 0):
            continue
        people = {c.user for c in plan.contacts.all() if c.user_id and c.user.is_active}
        if plan.created_by_id and plan.created_by.is_active:
            people.add(plan.created_by)
        if not people:
            continue
        text = _("The review of the emergency plan {title} is due on {date}.").format(
            title=plan.title, date=plan.next_review
        )
        messaging.send(sorted(people, key=lambda u: u.pk), "notice", {"subject": text, "text": text})
        count += 1
    return count


# -- attachments ------------------------------------------------------------------------------------


def validate_document(upload, *, field: str = "file") -> tuple[bytes, str, str]:
    """(data, kind, content type) of an uploaded PDF or DOCX, or ValidationError naming `field`."""
    limit = rules.DOCUMENT_MAX_BYTES
    name = getattr(upload, "name", "") or "upload"
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                field: _("{name} is too large; the limit is {limit} MB.").format(
                    name=name, limit=limit // 1048576
                )
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {
                field: _("{name} is too large; the limit is {limit} MB.").format(
                    name=name, limit=limit // 1048576
                )
            }
        )
    if not data:
        raise ValidationError({field: _("{name} is empty.").format(name=name)})
    kind = rules.document_kind(name, data[:8])
    if kind is None:
        raise ValidationError({field: _("{name} is not a PDF or DOCX document.").format(name=name)})
    return data, kind, rules.DOCUMENT_TYPES[kind]


def add_attachment(plan: EmergencyPlan, *, actor, upload) -> PlanAttachment:
    _check_scope(actor, plan.division, plan.enterprise)
    data, kind, content_type = validate_document(upload)
    name = (getattr(upload, "name", "") or f"plan.{kind}").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        attachment = PlanAttachment(
            plan=plan,
            name=name,
            content_type=content_type,
            size=len(data),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        attachment.file.save(f"plan-{plan.pk}.{kind}", ContentFile(data), save=False)
        attachment.save()
    return attachment


def delete_attachment(attachment: PlanAttachment, *, actor) -> None:
    _check_scope(actor, attachment.plan.division, attachment.plan.enterprise)
    with transaction.atomic():
        attachment.file.delete(save=False)
        attachment.delete()


# -- the digital plan: levels, tasks, contacts, steps ----------------------------------------------


def _full_save(obj, actor, plan: EmergencyPlan):
    _check_scope(actor, plan.division, plan.enterprise)
    with transaction.atomic():
        obj.full_clean()
        obj.save()
    return obj


def save_level(plan: EmergencyPlan, *, actor, instance: PlanLevel | None = None, **fields: Any) -> PlanLevel:
    level = instance or PlanLevel(plan=plan)
    for name, value in fields.items():
        setattr(level, name, value)
    level.incident_types = _types(level.incident_types, "incident_types")
    grades = level.accident_grades or []
    if not isinstance(grades, list) or any(g not in rules.GRADE_RANK for g in grades):
        raise ValidationError({"accident_grades": _("Unknown accident grade.")})
    if level.min_direct_loss_yuan is not None and Decimal(level.min_direct_loss_yuan) < 0:
        raise ValidationError({"min_direct_loss_yuan": _("The value cannot be negative.")})
    if PlanLevel.objects.filter(plan=plan, code=level.code).exclude(pk=level.pk).exists():
        raise ValidationError({"code": _("The plan already has this response level.")})
    return _full_save(level, actor, plan)


def save_task(level: PlanLevel, *, actor, instance: PlanTask | None = None, **fields: Any) -> PlanTask:
    task = instance or PlanTask(level=level)
    for name, value in fields.items():
        setattr(task, name, value)
    return _full_save(task, actor, level.plan)


def save_contact(
    plan: EmergencyPlan, *, actor, instance: PlanContact | None = None, **fields: Any
) -> PlanContact:
    contact = instance or PlanContact(plan=plan)
    for name, value in fields.items():
        setattr(contact, name, value)
    if contact.level_id and contact.level.plan_id != plan.pk:
        raise ValidationError({"level": _("The level belongs to another plan.")})
    return _full_save(contact, actor, plan)


def save_step(plan: EmergencyPlan, *, actor, instance: PlanStep | None = None, **fields: Any) -> PlanStep:
    step = instance or PlanStep(plan=plan)
    for name, value in fields.items():
        setattr(step, name, value)
    return _full_save(step, actor, plan)


def delete_part(obj, *, actor) -> None:
    """Delete a level, task, contact or step of a plan."""
    plan = obj.level.plan if isinstance(obj, PlanTask) else obj.plan
    _check_scope(actor, plan.division, plan.enterprise)
    with transaction.atomic():
        obj.delete()


DEFAULT_STEPS = ("Report received", "Assess", "Start response", "Dispatch and rescue", "Stand down")


def flow_steps(plan: EmergencyPlan) -> list[str]:
    """The boxes of the one-page card: the plan's own steps, else the general response flow."""
    steps = [s.name for s in plan.steps.all()]
    return steps or [_(s) for s in DEFAULT_STEPS]


# -- matching an incident ---------------------------------------------------------------------------


def _facts(incident) -> rules.IncidentFacts:
    return rules.IncidentFacts(
        kind=getattr(incident, "kind", "") or "",
        subtype=getattr(incident, "subtype", "") or "",
        grade=getattr(incident, "grade", "") or "",
        deaths=int(getattr(incident, "deaths", 0) or 0),
        serious_injuries=int(getattr(incident, "serious_injuries", 0) or 0),
        direct_loss_yuan=Decimal(getattr(incident, "direct_loss_yuan", 0) or 0),
    )


def _level_facts(level: PlanLevel) -> rules.LevelFacts:
    return rules.LevelFacts(
        code=level.code,
        min_deaths=level.min_deaths,
        min_serious_injuries=level.min_serious_injuries,
        min_direct_loss_yuan=level.min_direct_loss_yuan,
        accident_grades=list(level.accident_grades or []),
        incident_types=list(level.incident_types or []),
    )


def match_plans(incident) -> list[tuple[EmergencyPlan, PlanLevel, str]]:
    """Plans in force whose response level the incident triggers, best first: the involved
    enterprise's own plans, then government plans of the incident's division and up the tree; per
    plan its most severe triggered level and the reason (the conditions reached)."""
    facts = _facts(incident)
    chain = rules.division_chain(incident.division_id) if getattr(incident, "division_id", None) else []
    query = Q(owner_kind="government", division_id__in=chain)
    enterprise_id = getattr(incident, "enterprise_id", None)
    if enterprise_id:
        query |= Q(owner_kind="enterprise", enterprise_id=enterprise_id)
    plans = EmergencyPlan.objects.filter(query, status="in_force").prefetch_related("levels")
    found: list[tuple[tuple, EmergencyPlan, PlanLevel, str]] = []
    for plan in plans:
        if not rules.covers(list(plan.incident_types or []), facts):
            continue
        by_code = {lv.code: lv for lv in plan.levels.all()}
        best = rules.best_level([_level_facts(lv) for lv in by_code.values()], facts)
        if best is None:
            continue
        level_facts, reasons = best
        is_own = plan.owner_kind == "enterprise"
        distance = 0 if is_own else chain.index(plan.division_id)
        key = rules.plan_sort_key(
            is_enterprise_plan=is_own,
            division_distance=distance,
            plan_type=plan.plan_type,
            level_code=level_facts.code,
            plan_id=plan.pk,
        )
        found.append((key, plan, by_code[level_facts.code], "; ".join(reasons)))
    found.sort(key=lambda row: row[0])
    return [(plan, level, reason) for _key, plan, level, reason in found]


# -- drills -----------------------------------------------------------------------------------------

DRILL_FIELDS = (
    "plan",
    "plan_id",
    "held_on",
    "kind",
    "participant_count",
    "participant_units",
    "scenario",
    "score",
    "evaluation",
)


def save_drill(
    *, actor, drill: Drill | None = None, problems: Iterable[str] | None = None, **fields: Any
) -> Drill:
    unknown = set(fields) - set(DRILL_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    creating = drill is None
    drill = drill or Drill(created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in fields.items():
        setattr(drill, name, value)
    if not drill.plan_id:
        raise ValidationError({"plan": _("Choose the plan.")})
    plan = drill.plan
    _check_scope(actor, plan.division, plan.enterprise)
    drill.division_id = plan.division_id
    drill.enterprise_id = plan.enterprise_id
    with transaction.atomic():
        drill.full_clean()
        drill.save()
        if problems is not None:
            texts = [p.strip() for p in problems if p and p.strip()]
            if creating:
                DrillProblem.objects.bulk_create([DrillProblem(drill=drill, description=t) for t in texts])
    return drill


def add_problem(drill: Drill, *, actor, description: str) -> DrillProblem:
    _check_scope(actor, drill.division, drill.enterprise)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe the problem.")})
    return DrillProblem.objects.create(drill=drill, description=description.strip())


def delete_drill(drill: Drill, *, actor) -> None:
    _check_scope(actor, drill.division, drill.enterprise)
    if drill.problems.filter(hazard__isnull=False).exists():
        raise ValidationError({"drill": _("Problems of this drill became hazards; it cannot be deleted.")})
    with transaction.atomic():
        drill.delete()


def problem_to_hazard(problem: DrillProblem, *, actor):
    """One click: the problem of an enterprise drill becomes a hazard in the dual-prevention loop."""
    from yingji.hazards import services as hazards

    with transaction.atomic():
        problem = DrillProblem.objects.select_for_update().select_related("drill__plan").get(pk=problem.pk)
        drill = problem.drill
        if drill.enterprise_id is None:
            raise ValidationError({"drill": _("Only problems of an enterprise drill become hazards.")})
        if problem.hazard_id is not None:
            raise ValidationError({"hazard": _("This problem is already a hazard.")})
        hazard = hazards.report_hazard(
            actor=actor,
            title=problem.description[:100],
            source="other",
            enterprise=drill.enterprise,
            description=_("Found in the drill of {date} on the plan {plan}.").format(
                date=drill.held_on, plan=drill.plan.title
            )
            + "\n"
            + problem.description,
        )
        problem.hazard = hazard
        problem.save(update_fields=["hazard"])
    return hazard
