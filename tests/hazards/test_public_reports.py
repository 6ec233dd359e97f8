"""有奖举报: the public page and API (no login), flood limits, tracking, and the bureau's queue."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B, image_file

from yingji.accounts.roles import ROLE_PERMISSIONS, Role
from yingji.core.models import AuditLog
from yingji.hazards import rules_reports, services_reports
from yingji.hazards.models import Hazard, PhotoKind, PublicReport, ReportPhoto, ReportStatus, Source
from yingji.hazards.rules import TransitionError

PHONE = "13912345678"
NAME = "举报人王某"


def challenge(now_offset: float = 0.0, monkeypatch=None):
    """A challenge whose answer is 1 ("2 - 1"), optionally issued `now_offset` seconds ago."""
    if monkeypatch is not None and now_offset:
        real = time.time
        monkeypatch.setattr(signing.time, "time", lambda: real() - now_offset)
    item = rules_reports.new_challenge(randbelow=lambda n: 0)
    if monkeypatch is not None:
        monkeypatch.undo()
    assert item.question == "2 - 1"
    return item.token


def form_data(**overrides) -> dict:
    data = {
        "town": TOWN_A,
        "village": VILLAGE_A,
        "enterprise_name": "某某小作坊",
        "location": "甲村东头仓库",
        "description": "仓库里堆放大量油漆桶，没有灭火器。",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "challenge_token": challenge(),
        "challenge_answer": "1",
        "website": "",
    }
    data.update(overrides)
    return data


def submit(client, ip="10.0.0.1", photos=(), **overrides):
    data = form_data(**overrides)
    if photos:
        data["photos"] = list(photos)
    return client.post(reverse("public:report_form"), data, REMOTE_ADDR=ip)


def make_report(village=VILLAGE_A, ip="10.9.9.9", photos=1) -> PublicReport:
    return services_reports.submit_report(
        town=village[:9] + "000",
        village=village,
        location="某处",
        description="发现隐患",
        reporter_name=NAME,
        reporter_phone=PHONE,
        photos=[image_file(f"p{i}.png") for i in range(photos)],
        challenge_token=challenge(),
        challenge_answer="1",
        client_ip=ip,
    )


@pytest.fixture
def places(enterprise_a, enterprise_b):
    """The public form offers the towns of the counties holding enterprises."""
    return enterprise_a, enterprise_b


# -- the public page ----------------------------------------------------------------------------------


def test_public_page_needs_no_login_and_offers_the_towns(client, places):
    response = client.get(reverse("public:report_form"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "甲镇" in text and "乙镇" in text
    assert 'name="challenge_token"' in text and 'name="website"' in text
    villages = client.get(reverse("public:report_villages"), {"town": TOWN_A}).json()["items"]
    assert [v["code"] for v in villages] == [VILLAGE_A]
    assert client.get(reverse("public:report_villages"), {"town": "110101001000"}).json()["items"] == []


def test_submit_via_page_stores_the_report_with_photos_and_shows_the_code(client, places):
    response = submit(client, photos=[image_file("a.png"), image_file("b.jpg", fmt="JPEG")])
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert report.division_id == VILLAGE_A and report.status == ReportStatus.RECEIVED
    assert report.reporter_phone == PHONE
    assert rules_reports.looks_like_tracking_code(report.tracking_code)
    assert report.client_key and "10.0.0.1" not in report.client_key
    assert sorted(report.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]
    done = client.get(response["Location"])
    assert report.tracking_code in done.content.decode()
    assert reverse("public:report_track") in done.content.decode()


def test_town_without_village_is_enough(client, places):
    assert submit(client, village="").status_code == 302
    assert PublicReport.objects.get().division_id == TOWN_A


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"challenge_answer": "5"}, "challenge_answer"),
        ({"challenge_token": "forged:token"}, "challenge_answer"),
        ({"location": ""}, "location"),
        ({"description": " "}, "description"),
        ({"town": "110101001000"}, "town"),
        ({"village": VILLAGE_B}, "village"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(client, places, overrides, field):
    response = submit(client, **overrides)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert PublicReport.objects.count() == 0


def test_expired_challenge_is_refused(client, places, monkeypatch):
    token = challenge(now_offset=31 * 60, monkeypatch=monkeypatch)
    response = submit(client, challenge_token=token)
    assert response.status_code == 400
    assert PublicReport.objects.count() == 0
    # A fresh one still works.
    assert submit(client).status_code == 302


def test_a_filled_honeypot_stores_nothing(client, places):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 400
    assert PublicReport.objects.count() == 0


def test_a_non_image_photo_is_refused_and_nothing_is_stored(client, places):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = submit(client, photos=[image_file(), fake])
    assert response.status_code == 400
    assert PublicReport.objects.count() == 0 and ReportPhoto.objects.count() == 0


def test_at_most_five_photos(client, places):
    response = submit(client, photos=[image_file(f"{i}.png") for i in range(6)])
    assert response.status_code == 400
    assert PublicReport.objects.count() == 0


def test_a_flood_from_one_address_gets_429_and_stores_nothing(client, places, settings):
    settings.PUBLIC_REPORT_PER_HOUR, settings.PUBLIC_REPORT_PER_DAY = 2, 10
    assert submit(client, ip="10.1.1.1").status_code == 302
    assert submit(client, ip="10.1.1.1").status_code == 302
    response = submit(client, ip="10.1.1.1")
    assert response.status_code == 429
    assert 'id="rate-limited"' in response.content.decode()
    assert PublicReport.objects.count() == 2
    api = client.post(
        "/api/v1/public-reports/submit",
        form_data(),
        REMOTE_ADDR="10.1.1.1",
    )
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    assert PublicReport.objects.count() == 2
    # Another address is not affected.
    assert submit(client, ip="10.2.2.2").status_code == 302


def test_the_daily_limit_counts_reports_from_the_database(client, places, settings):
    settings.PUBLIC_REPORT_PER_HOUR, settings.PUBLIC_REPORT_PER_DAY = 5, 2
    make_report(ip="10.3.3.3")
    make_report(ip="10.3.3.3")
    PublicReport.objects.update(
        created_at=PublicReport.objects.first().created_at - datetime.timedelta(hours=3)
    )
    with pytest.raises(services_reports.RateLimited) as error:
        make_report(ip="10.3.3.3")
    assert error.value.window == "day"
    PublicReport.objects.update(
        created_at=PublicReport.objects.first().created_at - datetime.timedelta(days=1)
    )
    make_report(ip="10.3.3.3")
    assert PublicReport.objects.count() == 3


# -- the public API -----------------------------------------------------------------------------------


def _solve(question: str) -> str:
    a, op, b = re.fullmatch(r"(\d+) ([+-]) (\d+)", question).groups()
    return str(int(a) + int(b) if op == "+" else int(a) - int(b))


def test_submit_via_the_api_as_json_and_multipart(client, places):
    item = client.get("/api/v1/public-reports/challenge").json()
    body = form_data(challenge_token=item["token"], challenge_answer=_solve(item["question"]))
    response = client.post("/api/v1/public-reports/submit", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    code = response.json()["tracking_code"]
    assert PublicReport.objects.get(tracking_code=code).photos.count() == 0
    item = client.get("/api/v1/public-reports/challenge").json()
    body = form_data(challenge_token=item["token"], challenge_answer=_solve(item["question"]))
    response = client.post("/api/v1/public-reports/submit", {**body, "photos": [image_file()]})
    assert response.status_code == 201
    assert PublicReport.objects.get(tracking_code=response.json()["tracking_code"]).photos.count() == 1


def test_api_refuses_a_wrong_answer_and_a_bad_photo(client, places):
    response = client.post(
        "/api/v1/public-reports/submit", form_data(challenge_answer="7"), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data" and "challenge_answer" in response.json()["fields"]
    fake = SimpleUploadedFile("x.png", b"nope", content_type="image/png")
    response = client.post("/api/v1/public-reports/submit", {**form_data(), "photos": [fake]})
    assert response.status_code == 400 and "photos" in response.json()["fields"]
    assert PublicReport.objects.count() == 0


# -- tracking -----------------------------------------------------------------------------------------


def test_tracking_shows_the_status_but_never_the_reporter(client, places, staff_user):
    report = make_report()
    response = client.get(reverse("public:report_track"), {"code": report.tracking_code.lower()})
    text = response.content.decode()
    assert response.status_code == 200 and 'data-status="received"' in text
    assert NAME not in text and PHONE not in text and PHONE[-4:] not in text
    services_reports.dismiss_report(report, actor=staff_user, reason="经核查不属实")
    text = client.get(reverse("public:report_track"), {"code": report.tracking_code}).content.decode()
    assert 'data-status="dismissed"' in text and "经核查不属实" in text
    data = client.get(f"/api/v1/public-reports/track/{report.tracking_code}").json()
    assert data["status"] == "dismissed" and data["dismissal_reason"] == "经核查不属实"
    assert NAME not in str(data) and PHONE not in str(data)
    assert client.get(reverse("public:report_track"), {"code": "ZZZZZZZZZZ"}).status_code == 404
    assert client.get("/api/v1/public-reports/track/nonsense").status_code == 404


# -- the bureau's queue -------------------------------------------------------------------------------


def test_accept_creates_a_public_report_hazard_with_the_photos(client_for, places, staff_user):
    report = make_report(photos=2)
    client = client_for(staff_user)
    response = client.post(
        reverse("hazards:report_accept", args=[report.pk]), {"title": "仓库消防器材缺失", "grade": "general"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.handled_by == staff_user
    hazard = report.hazard
    assert hazard.source == Source.PUBLIC_REPORT and hazard.division_id == VILLAGE_A
    assert hazard.photos.filter(kind=PhotoKind.BEFORE).count() == 2
    assert AuditLog.objects.filter(
        object_type="hazards.publicreport", object_id=str(report.pk), user=staff_user
    )
    # Handled twice: a clear refusal, nothing changes.
    with pytest.raises(TransitionError) as error:
        services_reports.accept_report(report, actor=staff_user, title="again")
    assert error.value.code == "already_handled"
    response = client.post(
        f"/api/v1/public-reports/{report.pk}/dismiss", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "already_handled"
    assert Hazard.objects.count() == 1


def test_accept_via_api_with_an_enterprise(client_for, places, staff_user, enterprise_a):
    report = make_report()
    response = client_for(staff_user).post(
        f"/api/v1/public-reports/{report.pk}/accept",
        {"title": "无灭火器", "enterprise_id": enterprise_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    hazard = Hazard.objects.get(pk=response.json()["hazard"])
    assert hazard.enterprise == enterprise_a and hazard.source == Source.PUBLIC_REPORT


def test_accept_without_a_title_changes_nothing(client_for, places, staff_user):
    report = make_report()
    response = client_for(staff_user).post(
        f"/api/v1/public-reports/{report.pk}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 400 and "title" in response.json()["fields"]
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and Hazard.objects.count() == 0


def test_dismiss_needs_a_reason(client_for, places, staff_user):
    report = make_report()
    client = client_for(staff_user)
    assert client.post(reverse("hazards:report_dismiss", args=[report.pk]), {"reason": ""}).status_code == 400
    response = client.post(
        f"/api/v1/public-reports/{report.pk}/dismiss", {"reason": " "}, content_type="application/json"
    )
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
    assert (
        client.post(reverse("hazards:report_dismiss", args=[report.pk]), {"reason": "重复举报"}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED and report.dismissal_reason == "重复举报"


def test_a_reward_only_for_an_accepted_report(client_for, places, staff_user):
    report = make_report()
    client = client_for(staff_user)
    url = f"/api/v1/public-reports/{report.pk}/reward"
    response = client.post(url, {"amount_yuan": "200"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "not_accepted"
    services_reports.accept_report(report, actor=staff_user, title="隐患")
    response = client.post(url, {"amount_yuan": "0"}, content_type="application/json")
    assert response.status_code == 400 and "amount_yuan" in response.json()["fields"]
    response = client.post(url, {"amount_yuan": "200", "note": "现金"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["reward_yuan"] == "200.00"
    response = client.post(url, {"amount_yuan": "300"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "already_rewarded"
    report.refresh_from_db()
    assert str(report.reward_yuan) == "200.00"


def test_queue_lists_received_first_and_filters_by_status(client_for, places, staff_user):
    older = make_report(ip="1.1.1.1")
    handled = make_report(ip="1.1.1.2")
    services_reports.dismiss_report(handled, actor=staff_user, reason="不属实")
    client = client_for(staff_user)
    items = client.get("/api/v1/public-reports").json()["items"]
    assert [i["id"] for i in items] == [older.pk, handled.pk]
    assert [i["id"] for i in client.get("/api/v1/public-reports?status=dismissed").json()["items"]] == [
        handled.pk
    ]
    page = client.get(reverse("hazards:report_list"), {"status": "received"})
    assert page.status_code == 200 and older.tracking_code in page.content.decode()
    assert handled.tracking_code not in page.content.decode()
    assert reverse("hazards:report_list") in client.get(reverse("hazards:report_list")).content.decode()


def test_contact_details_are_masked_without_the_handle_permission(
    client_for, places, staff_user, leader, monkeypatch
):
    monkeypatch.setitem(
        ROLE_PERMISSIONS, Role.LEADER, ROLE_PERMISSIONS[Role.LEADER] | {"hazards.view_publicreport"}
    )
    report = make_report()
    client = client_for(leader)
    page = client.get(reverse("hazards:report_detail", args=[report.pk])).content.decode()
    assert PHONE not in page and NAME not in page and "139****5678" in page
    assert 'id="accept-form"' not in page
    data = client.get(f"/api/v1/public-reports/{report.pk}").json()
    assert data["reporter_phone"] == "139****5678" and data["contact_masked"] is True
    assert (
        client.post(reverse("hazards:report_dismiss", args=[report.pk]), {"reason": "x"}).status_code == 403
    )
    client = client_for(staff_user)
    page = client.get(reverse("hazards:report_detail", args=[report.pk])).content.decode()
    assert PHONE in page and NAME in page


def test_photos_are_served_only_within_scope(client_for, places, town_a_official, town_b_official):
    report = make_report(VILLAGE_A)
    photo = report.photos.get()
    url = reverse("hazards:report_photo", args=[photo.pk])
    response = client_for(town_a_official).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client_for(town_b_official).get(url).status_code == 404


def test_town_b_official_cannot_see_or_handle_town_a_reports(
    client_for, places, town_b_official, town_a_official
):
    report = make_report(VILLAGE_A)
    client = client_for(town_b_official)
    assert report.tracking_code not in client.get(reverse("hazards:report_list")).content.decode()
    assert client.get(reverse("hazards:report_detail", args=[report.pk])).status_code == 404
    assert client.get(f"/api/v1/public-reports/{report.pk}").status_code == 404
    assert client.get("/api/v1/public-reports").json()["count"] == 0
    response = client.post(
        f"/api/v1/public-reports/{report.pk}/accept", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - the service refuses too (PermissionDenied)
        services_reports.accept_report(report, actor=town_b_official, title="x")
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
    # Town A's own official handles it.
    hazard = services_reports.accept_report(report, actor=town_a_official, title="甲村隐患")
    assert hazard.division_id == VILLAGE_A


def test_the_menu_shows_public_reports_to_handlers(client_for, places, staff_user, enterprise_a_user):
    assert reverse("hazards:report_list") in client_for(staff_user).get("/").content.decode()
    assert client_for(enterprise_a_user).get(reverse("hazards:report_list")).status_code == 403


def test_tracking_codes_avoid_ambiguous_characters():
    codes = {rules_reports.new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    assert not any(set(code) & set("01IOL") for code in codes)
    assert rules_reports.normalise_tracking_code(" abcd-efgh 23 ") == "ABCDEFGH23"
    assert rules_reports.over_limit(last_hour=3, last_day=3, per_hour=3, per_day=10) == "hour"
    assert rules_reports.over_limit(last_hour=0, last_day=10, per_hour=3, per_day=10) == "day"
    assert rules_reports.over_limit(last_hour=2, last_day=9, per_hour=3, per_day=10) is None
