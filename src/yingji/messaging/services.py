"""`send(recipients, template, context, channels)` — the one way to reach a person — and the worker side.

Recipients are users or plain addresses:
- a user gets a Message (their inbox) and one Delivery per requested channel: "inapp" always,
  "email" to `user.email`, "sms" to `user.phone` (a user without that address gets a failed
  delivery saying so); "webhook" does not apply to users;
- `Address("webhook", url)` (or the tuple `("webhook", url)`, likewise "email" and "sms") gets a
  Message without recipient and one Delivery on that channel — for a WeCom/DingTalk robot URL, a
  duty mailbox, a phone number not in the user table. The `channels` argument does not filter them.

`send` writes the rows inside the caller's transaction and hands the work to the background worker
after commit (a rollback sends nothing). The worker claims each delivery with a conditional UPDATE
(queued → sending, with a lease), so several workers never send one twice; it records the outcome,
retries temporary errors with exponential backoff up to MESSAGING_MAX_ATTEMPTS, fails permanent
errors at once. A storm — more than MESSAGING_DIGEST_THRESHOLD messages to one user within
MESSAGING_DIGEST_WINDOW seconds — holds the later email/SMS deliveries (status "digested"); once the
oldest held one has waited a window, they leave together as one digest per channel and address.
The inbox is never held.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from yingji.messaging import rules
from yingji.messaging.channels import channel_module
from yingji.messaging.channels.base import DeliveryError
from yingji.messaging.models import (
    DIGEST_TEMPLATE,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    ErrorKind,
    Message,
)
from yingji.messaging.templates import render

log = logging.getLogger(__name__)

DEFAULT_CHANNELS = (Channel.INAPP, Channel.EMAIL)
HOLDABLE = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True)
class Address:
    """A plain address on one channel: Address("webhook", "https://qyapi.weixin.qq.com/...")."""

    channel: str
    address: str

    def __post_init__(self):
        if self.channel not in (Channel.EMAIL, Channel.WEBHOOK, Channel.SMS):
            raise ValueError(f"no plain addresses on channel {self.channel!r}")


def window() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.MESSAGING_DIGEST_WINDOW)


def send(
    recipients: Iterable,
    template: str,
    context: dict | None = None,
    channels: Sequence[str] | None = None,
    *,
    now: datetime.datetime | None = None,
    savepoint: bool = True,
) -> list[Message]:
    """Queue `template` rendered with `context` to each recipient; delivered after commit.

    `savepoint=False` saves two statements per call for a caller that already runs it inside a
    savepoint of its own (an escalation handler): a failure then spoils that savepoint, not more.

    A few statements whatever the number of recipients (one count, one insert of the messages, one of
    the deliveries), so that senders such as the escalation pass can afford it thousands of times.
    """
    context = dict(context or {})
    subject, body = render(template, context)
    wanted = [Channel(c) for c in (channels if channels is not None else DEFAULT_CHANNELS)]
    now = now or timezone.now()
    user_model = get_user_model()
    resolved: list = []
    for recipient in recipients:
        if isinstance(recipient, tuple) and not isinstance(recipient, Address):
            recipient = Address(*recipient)
        if not isinstance(recipient, Address | user_model):
            raise TypeError(f"cannot send to {recipient!r}: a user or an Address")
        resolved.append(recipient)
    if not resolved:
        return []
    with transaction.atomic(savepoint=savepoint):
        recent = _recent_counts([r.pk for r in resolved if not isinstance(r, Address)], now)
        messages = Message.objects.bulk_create(
            Message(
                recipient=None if isinstance(r, Address) else r,
                template=template,
                subject=subject,
                body=body,
                context=context,
                created_at=now,
            )
            for r in resolved
        )
        deliveries: list[Delivery] = []
        for recipient, message in zip(resolved, messages, strict=True):
            if isinstance(recipient, Address):
                deliveries.append(_delivery(message, recipient.channel, recipient.address, now))
                continue
            count = recent.get(recipient.pk, 0)
            recent[recipient.pk] = count + 1  # the same person twice in one call: the second counts the first
            hold = rules.should_hold(count, settings.MESSAGING_DIGEST_THRESHOLD)
            deliveries.extend(_user_deliveries(recipient, message, wanted, now, hold))
        Delivery.objects.bulk_create(deliveries)
        _enqueue_after_commit([m.pk for m in messages])
    return messages


def _recent_counts(user_ids: list[int], now: datetime.datetime) -> dict[int, int]:
    """Messages (digests aside) each user got within the window before `now`, counted up to the storm
    threshold only (all the rule needs): one statement, whatever a person's inbox holds."""
    threshold = settings.MESSAGING_DIGEST_THRESHOLD
    if not user_ids or threshold <= 0:
        return {}
    table = connection.ops.quote_name(Message._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    since, until = adapt(now - window()), adapt(now)
    parts, params = [], []
    for position, user_id in enumerate(sorted(set(user_ids))):
        parts.append(
            f"SELECT r FROM (SELECT recipient_id AS r FROM {table} WHERE recipient_id = %s "
            f"AND created_at > %s AND created_at <= %s AND template <> %s LIMIT %s) AS t{position}"
        )
        params += [user_id, since, until, DIGEST_TEMPLATE, threshold]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r, COUNT(*) FROM ({' UNION ALL '.join(parts)}) AS u GROUP BY r", params)
        return dict(cursor.fetchall())


def _user_deliveries(user, message: Message, wanted, now, hold: bool) -> list[Delivery]:
    deliveries = []
    for channel in wanted:
        if channel == Channel.WEBHOOK:
            continue
        address = {Channel.INAPP: "", Channel.EMAIL: user.email, Channel.SMS: user.phone}[channel]
        if channel != Channel.INAPP and not address:
            deliveries.append(
                Delivery(
                    message=message,
                    channel=channel,
                    status=DeliveryStatus.FAILED,
                    error_kind=ErrorKind.PERMANENT,
                    last_error=f"the recipient has no {channel.label} address",
                )
            )
            continue
        held = hold and channel in HOLDABLE
        deliveries.append(_delivery(message, channel, address, now, held=held))
    return deliveries


def _delivery(message: Message, channel: str, address: str, now, *, held: bool = False) -> Delivery:
    return Delivery(
        message=message,
        channel=channel,
        address=address,
        status=DeliveryStatus.DIGESTED if held else DeliveryStatus.QUEUED,
        next_attempt_at=None if held else now,
    )


def _queue(message: Message, channel: str, address: str, now, *, held: bool = False) -> Delivery:
    delivery = _delivery(message, channel, address, now, held=held)
    delivery.save()
    return delivery


class _EnqueueAfterCommit:
    """The one after-commit callback of a transaction: every send in it adds its messages here."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        _enqueue(self.ids)


def _enqueue_after_commit(ids: list[int]) -> None:
    """Hand the messages to the worker after commit, as one task per transaction however many sends
    it made (the escalation pass sends thousands). A callback dropped with a rolled-back savepoint is
    no longer in the list, so a later send registers a new one; ids of rolled-back messages that stay
    in a surviving callback find no rows and are ignored by the worker."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _EnqueueAfterCommit):
                callback.ids.extend(ids)
                return
    callback = _EnqueueAfterCommit()
    callback.ids.extend(ids)
    transaction.on_commit(callback)


def _enqueue(message_ids: list[int]) -> None:
    from yingji.messaging import tasks

    try:
        tasks.deliver_messages(message_ids)
    except Exception:  # the queue is down: the periodic task will find the deliveries
        log.exception("could not enqueue messages %s", message_ids)


# --- the worker side -------------------------------------------------------------------------


def claim(delivery_id: int, now: datetime.datetime | None = None) -> bool:
    """Take one due delivery for this worker; False if another worker has it (or it is not due)."""
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, next_attempt_at__lte=now)
        .filter(Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.SENDING))
        .update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + rules.CLAIM_LEASE,
        )
    )
    return claimed == 1


