"""Use cases for accounts: creating users and tokens, login failures and lockout."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import ApiToken, User, hash_token
from yingji.accounts.roles import ROLE_MIN_LEVEL, Role
from yingji.core import audit
from yingji.core.divisions import LEVELS
from yingji.core.models import DivisionLevel


def register_login_failure(username: str, *, ip: str = "") -> None:
    """Count a failed login; lock the account for a while after too many in a row."""
    audit.record("login_failed", user=None, ip=ip, object_type="accounts.user", object_repr=username[:200])
    with transaction.atomic():
        updated = User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
        if not updated:
            return
        user = User.objects.get(username=username)
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES and not user.is_locked():
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=user.locked_until, failed_logins=0)
            audit.record("locked", user, user=None, ip=ip, note=f"until {user.locked_until.isoformat()}")


def reset_login_failures(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def check_placement(role: str, division, enterprise) -> dict[str, str]:
    """Problems with where a user of `role` is placed, by field name (empty when fine)."""
    errors: dict[str, str] = {}
    if division is None:
        errors["division"] = _("Every user needs a division.")
        return errors
    min_level = ROLE_MIN_LEVEL.get(role)
    if min_level and LEVELS.index(division.level) < LEVELS.index(min_level):
        errors["division"] = _("A {role} must be placed at {level} level or below.").format(
            role=Role(role).label, level=DivisionLevel(min_level).label
        )
    if role == Role.ENTERPRISE_USER:
        if enterprise is None:
            errors["enterprise"] = _("An enterprise user needs an enterprise.")
        elif not enterprise.division_id.startswith(division.prefix):
            errors["enterprise"] = _("The enterprise is outside the user's division.")
    elif enterprise is not None:
        errors["enterprise"] = _("Only enterprise users belong to an enterprise.")
    return errors


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    division,
    enterprise=None,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    actor=None,
    allow_unusable_password: bool = False,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role {role}.").format(role=role)})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this username already exists.")})
    errors = check_placement(role, division, enterprise)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        role=role,
        division=division,
        enterprise=enterprise,
        full_name=full_name,
        phone=phone,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from None
        user.set_password(password)
    elif allow_unusable_password:
        user.set_unusable_password()
    else:
        raise ValidationError({"password": _("A password is required.")})
    with audit.acting_as(actor, audit.current_actor().ip) if actor else nullcontext():
        user.save()
    return user


@transaction.atomic
def create_token(user: User, *, name: str = "", days: int | None = None) -> str:
    """Create a bearer token and return the raw value (shown once; only its hash is kept)."""
    raw = ApiToken.generate()
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit.record("token", token, note=f"created for {user.username}")
    return raw


def user_for_token(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user", "user__division").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_valid():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
