"""`yingji user add`, `yingji token create` and the user pages, with good and bad input."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.conftest import COUNTY, PASSWORD, TOWN_A, TOWN_B, VILLAGE_A

from yingji.accounts.models import ApiToken, User, hash_token
from yingji.core.models import AuditLog


def user_add(*args) -> str:
    out = StringIO()
    call_command("user", "add", *args, stdout=out)
    return out.getvalue()


def token_create(*args) -> str:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    return out.getvalue().strip()


# yingji user add


def test_user_add_creates_a_user_with_role_and_division(county):
    output = user_add(
        "wang",
        "--role",
        "inspector",
        "--division",
        "329901",
        "--password",
        PASSWORD,
        "--full-name",
        "王检查",
        "--phone",
        "13800001111",
    )
    user = User.objects.get(username="wang")
    assert user.role == "inspector" and user.division_id == COUNTY and user.full_name == "王检查"
    assert user.check_password(PASSWORD)
    assert "wang" in output and COUNTY in output
    assert AuditLog.objects.filter(
        action="create", object_type="accounts.user", object_id=str(user.pk)
    ).exists()


def test_user_add_creates_an_enterprise_user_for_an_enterprise(county, enterprise_a):
    user_add(
        "ent",
        "--role",
        "enterprise_user",
        "--division",
        VILLAGE_A,
        "--enterprise",
        enterprise_a.uscc.lower(),
        "--password",
        PASSWORD,
    )
    assert User.objects.get(username="ent").enterprise == enterprise_a


def test_user_add_places_a_town_official_in_a_town(county):
    user_add("town", "--role", "town_official", "--division", TOWN_A[:9], "--password", PASSWORD)
    assert User.objects.get(username="town").division_id == TOWN_A


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--role", "mayor", "--division", COUNTY], "mayor"),
        (["--role", "leader", "--division", "329901999000"], "Unknown division"),
        (["--role", "leader", "--division", "abc"], "Unknown division"),
        (["--role", "enterprise_user", "--division", VILLAGE_A], "enterprise"),
        (
            ["--role", "enterprise_user", "--division", VILLAGE_A, "--enterprise", "91329901MA0000099X"],
            "USCC",
        ),
        (["--role", "town_official", "--division", COUNTY], "division"),
        (["--role", "leader", "--division", COUNTY, "--enterprise", "{uscc}"], "enterprise"),
        (["--role", "leader", "--division", COUNTY, "--password", "short1A"], "password"),
    ],
    ids=[
        "unknown-role",
        "unknown-division",
        "not-a-code",
        "enterprise-user-without-enterprise",
        "unknown-enterprise",
        "town-official-at-county-level",
        "enterprise-for-a-bureau-role",
        "weak-password",
    ],
)
def test_user_add_refuses_bad_input_and_creates_nothing(county, enterprise_a, args, complaint):
    args = [arg.format(uscc=enterprise_a.uscc) for arg in args]
    if "--password" not in args:
        args += ["--password", PASSWORD]
    with pytest.raises(CommandError, match=complaint):
        user_add("newbie", *args)
    assert not User.objects.filter(username="newbie").exists()


def test_user_add_refuses_an_enterprise_outside_the_users_division(county, enterprise_b):
    with pytest.raises(CommandError, match="enterprise"):
        user_add(
            "newbie",
            "--role",
            "enterprise_user",
            "--division",
            VILLAGE_A,
            "--enterprise",
            enterprise_b.uscc,
            "--password",
            PASSWORD,
        )
    assert not User.objects.filter(username="newbie").exists()


def test_user_add_refuses_a_taken_username(leader):
    with pytest.raises(CommandError, match="username"):
        user_add("leader", "--role", "leader", "--division", COUNTY, "--password", PASSWORD)
    assert User.objects.filter(username="leader").count() == 1


# yingji token create


def test_token_create_prints_a_token_that_opens_the_api(client, leader):
    token = token_create("leader")
    assert token.startswith("yj_") and len(token) > 30
    stored = ApiToken.objects.get(user=leader)
    assert stored.key_hash == hash_token(token) and token not in stored.key_hash
    assert abs(stored.expires_at - (timezone.now() + timedelta(days=365))) < timedelta(minutes=1)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["username"] == "leader"
    assert AuditLog.objects.filter(action="token", note__contains="leader").exists()


def test_token_create_takes_a_lifetime_in_days_and_zero_means_never(leader):
    token_create("leader", "--days", "7", "--name", "weekly")
    token_create("leader", "--days", "0")
    weekly = ApiToken.objects.get(name="weekly")
    assert timedelta(days=6) < weekly.expires_at - timezone.now() <= timedelta(days=7)
    assert ApiToken.objects.get(name="cli").expires_at is None


def test_token_create_refuses_unknown_and_inactive_users(leader):
    with pytest.raises(CommandError, match="nobody"):
        token_create("nobody")
    User.objects.filter(pk=leader.pk).update(is_active=False)
    with pytest.raises(CommandError, match="leader"):
        token_create("leader")
    assert not ApiToken.objects.exists()


# The user pages


def user_form(**changes) -> dict:
    return {
        "username": "newbie",
        "full_name": "新人",
        "phone": "",
        "role": "inspector",
        "division": COUNTY,
        "enterprise_uscc": "",
        "password": PASSWORD,
        **changes,
    }


def test_admin_adds_a_user_on_the_page(client_for, admin_user):
    response = client_for(admin_user).post("/accounts/users/add/", user_form())
    assert response.status_code == 302
    created = User.objects.get(username="newbie")
    assert created.role == "inspector" and created.check_password(PASSWORD)
    assert (
        AuditLog.objects.get(action="create", object_type="accounts.user", object_id=str(created.pk)).username
        == "admin"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "abcdefgh"}, "password"),
        ({"role": "town_official"}, "division"),
        ({"role": "enterprise_user", "division": VILLAGE_A}, "enterprise_uscc"),
        ({"division": "329901999000"}, "division"),
        ({"username": "a b"}, "username"),
    ],
    ids=[
        "weak-password",
        "town-official-at-county-level",
        "enterprise-user-without-enterprise",
        "unknown-division",
        "bad-username",
    ],
)
def test_the_user_page_shows_bad_input_next_to_the_field(client_for, admin_user, changes, field):
    response = client_for(admin_user).post("/accounts/users/add/", user_form(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert f'data-field="{field}"' in response.content.decode()
    assert not User.objects.filter(username__in=["newbie", "a b"]).exists()


def test_the_user_list_shows_only_users_of_ones_division(
    client_for, admin_user, town_a_official, town_b_official
):
    town_admin = User.objects.create(username="b_admin", role="bureau_admin", division_id=TOWN_B)
    page = client_for(town_admin).get("/accounts/users/").content.decode()
    assert "<td>town_b</td>" in page
    assert "<td>town_a</td>" not in page and "<td>admin</td>" not in page


def test_roles_without_user_management_cannot_open_the_user_pages(client_for, staff_user):
    client = client_for(staff_user)
    assert client.get("/accounts/users/").status_code == 403
    assert client.post("/accounts/users/add/", user_form()).status_code == 403
    assert not User.objects.filter(username="newbie").exists()