def attempt(delivery_id: int, now: datetime.datetime | None = None) -> Delivery | None:
    """Claim, send and record one delivery; None when it was not ours to send."""
    now = now or timezone.now()
    if not claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    try:
        channel_module(delivery.channel).deliver(delivery)
    except DeliveryError as error:
        _record_failure(delivery, str(error), permanent=error.permanent, now=now)
    except Exception as error:  # a bug or an unexpected library error: try again later
        log.exception("delivery %s failed unexpectedly", delivery.pk)
        _record_failure(delivery, f"{type(error).__name__}: {error}", permanent=False, now=now)
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.error_kind = ErrorKind.NONE
        delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "error_kind"])
        _log_attempt(delivery, now, AttemptOutcome.SENT)
    return delivery


def _log_attempt(delivery: Delivery, now: datetime.datetime, outcome, error: str = "") -> None:
    """One row per attempt (the delivery keeps only the last error)."""
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        attempted_at=now,
        outcome=outcome,
        error=error[:2000],
        permanent=outcome == AttemptOutcome.PERMANENT,
    )


def _record_failure(delivery: Delivery, error: str, *, permanent: bool, now: datetime.datetime) -> None:
    delivery.last_error = error[:2000]
    delivery.error_kind = ErrorKind.PERMANENT if permanent else ErrorKind.TEMPORARY
    if not permanent and rules.may_retry(delivery.attempts, settings.MESSAGING_MAX_ATTEMPTS):
        delivery.status = DeliveryStatus.QUEUED
        delivery.next_attempt_at = now + rules.retry_delay(delivery.attempts)
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "next_attempt_at", "last_error", "error_kind"])
    outcome = AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TEMPORARY
    _log_attempt(delivery, now, outcome, error)


