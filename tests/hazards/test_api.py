"""/api/v1/hazards: list filters, scoping, the detail with allowed actions, reporting, photos, every action
of the closed loop, and refusals (403/404/409/400) that change nothing."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A, image_file

from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardEvent, HazardPhoto, Status, Supervision

URL = "/api/v1/hazards"
MAJOR = ["chem-2017-4"]


def days(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=n)


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def act(client, hazard, action: str, **body):
    return post(client, f"{URL}/{hazard.pk}/actions/{action}", body)


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code and body["message"]
    if field:
        assert body["fields"].get(field), body
    return body


def snapshot(hazard) -> tuple:
    return (
        list(Hazard.objects.filter(pk=hazard.pk).values()),
        HazardEvent.objects.filter(hazard=hazard).count(),
        HazardPhoto.objects.filter(hazard=hazard).count(),
        Supervision.objects.filter(hazard=hazard).count(),
    )


@pytest.fixture
def hazard_a(enterprise_a_user):
    return services.report_hazard(
        actor=enterprise_a_user, title="甲镇护栏缺失", source="self_check", photos=[image_file()]
    )


@pytest.fixture
def hazard_b(enterprise_b_user):
    return services.report_hazard(actor=enterprise_b_user, title="乙镇配电箱未接地", source="self_check")


@pytest.fixture
def major_a(enterprise_a_user):
    return services.report_hazard(
        actor=enterprise_a_user,
        title="紧急停车系统未投用",
        source="inspection",
        grade="major",
        criteria=MAJOR,
    )


def test_the_list_is_scoped_paginated_and_filtered(client_for, town_a_official, hazard_a, hazard_b, major_a):
    client = client_for(town_a_official)
    body = client.get(URL).json()
    assert body["count"] == 2 and {h["title"] for h in body["items"]} == {
        "甲镇护栏缺失",
        "紧急停车系统未投用",
    }
    assert client.get(URL, {"grade": "major"}).json()["count"] == 1
    assert client.get(URL, {"q": "护栏"}).json()["count"] == 1
    assert client.get(URL, {"division": TOWN_A, "status": "reported"}).json()["count"] == 2
    item = client.get(URL, {"grade": "major"}).json()["items"][0]
    assert item["overdue"] is False and item["division"] == VILLAGE_A and item["status"] == "reported"


def test_the_overdue_filter_and_flag(client_for, staff_user, hazard_a, major_a, enterprise_a_manager):
    services.confirm_hazard(
        hazard_a, actor=enterprise_a_manager, grade="general", treatment="deadline", due_at=days(3)
    )
    Hazard.objects.filter(pk=hazard_a.pk).update(due_at=days(-1))
    client = client_for(staff_user)
    body = client.get(URL, {"overdue": "yes"}).json()
    assert [h["id"] for h in body["items"]] == [hazard_a.pk] and body["items"][0]["overdue"] is True
    assert client.get(f"{URL}/{hazard_a.pk}").json()["overdue"] is True
    Hazard.objects.filter(pk=hazard_a.pk).update(status=Status.SUBMITTED)  # the work is done: not overdue
    assert client.get(URL, {"overdue": "yes"}).json()["count"] == 0
    assert client.get(f"{URL}/{hazard_a.pk}").json()["overdue"] is False


def test_a_bad_filter_is_a_400_naming_it(client_for, staff_user):
    assert_error(client_for(staff_user).get(URL, {"status": "lost"}), 400, "invalid_filter", "status")


def test_the_criteria_carry_their_clause(client_for, leader):
    criteria = client_for(leader).get(f"{URL}/criteria").json()
    chem = next(c for c in criteria if c["code"] == "chem-2017-4")
    assert chem["source"] and chem["short"] and chem["standard"] == "chem-2017"


def test_one_hazard_with_events_photos_and_allowed_actions(client_for, enterprise_a_manager, hazard_a):
    body = client_for(enterprise_a_manager).get(f"{URL}/{hazard_a.pk}").json()
    assert body["allowed_actions"] == services.allowed_actions(hazard_a, enterprise_a_manager) == ["confirm"]
    assert [e["action"] for e in body["events"]] == ["report"]
    [photo] = body["photos"]
    assert photo["kind"] == "before" and photo["url"] == f"/hazards/{hazard_a.pk}/photos/{photo['id']}/"
    assert body["supervision"] is None and body["extension_request"] is None


def test_another_towns_hazard_is_404_everywhere(client_for, town_a_official, hazard_b):
    client = client_for(town_a_official)
    before = snapshot(hazard_b)
    assert_error(client.get(f"{URL}/{hazard_b.pk}"), 404, "not_found")
    assert_error(act(client, hazard_b, "confirm", grade="general", treatment="immediate"), 404, "not_found")
    response = client.post(f"{URL}/{hazard_b.pk}/photos", {"photos": [image_file()]})
    assert_error(response, 404, "not_found")
    assert snapshot(hazard_b) == before


def test_reporting_a_hazard(client_for, staff_user, enterprise_a):
    response = post(
        client_for(staff_user),
        URL,
        {
            "enterprise": enterprise_a.pk,
            "title": "储罐区无联锁",
            "source": "inspection",
            "grade": "major",
            "criteria": MAJOR,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "reported" and body["enterprise"] == enterprise_a.pk
    assert [c["code"] for c in body["criteria"]] == MAJOR


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "source": "self_check"}, "title"),
        ({"title": "x", "source": "rumour"}, "source"),
        ({"title": "x", "source": "self_check", "grade": "major"}, "criteria"),
        ({"title": "x", "source": "self_check", "criteria": ["no-such-1"]}, "criteria"),
        ({"title": "x", "source": "other", "enterprise": 999999}, "enterprise"),
    ],
)
def test_a_bad_report_is_a_400_naming_the_field(client_for, staff_user, county, body, field):
    assert_error(post(client_for(staff_user), URL, body), 400, "invalid_data", field)
    assert not Hazard.objects.exists()


def test_a_town_official_cannot_report_in_another_town(client_for, town_a_official, enterprise_b):
    response = post(
        client_for(town_a_official),
        URL,
        {"enterprise": enterprise_b.pk, "title": "x", "source": "inspection"},
    )
    assert_error(response, 400, "invalid_data", "enterprise")
    assert not Hazard.objects.exists()


def test_adding_photos(client_for, enterprise_a_user, hazard_a):
    response = client_for(enterprise_a_user).post(
        f"{URL}/{hazard_a.pk}/photos", {"photos": [image_file("a.png"), image_file("b.jpg", fmt="JPEG")]}
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["photos"]) == 3


def test_a_file_that_is_not_an_image_is_400_and_nothing_is_stored(
    client_for, enterprise_a_user, hazard_a, settings
):
    stored = sorted(p.name for p in settings.UPLOAD_DIR.rglob("*") if p.is_file())
    before = snapshot(hazard_a)
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_for(enterprise_a_user).post(
        f"{URL}/{hazard_a.pk}/photos", {"photos": [image_file(), fake]}
    )
    assert_error(response, 400, "invalid_data", "photos")
    assert snapshot(hazard_a) == before
    assert sorted(p.name for p in settings.UPLOAD_DIR.rglob("*") if p.is_file()) == stored


def test_the_whole_loop_through_the_api(
    client_for, major_a, enterprise_a_user, enterprise_a_manager, staff_user
):
    manager, rectifier, staff = enterprise_a_manager, enterprise_a_user, staff_user
    response = act(
        client_for(manager),
        major_a,
        "confirm",
        grade="major",
        treatment="deadline",
        due_at=days(30).isoformat(),
        criteria=MAJOR,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    response = act(
        client_for(staff),
        major_a,
        "list",
        level="county",
        authority=COUNTY,
        unit="安澜县应急管理局",
        document_no="督2号",
        due_at=days(40).isoformat(),
    )
    assert response.status_code == 200, response.content
    assert response.json()["supervision"]["document_no"] == "督2号"
    response = act(
        client_for(rectifier),
        major_a,
        "start",
        measures="恢复",
        responsible="王工",
        funds="50000",
        contingency="停车预案",
    )
    assert response.json()["status"] == "rectifying"
    assert response.json()["plan"]["funds"] == "50000.00"
    assert act(client_for(rectifier), major_a, "submit", note="已恢复").json()["status"] == "submitted"
    assert act(client_for(manager), major_a, "reject", note="未测试").json()["rejections"] == 1
    act(client_for(rectifier), major_a, "submit", note="已测试")
    assert act(client_for(manager), major_a, "verify").json()["status"] == "verified"
    body = act(client_for(staff), major_a, "sign_off", note="销号").json()
    assert body["status"] == "closed" and body["supervision"] is None and body["allowed_actions"] == []


def test_an_extension_through_the_api(
    client_for, hazard_a, enterprise_a_user, enterprise_a_manager, staff_user
):
    services.confirm_hazard(
        hazard_a, actor=enterprise_a_manager, grade="general", treatment="deadline", due_at=days(5)
    )
    body = act(
        client_for(enterprise_a_user),
        hazard_a,
        "request_extension",
        new_due_at=days(9).isoformat(),
        reason="等待配件",
    ).json()
    assert body["extension_request"]["reason"] == "等待配件"
    assert_error(act(client_for(staff_user), hazard_a, "decide_extension"), 400, "invalid_data", "approve")
    body = act(client_for(staff_user), hazard_a, "decide_extension", approve=False, note="不同意").json()
    assert body["extension_request"] is None
    assert Hazard.objects.get(pk=hazard_a.pk).due_at.date() == days(5).date()


def test_a_forbidden_transition_is_409_with_the_code_and_changes_nothing(client_for, staff_user, hazard_a):
    before = snapshot(hazard_a)
    body = assert_error(act(client_for(staff_user), hazard_a, "verify"), 409, "forbidden_transition")
    assert body["fields"] == {}
    assert snapshot(hazard_a) == before


def test_the_rectifier_cannot_verify_their_own_work(
    client_for, hazard_a, enterprise_a_user, enterprise_a_manager
):
    services.confirm_hazard(
        hazard_a, actor=enterprise_a_manager, grade="general", treatment="deadline", due_at=days(5)
    )
    services.start_rectification(hazard_a, actor=enterprise_a_user)
    services.submit_rectification(hazard_a, actor=enterprise_a_user, note="done")
    before = snapshot(hazard_a)
    assert_error(act(client_for(enterprise_a_user), hazard_a, "verify"), 409, "verifier_is_rectifier")
    assert snapshot(hazard_a) == before


def test_bad_action_fields_are_a_400_and_change_nothing(
    client_for, major_a, enterprise_a_manager, enterprise_a_user
):
    client = client_for(enterprise_a_manager)
    before = snapshot(major_a)
    assert_error(
        act(client, major_a, "confirm", grade="major", treatment="deadline", due_at=days(-1).isoformat()),
        400,
        "invalid_data",
        "due_at",
    )
    assert_error(
        act(client, major_a, "confirm", grade="major", treatment="deadline", due_at="soon"),
        400,
        "invalid_input",
        "due_at",
    )
    assert snapshot(major_a) == before
    act(client, major_a, "confirm", grade="major", treatment="deadline", due_at=days(9).isoformat())
    before = snapshot(major_a)
    body = assert_error(
        act(client_for(enterprise_a_user), major_a, "start", measures="x"), 400, "invalid_data"
    )
    assert set(body["fields"]) == {"responsible", "funds", "contingency"}
    assert snapshot(major_a) == before


def test_the_leader_sees_but_may_not_act(client_for, leader, hazard_a):
    client = client_for(leader)
    assert client.get(f"{URL}/{hazard_a.pk}").json()["allowed_actions"] == []
    before = snapshot(hazard_a)
    assert_error(act(client, hazard_a, "confirm", grade="general", treatment="immediate"), 403, "forbidden")
    assert_error(post(client, URL, {"title": "x", "source": "other"}), 403, "forbidden")
    assert_error(client.post(f"{URL}/{hazard_a.pk}/photos", {"photos": [image_file()]}), 403, "forbidden")
    assert snapshot(hazard_a) == before


def test_an_unknown_action_is_a_404(client_for, staff_user, hazard_a):
    assert_error(act(client_for(staff_user), hazard_a, "explode"), 404, "unknown_action")


def test_listing_needs_an_authority_inside_the_users_division(
    client_for, town_a_official, major_a, enterprise_a_manager
):
    services.confirm_hazard(
        major_a,
        actor=enterprise_a_manager,
        grade="major",
        treatment="deadline",
        due_at=days(9),
        criteria=MAJOR,
    )
    before = snapshot(major_a)
    response = act(
        client_for(town_a_official),
        major_a,
        "list",
        level="county",
        authority=COUNTY,
        unit="县局",
        due_at=days(20).isoformat(),
    )
    assert_error(response, 400, "invalid_data", "authority")
    assert snapshot(major_a) == before


def test_the_list_query_count_does_not_grow_with_the_page_size(
    client_for, staff_user, enterprise_a, enterprise_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    Hazard.objects.bulk_create(
        Hazard(
            enterprise=enterprise_a if n % 2 else enterprise_b,
            division_id=(enterprise_a if n % 2 else enterprise_b).division_id,
            title=f"批量{n:03d}",
            source="self_check",
            reported_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(60)
    )
    client = client_for(staff_user)
    client.get(URL)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(URL, {"page_size": size}).json()["items"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[50], counts
