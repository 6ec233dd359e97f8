"""Deadline and escalation use cases, and the periodic pass that fires due steps.

Apps register what an action does with `register_action(name, handler, model=Model)`; a handler receives a
`Firing` and returns a short outcome text. Handlers run inside the pass's transaction and must do
their outside work after commit (`transaction.on_commit`, e.g. messaging deliveries), so a step that
is rolled back leaves nothing behind. Without a handler the step is only recorded.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.core.escalation import rules
from yingji.core.escalation.models import (
    Deadline,
    DeadlineState,
    EscalationEvent,
    EscalationLadder,
    EscalationStep,
    ExtensionRequest,
    ExtensionState,
)

log = logging.getLogger(__name__)


# -- actions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """What a handler learns about the step it carries out (load the record only if needed)."""

    deadline_id: int
    content_type_id: int
    object_id: str
    assignee_id: int | None
    due_at: datetime.datetime
    step_id: int
    action: str
    now: datetime.datetime
    # Shared by every firing of one pass: handlers may keep lookups there (the people to tell about a
    # division, say) instead of repeating them for each of thousands of records.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


ActionHandler = Callable[[Firing], str | None]
# action name -> {model label ("hazards.hazard") or None for any record: handler}
_handlers: dict[str, dict[str | None, ActionHandler]] = {}


def record_only(firing: Firing) -> str:
    return "recorded"


def _label(model) -> str | None:
    if model is None:
        return None
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register_action(name: str, handler: ActionHandler, model=None) -> None:
    """Make `handler` carry out the ladder action `name` (the last registration wins).

    With `model` (a model class or "app_label.model") the handler acts only for deadlines of that
    model's records, so several apps can each give the same action a meaning for their own records;
    without it, it acts for any record that has no model-specific handler.
    """
    _handlers.setdefault(name, {})[_label(model)] = handler


def unregister_action(name: str, model=None) -> None:
    _handlers.get(name, {}).pop(_label(model), None)


def handler_for(action: str, content_type_id: int) -> ActionHandler:
    """The handler of `action` for records of this content type (record_only when none)."""
    table = _handlers.get(action)
    if not table:
        return record_only
    if len(table) > 1 or None not in table:
        content_type = ContentType.objects.get_for_id(content_type_id)  # cached by Django
        handler = table.get(f"{content_type.app_label}.{content_type.model}")
        if handler is not None:
            return handler
    return table.get(None, record_only)


def _handler(firing: Firing) -> ActionHandler:
    key = ("core.handler", firing.action, firing.content_type_id)  # looked up once per pass
    handler = firing.memo.get(key)
    if handler is None:
        handler = firing.memo[key] = handler_for(firing.action, firing.content_type_id)
    return handler


def _needs_handler(firing: Firing) -> bool:
    """Whether the step has a handler to run later (False for record_only, the common case by far)."""
    return _handler(firing) is not record_only


def _dispatch(firing: Firing) -> str:
    """Run the handler of a firing in a savepoint (none for record_only, the common case by far), so
    that a handler's failed writes are undone alone and the batch around it goes on."""
    handler = _handler(firing)
    if handler is record_only:
        return "recorded"
    try:
        with transaction.atomic():
            return (handler(firing) or "")[:200]
    except Exception as exc:  # a broken handler must not stop the ladder of every other record
        log.exception("escalation handler %s failed for deadline %s", firing.action, firing.deadline_id)
        return f"error: {type(exc).__name__}"[:200]


# -- ladders ----------------------------------------------------------------------------------------


def create_ladder(*, name: str, steps: Sequence[rules.Step], division=None, actor=None) -> EscalationLadder:
    with transaction.atomic():
        ladder = EscalationLadder.objects.create(name=name, division=division)
        EscalationStep.objects.bulk_create(
            EscalationStep(
                ladder=ladder, order=s.order or i + 1, offset_minutes=s.offset_minutes, action=s.action
            )
            for i, s in enumerate(steps)
        )
        audit.record(
            "create",
            ladder,
            user=actor,
            changes={"after": {"division_id": ladder.division_id, "steps": [s.__dict__ for s in steps]}},
        )
    return ladder


