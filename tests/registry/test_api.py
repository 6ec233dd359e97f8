"""/api/v1/enterprises: paging, filters, the one error shape, tokens, bad input, masking, OpenAPI."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B, make_uscc

from yingji.accounts.middleware import SESSION_KEY
from yingji.accounts.models import ApiToken
from yingji.core.models import AuditLog
from yingji.registry.models import Enterprise

URL = "/api/v1/enterprises"


def token_for(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def api_client(client):
    """`api_client(user)`: a client sending that user's bearer token (from `yingji token create`)."""

    def make(user):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_for(user.username)}"
        return client

    return make


def send(client, method: str, url: str, body=None):
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code and body["message"]
    if field:
        assert field in body["fields"] and body["fields"][field], body
    return body


def wrong_check_char(uscc: str) -> str:
    return uscc[:-1] + ("1" if uscc[-1] != "1" else "2")


def new_enterprise(**changes) -> dict:
    return {
        "name": "丙化工有限公司",
        "uscc": make_uscc(20),
        "industry": "26",
        "division": VILLAGE_A,
        "longitude": 120.95,
        "latitude": 32.05,
        "main_person_phone": "13811112222",
        "flags": {"hazchem_use": True},
        **changes,
    }


@pytest.fixture
def unchanged(db):
    """Call it to assert that no enterprise and no audit record changed since the fixture ran."""

    def state():  # token records come from making the test's client, not from the request
        return list(Enterprise.objects.order_by("pk").values()), AuditLog.objects.exclude(
            action="token"
        ).count()

    before = state()

    def check():
        assert state() == before

    return check


# Listing


def test_the_list_is_paginated_json_with_items_and_count(api_client, staff_user, enterprise_a, enterprise_b):
    client = api_client(staff_user)
    body = client.get(URL).json()
    assert body["count"] == 2 and body["page"] == 1 and body["page_size"] == 50
    assert [item["name"] for item in body["items"]] == ["乙镇机械有限公司", "甲镇化工有限公司"]
    page2 = client.get(URL, {"page": 2, "page_size": 1}).json()
    assert page2["count"] == 2 and [item["id"] for item in page2["items"]] == [enterprise_a.pk]
    assert client.get(URL, {"page": 9}).json()["items"] == []


def test_an_item_carries_the_documented_fields(api_client, staff_user, enterprise_a):
    item = api_client(staff_user).get(URL).json()["items"][0]
    assert (
        item["uscc"] == enterprise_a.uscc
        and item["division"] == VILLAGE_A
        and item["division_name"] == "甲村"
    )
    assert item["flags"]["hazchem_production"] is True and item["flags"]["dust_explosion"] is False
    assert item["industry"] == "26" and item["status"] == "operating"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "机械"}, ["乙镇机械有限公司"]),
        ({"q": "91329901MA0000001"}, ["甲镇化工有限公司"]),
        ({"division": TOWN_B}, ["乙镇机械有限公司"]),
        ({"division": TOWN_A[:9]}, ["甲镇化工有限公司"]),
        ({"industry": "34"}, ["乙镇机械有限公司"]),
        ({"status": "suspended"}, ["丙暂停有限公司"]),
        ({"flag": "hazchem_production"}, ["甲镇化工有限公司"]),
        ({"flag": ["hazchem_production", "dust_explosion"]}, []),
        ({"liability_insured": "true"}, ["丙暂停有限公司"]),
        ({"scale": "large"}, ["丙暂停有限公司"]),
        ({"sort": "-uscc"}, ["丙暂停有限公司", "乙镇机械有限公司", "甲镇化工有限公司"]),
        ({"sort": "uscc"}, ["甲镇化工有限公司", "乙镇机械有限公司", "丙暂停有限公司"]),
        ({"sort": "-employees", "status": "operating"}, ["乙镇机械有限公司", "甲镇化工有限公司"]),
    ],
)
def test_the_list_accepts_the_list_pages_filters(
    api_client, staff_user, enterprise_a, enterprise_b, query, expected
):
    Enterprise.objects.create(
        name="丙暂停有限公司",
        uscc=make_uscc(30),
        industry="13",
        division_id=COUNTY,
        status="suspended",
        liability_insured=True,
        scale="large",
    )
    Enterprise.objects.filter(pk=enterprise_a.pk).update(employees=10)
    Enterprise.objects.filter(pk=enterprise_b.pk).update(employees=20)
    items = api_client(staff_user).get(URL, query).json()["items"]
    assert [item["name"] for item in items] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bankrupt"}, "status"),
        ({"industry": "99"}, "industry"),
        ({"division": "12345"}, "division"),
        ({"flag": "radioactive"}, "flag"),
        ({"sort": "password"}, "sort"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_filter(api_client, staff_user, enterprise_a, query, field):
    assert_error(api_client(staff_user).get(URL, query), 400, "invalid_filter", field)


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "x"}, {"page_size": "501"}, {"page_size": "0"}])
def test_bad_paging_is_a_400(api_client, staff_user, query):
    assert_error(api_client(staff_user).get(URL, query), 400, "invalid_page")


