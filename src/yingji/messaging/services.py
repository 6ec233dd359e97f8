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
from django.db import transaction
from django.db.models import F, Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from yingji.messaging import rules
from yingji.messaging.channels import channel_module
from yingji.messaging.channels.base import DeliveryError
from yingji.messaging.models import (
    DIGEST_TEMPLATE,
    Channel,
    Delivery,
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
) -> list[Message]:
    """Queue `template` rendered with `context` to each recipient; delivered after commit."""
    context = dict(context or {})
    subject, body = render(template, context)
    wanted = [Channel(c) for c in (channels if channels is not None else DEFAULT_CHANNELS)]
    now = now or timezone.now()
    user_model = get_user_model()
    messages = []
    with transaction.atomic():
        for recipient in recipients:
            if isinstance(recipient, tuple) and not isinstance(recipient, Address):
                recipient = Address(*recipient)
            if isinstance(recipient, Address):
                message = Message.objects.create(
                    template=template, subject=subject, body=body, context=context, created_at=now
                )
                _queue(message, recipient.channel, recipient.address, now)
            elif isinstance(recipient, user_model):
                message = _send_to_user(recipient, template, subject, body, context, wanted, now)
            else:
                raise TypeError(f"cannot send to {recipient!r}: a user or an Address")
            messages.append(message)
        ids = [m.pk for m in messages]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return messages


def _send_to_user(user, template, subject, body, context, wanted, now) -> Message:
    recent = Message.objects.filter(recipient=user, created_at__gt=now - window(), created_at__lte=now)
    hold = rules.should_hold(
        recent.exclude(template=DIGEST_TEMPLATE).count(), settings.MESSAGING_DIGEST_THRESHOLD
    )
    message = Message.objects.create(
        recipient=user, template=template, subject=subject, body=body, context=context, created_at=now
    )
    for channel in wanted:
        if channel == Channel.WEBHOOK:
            continue
        address = {Channel.INAPP: "", Channel.EMAIL: user.email, Channel.SMS: user.phone}[channel]
        if channel != Channel.INAPP and not address:
            Delivery.objects.create(
                message=message,
                channel=channel,
                status=DeliveryStatus.FAILED,
                error_kind=ErrorKind.PERMANENT,
                last_error=f"the recipient has no {channel.label} address",
            )
            continue
        held = hold and channel in HOLDABLE
        _queue(message, channel, address, now, held=held)
    return message


def _queue(message: Message, channel: str, address: str, now, *, held: bool = False) -> Delivery:
    return Delivery.objects.create(
        message=message,
        channel=channel,
        address=address,
        status=DeliveryStatus.DIGESTED if held else DeliveryStatus.QUEUED,
        next_attempt_at=None if held else now,
    )


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
    return delivery


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
