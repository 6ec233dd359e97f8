"""The enterprise pages: forms with field errors, the list's filters, sorting, paging and query count,
masked phones and the audited reveal, and a menu that shows only what the role may open."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B, make_uscc

from yingji.accounts import services as account_services
from yingji.core.models import AuditLog, Division
from yingji.navigation import MENU
from yingji.registry.models import Enterprise

LIST = "/enterprises/"


def enterprise_form(**changes) -> dict:
    return {
        "name": "丙化工有限公司",
        "uscc": make_uscc(40),
        "industry": "26",
        "scale": "small",
        "division": VILLAGE_A,
        "status": "operating",
        "standardization": "none",
        "longitude": "120.95",
        "latitude": "32.05",
        "main_person_phone": "13811112222",
        "hazchem_use": "on",
        **changes,
    }


def wrong_check_char(uscc: str) -> str:
    return uscc[:-1] + ("1" if uscc[-1] != "1" else "2")


def field_errors(response, field: str) -> list[str]:
    """The error messages the page shows next to `field`."""
    html = response.content.decode()
    return re.findall(rf'<div class="invalid-feedback d-block" data-field="{field}">([^<]+)</div>', html)


def names(response) -> list[str]:
    return [obj.name for obj, _cells in response.context["rows"]]


# Create and edit


def test_creating_an_enterprise_on_the_page(client_for, staff_user):
    response = client_for(staff_user).post("/enterprises/add/", enterprise_form())
    created = Enterprise.objects.get(name="丙化工有限公司")
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{created.pk}/"
    assert created.hazchem_use and created.division_id == VILLAGE_A and created.longitude == 120.95


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"uscc": wrong_check_char(make_uscc(40))}, "uscc"),
        ({"uscc": "ABC"}, "uscc"),
        ({"longitude": "2.35", "latitude": "48.85"}, "longitude"),
        ({"latitude": "70"}, "latitude"),
        ({"name": ""}, "name"),
        ({"division": "329901999999"}, "division"),
        ({"main_person_phone": "12345"}, "main_person_phone"),
        ({"industry": "ZZ"}, "industry"),
        ({"employees": "-1"}, "employees"),
    ],
    ids=[
        "uscc-check-char",
        "uscc-length",
        "outside-china",
        "latitude",
        "empty-name",
        "unknown-division",
        "phone",
        "industry",
        "employees",
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(client_for, staff_user, changes, field):
    response = client_for(staff_user).post("/enterprises/add/", enterprise_form(**changes))
    assert response.status_code == 400
    assert field_errors(response, field), response.context["form"].errors
    assert 'id="form-errors"' in response.content.decode()
    assert not Enterprise.objects.exists()


def test_the_uscc_error_says_what_is_wrong(client_for, staff_user):
    response = client_for(staff_user).post(
        "/enterprises/add/", enterprise_form(uscc=wrong_check_char(make_uscc(40)))
    )
    assert response.context["form"].errors["uscc"][0] == str(
        Enterprise._meta.get_field("uscc").validators[0].__globals__["USCC_MESSAGES"]["check_char"]
    )


def test_a_duplicate_uscc_is_shown_next_to_the_field(client_for, staff_user, enterprise_a):
    response = client_for(staff_user).post("/enterprises/add/", enterprise_form(uscc=enterprise_a.uscc))
    assert response.status_code == 400 and field_errors(response, "uscc")
    assert Enterprise.objects.count() == 1


def test_a_town_official_cannot_place_an_enterprise_in_another_town(client_for, town_a_official):
    client = client_for(town_a_official)
    response = client.post("/enterprises/add/", enterprise_form(division=VILLAGE_B))
    assert response.status_code == 400 and field_errors(response, "division")
    assert not Enterprise.objects.exists()
    form_html = client.get("/enterprises/add/").content.decode()
    assert VILLAGE_A in form_html and VILLAGE_B not in form_html and TOWN_B not in form_html


def test_editing_an_enterprise(client_for, staff_user, enterprise_a):
    form = enterprise_form(name="甲镇化工集团有限公司", uscc=enterprise_a.uscc)
    response = client_for(staff_user).post(f"/enterprises/{enterprise_a.pk}/edit/", form)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "甲镇化工集团有限公司"


def test_editing_with_bad_input_changes_nothing(client_for, staff_user, enterprise_a):
    before = Enterprise.objects.values().get(pk=enterprise_a.pk)
    form = enterprise_form(name="改名", uscc=enterprise_a.uscc, longitude="500")
    response = client_for(staff_user).post(f"/enterprises/{enterprise_a.pk}/edit/", form)
    assert response.status_code == 400 and field_errors(response, "longitude")
    assert Enterprise.objects.values().get(pk=enterprise_a.pk) == before


def test_the_edit_form_is_filled_with_the_enterprise(client_for, staff_user, enterprise_a):
    html = client_for(staff_user).get(f"/enterprises/{enterprise_a.pk}/edit/").content.decode()
    assert 'value="甲镇化工有限公司"' in html and f'value="{enterprise_a.uscc}"' in html


def test_an_enterprise_user_edits_their_enterprise_but_cannot_move_it(
    client_for, enterprise_a_user, enterprise_a
):
    form = enterprise_form(name=enterprise_a.name, uscc=enterprise_a.uscc, division=VILLAGE_B, employees="33")
    response = client_for(enterprise_a_user).post(f"/enterprises/{enterprise_a.pk}/edit/", form)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.employees == 33 and enterprise_a.division_id == VILLAGE_A


def test_deleting_is_for_roles_with_the_permission(client_for, admin_user, staff_user, enterprise_b):
    assert client_for(staff_user).post(f"/enterprises/{enterprise_b.pk}/delete/").status_code == 403
    assert Enterprise.objects.filter(pk=enterprise_b.pk).exists()
    response = client_for(admin_user).post(f"/enterprises/{enterprise_b.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Enterprise.objects.filter(pk=enterprise_b.pk).exists()


def test_an_enterprise_with_accounts_is_not_deleted_and_the_page_says_why(
    client_for, admin_user, enterprise_a_user, enterprise_a
):
    response = client_for(admin_user).post(f"/enterprises/{enterprise_a.pk}/delete/", follow=True)
    assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]


# The list


@pytest.fixture
def many(county):
    """120 enterprises: 60 in each town, every third a dust enterprise, every fifth suspended."""
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"企业{n:03d}有限公司",
            uscc=make_uscc(100 + n),
            industry="26" if n % 2 else "13",
            division_id=VILLAGE_A if n < 60 else VILLAGE_B,
            dust_explosion=n % 3 == 0,
            status="suspended" if n % 5 == 0 else "operating",
            employees=n,
            main_person_phone=f"139{n:08d}",
        )
        for n in range(120)
    )


def test_the_list_pages_through_the_results(client_for, staff_user, many):
    client = client_for(staff_user)
    first = client.get(LIST)
    assert first.context["page"].paginator.count == 120 and len(names(first)) == 50
    response = client.get(LIST, {"per_page": 25, "page": 5})
    assert len(names(response)) == 20 and names(response)[0] == "企业100有限公司"
    assert 'rel="prev"' in response.content.decode() and 'rel="next"' not in response.content.decode()
    assert len(names(client.get(LIST, {"per_page": 100}))) == 100
    assert len(names(client.get(LIST, {"per_page": 100000}))) == 50  # only the offered sizes
    assert client.get(LIST, {"page": "999"}).context["page"].number == 3  # past the end: the last page


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"q": "企业00"}, 10),
        ({"q": make_uscc(105)}, 1),
        ({"division": TOWN_B}, 60),
        ({"division": VILLAGE_A}, 60),
        ({"division": COUNTY[:6]}, 120),
        ({"industry": "26"}, 60),
        ({"status": "suspended"}, 24),
        ({"flag": "dust_explosion"}, 40),
        ({"flag": "dust_explosion", "status": "suspended"}, 8),
        ({"liability_insured": "true"}, 0),
    ],
)
def test_the_list_filters(client_for, staff_user, many, query, count):
    assert client_for(staff_user).get(LIST, query).context["page"].paginator.count == count


def test_the_list_sorts_by_a_column_both_ways(client_for, staff_user, many):
    client = client_for(staff_user)
    assert names(client.get(LIST, {"sort": "employees"}))[:2] == ["企业000有限公司", "企业001有限公司"]
    assert names(client.get(LIST, {"sort": "-employees"}))[:2] == ["企业119有限公司", "企业118有限公司"]
    html = client.get(LIST, {"sort": "employees"}).content.decode()
    assert "sort=-employees" in html  # the header links to the reverse order


@pytest.mark.parametrize("query", [{"division": "12345"}, {"status": "bankrupt"}, {"sort": "password"}])
def test_an_invalid_filter_shows_an_error_and_no_rows(client_for, staff_user, many, query):
    response = client_for(staff_user).get(LIST, query)
    assert response.status_code == 200 and names(response) == []
    assert response.context["filterset"].errors


def test_htmx_requests_get_only_the_table(client_for, staff_user, many):
    response = client_for(staff_user).get(LIST, {"status": "suspended"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="object-list"' in html and "<html" not in html


def test_the_list_query_count_does_not_grow_with_the_page_size(client_for, staff_user, many):
    client = client_for(staff_user)
    client.get(LIST)  # warm up session and caches
    counts = {}
    for per_page in (25, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(names(client.get(LIST, {"per_page": per_page}))) == per_page
        counts[per_page] = len(queries)
    assert counts[25] == counts[100], counts


def test_the_map_points_follow_the_filters(client_for, staff_user, many):
    Enterprise.objects.filter(name="企业001有限公司").update(longitude=120.9, latitude=32.0)
    client = client_for(staff_user)
    assert [p[1] for p in client.get("/enterprises/points.json").json()["points"]] == ["企业001有限公司"]
    assert client.get("/enterprises/points.json", {"division": TOWN_B}).json()["points"] == []


# Masking


PERSONAS = ["admin_user", "staff_user", "town_a_official", "leader", "enterprise_a_user"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_phones_are_masked_on_the_list_and_detail_pages_for_every_role(
    request, client_for, enterprise_a, persona
):
    client = client_for(request.getfixturevalue(persona))
    for url in (LIST, f"/enterprises/{enterprise_a.pk}/"):
        html = client.get(url).content.decode()
        assert "138****1234" in html and "13812341234" not in html, url


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_phones_are_masked_in_exports_for_every_role(request, client_for, enterprise_a, persona, fmt):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("registry:enterprise_export"), {"format": fmt})
    assert response.status_code == 200
    text = exported_text(response, fmt)
    assert "甲镇化工有限公司" in text
    assert "138****1234" in text and "13812341234" not in text


def exported_text(response, fmt: str) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


@pytest.mark.parametrize("persona", ["admin_user", "staff_user"])
def test_the_reveal_shows_full_phones_to_roles_that_may_see_them_and_is_audited(
    request, client_for, enterprise_a, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert 'id="reveal-button"' in client.get(f"/enterprises/{enterprise_a.pk}/").content.decode()
    response = client.get(f"/enterprises/{enterprise_a.pk}/contacts/")
    assert response.status_code == 200 and "13812341234" in response.content.decode()
    record = AuditLog.objects.get(action="reveal")
    assert record.user == user and record.object_id == str(enterprise_a.pk)


@pytest.mark.parametrize("persona", ["town_a_official", "leader", "enterprise_a_user"])
def test_the_reveal_is_forbidden_to_roles_without_the_permission(request, client_for, enterprise_a, persona):
    client = client_for(request.getfixturevalue(persona))
    assert 'id="reveal-button"' not in client.get(f"/enterprises/{enterprise_a.pk}/").content.decode()
    response = client.get(f"/enterprises/{enterprise_a.pk}/contacts/")
    assert response.status_code == 403 and "13812341234" not in response.content.decode()
    assert not AuditLog.objects.filter(action="reveal").exists()


def test_a_duty_officer_may_reveal_phones(client_for, county, enterprise_a):
    officer = account_services.create_user(
        username="duty",
        role="duty_officer",
        password="Duty@pass1",
        division=Division.objects.get(code=COUNTY),
    )
    assert client_for(officer).get(f"/enterprises/{enterprise_a.pk}/contacts/").status_code == 200


# Navigation


def nav_links(html: str) -> list[str]:
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize(
    "persona", ["admin_user", "staff_user", "town_a_official", "leader", "enterprise_a_user"]
)
def test_the_menu_shows_exactly_the_modules_the_role_may_open(request, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    shown = nav_links(client.get("/").content.decode())
    for entry in MENU:
        url = reverse(entry.url_name)
        may_open = entry.permission is None or user.has_perm(entry.permission)
        assert (url in shown) == may_open, (persona, entry.url_name)
        status = client.get(url).status_code
        assert (status == 200) == may_open, (persona, url, status)


def test_the_leader_menu(client_for, leader):
    assert nav_links(client_for(leader).get("/").content.decode()) == [
        "/",
        "/inbox/",
        "/enterprises/",
        "/risk/",
        "/hazards/",
        "/hazards/ledger/",
        "/hazards/statistics/",
        "/hazards/self-checks/tasks/",
        "/hazards/public-reports/",
        "/enterprises/sources/",
        "/enterprises/duties/",
        "/monitoring/",
        "/monitoring/alarms/",
        "/monitoring/devices/",
        "/monitoring/quality/",
        "/alerts/warnings/",
        "/alerts/notices/",
        "/alerts/call-lists/",
        "/alerts/rosters/",
        "/alerts/rosters/rounds/",
        "/inspections/checklists/",
        "/inspections/records/",
        "/inspections/orders/",
        "/inspections/penalties/",
        "/inspections/leads/",
        "/inspections/plans/",
        "/inspections/draws/",
        "/inspections/coverage/",
        "/inspections/statistics/",
        "/inspections/check-ins/",
        "/monitoring/supervision/rollcalls/",
        "/monitoring/supervision/rollcalls/answers/",
        "/monitoring/supervision/video-checks/",
        "/monitoring/supervision/dust/results/",
        "/monitoring/supervision/league/",
        "/map/",
        "/incidents/",
        "/incidents/responses/",
        "/incidents/disasters/",
        "/plans/",
        "/plans/drills/",
        "/resources/teams/",
        "/resources/warehouses/",
        "/resources/catalogue/",
        "/resources/shelters/",
        "/resources/experts/",
        "/resources/equipment/",
        "/resources/nearest/",
        "/divisions/",
        "/api/v1/docs",
    ]


def test_the_division_list_starts_at_the_users_division(client_for, town_a_official):
    html = client_for(town_a_official).get("/divisions/").content.decode()
    assert "甲村" in html and "乙村" not in html and TOWN_A in html