def test_one_enterprise_by_id(api_client, staff_user, enterprise_a):
    body = api_client(staff_user).get(f"{URL}/{enterprise_a.pk}").json()
    assert body["name"] == "甲镇化工有限公司" and body["main_person"] == "张三"


def test_an_unknown_id_is_a_404_in_the_error_shape(api_client, staff_user):
    assert_error(api_client(staff_user).get(f"{URL}/999999"), 404, "not_found")


# Authentication


def test_a_wrong_token_is_a_401(client, enterprise_a):
    response = client.get(URL, headers={"Authorization": "Bearer yj_not-a-real-token"})
    assert_error(response, 401, "unauthorized")


def test_no_credentials_is_a_401(client, db):
    assert_error(client.get(URL), 401, "unauthorized")


def test_an_expired_token_is_a_401(client, staff_user):
    token = token_for("staff")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(client.get(URL, headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized")


def test_the_token_of_a_deactivated_user_is_a_401(client, staff_user):
    token = token_for("staff")
    staff_user.is_active = False
    staff_user.save()
    assert_error(client.get(URL, headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized")


def test_a_token_is_valid_until_it_expires(client, staff_user):
    token = token_for("staff")
    assert client.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_session_is_a_401(client_for, staff_user):
    client = client_for(staff_user)
    assert client.get(URL).status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 31 * 60
    session.save()
    assert_error(client.get(URL), 401, "unauthorized")


def test_a_browser_session_works_for_the_api(client_for, staff_user, enterprise_a):
    assert client_for(staff_user).get(URL).json()["count"] == 1


# Writing


def test_creating_an_enterprise(api_client, staff_user):
    response = send(api_client(staff_user), "POST", URL, new_enterprise())
    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(uscc=make_uscc(20))
    assert response.json()["id"] == created.pk and created.hazchem_use and created.division_id == VILLAGE_A
    assert response.json()["main_person_phone"] == "138****2222"
    record = AuditLog.objects.get(action="create", object_type="registry.enterprise")
    assert record.user == staff_user and record.changes["after"]["name"] == "丙化工有限公司"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"uscc": wrong_check_char(make_uscc(20))}, "invalid_data", "uscc"),
        ({"uscc": "123"}, "invalid_data", "uscc"),
        ({"longitude": 2.35, "latitude": 48.85}, "invalid_data", "longitude"),
        ({"latitude": 60.0}, "invalid_data", "latitude"),
        ({"division": "329901999999"}, "invalid_data", "division"),
        ({"name": ""}, "invalid_data", "name"),
        ({"flags": {"radioactive": True}}, "invalid_data", "flags"),
        ({"industry": "ZZ"}, "invalid_data", "industry"),
        ({"status": "bankrupt"}, "invalid_data", "status"),
        ({"main_person_phone": "12345"}, "invalid_data", "main_person_phone"),
        ({"employees": -3}, "invalid_input", "employees"),
        ({"longitude": "east"}, "invalid_input", "longitude"),
        ({"name": None}, "invalid_input", "name"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_creating_with_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api_client, staff_user, unchanged, changes, code, field
):
    client = api_client(staff_user)
    audit_before = AuditLog.objects.count()
    body = new_enterprise(**changes)
    assert_error(send(client, "POST", URL, body), 400, code, field)
    assert not Enterprise.objects.exists()
    assert AuditLog.objects.count() == audit_before


def test_a_missing_required_field_is_a_400_naming_it(api_client, staff_user):
    body = new_enterprise()
    del body["name"]
    assert_error(send(api_client(staff_user), "POST", URL, body), 400, "invalid_input", "name")
    assert not Enterprise.objects.exists()


def test_a_duplicate_uscc_is_a_400(api_client, staff_user, enterprise_a):
    body = new_enterprise(uscc=enterprise_a.uscc)
    assert_error(send(api_client(staff_user), "POST", URL, body), 400, "invalid_data", "uscc")
    assert Enterprise.objects.count() == 1


def test_a_town_official_cannot_create_an_enterprise_in_another_town(api_client, town_a_official):
    client = api_client(town_a_official)
    assert_error(
        send(client, "POST", URL, new_enterprise(division=VILLAGE_B)), 400, "invalid_data", "division"
    )
    assert not Enterprise.objects.exists()
    assert send(client, "POST", URL, new_enterprise()).status_code == 201


def test_changing_some_fields(api_client, staff_user, enterprise_a):
    response = send(
        api_client(staff_user),
        "PATCH",
        f"{URL}/{enterprise_a.pk}",
        {"employees": 80, "flags": {"dust_explosion": True}},
    )
    assert response.status_code == 200
    enterprise_a.refresh_from_db()
    assert enterprise_a.employees == 80 and enterprise_a.dust_explosion and enterprise_a.hazchem_production
    record = AuditLog.objects.get(action="update")
    assert record.changes == {
        "before": {"employees": None, "dust_explosion": False},
        "after": {"employees": 80, "dust_explosion": True},
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"uscc": "91329901MA00000Z1X"}, "uscc"),
        ({"longitude": 200.0}, "longitude"),
        ({"division": "000000000000"}, "division"),
        ({"name": ""}, "name"),
        ({"flags": {"nuclear": True}}, "flags"),
    ],
)
def test_changing_with_bad_input_is_a_400_and_changes_nothing(
    api_client, staff_user, enterprise_a, unchanged, changes, field
):
    response = send(api_client(staff_user), "PATCH", f"{URL}/{enterprise_a.pk}", changes)
    assert_error(response, 400, "invalid_data", field)
    unchanged()


