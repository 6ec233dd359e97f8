"""The one gate for jurisdictional data: `Model.objects.for_user(user)`.

A model opts in by using `ScopedQuerySet` and naming, in `scope`, the path to its division and
(optionally) to the enterprise it belongs to. Users carry `scope_prefix` (their division subtree)
and, for enterprise users, `enterprise_id`; nothing here imports an app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Scope:
    division: str = "division"  # path to the division FK (its value is the 12-digit code)
    enterprise: str | None = None  # path to the enterprise FK, or "pk" for the Enterprise model itself


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope: Scope = self.model.scope
        if getattr(user, "is_enterprise_user", False):
            if scope.enterprise is None or not user.enterprise_id:
                return self.none()
            return self.filter(**{scope.enterprise: user.enterprise_id})
        prefix = getattr(user, "scope_prefix", None)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self.all()
        return self.filter(**{f"{scope.division}__code__startswith": prefix})


def import_prefix(actor) -> str | None:
    """The division prefix an import may write under: '' (everywhere) for no actor, i.e. the command
    line; None when the actor may import nothing (enterprise users)."""
    if actor is None:
        return ""
    if getattr(actor, "is_enterprise_user", False):
        return None
    return actor.scope_prefix
