"""The automatic audit trail: who did what, when, from where, with before/after values.

A middleware (or a command) sets the acting user and IP in a context variable; `register(Model)`
connects save/delete signals that write an `AuditLog` row for every create, update and delete.
Explicit events (login, export, reveal, import) call `record(...)` directly.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    ip: str = ""


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("yingji_actor", default=None)
_NOBODY = Actor()


def current_actor() -> Actor:
    return _actor.get() or _NOBODY


@contextmanager
def acting_as(user=None, ip: str = ""):
    token = _actor.set(Actor(user=user, ip=ip))
    try:
        yield
    finally:
        _actor.reset(token)


def client_ip(request) -> str:
    # Behind a reverse proxy the real address is the first X-Forwarded-For hop.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", ""))[:45]


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        with acting_as(user, client_ip(request)):
            return self.get_response(request)


def record(
    action: str,
    obj=None,
    *,
    user=None,
    ip: str | None = None,
    changes=None,
    note: str = "",
    object_type: str = "",
    object_repr: str = "",
):
    from yingji.core.models import AuditLog

    actor = current_actor()
    user = user if user is not None else actor.user
    return AuditLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        ip=actor.ip if ip is None else ip,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes,
        note=note[:500],
    )


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, FieldFile):  # an uploaded file: its stored name
        return value.name or ""
    return value


def snapshot(obj, exclude: Iterable[str] = ()) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        values[field.attname] = _plain(field.value_from_object(obj))
    return values


_registered: dict[type[models.Model], frozenset[str]] = {}


def register(model: type[models.Model], exclude: Iterable[str] = ()) -> None:
    """Audit every create, update and delete of `model` (fields in `exclude` are left out)."""
    _registered[model] = frozenset(exclude)
    uid = f"audit-{model._meta.label_lower}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid + "-pre", weak=False)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post", weak=False)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-del", weak=False)


def _remember_before(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old, _registered[sender]) if old else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = snapshot(instance, _registered[sender])
    if created:
        record("create", instance, changes={"after": after})
        return
    before = getattr(instance, "_audit_before", None) or {}
    changed = {k for k in after if before.get(k) != after[k]}
    if not changed:
        return
    record(
        "update",
        instance,
        changes={"before": {k: before.get(k) for k in changed}, "after": {k: after[k] for k in changed}},
    )


def _after_delete(sender, instance, **kwargs):
    record("delete", instance, changes={"before": snapshot(instance, _registered[sender])})
