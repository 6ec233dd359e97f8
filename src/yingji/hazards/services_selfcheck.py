"""Self-check schedules (日周月排查): plans with their items, the scheduler, doing a check, and turning a
failed item into a hidden danger with one click.

Period arithmetic lives in rules_selfcheck.py. A refused action raises `rules.TransitionError` (the
API answers 409); bad values raise `ValidationError({field: message})` (400). Either way nothing changes.

Plan items are matched by text when a plan is edited. An item that already has results cannot be
deleted (the results are the record of past checks): it is retired instead, with `order = 0`; the
current items of a plan are those with `order >= 1`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.hazards import rules_selfcheck as rules
from yingji.hazards import services as hazard_services
from yingji.hazards.models import (
    CheckPlan,
    CheckPlanItem,
    CheckResult,
    CheckTask,
    Frequency,
    Hazard,
    ItemResult,
    PlanKind,
    TaskStatus,
)
from yingji.hazards.rules import TransitionError
from yingji.registry.models import Enterprise

RETIRED = 0  # CheckPlanItem.order of an item removed from the plan but kept for its past results
MAX_ITEMS = 200
BATCH = 1000

# The frequency a kind of plan usually has (the form's default).
KIND_FREQUENCY = {
    PlanKind.TEAM_DAILY: Frequency.DAILY,
    PlanKind.DEPARTMENT_WEEKLY: Frequency.WEEKLY,
    PlanKind.MANAGER_MONTHLY: Frequency.MONTHLY,
    PlanKind.HOLIDAY: Frequency.ONCE,
    PlanKind.SEASONAL: Frequency.ONCE,
}

ItemLine = tuple[str, str]  # (text, basis)


# -- lookups ----------------------------------------------------------------------------------------


def current_items(plan: CheckPlan) -> QuerySet[CheckPlanItem]:
    return plan.items.filter(order__gt=RETIRED).order_by("order", "id")


def parse_item_lines(text: str) -> list[ItemLine]:
    """One item per line, with an optional basis after a `|`: "消防通道畅通 | GB 50016"."""
    lines = []
    for raw in (text or "").splitlines():
        item, _sep, basis = raw.partition("|")
        if item.strip():
            lines.append((item.strip(), basis.strip()))
    return lines


def format_item_lines(plan: CheckPlan) -> str:
    return "\n".join(
        f"{item.text} | {item.basis}" if item.basis else item.text for item in current_items(plan)
    )


# -- plans ------------------------------------------------------------------------------------------


def _enterprise_for(actor, enterprise: Enterprise | None) -> Enterprise:
    if getattr(actor, "is_enterprise_user", False):
        if enterprise is not None and enterprise.pk != actor.enterprise_id:
            raise ValidationError({"enterprise": _("You can plan self-checks of your own enterprise only.")})
        enterprise = actor.enterprise
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise.")})
    if actor is not None and not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("This enterprise is outside your jurisdiction.")})
    return enterprise


def _check_items(items: Sequence[ItemLine]) -> list[ItemLine]:
    cleaned = []
    for text, basis in items:
        text, basis = (text or "").strip(), (basis or "").strip()
        if not text:
            continue
        if len(text) > 300:
            raise ValidationError(
                {"items": _("A check item is at most 300 characters: {text}…").format(text=text[:20])}
            )
        if len(basis) > 200:
            raise ValidationError(
                {"items": _("A basis is at most 200 characters: {text}…").format(text=basis[:20])}
            )
        cleaned.append((text, basis))
    if not cleaned:
        raise ValidationError({"items": _("Add at least one check item.")})
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError({"items": _("At most {n} check items.").format(n=MAX_ITEMS)})
    return cleaned


def _check_assignee(assignee, enterprise: Enterprise) -> None:
    if assignee is not None and assignee.enterprise_id != enterprise.pk:
        raise ValidationError({"assignee": _("The assignee must be a user of the enterprise.")})


def _save_plan(plan: CheckPlan, actor) -> None:
    if plan.kind not in PlanKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of check.")})
    if plan.frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose a valid frequency.")})
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    plan.name = (plan.name or "").strip()
    plan.full_clean()
    with audit.acting_as(actor, audit.current_actor().ip):
        plan.save()


def _set_items(plan: CheckPlan, items: list[ItemLine]) -> None:
    """Make the plan's current items `items`, in that order, keeping the rows of unchanged items."""
    pool: dict[str, list[CheckPlanItem]] = {}
    for item in plan.items.order_by("-order", "id"):  # current items first, then retired ones
        pool.setdefault(item.text, []).append(item)
    kept: set[int] = set()
    for order, (text, basis) in enumerate(items, start=1):
        matches = pool.get(text) or []
        if matches:
            item = matches.pop(0)
            if (item.order, item.basis) != (order, basis):
                item.order, item.basis = order, basis
                item.save(update_fields=["order", "basis"])
        else:
            item = CheckPlanItem.objects.create(plan=plan, order=order, text=text, basis=basis)
        kept.add(item.pk)
    gone = [i for i in plan.items.all() if i.pk not in kept]
    used = set(CheckResult.objects.filter(item__in=gone).values_list("item_id", flat=True))
    for item in gone:
        if item.pk in used:
            if item.order != RETIRED:
                item.order = RETIRED
                item.save(update_fields=["order"])
        else:
            item.delete()


