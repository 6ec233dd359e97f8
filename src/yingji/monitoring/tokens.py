"""Per-device HTTP ingest tokens: only the sha256 of a token is stored (Device.token_hash)."""

from __future__ import annotations

import hashlib
import secrets

from yingji.monitoring.models import Device


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its hash; show the token once, store the hash in Device.token_hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def device_for_token(token: str) -> Device | None:
    """The active device whose token this is, else None (empty tokens never match)."""
    token = (token or "").strip()
    if not token:
        return None
    return Device.objects.filter(token_hash=hash_token(token), is_active=True).first()
