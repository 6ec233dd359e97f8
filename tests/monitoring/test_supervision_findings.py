"""Bad results become hazards or enforcement leads in one click; the league table; alarm → lead."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from yingji.hazards.models import Hazard
from yingji.monitoring import services_supervision as services
from yingji.monitoring.models import AlarmEvent, RollCallTarget

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))
API = "/api/v1/monitoring/supervision"


def leads():
    from yingji.inspections.models import EnforcementLead

    return EnforcementLead.objects


@pytest.fixture
def closed_call(duty_officer, enterprise_a, enterprise_b, enterprise_a_user):
    call = services.start_roll_call(actor=duty_officer, title="点名", minutes=10, now=NOW)
    services.answer_roll_call(call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=2))
    services.close_roll_call(call, actor=duty_officer, now=NOW + datetime.timedelta(minutes=20))
    return call


def test_no_answer_becomes_a_hazard_once(closed_call, duty_officer, enterprise_b):
    target = RollCallTarget.objects.get(roll_call=closed_call, enterprise=enterprise_b)
    hazard = services.open_finding(target, actor=duty_officer, kind="hazard")
    assert hazard.enterprise_id == enterprise_b.pk
    target.refresh_from_db()
    assert target.hazard_id == hazard.pk
    with pytest.raises(ValidationError) as error:
        services.open_finding(target, actor=duty_officer, kind="hazard")
    assert error.value.error_dict["kind"][0].code == "already"
    assert Hazard.objects.count() == 1


def test_no_answer_becomes_a_lead(closed_call, duty_officer, enterprise_b):
    target = RollCallTarget.objects.get(roll_call=closed_call, enterprise=enterprise_b)
    lead = services.open_finding(target, actor=duty_officer, kind="lead")
    assert lead.source == "roll_call" and lead.enterprise_id == enterprise_b.pk
    target.refresh_from_db()
    assert target.lead_ref == lead.pk


def test_a_good_result_is_no_finding(closed_call, duty_officer, enterprise_a):
    target = RollCallTarget.objects.get(roll_call=closed_call, enterprise=enterprise_a)
    with pytest.raises(ValidationError) as error:
        services.open_finding(target, actor=duty_officer, kind="hazard")
    assert error.value.error_dict["kind"][0].code == "not_bad"
    assert not Hazard.objects.exists()


def test_video_finding_over_the_api(client_for, duty_officer, enterprise_a):
    check = services.record_video_check(actor=duty_officer, enterprise=enterprise_a, result="asleep")
    client = client_for(duty_officer)
    response = client.post(
        f"{API}/video-checks/{check.pk}/finding",
        data=json.dumps({"kind": "lead"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert leads().get().source == "video_check"


def test_finding_page_button(client_for, closed_call, duty_officer, enterprise_b):
    target = RollCallTarget.objects.get(roll_call=closed_call, enterprise=enterprise_b)
    client = client_for(duty_officer)
    page = client.get(f"/monitoring/supervision/rollcalls/{closed_call.pk}/")
    assert b'data-action="to_hazard"' in page.content
    response = client.post(
        f"/monitoring/supervision/rollcalls/answers/{target.pk}/finding/", {"kind": "hazard"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.hazard_id is not None


def test_enterprise_user_cannot_make_findings(client_for, closed_call, enterprise_a_user, enterprise_a):
    target = RollCallTarget.objects.get(roll_call=closed_call, enterprise=enterprise_a)
    response = client_for(enterprise_a_user).post(
        f"/monitoring/supervision/rollcalls/answers/{target.pk}/finding/", {"kind": "hazard"}
    )
    assert response.status_code == 403
    assert not Hazard.objects.exists()


def test_league_table_by_town(closed_call, staff_user, duty_officer, enterprise_a, client_for):
    services.record_video_check(
        actor=duty_officer, enterprise=enterprise_a, result="normal", checked_at=NOW, now=NOW
    )
    table = services.league_table(user=staff_user, period="2026-11")
    rows = {row["town"]: row for row in table["rows"]}
    assert rows["329901001000"]["answer_rate"] == 100.0 and rows["329901001000"]["normal_rate"] == 100.0
    assert rows["329901002000"]["answer_rate"] == 0.0
    assert table["rows"][0]["town"] == "329901001000" and table["total"]["called"] == 2
    day = services.league_table(user=staff_user, period="2026-11-24")
    assert day["rows"] == []
    client = client_for(staff_user)
    assert client.get(f"{API}/league?period=2026-11").json()["rows"][0]["rank"] == 1
    assert client.get(f"{API}/league?period=nonsense").status_code == 400
    export = client.get("/monitoring/supervision/league/export/?period=2026-11")
    assert export.status_code == 200
    from io import BytesIO

    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.max_row == 3


def test_town_official_league_sees_own_town_only(closed_call, town_a_official):
    table = services.league_table(user=town_a_official, period="2026-11")
    assert [row["town"] for row in table["rows"]] == ["329901001000"]


def test_alarm_becomes_a_lead_once(client_for, duty_officer, enterprise_a, gas_point):
    from yingji.monitoring.models import Alarm

    alarm = Alarm.objects.create(
        point=gas_point, device=gas_point.device, enterprise=enterprise_a, source=gas_point.source,
        division_id=enterprise_a.division_id, condition="high", severity=1, value=30.0, threshold=25.0,
        raised_at=timezone.now(),
    )  # fmt: skip
    client = client_for(duty_officer)
    page = client.get(f"/monitoring/alarms/{alarm.pk}/")
    assert b'data-action="to_lead"' in page.content
    response = client.post(f"/monitoring/alarms/{alarm.pk}/to_lead/")
    assert response.status_code == 302
    assert leads().get().source == "alarm"
    again = client.post(f"{API}/alarms/{alarm.pk}/lead")
    assert again.status_code == 409 and again.json()["code"] == "already_lead"
    assert leads().count() == 1 and AlarmEvent.objects.filter(alarm=alarm, kind="to_lead").count() == 1
