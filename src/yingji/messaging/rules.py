"""The delivery rules: retry schedule, the storm rule (rate limit into a digest), the SMS success rule.

Plain functions without the database, so they are tested on their own.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

# A claimed delivery belongs to its worker for this long; after that another worker may take it
# over (the first one crashed). Far longer than any channel's timeout.
CLAIM_LEASE = datetime.timedelta(minutes=10)


def retry_delay(attempts: int, base_seconds: int = 60, cap_seconds: int = 3600) -> datetime.timedelta:
    """Exponential backoff after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    exponent = max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(base_seconds * 2**exponent, cap_seconds))


def may_retry(attempts: int, max_attempts: int) -> bool:
    return attempts < max_attempts


def should_hold(recent_messages: int, threshold: int) -> bool:
    """Hold a message for the digest when the person already got `threshold` messages in the window.

    `recent_messages` counts the person's messages inside the window before this one. The in-app
    inbox is never held: only channels that interrupt (email, SMS) are.
    """
    return threshold > 0 and recent_messages >= threshold


def digest_due(oldest_held: datetime.datetime, now: datetime.datetime, window: datetime.timedelta) -> bool:
    """Held deliveries go out as one digest once the oldest of them has waited a whole window."""
    return oldest_held <= now - window


def json_path(data: Any, path: str) -> Any:
    """`json_path({"a": {"b": [1, 2]}}, "a.b.1") == 2`; a missing step gives None."""
    for step in path.split(".") if path else []:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
    return data


def gateway_accepted(status: int, body: bytes, success_path: str, success_value: str) -> bool:
    """The SMS success rule: HTTP 2xx and, when a JSON path is configured, its value equals the expected one."""
    if not 200 <= status < 300:
        return False
    if not success_path:
        return True
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return False
    value = json_path(data, success_path)
    if isinstance(value, bool):
        value = str(value).lower()
    return value is not None and str(value) == success_value


def http_error_is_temporary(status: int) -> bool:
    """Server trouble, throttling and timeouts may pass; other client errors will not."""
    return status >= 500 or status in (408, 425, 429)


def fill_placeholders(value: Any, values: dict[str, str]) -> Any:
    """Replace `{name}` in every string of a JSON-like structure (the SMS body template)."""
    if isinstance(value, str):
        for name, replacement in values.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [fill_placeholders(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill_placeholders(item, values) for key, item in value.items()}
    return value
