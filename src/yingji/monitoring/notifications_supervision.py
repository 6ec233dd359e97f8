"""Who hears what in online supervision: a roll-call reaches each enterprise's accounts (in-app) and
duty phone (SMS), with the reply code.

The body is the same for everyone (the code is the roll-call's; the sender's phone names the
enterprise), rendered once with the messaging "notice" template. The rows are what
`messaging.services.send` writes — one `Message` per recipient (no recipient for a plain phone
number) and one `Delivery` each — but written with multi-row INSERTs, as the 叫应 calls do
(alerts/services_calls.py): `send`'s ORM bulk_create spends ~1 s preparing 2,000 rows one by one,
which the 2 s target for 2,000 enterprises cannot afford. The worker gets them after commit.
"""

from __future__ import annotations

import datetime
import json

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts.services_calls import insert_rows
from yingji.messaging.models import Delivery, Message
from yingji.messaging.templates import render

TEMPLATE = "notice"
MESSAGE_FIELDS = ["recipient", "template", "subject", "body", "context", "created_at"]
DELIVERY_FIELDS = [
    "message",
    "channel",
    "address",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "error_kind",
]


def roll_call_text(roll_call) -> tuple[str, str]:
    deadline = timezone.localtime(roll_call.deadline_at).strftime("%H:%M")
    subject = _("Duty roll-call: answer by {deadline}").format(deadline=deadline)
    text = _("{title}. Answer in the app, or reply to this SMS with the code {code}, by {deadline}.").format(
        title=roll_call.title, code=roll_call.code, deadline=deadline
    )
    return subject, text


def roll_call_started(
    roll_call, enterprise_ids: list[int], phones: list[str], *, now: datetime.datetime
) -> int:
    """Queue the roll-call's messages inside the caller's transaction (sent after commit); returns
    the number of messages."""
    subject, text = roll_call_text(roll_call)
    context = {"subject": subject, "text": text, "roll_call": roll_call.pk}
    subject, body = render(TEMPLATE, context)
    users = list(
        get_user_model()
        .objects.filter(is_active=True, role="enterprise_user", enterprise_id__in=enterprise_ids)
        .values_list("pk", flat=True)
    )
    phones = sorted({p for p in phones if p})
    at = connection.ops.adapt_datetimefield_value(now)
    packed = json.dumps(context, ensure_ascii=False)
    rows = [(user, TEMPLATE, subject, body, packed, at) for user in users]
    rows += [(None, TEMPLATE, subject, body, packed, at) for _phone in phones]
    ids = insert_rows(Message, MESSAGE_FIELDS, rows, returning=True)
    deliveries = [(i, "inapp", "", "queued", 0, at, "", "") for i in ids[: len(users)]]
    deliveries += [
        (i, "sms", phone, "queued", 0, at, "", "") for i, phone in zip(ids[len(users) :], phones, strict=True)
    ]
    insert_rows(Delivery, DELIVERY_FIELDS, deliveries)
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def _enqueue(message_ids: list[int]) -> None:
    from yingji.messaging.services import _enqueue as enqueue_messages

    enqueue_messages(message_ids)
