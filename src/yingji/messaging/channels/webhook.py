"""A JSON POST to a URL. The payload is the WeCom (企业微信) and DingTalk (钉钉) group-robot text
format, `{"msgtype": "text", "text": {"content": ...}}`, plus the message's fields for other receivers.
Robots answer HTTP 200 with `{"errcode": N}`: a non-zero errcode is a rejection.
"""

from __future__ import annotations

import json

from django.conf import settings

from yingji.messaging import rules
from yingji.messaging.channels.base import PermanentError, TemporaryError, http_request, json_bytes, snippet


def payload(message) -> dict:
    return {
        "msgtype": "text",
        "text": {"content": f"{message.subject}\n{message.body}".strip()},
        "subject": message.subject,
        "body": message.body,
        "template": message.template,
        "message_id": message.pk,
        "created_at": message.created_at.isoformat(),
    }


def deliver(delivery) -> None:
    result = http_request(
        delivery.address,
        data=json_bytes(payload(delivery.message)),
        content_type="application/json; charset=utf-8",
        timeout=settings.MESSAGING_WEBHOOK_TIMEOUT,
    )
    if not 200 <= result.status < 300:
        kind = TemporaryError if rules.http_error_is_temporary(result.status) else PermanentError
        raise kind(f"HTTP {result.status}: {snippet(result.body)}")
    try:
        answer = json.loads(result.body or b"null")
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0, "0"):
        raise PermanentError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