def process_deliveries(message_ids: Sequence[int], now: datetime.datetime | None = None) -> int:
    """Send the due deliveries of these messages (the task run right after `send` commits)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        message_id__in=message_ids, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now
    )
    return sum(attempt(pk, now) is not None for pk in due.values_list("pk", flat=True))


def process_due_deliveries(now: datetime.datetime | None = None) -> int:
    """The periodic pass: flush due digests, then send every due delivery (retries, stale claims)."""
    now = now or timezone.now()
    flush_digests(now)
    due = Delivery.objects.filter(
        Q(status=DeliveryStatus.QUEUED) | Q(status=DeliveryStatus.SENDING), next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    return sum(attempt(pk, now) is not None for pk in due.values_list("pk", flat=True)[:1000])


def flush_digests(now: datetime.datetime | None = None) -> list[Delivery]:
    """Combine held deliveries into one digest per (user, channel, address) once a window has passed."""
    now = now or timezone.now()
    groups = (
        Delivery.objects.filter(status=DeliveryStatus.DIGESTED, digest__isnull=True)
        .values("message__recipient_id", "channel", "address")
        .annotate(oldest=Min("message__created_at"))
    )
    digests = []
    for group in groups:
        if rules.digest_due(group["oldest"], now, window()):
            digest = _make_digest(group["message__recipient_id"], group["channel"], group["address"], now)
            if digest is not None:
                digests.append(digest)
    return digests


class _Taken(Exception):
    pass


def _make_digest(user_id: int, channel: str, address: str, now: datetime.datetime) -> Delivery | None:
    held = Delivery.objects.filter(
        status=DeliveryStatus.DIGESTED,
        digest__isnull=True,
        message__recipient_id=user_id,
        channel=channel,
        address=address,
    ).select_related("message")
    try:
        with transaction.atomic():
            rows = list(held.order_by("message__created_at", "pk"))
            if not rows:
                return None
            context = {"count": len(rows), "subjects": [d.message.subject for d in rows]}
            subject, body = render(DIGEST_TEMPLATE, context)
            message = Message.objects.create(
                recipient_id=user_id,
                template=DIGEST_TEMPLATE,
                subject=subject,
                body=body,
                context=context,
                created_at=now,
                read_at=now,  # the inbox already shows each message
            )
            digest = _queue(message, channel, address, now)
            ids = [d.pk for d in rows]
            # Conditional: another worker flushing the same rows makes this update short, and we back off.
            if held.filter(pk__in=ids).update(digest=digest) != len(ids):
                raise _Taken
    except _Taken:
        return None
    return digest


# --- the inbox ---------------------------------------------------------------------------------


def inbox(user):
    return Message.objects.filter(recipient=user).exclude(template=DIGEST_TEMPLATE)


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(message_id: int, *, actor) -> Message:
    """Mark one of the actor's own messages read (Http404 for anyone else's)."""
    message = get_object_or_404(inbox(actor), pk=message_id)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def mark_all_read(*, actor) -> int:
    return inbox(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