def create_plan(
    *,
    actor,
    name: str,
    kind: str,
    frequency: str,
    starts_on: datetime.date,
    items: Sequence[ItemLine],
    enterprise: Enterprise | None = None,
    ends_on: datetime.date | None = None,
    assignee=None,
    today: datetime.date | None = None,
) -> CheckPlan:
    """A plan with its items; the task of the current period is created at once."""
    enterprise = _enterprise_for(actor, enterprise)
    cleaned = _check_items(items)
    _check_assignee(assignee, enterprise)
    with transaction.atomic():
        plan = CheckPlan(
            enterprise=enterprise,
            name=name,
            kind=kind,
            frequency=frequency,
            starts_on=starts_on,
            ends_on=ends_on,
            assignee=assignee,
            is_active=True,
        )
        _save_plan(plan, actor)
        with audit.acting_as(actor, audit.current_actor().ip):
            _set_items(plan, cleaned)
        schedule_tasks(today or timezone.localdate(), plans=CheckPlan.objects.filter(pk=plan.pk))
    return plan


PLAN_FIELDS = ("name", "kind", "frequency", "starts_on", "ends_on", "assignee", "is_active")


def update_plan(
    plan: CheckPlan,
    *,
    actor,
    items: Sequence[ItemLine] | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> CheckPlan:
    """Change a plan's fields and (when given) its items. The enterprise of a plan does not change."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    _enterprise_for(actor, plan.enterprise)
    cleaned = _check_items(items) if items is not None else None
    if "assignee" in fields:
        _check_assignee(fields["assignee"], plan.enterprise)
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = CheckPlan.objects.select_for_update().get(pk=plan.pk)
        was_active = plan.is_active
        for name, value in fields.items():
            setattr(plan, name, value)
        _save_plan(plan, actor)
        if cleaned is not None:
            with audit.acting_as(actor, audit.current_actor().ip):
                _set_items(plan, cleaned)
        if was_active and not plan.is_active:
            _drop_pending(plan)
        elif plan.is_active:
            schedule_tasks(today, plans=CheckPlan.objects.filter(pk=plan.pk))
    return plan


def deactivate_plan(plan: CheckPlan, *, actor) -> CheckPlan:
    """Stop a plan: no new tasks; its pending tasks are withdrawn (done and missed ones stay)."""
    if not plan.is_active:
        raise TransitionError("inactive", _("The plan is already inactive."))
    return update_plan(plan, actor=actor, is_active=False)


def _drop_pending(plan: CheckPlan) -> None:
    CheckTask.objects.filter(plan=plan, status=TaskStatus.PENDING).delete()


# -- the scheduler ----------------------------------------------------------------------------------


def schedule_tasks(today: datetime.date | None = None, *, plans: QuerySet[CheckPlan] | None = None) -> int:
    """Create the task of the current period of every active plan that lacks one; return how many.

    Idempotent (the (plan, period_start) key; a concurrent run loses nothing, it only skips). Reads
    the plans as tuples in batches and writes with bulk inserts: cheap for thousands of plans. Never
    creates tasks for past periods: a plan that starts today gets today's period only.
    """
    today = today or timezone.localdate()
    queryset = plans if plans is not None else CheckPlan.objects.all()
    rows = (
        queryset.filter(is_active=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today) | Q(frequency=Frequency.ONCE))
        .order_by("pk")
        .values_list("pk", "enterprise_id", "frequency", "starts_on", "ends_on")
    )
    created = 0
    batch: list[tuple[int, int, rules.Period]] = []

    def flush() -> int:
        if not batch:
            return 0
        existing = set(
            CheckTask.objects.filter(
                plan_id__in=[plan_id for plan_id, _e, _p in batch],
                period_start__in={period.start for _pl, _e, period in batch},
            ).values_list("plan_id", "period_start")
        )
        new = [
            CheckTask(
                plan_id=plan_id,
                enterprise_id=enterprise_id,
                period_start=period.start,
                due_on=period.due,
                status=TaskStatus.PENDING,
            )
            for plan_id, enterprise_id, period in batch
            if (plan_id, period.start) not in existing
        ]
        CheckTask.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        batch.clear()
        return len(new)

    for plan_id, enterprise_id, frequency, starts_on, ends_on in rows.iterator(chunk_size=BATCH):
        period = rules.current_period(frequency, starts_on, ends_on, today)
        if period is not None:
            batch.append((plan_id, enterprise_id, period))
        if len(batch) >= BATCH:
            created += flush()
    created += flush()
    return created


def mark_missed(today: datetime.date | None = None) -> int:
    """Pending tasks past their due date become missed (one conditional UPDATE); return how many."""
    today = today or timezone.localdate()
    return CheckTask.objects.filter(status=TaskStatus.PENDING, due_on__lt=today).update(
        status=TaskStatus.MISSED
    )


# -- doing a check ----------------------------------------------------------------------------------


def is_overdue(task: CheckTask, today: datetime.date | None = None) -> bool:
    return task.status == TaskStatus.PENDING and task.due_on < (today or timezone.localdate())


def refusal_to_complete(task: CheckTask, today: datetime.date | None = None) -> TransitionError | None:
    if task.status == TaskStatus.DONE:
        return TransitionError("already_done", _("This check has already been done."))
    if task.status == TaskStatus.MISSED or is_overdue(task, today):
        return TransitionError("missed", _("This check was missed: its due date has passed."))
    return None


def _in_scope(model, pk: int, actor) -> None:
    if actor is not None and not model.objects.for_user(actor).filter(pk=pk).exists():
        raise PermissionDenied


def complete_task(
    task: CheckTask,
    *,
    actor,
    results: Mapping[int, tuple[str, str]],
    note: str = "",
    now: datetime.datetime | None = None,
) -> CheckTask:
    """Record the result of every current item of the plan (pass / fail / n.a. with a note)."""
    now = now or timezone.now()
    _in_scope(CheckTask, task.pk, actor)
    with transaction.atomic():
        task = CheckTask.objects.select_for_update().get(pk=task.pk)
        refusal = refusal_to_complete(task, timezone.localdate(now))
        if refusal is not None:
            raise refusal
        items = {item.pk: item for item in current_items(task.plan)}
        errors: dict[str, list[str]] = {}
        given = {}
        for raw_id, value in (results or {}).items():
            try:
                item_id = int(raw_id)
            except (TypeError, ValueError):
                item_id = None
            if item_id is None or item_id not in items:
                errors.setdefault("results", []).append(
                    _("Item {item} is not an item of this plan.").format(item=raw_id)
                )
                continue
            result, item_note = (tuple(value) + ("", ""))[:2]
            if result not in ItemResult.values:
                errors.setdefault(f"item_{item_id}", []).append(_("Choose pass, fail or not applicable."))
            elif len(item_note or "") > 500:
                errors.setdefault(f"item_{item_id}", []).append(_("The note is at most 500 characters."))
            given[item_id] = (result, (item_note or "").strip())
        for item_id in items:
            if item_id not in given:
                errors.setdefault(f"item_{item_id}", []).append(_("Give a result for this item."))
        if errors:
            raise ValidationError(errors)
        CheckResult.objects.bulk_create(
            CheckResult(task=task, item_id=item_id, result=result, note=item_note)
            for item_id, (result, item_note) in given.items()
        )
        task.status, task.done_at, task.done_by, task.note = TaskStatus.DONE, now, actor, (note or "").strip()
        task.save(update_fields=["status", "done_at", "done_by", "note"])
    return task


def raise_hazard_from_result(
    result: CheckResult,
    *,
    actor,
    title: str | None = None,
    grade: str = "general",
    criteria: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> Hazard:
    """One click: a failed item becomes a hidden danger (source self-check) linked from the result."""
    _in_scope(CheckTask, result.task_id, actor)
    with transaction.atomic():
        result = (
            CheckResult.objects.select_for_update().select_related("task__plan", "item").get(pk=result.pk)
        )
        if result.hazard_id is not None:
            raise TransitionError("already_raised", _("A hidden danger was already raised from this item."))
        if result.result != ItemResult.FAIL:
            raise TransitionError("not_failed", _("Only a failed item can be raised as a hidden danger."))
        task, item = result.task, result.item
        description = "\n".join(
            part
            for part in (
                result.note,
                _("Found by the self-check “{plan}” of the period starting {start}.").format(
                    plan=task.plan.name, start=task.period_start.isoformat()
                ),
                _("Basis: {basis}").format(basis=item.basis) if item.basis else "",
            )
            if part
        )
        hazard = hazard_services.report_hazard(
            actor=actor,
            title=((title or "").strip() or item.text)[:200],
            source="self_check",  # Source.SELF_CHECK
            enterprise=task.enterprise,
            description=description,
            grade=grade,
            criteria=criteria,
            note=_("Raised from a self-check."),
            now=now,
        )
        result.hazard = hazard
        result.save(update_fields=["hazard"])
    return hazard


# -- the self-check rate ----------------------------------------------------------------------------


def _check_range(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})


def _rate_counts(today: datetime.date) -> dict[str, Count]:
    return {
        "done": Count("pk", filter=Q(status=TaskStatus.DONE)),
        "missed": Count("pk", filter=Q(status=TaskStatus.MISSED)),
        "overdue": Count("pk", filter=Q(status=TaskStatus.PENDING, due_on__lt=today)),
    }


def _tasks_of(subject: Enterprise | QuerySet) -> QuerySet[CheckTask]:
    if isinstance(subject, Enterprise):
        return CheckTask.objects.filter(enterprise=subject)
    if subject.model is CheckTask:
        return subject
    if subject.model is Enterprise:
        return CheckTask.objects.filter(enterprise__in=subject)
    raise TypeError("an enterprise, or a queryset of enterprises or of check tasks")


def self_check_rate(
    subject: Enterprise | QuerySet,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> rules.Rate:
    """done / (done + missed + pending past due) of the tasks due between start and end (inclusive).

    `subject`: an enterprise, a queryset of enterprises, or a (scoped) queryset of tasks."""
    _check_range(start, end)
    today = today or timezone.localdate()
    counts = (
        _tasks_of(subject)
        .filter(due_on__gte=start, due_on__lte=end)
        .order_by()
        .aggregate(**_rate_counts(today))
    )
    return rules.Rate(**{k: v or 0 for k, v in counts.items()})


def rates_by_enterprise(
    tasks: QuerySet[CheckTask],
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
) -> dict[int, rules.Rate]:
    """The rate of each enterprise among `tasks` (one grouped query)."""
    _check_range(start, end)
    today = today or timezone.localdate()
    rows = (
        tasks.filter(due_on__gte=start, due_on__lte=end)
        .order_by()
        .values("enterprise_id")
        .annotate(**_rate_counts(today))
    )
    return {
        row["enterprise_id"]: rules.Rate(done=row["done"], missed=row["missed"], overdue=row["overdue"])
        for row in rows
    }
