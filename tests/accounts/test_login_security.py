"""Login security: password complexity, lockout, idle sessions, no default passwords, HTTPS settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.conftest import COUNTY, PASSWORD

from yingji.accounts import services
from yingji.accounts.middleware import SESSION_KEY
from yingji.accounts.models import User
from yingji.accounts.passwords import CharacterClassValidator
from yingji.core.models import AuditLog, Division

LOGIN = "/accounts/login/"


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Passwords


@pytest.mark.parametrize("password", ["Ab1!xyz", "abcdefgh", "abcdefg1", "ABCDEFG1", "12345678!"])
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Zhang@2025", "kq7Tz9wLm", "xy7#vq2!pw"])
def test_long_passwords_mixing_three_classes_are_accepted(db, password):
    validate_password(password)


def test_character_class_validator_counts_upper_lower_digits_and_symbols():
    validator = CharacterClassValidator()
    with pytest.raises(ValidationError) as error:
        validator.validate("onlylower1")
    assert error.value.code == "password_too_simple"
    for password in ("Lower1upper", "lower1!sym", "UPPER!1SYM", "Lower!Sym"):
        validator.validate(password)


def test_user_add_refuses_a_weak_password(county):
    with pytest.raises(CommandError, match="password"):
        call_command(
            "user",
            "add",
            "weakling",
            "--role",
            "leader",
            "--division",
            COUNTY,
            "--password",
            "password1",
            stdout=StringIO(),
        )
    assert not User.objects.filter(username="weakling").exists()


def test_changing_ones_password_to_a_weak_one_is_refused(client_for, leader):
    client = client_for(leader)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefgh",
            "new_password2": "abcdefgh",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)


# Lockout


def test_five_failed_logins_lock_the_account(client, leader):
    for attempt in range(5):
        response = log_in(client, "leader", "Wrong@pass1")
        assert response.status_code == 200 and not is_logged_in(client), attempt
    leader.refresh_from_db()
    assert leader.is_locked()
    assert abs(leader.locked_until - (timezone.now() + timedelta(minutes=10))) < timedelta(seconds=30)
    assert AuditLog.objects.filter(action="login_failed", object_repr="leader").count() == 5
    assert AuditLog.objects.filter(action="locked", object_id=str(leader.pk)).count() == 1


def test_four_failed_logins_do_not_lock_and_a_success_resets_the_count(client, leader):
    for _ in range(4):
        log_in(client, "leader", "Wrong@pass1")
    leader.refresh_from_db()
    assert leader.failed_logins == 4 and not leader.is_locked()
    assert log_in(client, "leader", PASSWORD).status_code == 302
    leader.refresh_from_db()
    assert leader.failed_logins == 0


def test_a_locked_account_cannot_log_in_even_with_the_right_password(client, leader):
    for _ in range(5):
        log_in(client, "leader", "Wrong@pass1")
    response = log_in(client, "leader", PASSWORD)
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert response.context["form"].errors["__all__"]
    assert response.context["form"].non_field_errors().as_data()[0].code == "locked"


def test_a_locked_account_unlocks_after_the_lockout_time(client, leader, monkeypatch):
    for _ in range(5):
        log_in(client, "leader", "Wrong@pass1")
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=9))
    assert log_in(client, "leader", PASSWORD).status_code == 200
    assert not is_logged_in(client)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=11))
    assert log_in(client, "leader", PASSWORD).status_code == 302
    assert is_logged_in(client)
    leader.refresh_from_db()
    assert leader.failed_logins == 0 and leader.locked_until is None


def test_an_account_whose_lock_lies_in_the_past_can_log_in(client, leader):
    User.objects.filter(pk=leader.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert log_in(client, "leader", PASSWORD).status_code == 302


def test_lockout_limits_are_settings(client, leader, settings):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_LOCKOUT_MINUTES = 3
    log_in(client, "leader", "Wrong@pass1")
    leader.refresh_from_db()
    assert not leader.is_locked()
    log_in(client, "leader", "Wrong@pass1")
    leader.refresh_from_db()
    assert leader.is_locked()
    assert leader.locked_until - timezone.now() < timedelta(minutes=3, seconds=1)
    assert not leader.is_locked(now=timezone.now() + timedelta(minutes=3, seconds=1))


def test_the_login_error_tells_the_limits(client, leader):
    response = log_in(client, "leader", "Wrong@pass1")
    message = str(response.context["form"].non_field_errors())
    assert "5" in message and "10" in message


def test_failed_logins_of_unknown_usernames_are_recorded_without_a_user(client, db):
    log_in(client, "nobody", "Wrong@pass1")
    record = AuditLog.objects.get(action="login_failed")
    assert record.object_repr == "nobody" and record.user is None and record.ip == "127.0.0.1"


# Idle sessions


def age_session(client, seconds: int) -> None:
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_for_more_than_30_minutes_is_logged_out(client_for, leader):
    client = client_for(leader)
    assert client.get("/").status_code == 200
    age_session(client, 31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not is_logged_in(client)
    assert AuditLog.objects.filter(action="logout", user=leader).exists()
    login_page = client.get(response["Location"])
    assert [m.level for m in login_page.context["messages"]] == [messages.WARNING]


def test_a_session_idle_for_29_minutes_stays_logged_in(client_for, leader):
    client = client_for(leader)
    client.get("/")
    age_session(client, 29 * 60)
    assert client.get("/").status_code == 200
    assert client.session[SESSION_KEY] >= int(time.time()) - 5  # the visit refreshed it


def test_the_idle_timeout_is_a_setting(client_for, leader, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = client_for(leader)
    client.get("/")
    age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


# No default passwords


def test_a_fresh_database_has_no_accounts(db):
    assert not User.objects.exists()


def test_create_user_refuses_to_create_a_user_without_a_password(county):
    for password in (None, ""):
        with pytest.raises(ValidationError) as error:
            services.create_user(
                username="nopass",
                role="leader",
                division=Division.objects.get(code=COUNTY),
                password=password,
            )
        assert "password" in error.value.message_dict
    assert not User.objects.filter(username="nopass").exists()


def test_user_add_without_a_password_asks_for_one_and_refuses_an_empty_answer(county, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "")
    with pytest.raises(CommandError, match="password"):
        call_command("user", "add", "nopass", "--role", "leader", "--division", COUNTY, stdout=StringIO())
    assert not User.objects.filter(username="nopass").exists()


def test_the_demo_accounts_are_refused_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="YINGJI_DEMO"):
        call_command("seed", "demo", stdout=StringIO())
    assert not User.objects.exists()


# Production settings


def settings_in_subprocess(tmp_path, **env) -> subprocess.CompletedProcess:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name, None) for name in ["
        "'DEBUG', 'DEMO_MODE', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', 'ALLOWED_HOSTS']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "yingji.settings", "YINGJI_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", script], env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_uses_secure_cookies_and_hsts(tmp_path):
    result = settings_in_subprocess(
        tmp_path,
        YINGJI_PRODUCTION="1",
        YINGJI_SECRET_KEY="k" * 50,
        YINGJI_ALLOWED_HOSTS="yingji.example.cn",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["DEBUG"] is False and values["DEMO_MODE"] is False
    assert values["ALLOWED_HOSTS"] == ["yingji.example.cn"]


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"YINGJI_ALLOWED_HOSTS": "yingji.example.cn"}, "YINGJI_SECRET_KEY"),
        (
            {"YINGJI_SECRET_KEY": "too-short", "YINGJI_ALLOWED_HOSTS": "yingji.example.cn"},
            "YINGJI_SECRET_KEY",
        ),
        ({"YINGJI_SECRET_KEY": "k" * 50}, "YINGJI_ALLOWED_HOSTS"),
    ],
    ids=["no-secret-key", "short-secret-key", "no-allowed-hosts"],
)
def test_production_refuses_to_start_without_a_secret_key_and_hosts(tmp_path, env, complaint):
    result = settings_in_subprocess(tmp_path, YINGJI_PRODUCTION="1", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_development_settings_are_not_secure_only_and_not_demo(tmp_path):
    values = json.loads(settings_in_subprocess(tmp_path).stdout)
    assert values["SESSION_COOKIE_SECURE"] is False and values["DEMO_MODE"] is False
