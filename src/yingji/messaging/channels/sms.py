"""SMS through a configurable HTTP gateway (YINGJI_SMS_*).

The body template is JSON or form-encoded text with `{phone}` and `{text}` placeholders, filled in
value by value (so quotes in the text cannot break the JSON). With GET the form fields go into the
query string. Success: HTTP 2xx and, if YINGJI_SMS_SUCCESS_PATH is set, the answer's JSON value at
that dotted path equals YINGJI_SMS_SUCCESS_VALUE. A 2xx answer that fails the rule is permanent.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode

from django.conf import settings

from yingji.core.identifiers import MOBILE_RE
from yingji.messaging import rules
from yingji.messaging.channels.base import PermanentError, TemporaryError, http_request, json_bytes, snippet


def text_of(message) -> str:
    return f"{message.subject}\n{message.body}".strip()


def request_parts(phone: str, text: str) -> tuple[str, str, bytes | None, str]:
    """(url, method, body, content type) for one SMS, from the gateway settings."""
    values = {"phone": phone, "text": text}
    url = rules.fill_placeholders(settings.SMS_GATEWAY_URL, {k: quote(v) for k, v in values.items()})
    method = settings.SMS_GATEWAY_METHOD.upper()
    template = settings.SMS_BODY_TEMPLATE
    if settings.SMS_BODY_FORMAT == "json" and method != "GET":
        body = rules.fill_placeholders(json.loads(template), values)
        return url, method, json_bytes(body), "application/json; charset=utf-8"
    fields = urlencode([(k, rules.fill_placeholders(v, values)) for k, v in parse_qsl(template, True)])
    if method == "GET":
        return url + ("&" if "?" in url else "?") + fields, method, None, ""
    return url, method, fields.encode(), "application/x-www-form-urlencoded; charset=utf-8"


def deliver(delivery) -> None:
    if not settings.SMS_GATEWAY_URL:
        raise PermanentError("no SMS gateway configured (YINGJI_SMS_GATEWAY_URL)")
    phone = delivery.address.replace(" ", "").replace("-", "")
    if not MOBILE_RE.match(phone):
        raise PermanentError(f"not a mobile number: {delivery.address!r}")
    url, method, body, content_type = request_parts(phone, text_of(delivery.message))
    result = http_request(
        url, method=method, data=body, content_type=content_type, timeout=settings.SMS_GATEWAY_TIMEOUT
    )
    if not 200 <= result.status < 300:
        kind = TemporaryError if rules.http_error_is_temporary(result.status) else PermanentError
        raise kind(f"HTTP {result.status}: {snippet(result.body)}")
    if not rules.gateway_accepted(
        result.status, result.body, settings.SMS_SUCCESS_PATH, settings.SMS_SUCCESS_VALUE
    ):
        raise PermanentError(f"gateway refused: {snippet(result.body)}")