def default_ladder() -> EscalationLadder:
    """The ladder without a division, created from `rules.DEFAULT_LADDER` the first time it is needed."""
    ladder = EscalationLadder.objects.filter(division__isnull=True).order_by("pk").first()
    if ladder is None:
        ladder = create_ladder(name="Default", steps=rules.DEFAULT_LADDER)
    return ladder


def ladder_for(division) -> EscalationLadder:
    """The ladder of the nearest division (itself, then its ancestors) that has one, else the default."""
    node = division
    while node is not None:
        ladder = EscalationLadder.objects.filter(division=node).order_by("pk").first()
        if ladder is not None:
            return ladder
        node = node.parent
    return default_ladder()


def ladder_steps(ladder_id: int) -> list[tuple[int, rules.Step]]:
    """(step id, rule step) in firing order."""
    rows = EscalationStep.objects.filter(ladder_id=ladder_id).values_list(
        "id", "offset_minutes", "action", "order"
    )
    pairs = [(pk, rules.Step(offset, action, order)) for pk, offset, action, order in rows]
    return sorted(pairs, key=lambda p: (p[1].offset_minutes, p[1].order))


class _Ladders:
    """Steps per ladder, loaded once per pass."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[list[int], list[rules.Step]]] = {}
        self.memo: dict = {}  # Firing.memo of the pass

    def get(self, ladder_id: int) -> tuple[list[int], list[rules.Step]]:
        if ladder_id not in self._cache:
            pairs = ladder_steps(ladder_id)
            self._cache[ladder_id] = ([p[0] for p in pairs], [p[1] for p in pairs])
        return self._cache[ladder_id]


# -- deadlines --------------------------------------------------------------------------------------


def _open_deadline_of(obj) -> Deadline:
    if isinstance(obj, Deadline):
        return obj
    deadline = Deadline.objects.for_object(obj).open().first()
    if deadline is None:
        raise ValidationError(_("This record has no open deadline."))
    return deadline


def _times(deadline: Deadline) -> dict:
    return {
        "due_at": audit._plain(deadline.due_at),
        "next_step_index": deadline.next_step_index,
        "next_step_at": audit._plain(deadline.next_step_at),
        "state": deadline.state,
    }


def attach_deadline(
    obj: models.Model,
    *,
    due_at: datetime.datetime,
    assignee=None,
    ladder: EscalationLadder | None = None,
    actor,
    now: datetime.datetime | None = None,
) -> Deadline:
    """Give a record (any model instance) a deadline and put it on an escalation ladder."""
    now = now or timezone.now()
    if due_at <= now:
        raise ValidationError({"due_at": _("The deadline must be in the future.")})
    if ladder is None:
        ladder = ladder_for(getattr(obj, "division", None))
    content_type = ContentType.objects.get_for_model(obj)
    _step_ids, steps = _Ladders().get(ladder.pk)
    with transaction.atomic():
        if Deadline.objects.filter(content_type=content_type, object_id=str(obj.pk)).open().exists():
            raise ValidationError(_("This record already has an open deadline."))
        deadline = Deadline.objects.create(
            content_type=content_type,
            object_id=str(obj.pk),
            due_at=due_at,
            assignee=assignee,
            ladder=ladder,
            next_step_index=0,
            next_step_at=rules.next_step_at(steps, due_at, 0),
        )
        audit.record("create", deadline, user=actor, changes={"after": _times(deadline)})
    return deadline


def close_deadline(obj, *, actor, now: datetime.datetime | None = None) -> Deadline:
    """Stop the ladder of a record (its loop is closed). Fired steps stay in the history."""
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=_open_deadline_of(obj).pk)
        if deadline.state != DeadlineState.OPEN:
            raise ValidationError(_("The deadline is already closed."))
        before = _times(deadline)
        deadline.state = DeadlineState.CLOSED
        deadline.closed_at = now or timezone.now()
        deadline.next_step_at = None
        deadline.save(update_fields=["state", "closed_at", "next_step_at"])
        audit.record("update", deadline, user=actor, changes={"before": before, "after": _times(deadline)})
    return deadline


def request_extension(
    deadline: Deadline, *, new_due_at: datetime.datetime, reason: str, actor
) -> ExtensionRequest:
    """申请延期: ask for a later deadline (decided by someone else)."""
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.state != DeadlineState.OPEN:
            raise ValidationError(_("The deadline is closed; it can no longer be extended."))
        if new_due_at <= deadline.due_at:
            raise ValidationError({"new_due_at": _("The new deadline must be later than the current one.")})
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give a reason for the extension.")})
        if deadline.extensions.filter(state=ExtensionState.REQUESTED).exists():
            raise ValidationError(_("An extension request is already waiting for a decision."))
        request = ExtensionRequest.objects.create(
            deadline=deadline,
            requested_by=actor,
            old_due_at=deadline.due_at,
            new_due_at=new_due_at,
            reason=reason.strip(),
        )
        audit.record(
            "create",
            request,
            user=actor,
            changes={"after": {"deadline_id": deadline.pk, "new_due_at": audit._plain(new_due_at)}},
        )
    return request


def _decide(request: ExtensionRequest, actor) -> tuple[ExtensionRequest, Deadline]:
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ExtensionState.REQUESTED:
        raise ValidationError(_("This extension request has already been decided."))
    if actor is None or actor.pk == request.requested_by_id:
        raise ValidationError(_("An extension request must be decided by someone other than the requester."))
    deadline = Deadline.objects.select_for_update().get(pk=request.deadline_id)
    return request, deadline


def approve_extension(request: ExtensionRequest, *, actor, note: str = "") -> ExtensionRequest:
    """Move the deadline to the requested date; steps already fired stay fired, the rest move along."""
    with transaction.atomic():
        request, deadline = _decide(request, actor)
        if deadline.state != DeadlineState.OPEN:
            raise ValidationError(_("The deadline is closed; it can no longer be extended."))
        if request.new_due_at <= deadline.due_at:
            raise ValidationError({"new_due_at": _("The new deadline must be later than the current one.")})
        before = _times(deadline)
        _step_ids, steps = _Ladders().get(deadline.ladder_id)
        position = rules.reschedule(steps, request.new_due_at, deadline.next_step_index)
        deadline.due_at = request.new_due_at
        deadline.next_step_at = position.next_step_at
        deadline.save(update_fields=["due_at", "next_step_at"])
        request.state = ExtensionState.APPROVED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.note = note[:500]
        request.save(update_fields=["state", "decided_by", "decided_at", "note"])
        audit.record(
            "update",
            deadline,
            user=actor,
            changes={"before": before, "after": _times(deadline)},
            note=f"extension {request.pk} approved",
        )
    return request


def reject_extension(request: ExtensionRequest, *, actor, note: str = "") -> ExtensionRequest:
    with transaction.atomic():
        request, _deadline = _decide(request, actor)
        request.state = ExtensionState.REJECTED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.note = note[:500]
        request.save(update_fields=["state", "decided_by", "decided_at", "note"])
        audit.record(
            "update",
            request,
            user=actor,
            changes={"before": {"state": ExtensionState.REQUESTED}, "after": {"state": request.state}},
            note=note[:500],
        )
    return request


# -- the periodic pass ------------------------------------------------------------------------------

_ROW = (
    "id",
    "content_type_id",
    "object_id",
    "assignee_id",
    "ladder_id",
    "due_at",
    "next_step_index",
    "next_step_at",
)


class _Raced(Exception):
    """Another worker (or an extension, or a close) moved some of the batch since we read it."""


def fire_step(deadline: Deadline, index: int, *, now: datetime.datetime | None = None) -> bool:
    """Fire step `index` of a deadline as last read: claimed by a conditional UPDATE on its position,
    backed by the UNIQUE (deadline, step) of the event.

    Returns False when the deadline is no longer where `deadline` says (closed, extended, or moved
    past the step by another worker) or the step's event already exists.
    """
    now = now or timezone.now()
    step_ids, steps = _Ladders().get(deadline.ladder_id)
    row = tuple(getattr(deadline, field) for field in _ROW)
    return _fire_one(row, index, deadline.next_step_at, step_ids, steps, now, {})[1]


def _fire_one(
    row, index: int, at, step_ids: list[int], steps: list[rules.Step], now, memo: dict
) -> tuple[datetime.datetime | None, bool]:
    """Claim the deadline at step `index` (next_step_at `at`), then record the event and act.

    Returns (the new next_step_at, or the sentinel _LOST when the claim failed; whether it fired).
    """
    pk, content_type_id, object_id, assignee_id, _ladder, due_at, _index, _at = row
    firing = Firing(
        pk, content_type_id, object_id, assignee_id, due_at, step_ids[index], steps[index].action, now, memo
    )
    position = rules.after_firing(steps, due_at, [index])
    with transaction.atomic():
        claimed = Deadline.objects.filter(
            pk=pk, state=DeadlineState.OPEN, next_step_index=index, next_step_at=at
        ).update(next_step_index=position.next_step_index, next_step_at=position.next_step_at)
        if not claimed:
            return _LOST, False  # closed, extended, or moved past this step by another worker
        pending = _needs_handler(firing)
        try:
            with transaction.atomic():
                EscalationEvent.objects.create(
                    deadline_id=pk,
                    step_id=firing.step_id,
                    fired_at=now,
                    action=firing.action,
                    outcome="" if pending else "recorded",
                    handled_at=None if pending else now,
                )
        except IntegrityError:
            return position.next_step_at, False  # already recorded: move on, nothing fires twice
    return position.next_step_at, True


_LOST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


_CHUNK = 5000  # rows per array statement (PostgreSQL)


def _chunks(items: list, size: int = _CHUNK):
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _pg_execute(sql: str, params: list) -> int:
    """One statement with binary, server-side parameters (arrays of 5,000 values dump fast that way).

    Django's PostgreSQL cursors bind on the client and render each array as text; this cursor runs on
    the same connection, inside the same transaction, with Django's error wrapping.
    """
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.rowcount


def _advance_many(updates: list[tuple]) -> int:
    """Conditional UPDATE on the old position for many rows; returns the rows changed.

    SQLite runs in-process, so executemany is the fast path. PostgreSQL gets one UPDATE ... FROM
    unnest(arrays) per chunk, as a statement per row costs a round trip, a parse and a plan.
    """
    table = connection.ops.quote_name(Deadline._meta.db_table)
    open_ = str(DeadlineState.OPEN)
    if connection.vendor != "postgresql":
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET next_step_index = %s, next_step_at = %s "
                "WHERE id = %s AND next_step_index = %s AND next_step_at = %s AND state = %s",
                [(new, adapt(at), pk, old, adapt(old_at), open_) for new, at, pk, old, old_at in updates],
            )
            return cursor.rowcount
    changed = 0
    # In primary-key order: the heap pages and index leaves are visited in their physical order (far
    # fewer pages dirtied per batch than in next_step_at order), and concurrent workers lock alike.
    for chunk in _chunks(sorted(updates, key=lambda u: u[2])):
        new, at, pk, old, old_at = (list(column) for column in zip(*chunk, strict=True))
        changed += _pg_execute(
            f"UPDATE {table} AS d SET next_step_index = v.new, next_step_at = v.at "
            "FROM unnest(%s::bigint[], %s::int[], %s::timestamptz[], %s::int[], %s::timestamptz[]) "
            "AS v(id, old, old_at, new, at) "
            # `id = ANY` keeps the plan on the primary key instead of hashing the whole table.
            "WHERE d.id = ANY(%s::bigint[]) AND d.id = v.id AND d.next_step_index = v.old "
            "AND d.next_step_at = v.old_at AND d.state = %s",
            [pk, old, old_at, new, at, pk, open_],
        )
    return changed


def _insert_events(firings: list[Firing], now: datetime.datetime) -> None:
    """Insert the events without ORM objects (the hot path of the pass). Steps with a handler are left
    pending (handled_at NULL) for `process_escalation_events`.

    A duplicate (deadline, step) raises IntegrityError: the caller redoes the batch item by item.
    """
    if not firings:
        return
    table = connection.ops.quote_name(EscalationEvent._meta.db_table)
    columns = "(deadline_id, step_id, fired_at, action, outcome, handled_at)"
    rows = [(f.deadline_id, f.step_id, f.action, _needs_handler(f)) for f in firings]
    if connection.vendor != "postgresql":
        fired_at = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (d, s, fired_at, a, "" if p else "recorded", None if p else fired_at)
                    for d, s, a, p in rows
                ],
            )
        return
    # COPY: the rows stream in the C text format, much cheaper on the client than binding arrays.
    # By deadline (a stable sort: a deadline's steps keep their ladder order), so the UNIQUE
    # (deadline, step) index is written in order. A duplicate raises IntegrityError as an INSERT would.
    import psycopg

    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        psycopg.Cursor(connection.connection) as cursor,
        cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy,
    ):
        for deadline_id, step_id, action, pending in sorted(rows, key=lambda r: r[0]):
            copy.write_row(
                (deadline_id, step_id, now, action, "" if pending else "recorded", None if pending else now)
            )


def _fire_batch(rows: list[tuple], now: datetime.datetime, ladders: _Ladders) -> int:
    firings: list[Firing] = []
    updates: list[tuple] = []
    for row in rows:
        pk, content_type_id, object_id, assignee_id, ladder_id, due_at, index, at = row
        step_ids, steps = ladders.get(ladder_id)
        due = rules.due_steps(steps, due_at, index, now)
        # Nothing due despite next_step_at <= now means the ladder changed: re-seat the deadline.
        position = rules.after_firing(steps, due_at, due) if due else rules.reschedule(steps, due_at, index)
        updates.append((position.next_step_index, position.next_step_at, pk, index, at))
        for i in due:
            firings.append(
                Firing(
                    pk,
                    content_type_id,
                    object_id,
                    assignee_id,
                    due_at,
                    step_ids[i],
                    steps[i].action,
                    now,
                    ladders.memo,
                )
            )
    try:
        with transaction.atomic():
            # Claim first: the conditional UPDATE fails for rows that moved since we read them.
            if _advance_many(updates) != len(updates):
                raise _Raced
            _insert_events(firings, now)
        return len(firings)
    except (IntegrityError, _Raced):
        # Rolled back (handlers' writes and on_commit callbacks with it): redo the batch item by item.
        fired = 0
        for row in rows:
            step_ids, steps = ladders.get(row[4])
            due_at, index, at = row[5], row[6], row[7]
            due = rules.due_steps(steps, due_at, index, now)
            for i in due:
                at, done = _fire_one(row, i, at, step_ids, steps, now, ladders.memo)
                fired += done
                if at is _LOST:
                    break  # the row changed under us; the next pass reads it afresh
            if not due:
                position = rules.reschedule(steps, due_at, index)
                Deadline.objects.filter(
                    pk=row[0], state=DeadlineState.OPEN, next_step_index=index, next_step_at=at
                ).update(next_step_at=position.next_step_at)
        return fired


def _due_rows(now: datetime.datetime, since: datetime.datetime | None, batch: int) -> list[tuple]:
    """The next `batch` due deadlines (the _ROW columns) from `since` on, in next_step_at order.

    PostgreSQL reads them in the binary format through psycopg's C loaders: Django's text loader of
    timestamptz is Python code, and it was the largest client cost of the pass.
    """
    if connection.vendor != "postgresql":
        due = Deadline.objects.filter(next_step_at__lte=now, state=DeadlineState.OPEN)
        if since is not None:
            due = due.filter(next_step_at__gte=since)
        return list(due.order_by("next_step_at").values_list(*_ROW)[:batch])
    import psycopg

    table = connection.ops.quote_name(Deadline._meta.db_table)
    walk = "" if since is None else " AND next_step_at >= %s"
    params = [now, str(DeadlineState.OPEN)] + ([] if since is None else [since]) + [batch]
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"SELECT {', '.join(_ROW)} FROM {table} WHERE next_step_at <= %s AND state = %s{walk} "
            "ORDER BY next_step_at LIMIT %s",
            params,
            binary=True,
        )
        return cursor.fetchall()


def _relax_commit() -> None:
    """PostgreSQL: do not wait for this transaction's WAL flush at commit (SET LOCAL: this transaction only).

    A server crash may lose the last fraction of a second of batches; they are lost whole (positions
    and events together) and fire again on the next pass. Nothing can be half done.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def run_escalation_pass(
    now: datetime.datetime | None = None, batch: int = 5000, *, handle: bool = True
) -> int:
    """Fire every step due at `now` (missed ones too, in order); returns the number of steps fired.

    Firing records the step (EscalationEvent); the steps' handlers then run in
    `process_escalation_events`, here at the end when `handle` (the periodic task runs them as a task
    of their own, so a pass is never held up by the messages of a previous one).

    Set-based: due deadlines come from the index on next_step_at, `batch` at a time, one transaction
    per batch, walking the index forward (a fired deadline's next step is always after `now`, so
    nothing behind the walk is left to do, and PostgreSQL need not step over the old index entries).
    No row locks are taken on reading: the batch is claimed by a conditional UPDATE on the old
    positions, and the events' UNIQUE (deadline, step) backs it up; when either finds that something
    else got there first, the batch is rolled back and redone item by item.
    """
    now = now or timezone.now()
    ladders = _Ladders()
    fired = 0
    since: datetime.datetime | None = None
    while True:
        with transaction.atomic():
            _relax_commit()
            rows = _due_rows(now, since, batch)
            if not rows:
                break
            since = rows[-1][7]
            fired += _fire_batch(rows, now, ladders)
    if handle:
        process_escalation_events()
    return fired


