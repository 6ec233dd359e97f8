"""The transport contract: `deliver(delivery) -> None` returns when the channel accepted the message
and raises `PermanentError` (retrying will not help: bad address, rejected) or `TemporaryError`
(retry later: network down, server error, throttled). Anything else raised counts as temporary.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


class DeliveryError(Exception):
    permanent = False


class PermanentError(DeliveryError):
    permanent = True


class TemporaryError(DeliveryError):
    permanent = False


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: bytes


def http_request(
    url: str, *, method: str = "POST", data: bytes | None = None, content_type: str = "", timeout: int = 10
) -> HttpResult:
    """One HTTP request with the standard library; network trouble is a TemporaryError."""
    if not url.startswith(("http://", "https://")):
        raise PermanentError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    request.add_header("User-Agent", "Yingji")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
            return HttpResult(response.status, response.read(65536))
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.read(65536) if error.fp else b"")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise TemporaryError(f"{type(error).__name__}: {error}") from error


def json_bytes(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def snippet(body: bytes, limit: int = 200) -> str:
    return body[:limit].decode("utf-8", errors="replace")
