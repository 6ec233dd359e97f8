"""Custodians of major hazard sources (包保责任制): setting the three custodians, their duty schedules,
the hourly generation of duty tasks, doing a task (checklist + evidence) and flagging missed ones.

Timing and defaults live in rules_custodians.py. Bad values raise `ValidationError({field: message})`
and nothing is written; acting outside one's jurisdiction raises PermissionDenied (pages answer 404).
Each generated task gets a core deadline (`core.escalation`) so that a late or missed duty climbs the
ladder (custodian → enterprise → bureau, see escalation_actions.py); doing the task closes it.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, uploads
from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline
from yingji.registry import rules_custodians as rules
from yingji.registry.models_sources import (
    Custodian,
    DutyEvidence,
    DutySchedule,
    DutyTask,
    MajorHazardSource,
)

MAX_PHOTOS = 9
CUSTODIAN_FIELDS = ("name", "title", "phone", "user")


# -- scope ------------------------------------------------------------------------------------------


def sources_for(actor) -> QuerySet[MajorHazardSource]:
    return MajorHazardSource.objects.for_user(actor)


def _check_source(source: MajorHazardSource, actor) -> None:
    if actor is not None and not sources_for(actor).filter(pk=source.pk).exists():
        raise PermissionDenied


def custodians_of(source: MajorHazardSource) -> dict[str, Custodian]:
    return {c.role: c for c in source.custodians.select_related("user")}


# -- custodians -------------------------------------------------------------------------------------


def _custodian_errors(entry: Mapping[str, Any], source: MajorHazardSource, prefix: str) -> dict:
    errors: dict[str, list[str]] = {}
    if not str(entry.get("name") or "").strip():
        errors[f"{prefix}name"] = [_("Give the custodian's name.")]
    user = entry.get("user")
    if user is not None and getattr(user, "enterprise_id", None) != source.enterprise_id:
        errors[f"{prefix}user"] = [_("The user account must belong to the source's enterprise.")]
    return errors


def set_custodians(
    source: MajorHazardSource,
    *,
    actor,
    entries: Sequence[Mapping[str, Any]],
    now: datetime.datetime | None = None,
) -> dict[str, Custodian]:
    """Set the three custodians at once (all or nothing): `entries` holds one mapping per role with
    `role`, `name`, `title`, `phone` and optionally `user` (an account of the source's enterprise).

    Missing duty schedules are created with the defaults, and pending tasks follow the new custodian.
    """
    _check_source(source, actor)
    roles = [str(e.get("role") or "") for e in entries]
    errors: dict[str, list[str]] = {}
    unknown = [r for r in roles if r not in rules.ROLES]
    if unknown:
        errors["role"] = [_("Unknown custodian role: {role}.").format(role=", ".join(unknown))]
    counts = rules.role_counts([r for r in roles if r in rules.ROLES])
    for role, count in counts.items():
        if count == 0:
            errors.setdefault(f"{role}-name", []).append(_("Each source needs all three custodians."))
        elif count > 1:
            errors.setdefault("role", []).append(
                _("A source has one custodian per role; {role} is given {n} times.").format(
                    role=role, n=count
                )
            )
    for entry in entries:
        if entry.get("role") in rules.ROLES:
            errors.update(_custodian_errors(entry, source, f"{entry['role']}-"))
    if errors:
        raise ValidationError(errors)
    saved: dict[str, Custodian] = {}
    with transaction.atomic(), audit.acting_as(actor, audit.current_actor().ip):
        current = custodians_of(source)
        for entry in entries:
            role = str(entry["role"])
            custodian = current.get(role) or Custodian(source=source, role=role)
            custodian.name = str(entry.get("name") or "").strip()
            custodian.title = str(entry.get("title") or "").strip()
            custodian.phone = str(entry.get("phone") or "").strip()
            custodian.user = entry.get("user")
            try:
                custodian.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    {f"{role}-{field}": messages for field, messages in error.message_dict.items()}
                ) from None
            custodian.save()
            saved[role] = custodian
            DutyTask.objects.filter(source=source, role=role, status=rules.PENDING).exclude(
                custodian=custodian
            ).update(custodian=custodian)
        ensure_default_schedules(source, actor=actor, now=now)
    return saved


# -- schedules --------------------------------------------------------------------------------------


def _cadence_message(code: str) -> str:
    return {
        "not_a_number": _("Give the number of days as a whole number."),
        "too_small": _("The duty recurs at least every {n} day.").format(n=rules.MIN_CADENCE_DAYS),
        "too_large": _("The duty recurs at most every {n} days.").format(n=rules.MAX_CADENCE_DAYS),
    }[code]


def _checked_checklist(items: Sequence[str]) -> list[str]:
    cleaned = rules.clean_checklist(items)
    if not cleaned:
        raise ValidationError({"checklist": _("Add at least one checklist item.")})
    if len(cleaned) > rules.MAX_CHECKLIST_ITEMS:
        raise ValidationError({"checklist": _("At most {n} items.").format(n=rules.MAX_CHECKLIST_ITEMS)})
    long = [t for t in cleaned if len(t) > rules.MAX_ITEM_LENGTH]
    if long:
        raise ValidationError(
            {
                "checklist": _("An item is at most {n} characters: {text}…").format(
                    n=rules.MAX_ITEM_LENGTH, text=long[0][:20]
                )
            }
        )
    return cleaned


def save_schedule(
    source: MajorHazardSource,
    *,
    actor,
    role: str,
    title: str = "",
    cadence_days: int | None = None,
    checklist: Sequence[str] | None = None,
    next_due_at: datetime.datetime | None = None,
    is_active: bool = True,
    schedule: DutySchedule | None = None,
    now: datetime.datetime | None = None,
) -> DutySchedule:
    """Create (schedule=None) or update a duty schedule; what is not given takes the role's default."""
    now = now or timezone.now()
    _check_source(source, actor)
    if role not in rules.ROLES:
        raise ValidationError({"role": _("Choose a valid custodian role.")})
    default = rules.default_for(role)
    cadence = default.cadence_days if cadence_days is None else cadence_days
    problem = rules.cadence_error(cadence)
    if problem:
        raise ValidationError({"cadence_days": _cadence_message(problem)})
    items = _checked_checklist(list(default.checklist) if checklist is None else checklist)
    if schedule is not None and schedule.source_id != source.pk:
        raise ValidationError({"schedule": _("This duty belongs to another source.")})
    reactivated = schedule is not None and is_active and not schedule.is_active
    schedule = schedule or DutySchedule(source=source)
    schedule.role = role
    schedule.title = (title or "").strip() or default.title
    schedule.cadence_days = cadence
    schedule.checklist = items
    schedule.is_active = bool(is_active)
    if next_due_at is not None:
        schedule.next_due_at = next_due_at
    elif schedule.pk is None or reactivated:  # no catching up on periods while it was stopped
        schedule.next_due_at = rules.first_due(timezone.localtime(now), cadence)
    schedule.full_clean()
    with transaction.atomic(), audit.acting_as(actor, audit.current_actor().ip):
        schedule.save()
        if not schedule.is_active:
            _withdraw_pending(schedule, actor=actor, now=now)
        else:
            generate_tasks(now, schedules=active_schedules().filter(pk=schedule.pk))
    return schedule


def ensure_default_schedules(
    source: MajorHazardSource, *, actor, now: datetime.datetime | None = None
) -> list[DutySchedule]:
    """Give each role that has no schedule yet its default duty (the 办法's minimum rhythm)."""
    have = set(source.duty_schedules.values_list("role", flat=True))
    return [
        save_schedule(source, actor=actor, role=role, now=now) for role in rules.ROLES if role not in have
    ]


def _withdraw_pending(schedule: DutySchedule, *, actor, now: datetime.datetime) -> None:
    """A stopped duty has nothing pending: its open tasks go (with their deadlines)."""
    pending = list(schedule.tasks.filter(status=rules.PENDING).values_list("pk", flat=True))
    for task_id in pending:
        _close_deadline(DutyTask(pk=task_id), actor=actor, now=now)
    DutyTask.objects.filter(pk__in=pending).delete()


# -- generation -------------------------------------------------------------------------------------


def active_schedules() -> QuerySet[DutySchedule]:
    return DutySchedule.objects.filter(
        is_active=True, source__is_major=True, source__status="in_use"
    ).select_related("source")


def generate_tasks(now: datetime.datetime | None = None, *, schedules: QuerySet | None = None) -> int:
    """Create the task of every period that has opened by `now` (idempotent: a task is unique per
    schedule and due time, and the schedule's next due time moves past it in the same transaction).
    Returns the number of tasks created."""
    now = now or timezone.now()
    queryset = (active_schedules() if schedules is None else schedules).filter(
        is_active=True, next_due_at__lte=now + datetime.timedelta(days=rules.MAX_CADENCE_DAYS)
    )
    created = 0
    for schedule_id in list(queryset.values_list("pk", flat=True)):
        created += _generate_for(schedule_id, now)
    return created


def _generate_for(schedule_id: int, now: datetime.datetime) -> int:
    with transaction.atomic():
        schedule = DutySchedule.objects.select_for_update().select_related("source").get(pk=schedule_id)
        dates, next_due = rules.due_dates(schedule.next_due_at, schedule.cadence_days, now)
        if not dates:
            return 0
        source = schedule.source
        custodian = source.custodians.filter(role=schedule.role).select_related("user").first()
        created = 0
        for due_at in dates:
            task, is_new = DutyTask.objects.get_or_create(
                schedule=schedule,
                due_at=due_at,
                defaults={
                    "source": source,
                    "division_id": source.division_id,
                    "enterprise_id": source.enterprise_id,
                    "role": schedule.role,
                    "custodian": custodian,
                },
            )
            if not is_new:
                continue
            created += 1
            if due_at > now:
                escalation.attach_deadline(
                    task,
                    due_at=due_at,
                    assignee=custodian.user if custodian and custodian.user_id else None,
                    actor=None,
                    now=now,
                )
        schedule.next_due_at = next_due
        schedule.save(update_fields=["next_due_at"])
    return created


# -- missed -----------------------------------------------------------------------------------------


def mark_missed(now: datetime.datetime | None = None) -> list[int]:
    """Pending tasks whose grace has passed become missed; returns their ids. Their deadlines stay
    open: the ladder goes on to the bureau (see escalation_actions)."""
    now = now or timezone.now()
    earliest_grace = rules.grace(rules.MIN_CADENCE_DAYS)
    candidates = DutyTask.objects.filter(status=rules.PENDING, due_at__lte=now - earliest_grace).values_list(
        "pk", "due_at", "schedule__cadence_days"
    )
    missed = [
        pk for pk, due_at, cadence in candidates if rules.is_missed(rules.PENDING, due_at, cadence, now)
    ]
    if missed:
        DutyTask.objects.filter(pk__in=missed, status=rules.PENDING).update(status=rules.MISSED)
        from yingji.registry import notifications_custodians

        notifications_custodians.tasks_missed(missed, now=now)
    return missed


def run_schedule(now: datetime.datetime | None = None) -> tuple[int, int]:
    """The hourly job: flag missed tasks, then create the tasks of opened periods."""
    now = now or timezone.now()
    missed = mark_missed(now)
    created = generate_tasks(now)
    return created, len(missed)


# -- doing a task -----------------------------------------------------------------------------------


def refusal_to_complete(task: DutyTask, actor) -> str | None:
    """Why `actor` may not do this task (a message), or None."""
    if task.status != rules.PENDING:
        return _("This duty is no longer pending.")
    if actor is not None and getattr(actor, "enterprise_id", None) != task.enterprise_id:
        return _("Only the enterprise's own users record its custodians' duties.")
    return None


def _answers(checklist: Sequence[str], results: Any) -> tuple[dict[int, tuple[str, str]], dict]:
    """Normalise results given as {index: (answer, note)} or [{"answer", "note"}, ...] in order."""
    given: dict[int, tuple[str, str]] = {}
    errors: dict[str, list[str]] = {}
    if isinstance(results, Mapping):
        pairs: Iterable = results.items()
    elif isinstance(results, (list, tuple)):
        pairs = enumerate(results)
    else:
        pairs = ()
    for raw_index, value in pairs:
        try:
            index = int(raw_index)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(checklist):
            errors.setdefault("results", []).append(
                _("Item {item} is not on this duty's checklist.").format(item=raw_index)
            )
            continue
        if isinstance(value, Mapping):
            answer, note = value.get("answer", ""), value.get("note", "")
        elif isinstance(value, (list, tuple)):
            answer, note = (tuple(value) + ("", ""))[:2]
        else:
            answer, note = value, ""
        note = str(note or "").strip()
        if len(note) > 500:
            errors.setdefault(f"item_{index}", []).append(_("The note is at most 500 characters."))
        given[index] = (str(answer or ""), note)
    for index in rules.missing_answers(checklist, {i: a for i, (a, _n) in given.items()}):
        errors.setdefault(f"item_{index}", []).append(
            _("Answer this item: done, problem found or not applicable.")
        )
    return given, errors


def complete_task(
    task: DutyTask,
    *,
    actor,
    results: Any,
    note: str = "",
    photos: Sequence = (),
    now: datetime.datetime | None = None,
) -> DutyTask:
    """Record a duty as done: every checklist item answered, and evidence (a note and/or photos)."""
    now = now or timezone.now()
    if actor is not None and not DutyTask.objects.for_user(actor).filter(pk=task.pk).exists():
        raise PermissionDenied
    images = []
    errors: dict[str, list[str]] = {}
    if len(photos or ()) > MAX_PHOTOS:
        errors["photos"] = [_("At most {n} photos.").format(n=MAX_PHOTOS)]
    else:
        for upload in photos or ():
            try:
                images.append(uploads.validate_image(upload, field="photos"))
            except ValidationError as error:
                errors.setdefault("photos", []).extend(error.message_dict.get("photos", error.messages))
    with transaction.atomic():
        task = DutyTask.objects.select_for_update().select_related("schedule").get(pk=task.pk)
        refusal = refusal_to_complete(task, actor)
        if refusal is not None:
            if task.status != rules.PENDING:
                raise ValidationError({"status": refusal})
            raise PermissionDenied(refusal)
        checklist = list(task.schedule.checklist or [])
        given, answer_errors = _answers(checklist, results)
        errors.update(answer_errors)
        note = (note or "").strip()
        if not rules.has_evidence(note, len(images)):
            errors.setdefault("evidence_note", []).append(
                _("Completion needs evidence: describe what was done or add a photo.")
            )
        if errors:
            raise ValidationError(errors)
        task.results = [
            {"item": text, "answer": given[i][0], "note": given[i][1]} for i, text in enumerate(checklist)
        ]
        task.evidence_note = note
        task.status, task.done_at, task.done_by = rules.DONE, now, actor
        task.save(update_fields=["results", "evidence_note", "status", "done_at", "done_by"])
        for image in images:
            DutyEvidence.objects.create(task=task, **image.fields())
        _close_deadline(task, actor=actor, now=now)
    return task


def _close_deadline(task: DutyTask, *, actor, now: datetime.datetime) -> None:
    deadline = Deadline.objects.for_object(task).open().first()
    if deadline is not None:
        with contextlib.suppress(ValidationError, IntegrityError):  # closed meanwhile by someone else
            escalation.close_deadline(deadline, actor=actor, now=now)


# -- reading ----------------------------------------------------------------------------------------


def enterprise_users_for(source: MajorHazardSource) -> QuerySet:
    """Accounts that may be linked to a custodian of this source."""
    return (
        get_user_model()
        .objects.filter(enterprise_id=source.enterprise_id, is_active=True)
        .order_by("full_name", "username")
    )


def duty_summary(source: MajorHazardSource, now: datetime.datetime | None = None) -> dict[str, dict]:
    """Per role: the custodian, the schedule, the latest task and its state (for the source card)."""
    now = now or timezone.now()
    custodians = custodians_of(source)
    schedules = {s.role: s for s in source.duty_schedules.filter(is_active=True).order_by("id")}
    latest: dict[str, DutyTask] = {}
    for task in DutyTask.objects.filter(source=source).order_by("role", "-due_at"):
        latest.setdefault(task.role, task)
    missed = dict.fromkeys(rules.ROLES, 0)
    for role in DutyTask.objects.filter(source=source, status=rules.MISSED).values_list("role", flat=True):
        missed[role] = missed.get(role, 0) + 1
    summary = {}
    for role in rules.ROLES:
        task = latest.get(role)
        summary[role] = {
            "custodian": custodians.get(role),
            "schedule": schedules.get(role),
            "task": task,
            "state": rules.state(task.status, task.due_at, now) if task else "",
            "missed": missed.get(role, 0),
        }
    return summary