def process_escalation_events(batch: int = 500) -> int:
    """Run the handlers of fired steps still pending; returns how many were handled.

    Each batch is claimed by a conditional UPDATE ... RETURNING (another worker's claim is skipped) in
    the transaction that runs the handlers, so a step's messages and timeline rows commit together
    with its claim: a crash before the commit leaves the step pending, after it the step is done —
    each step acts exactly once. Each handler runs in a savepoint; a failing one is recorded as
    `error: ...` and not retried.
    """
    memo: dict = {}
    handled = 0
    table = connection.ops.quote_name(EscalationEvent._meta.db_table)
    while True:
        with transaction.atomic():
            ids = list(
                EscalationEvent.objects.filter(handled_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return handled
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET handled_at = %s WHERE id IN ({marks}) AND handled_at IS NULL RETURNING id",
                    [now, *ids],
                )
                claimed = [row[0] for row in cursor.fetchall()]
            events = (
                EscalationEvent.objects.filter(pk__in=claimed)
                .select_related("deadline")
                .only(
                    "pk",
                    "step_id",
                    "action",
                    "fired_at",
                    "deadline__content_type_id",
                    "deadline__object_id",
                    "deadline__assignee_id",
                    "deadline__due_at",
                )
                .order_by("pk")
            )
            outcomes = []
            for event in events:
                deadline = event.deadline
                firing = Firing(
                    deadline.pk,
                    deadline.content_type_id,
                    deadline.object_id,
                    deadline.assignee_id,
                    deadline.due_at,
                    event.step_id,
                    event.action,
                    event.fired_at,
                    memo,
                )
                outcomes.append((_dispatch(firing), event.pk))
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET outcome = %s WHERE id = %s", outcomes)
            handled += len(outcomes)
