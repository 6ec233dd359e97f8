"""Video spot-checks and dust-cleaning check-ins: records, bad input, the day's results."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.conftest import TOWN_A, _user, image_file

from yingji.monitoring import rules_supervision as rules
from yingji.monitoring import services_supervision as services
from yingji.monitoring.models import DustCheckin, DustDayResult, DustSchedule, VideoCheck, VideoScreenshot

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 20, 0))


def at(hour: int, minute: int = 0, day: int = 25) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, minute))


@pytest.fixture
def dust_enterprise(enterprise_a):
    enterprise_a.dust_explosion = True
    enterprise_a.save()
    return enterprise_a


@pytest.fixture
def schedule(dust_enterprise, enterprise_a_user):
    return services.save_dust_schedule(
        actor=enterprise_a_user, area="抛光车间", windows=["08:00-09:00", "16:00-17:00"]
    )


# --- rules -------------------------------------------------------------------------------------------


def test_evaluate_day_marks_done_late_and_missed():
    windows = rules.parse_windows(["08:00-09:00", "12:00-13:00", "16:00-17:00"])
    results = rules.evaluate_day(windows, [8 * 60 + 30, 14 * 60])
    assert [(rules.window_text(w), s, i) for w, s, i in results] == [
        ("08:00-09:00", "done", 0),
        ("12:00-13:00", "late", 1),
        ("16:00-17:00", "missed", None),
    ]


def test_evaluate_day_leaves_out_windows_still_running():
    windows = rules.parse_windows(["08:00-09:00", "16:00-17:00"])
    assert [s for _w, s, _i in rules.evaluate_day(windows, [], until=10 * 60)] == ["missed"]


@pytest.mark.parametrize(
    "windows", [[], ["8-9"], ["09:00-08:00"], ["08:00-10:00", "09:00-11:00"], ["25:00-26:00"]]
)
def test_bad_windows_are_refused(windows):
    with pytest.raises(ValueError):
        rules.parse_windows(windows)


def test_rate():
    assert rules.rate(1, 3) == 33.3 and rules.rate(0, 0) is None


# --- video spot-checks -------------------------------------------------------------------------------


def test_video_check_with_screenshot(duty_officer, enterprise_a):
    check = services.record_video_check(
        actor=duty_officer,
        enterprise=enterprise_a,
        result="off_post",
        note="值班室无人",
        screenshot=image_file(),
    )
    assert check.division_id == enterprise_a.division_id
    assert VideoScreenshot.objects.get(video_check=check).content_type == "image/png"


def test_invalid_screenshot_is_refused(duty_officer, enterprise_a):
    fake = SimpleUploadedFile("shot.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.record_video_check(
            actor=duty_officer, enterprise=enterprise_a, result="normal", screenshot=fake
        )
    assert "screenshot" in error.value.message_dict
    assert not VideoCheck.objects.exists() and not VideoScreenshot.objects.exists()


@pytest.mark.parametrize(("result", "note", "field"), [("bad", "", "result"), ("other", "", "note")])
def test_bad_video_result(duty_officer, enterprise_a, result, note, field):
    with pytest.raises(ValidationError) as error:
        services.record_video_check(actor=duty_officer, enterprise=enterprise_a, result=result, note=note)
    assert field in error.value.message_dict
    assert not VideoCheck.objects.exists()


def test_video_check_outside_jurisdiction(county, enterprise_b):
    inspector = _user("insp_a", "inspector", TOWN_A)
    with pytest.raises(ValidationError) as error:
        services.record_video_check(actor=inspector, enterprise=enterprise_b, result="normal")
    assert error.value.error_dict["enterprise"][0].code == "scope"
    assert not VideoCheck.objects.exists()


def test_video_check_api_bad_screenshot(client_for, duty_officer, enterprise_a):
    fake = SimpleUploadedFile("shot.png", b"GIF89a....", content_type="image/png")
    response = client_for(duty_officer).post(
        "/api/v1/monitoring/supervision/video-checks",
        {"enterprise": enterprise_a.pk, "result": "asleep", "screenshot": fake},
    )
    assert response.status_code == 400 and "screenshot" in response.json()["fields"]
    assert not VideoCheck.objects.exists()


def test_video_check_page(client_for, duty_officer, enterprise_a):
    client = client_for(duty_officer)
    response = client.post(
        "/monitoring/supervision/video-checks/add/",
        {"enterprise": enterprise_a.pk, "result": "asleep", "note": "", "screenshot": image_file()},
    )
    assert response.status_code == 302
    check = VideoCheck.objects.get()
    assert client.get(f"/monitoring/supervision/video-checks/{check.pk}/").status_code == 200
    shot = client.get(f"/monitoring/supervision/video-checks/{check.pk}/screenshot/")
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"


# --- dust-cleaning -----------------------------------------------------------------------------------


def test_schedule_for_a_non_dust_enterprise_is_refused(duty_officer, enterprise_b, staff_user):
    with pytest.raises(ValidationError) as error:
        services.save_dust_schedule(
            actor=staff_user, enterprise=enterprise_b, area="车间", windows=["08:00-09:00"]
        )
    assert error.value.error_dict["enterprise"][0].code == "not_dust"
    assert not DustSchedule.objects.exists()


def test_checkin_for_a_non_dust_enterprise_is_refused(schedule, enterprise_a_user, dust_enterprise):
    dust_enterprise.dust_explosion = False
    dust_enterprise.save()
    with pytest.raises(ValidationError) as error:
        services.record_dust_checkin(actor=enterprise_a_user, schedule=schedule, photo=image_file(), now=NOW)
    assert error.value.error_dict["enterprise"][0].code == "not_dust"
    assert not DustCheckin.objects.exists()


def test_future_checkin_is_refused(schedule, enterprise_a_user):
    with pytest.raises(ValidationError) as error:
        services.record_dust_checkin(
            actor=enterprise_a_user, schedule=schedule, done_at=NOW + datetime.timedelta(hours=1),
            photo=image_file(), now=NOW,
        )  # fmt: skip
    assert "done_at" in error.value.message_dict
    assert not DustCheckin.objects.exists()


def test_checkin_needs_a_real_photo(schedule, enterprise_a_user):
    with pytest.raises(ValidationError) as error:
        services.record_dust_checkin(actor=enterprise_a_user, schedule=schedule, now=NOW)
    assert "photo" in error.value.message_dict
    fake = SimpleUploadedFile("p.jpg", b"\xff\xd8garbage", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.record_dust_checkin(actor=enterprise_a_user, schedule=schedule, photo=fake, now=NOW)
    assert "photo" in error.value.message_dict
    assert not DustCheckin.objects.exists()


def test_other_enterprise_cannot_check_in(schedule, enterprise_b_user):
    with pytest.raises(ValidationError) as error:
        services.record_dust_checkin(actor=enterprise_b_user, schedule=schedule, photo=image_file(), now=NOW)
    assert "schedule" in error.value.message_dict
    assert not DustCheckin.objects.exists()


def test_day_results_are_idempotent(schedule, enterprise_a_user):
    DustSchedule.objects.filter(pk=schedule.pk).update(created_at=at(0, 0, day=20))
    services.record_dust_checkin(
        actor=enterprise_a_user, schedule=schedule, done_at=at(8, 20), photo=image_file(), now=NOW
    )
    assert services.compute_dust_day(NOW.date(), now=NOW) == 2
    assert services.compute_dust_day(NOW.date(), now=NOW) == 2
    rows = dict(DustDayResult.objects.values_list("window", "status"))
    assert rows == {"08:00-09:00": "done", "16:00-17:00": "missed"}
    late = services.record_dust_checkin(
        actor=enterprise_a_user, schedule=schedule, done_at=at(18, 0), photo=image_file(), now=NOW
    )
    services.compute_dust_day(NOW.date(), now=NOW)
    result = DustDayResult.objects.get(window="16:00-17:00")
    assert result.status == "late" and result.checkin_id == late.pk
    assert DustDayResult.objects.count() == 2


def test_checkin_over_the_api(client_for, schedule, enterprise_a_user):
    response = client_for(enterprise_a_user).post(
        "/api/v1/monitoring/supervision/dust-checkins", {"schedule": schedule.pk, "photo": image_file()}
    )
    assert response.status_code == 201, response.content
    assert DustCheckin.objects.get().recorded_by == enterprise_a_user


def test_checkin_page(client_for, schedule, enterprise_a_user):
    client = client_for(enterprise_a_user)
    assert client.get(f"/monitoring/supervision/dust/schedules/{schedule.pk}/").status_code == 200
    response = client.post(
        "/monitoring/supervision/dust/checkins/add/",
        {"schedule": schedule.pk, "photo": image_file(), "note": ""},
    )
    assert response.status_code == 302
    checkin = DustCheckin.objects.get()
    assert client.get(f"/monitoring/supervision/dust/checkins/{checkin.pk}/photo/").status_code == 200


def test_schedule_over_the_api(client_for, dust_enterprise, enterprise_a_user, enterprise_b_user):
    url = "/api/v1/monitoring/supervision/dust-schedules"
    body = {"area": "喷粉房", "windows": ["09:00-10:00"]}
    response = client_for(enterprise_a_user).post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["enterprise"] == dust_enterprise.pk
    refused = client_for(enterprise_b_user).post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "enterprise" in refused.json()["fields"]
    bad = client_for(enterprise_a_user).post(
        url, {"area": "x", "windows": ["9-10"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "windows" in bad.json()["fields"]
    assert DustSchedule.objects.count() == 1
    assert client_for(enterprise_a_user).get(url).json()["count"] == 1
    assert client_for(enterprise_a_user).get("/api/v1/monitoring/supervision/dust-results").status_code == 200
