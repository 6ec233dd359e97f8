"""External alarms (provincial platform webhook JSON, CSV upload): same lifecycle, idempotent, bad rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.escalation.models import Deadline
from yingji.messaging.models import Message
from yingji.monitoring import external, services
from yingji.monitoring.models import Alarm, AlarmEvent

URL = "/api/v1/monitoring/external-alarms"


def item(enterprise, n=1, **extra):
    row = {
        "external_id": f"HB-{n:04d}",
        "uscc": enterprise.uscc,
        "severity": 2,
        "time": "2026-05-01T08:00:00+08:00",
        "message": "省平台：可燃气体二级报警",
    }
    row.update(extra)
    return row


def test_import_creates_open_alarms_with_deadline_and_notification(enterprise_a, gas_point, duty_officer):
    result = external.import_alarms(
        [item(enterprise_a, device="DEV-A-1", point="GT-101", value=55)], source_name="省平台"
    )
    assert result.as_dict() == {"imported": 1, "merged": 0, "duplicates": 0, "rejected": []}
    alarm = Alarm.objects.get()
    assert alarm.condition == "external" and alarm.is_open and alarm.point == gas_point
    assert alarm.source_id == gas_point.source_id and alarm.division_id == enterprise_a.division_id
    assert alarm.external_source == "省平台" and alarm.external_id == "HB-0001"
    assert Deadline.objects.for_object(alarm).open().exists()
    assert Message.objects.filter(recipient=duty_officer, template="alarm_raised").exists()
    # the same lifecycle
    services.acknowledge_alarm(alarm, actor=duty_officer)
    services.handle_alarm(alarm, actor=duty_officer, disposal="已核实")


def test_import_is_idempotent(enterprise_a):
    rows = [item(enterprise_a, 1), item(enterprise_a, 2), item(enterprise_a, 2)]
    first = external.import_alarms(rows, source_name="省平台")
    assert (first.imported, first.duplicates) == (2, 1)
    again = external.import_alarms(rows, source_name="省平台")
    assert (again.imported, again.duplicates) == (0, 3)
    other = external.import_alarms(rows[:1], source_name="市平台")  # ids are per source
    assert other.imported == 1
    assert Alarm.objects.count() == 3


def test_bad_rows_are_rejected_with_reasons_the_rest_imported(enterprise_a, enterprise_b, device_a):
    rows = [
        item(enterprise_a, 1),
        item(enterprise_a, 2, uscc="91329901MA0009999X"),
        item(enterprise_a, 3, severity=7),
        item(enterprise_a, 4, time="yesterday"),
        item(enterprise_a, 5, device="NO-SUCH"),
        item(enterprise_a, 6, point="GT-101"),  # a point without its device
        item(enterprise_b, 7, device="DEV-A-1"),  # another enterprise's device
        item(enterprise_a, 8, value="nan"),
        {"uscc": enterprise_a.uscc, "severity": 1, "time": "2026-05-01T08:00:00"},
        "not an object",
    ]
    result = external.import_alarms(rows, source_name="省平台")
    assert result.imported == 1
    reasons = {r["row"]: sorted(r["fields"]) for r in result.rejected}
    assert reasons == {
        2: ["uscc"],
        3: ["severity"],
        4: ["time"],
        5: ["device"],
        6: ["point"],
        7: ["device"],
        8: ["value"],
        9: ["external_id"],
        10: ["__all__"],
    }


def test_second_alarm_of_a_point_rises_the_open_one_in_place(enterprise_a, gas_point):
    external.import_alarms(
        [item(enterprise_a, 1, device="DEV-A-1", point="GT-101", severity=1)], source_name="省平台"
    )
    result = external.import_alarms(
        [item(enterprise_a, 2, device="DEV-A-1", point="GT-101", severity=3)], source_name="省平台"
    )
    assert (result.imported, result.merged) == (0, 1)
    alarm = Alarm.objects.get()
    assert alarm.severity == 3
    assert AlarmEvent.objects.filter(alarm=alarm, kind="external_update").count() == 1
    again = external.import_alarms(
        [item(enterprise_a, 2, device="DEV-A-1", point="GT-101", severity=3)], source_name="省平台"
    )
    assert again.duplicates == 1 and AlarmEvent.objects.filter(kind="external_update").count() == 1


def test_source_name_and_size_are_checked(enterprise_a):
    with pytest.raises(ValidationError) as error:
        external.import_alarms([item(enterprise_a)], source_name=" ")
    assert "source_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        external.import_alarms(
            [item(enterprise_a, n) for n in range(external.MAX_ITEMS + 1)], source_name="x"
        )
    assert "alarms" in error.value.message_dict


def test_actor_sees_only_enterprises_in_scope(enterprise_a, enterprise_b_user):
    result = external.import_alarms([item(enterprise_a)], source_name="省平台", actor=enterprise_b_user)
    assert result.imported == 0 and result.rejected[0]["fields"].keys() == {"uscc"}


def test_webhook_api(client_for, staff_user, leader, enterprise_a):
    payload = {"source": "省平台", "alarms": [item(enterprise_a, 1), item(enterprise_a, 2, severity="x")]}
    response = client_for(leader).post(URL, payload, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client_for(staff_user).post(URL, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["imported"] == 1 and body["rejected"][0]["row"] == 2
    assert body["rejected"][0]["fields"].keys() == {"severity"}
    response = client_for(staff_user).post(URL, {"alarms": []}, content_type="application/json")
    assert response.status_code == 400 and "source" in response.json()["fields"]


def test_csv_api(client_for, staff_user, enterprise_a):
    text = (
        "external_id,uscc,device,point,severity,time,message,value\n"
        f"C-1,{enterprise_a.uscc},,,2,2026-05-01 08:00:00,浸润线橙色预警,\n"
        f"C-2,{enterprise_a.uscc},,,9,2026-05-01 08:00:00,,\n"
    )
    upload = SimpleUploadedFile("alarms.csv", text.encode("utf-8-sig"), content_type="text/csv")
    response = client_for(staff_user).post(f"{URL}/csv", {"source": "省平台", "file": upload})
    assert response.status_code == 200, response.content
    assert response.json()["imported"] == 1 and response.json()["rejected"][0]["fields"].keys() == {
        "severity"
    }
    bad = SimpleUploadedFile("alarms.csv", b"id,name\n1,x\n", content_type="text/csv")
    response = client_for(staff_user).post(f"{URL}/csv", {"source": "省平台", "file": bad})
    assert response.status_code == 400 and "file" in response.json()["fields"]