def test_a_town_official_cannot_move_an_enterprise_to_another_town(
    api_client, town_a_official, enterprise_a, unchanged
):
    response = send(api_client(town_a_official), "PATCH", f"{URL}/{enterprise_a.pk}", {"division": VILLAGE_B})
    assert_error(response, 400, "invalid_data", "division")
    unchanged()


def test_an_enterprise_user_may_edit_but_not_move_their_enterprise(
    api_client, enterprise_a_user, enterprise_a
):
    client = api_client(enterprise_a_user)
    assert send(client, "PATCH", f"{URL}/{enterprise_a.pk}", {"employees": 12}).status_code == 200
    response = send(client, "PATCH", f"{URL}/{enterprise_a.pk}", {"division": "329901001000"})
    assert_error(response, 400, "invalid_data", "division")
    enterprise_a.refresh_from_db()
    assert enterprise_a.employees == 12 and enterprise_a.division_id == VILLAGE_A


def test_deleting_an_enterprise(api_client, admin_user, enterprise_b):
    assert send(api_client(admin_user), "DELETE", f"{URL}/{enterprise_b.pk}").status_code == 204
    assert not Enterprise.objects.exists()
    assert AuditLog.objects.get(action="delete").changes["before"]["name"] == "乙镇机械有限公司"


def test_an_enterprise_with_accounts_cannot_be_deleted(
    api_client, admin_user, enterprise_a_user, enterprise_a
):
    response = send(api_client(admin_user), "DELETE", f"{URL}/{enterprise_a.pk}")
    assert_error(response, 400, "invalid_data", "__all__")
    assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_roles_without_the_permission_get_403_and_change_nothing(
    api_client, leader, enterprise_a, unchanged, method
):
    url = URL if method == "POST" else f"{URL}/{enterprise_a.pk}"
    body = new_enterprise() if method == "POST" else ({"name": "x"} if method == "PATCH" else None)
    assert_error(send(api_client(leader), method, url, body), 403, "forbidden")
    unchanged()


def test_a_bearer_token_needs_no_csrf_token(client, staff_user):
    client = type(client)(enforce_csrf_checks=True)
    response = client.post(
        URL,
        json.dumps(new_enterprise()),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for('staff')}"},
    )
    assert response.status_code == 201


def test_a_browser_session_needs_the_csrf_token_to_write(client, staff_user):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(URL, json.dumps(new_enterprise()), content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Enterprise.objects.exists()


# Masking


@pytest.mark.parametrize(
    "persona", ["admin_user", "staff_user", "town_a_official", "leader", "enterprise_a_user"]
)
def test_phones_are_masked_in_the_list_for_every_role(request, api_client, enterprise_a, persona):
    user = request.getfixturevalue(persona)
    text = api_client(user).get(URL).content.decode()
    assert "138****1234" in text and "13812341234" not in text
    assert "13812341234" not in api_client(user).get(f"{URL}/{enterprise_a.pk}").content.decode()


def test_reveal_shows_full_phones_to_roles_that_may_see_them_and_is_audited(
    api_client, staff_user, enterprise_a
):
    body = api_client(staff_user).get(f"{URL}/{enterprise_a.pk}", {"reveal": "true"}).json()
    assert body["main_person_phone"] == "13812341234"
    record = AuditLog.objects.get(action="reveal")
    assert record.user == staff_user and record.object_id == str(enterprise_a.pk)


@pytest.mark.parametrize("persona", ["town_a_official", "leader", "enterprise_a_user"])
def test_reveal_is_forbidden_to_roles_without_the_permission(request, api_client, enterprise_a, persona):
    response = api_client(request.getfixturevalue(persona)).get(
        f"{URL}/{enterprise_a.pk}", {"reveal": "true"}
    )
    assert_error(response, 403, "forbidden")
    assert "13812341234" not in response.content.decode()
    assert not AuditLog.objects.filter(action="reveal").exists()


# OpenAPI


def test_the_openapi_description_lists_the_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Yingji API"
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/enterprises"])
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/v1/enterprises/{enterprise_id}"])


def test_api_docs_redirects_to_the_versioned_docs(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs"


def test_the_api_docs_use_only_vendored_assets(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and "cdn" not in html.lower()
    assert not [url for url in assets if "//" in url], assets
    for url in assets:
        served = client.get(url)
        assert served.status_code == 200, url
