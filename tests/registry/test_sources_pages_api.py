"""Major hazard source pages and /api/v1/sources: scoping, the result page, errors on the right row."""

import json

import pytest

from yingji.registry import services_sources as services
from yingji.registry.models import MajorHazardSource

API = "/api/v1/sources"


@pytest.fixture
def chlorine(admin_user, enterprise_a):
    return services.create_source(
        actor=admin_user,
        enterprise=enterprise_a,
        name="液氯库",
        kind="storage",
        exposed_population=100,
        chemicals=[
            {"name": "液氯", "quantity_t": "62.5"},
            {"name": "甲醇", "quantity_t": "100", "categories": "W5.3"},
        ],
    )


@pytest.fixture
def other(admin_user, enterprise_b):
    return services.create_source(
        actor=admin_user,
        enterprise=enterprise_b,
        name="乙罐区",
        kind="storage",
        chemicals=[{"name": "甲醇", "quantity_t": "10", "categories": "W5.3"}],
    )


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


# -- pages -----------------------------------------------------------------------------------------


def test_result_page_shows_the_computation(client_for, staff_user, chlorine):
    page = client_for(staff_user).get(f"/enterprises/sources/{chlorine.pk}/assessment/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-major="true"' in html and 'data-grade="1"' in html
    assert html.count("data-line=") == 2
    for text in ("表1 第12项", "表3 氯", "表4 W5.3", "100.4", "表5 100人以上", "12.7", "R ≥ 100"):
        assert text in html, text


def test_result_page_of_a_non_major_unit(client_for, staff_user, other):
    html = client_for(staff_user).get(f"/enterprises/sources/{other.pk}/assessment/").content.decode()
    assert (
        'data-major="false"' in html and 'id="result-not-major"' in html and 'id="result-grading"' not in html
    )


def test_list_filters_and_scoping(
    client_for, staff_user, town_a_official, enterprise_a_user, chlorine, other
):
    client = client_for(staff_user)
    assert client.get("/enterprises/sources/").status_code == 200
    html = client.get("/enterprises/sources/?is_major=true&grade=1").content.decode()
    assert "液氯库" in html and "乙罐区" not in html
    for user in (town_a_official, enterprise_a_user):
        client = client_for(user)
        assert "乙罐区" not in client.get("/enterprises/sources/").content.decode()
        assert client.get(f"/enterprises/sources/{other.pk}/").status_code == 404
        assert client.get(f"/enterprises/sources/{other.pk}/assessment/").status_code == 404
        assert client.get(f"/enterprises/sources/{chlorine.pk}/").status_code == 200


def test_enterprise_page_lists_its_sources(client_for, staff_user, chlorine, enterprise_a):
    html = client_for(staff_user).get(f"/enterprises/{enterprise_a.pk}/").content.decode()
    assert (
        'id="enterprise-sources"' in html
        and f'data-source="{chlorine.pk}"' in html
        and 'data-grade="1"' in html
    )


def form_data(enterprise, rows, **fields):
    data = {
        "enterprise": enterprise.pk,
        "name": "新罐区",
        "code": "",
        "category": "hazchem",
        "kind": "storage",
        "exposed_population": "10",
        "status": "in_use",
        "location": "",
        "longitude": "",
        "latitude": "",
        "chemicals-TOTAL_FORMS": str(len(rows)),
        "chemicals-INITIAL_FORMS": "0",
        "chemicals-MIN_NUM_FORMS": "0",
        "chemicals-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    for i, row in enumerate(rows):
        for key in ("name", "cas", "categories", "quantity_t"):
            data[f"chemicals-{i}-{key}"] = row.get(key, "")
    return data


def test_add_through_the_form_skips_blank_rows(client_for, enterprise_a_user, enterprise_a):
    rows = [
        {"name": "液氨", "quantity_t": "20"},
        {},
        {"name": "汽油", "cas": "86290-81-5", "quantity_t": "100", "categories": "W5.1"},
    ]
    response = client_for(enterprise_a_user).post("/enterprises/sources/add/", form_data(enterprise_a, rows))
    assert response.status_code == 302
    source = MajorHazardSource.objects.get()
    assert response.url == f"/enterprises/sources/{source.pk}/assessment/"
    assert source.enterprise == enterprise_a and source.chemicals.count() == 2
    assert source.assessment["S"] == "2.5"


def test_bad_row_in_the_form_is_marked_on_that_row(client_for, staff_user, enterprise_a):
    rows = [{"name": "液氨", "quantity_t": "20"}, {}, {"name": "甲醇", "quantity_t": "-3"}]
    response = client_for(staff_user).post("/enterprises/sources/add/", form_data(enterprise_a, rows))
    assert response.status_code == 400
    rows_ctx = response.context["formset"].forms
    assert not rows_ctx[0].errors and "quantity_t" in rows_ctx[2].errors
    assert not MajorHazardSource.objects.exists()


def test_enterprise_user_cannot_post_for_another_enterprise(client_for, enterprise_a_user, enterprise_b):
    # The enterprise field is disabled for them: the posted value is ignored, their own is used.
    response = client_for(enterprise_a_user).post(
        "/enterprises/sources/add/", form_data(enterprise_b, [{"name": "液氨", "quantity_t": "1"}])
    )
    assert response.status_code == 302
    assert MajorHazardSource.objects.get().enterprise_id == enterprise_a_user.enterprise_id


def test_pages_need_permissions(client_for, leader, chlorine):
    client = client_for(leader)
    assert client.get("/enterprises/sources/").status_code == 200
    assert client.get("/enterprises/sources/add/").status_code == 403
    assert client.post(f"/enterprises/sources/{chlorine.pk}/delete/").status_code == 403


def test_delete_page(client_for, admin_user, chlorine):
    response = client_for(admin_user).post(f"/enterprises/sources/{chlorine.pk}/delete/")
    assert response.status_code == 302 and not MajorHazardSource.objects.exists()


# -- API -------------------------------------------------------------------------------------------


def test_api_detail_has_the_exact_computation(client_for, staff_user, chlorine):
    body = client_for(staff_user).get(f"{API}/{chlorine.pk}").json()
    a = body["assessment"]
    assert (body["grade"], a["S"], a["R"], a["alpha"]) == (1, "12.7", "100.4", "2")
    assert a["lines"][0]["q_over_Q"] == "12.5" and a["lines"][1]["beta_from"] == "表4 W5.3"
    assert body["chemicals"][0] == {"name": "液氯", "cas": "", "categories": [], "quantity_t": "62.5"}


def test_api_list_filters(client_for, staff_user, enterprise_b, chlorine, other):
    client = client_for(staff_user)
    assert client.get(API).json()["count"] == 2
    assert [s["id"] for s in client.get(f"{API}?is_major=true").json()["items"]] == [chlorine.pk]
    assert [s["id"] for s in client.get(f"{API}?enterprise={enterprise_b.pk}").json()["items"]] == [other.pk]
    assert client.get(f"{API}?grade=1").json()["count"] == 1
    assert client.get(f"{API}?division=320999001000").json()["count"] in (0, 1, 2)
    assert client.get(f"{API}?grade=9").status_code == 400


def test_api_create_r_exactly_100_and_regrade(client_for, admin_user, enterprise_a):
    client = client_for(admin_user)
    payload = {
        "enterprise": enterprise_a.pk,
        "name": "氯库",
        "kind": "storage",
        "exposed_population": 100,
        "chemicals": [{"name": "氯", "quantity_t": "62.5"}],
    }
    response = post_json(client, API, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessment"]["R"] == "100" and body["grade"] == 1
    response = post_json(
        client, f"{API}/{body['id']}", {"chemicals": [{"name": "氯", "quantity_t": 10}]}, "patch"
    )
    assert response.status_code == 200 and response.json()["grade"] == 3
    response = post_json(client, f"{API}/{body['id']}", {"exposed_population": 20}, "patch")
    assert (
        response.json()["assessment"]["alpha"] == "1"
        and response.json()["chemicals"][0]["quantity_t"] == "10"
    )
    assert client.delete(f"{API}/{body['id']}").status_code == 204


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            {"chemicals": [{"name": "液氨", "quantity_t": 1}, {"name": "不存在", "quantity_t": 1}]},
            "chemicals[1].name",
        ),
        ({"chemicals": [{"name": "甲醇", "quantity_t": 1}]}, "chemicals[0].categories"),
        ({"chemicals": [{"categories": ["W2"], "quantity_t": 0}]}, "chemicals[0].quantity_t"),
        ({"chemicals": [{"categories": ["W2"], "quantity_t": "lots"}]}, "chemicals[0].quantity_t"),
        ({"exposed_population": -5}, "exposed_population"),
        ({"name": "已有"}, "name"),
    ],
)
def test_api_bad_input_is_400_with_fields(client_for, admin_user, enterprise_a, change, key):
    client = client_for(admin_user)
    services.create_source(
        actor=admin_user,
        enterprise=enterprise_a,
        name="已有",
        kind="storage",
        chemicals=[{"name": "液氨", "quantity_t": "1"}],
    )
    payload = {
        "enterprise": enterprise_a.pk,
        "name": "新",
        "kind": "storage",
        "chemicals": [{"name": "液氨", "quantity_t": 1}],
        **change,
    }
    response = post_json(client, API, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_data" and key in body["fields"]
    assert MajorHazardSource.objects.count() == 1


def test_api_scoping(client_for, enterprise_a_user, town_b_official, enterprise_b, chlorine, other):
    client = client_for(enterprise_a_user)
    assert [s["id"] for s in client.get(API).json()["items"]] == [chlorine.pk]
    assert client.get(f"{API}/{other.pk}").status_code == 404
    assert post_json(client, f"{API}/{other.pk}", {"name": "x"}, "patch").status_code == 404
    response = post_json(
        client,
        API,
        {
            "enterprise": enterprise_b.pk,
            "name": "x",
            "kind": "storage",
            "chemicals": [{"name": "液氨", "quantity_t": 1}],
        },
    )
    assert response.status_code == 400 and "enterprise" in response.json()["fields"]
    assert client_for(town_b_official).get(f"{API}/{chlorine.pk}").status_code == 404


def test_duplicate_name_and_bad_rows_are_reported_together(client_for, staff_user, enterprise_a, chlorine):
    rows = [{"name": "甲醇", "quantity_t": "10"}, {"name": "液氨", "quantity_t": "-1"}]
    response = client_for(staff_user).post(
        "/enterprises/sources/add/", form_data(enterprise_a, rows, name=chlorine.name)
    )
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    forms = response.context["formset"].forms
    assert "categories" in forms[0].errors and "quantity_t" in forms[1].errors
    assert MajorHazardSource.objects.count() == 1


def test_api_create_needs_an_enterprise_and_a_name(client_for, admin_user):
    response = post_json(client_for(admin_user), API, {"kind": "storage", "chemicals": []})
    assert response.status_code == 400 and "enterprise" in response.json()["fields"]


def test_api_refuses_before_validating(client_for, leader):
    assert post_json(client_for(leader), API, {}).status_code == 403
