"""Inspection pages and API: permissions, the run page, recording, finishing, bad inputs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.conftest import COUNTY, _user, image_file

from yingji.hazards.models import Hazard
from yingji.inspections import services_checklists, services_inspections
from yingji.inspections.models_checklists import ChecklistTemplate, Inspection, InspectionItemResult


@pytest.fixture
def inspector(county):
    return _user("insp", "inspector", COUNTY)


@pytest.fixture
def template(county):
    services_checklists.load_shipped_templates()
    return ChecklistTemplate.objects.get(code="confined_space")


@pytest.fixture
def inspection(inspector, enterprise_a, template):
    return services_inspections.start_inspection(actor=inspector, enterprise=enterprise_a, template=template)


def test_inspector_starts_an_inspection_from_the_page(client_for, inspector, enterprise_a, template):
    client = client_for(inspector)
    assert (
        client.get(reverse("inspections:inspection_add") + f"?enterprise={enterprise_a.pk}").status_code
        == 200
    )
    response = client.post(
        reverse("inspections:inspection_add"),
        {"enterprise": enterprise_a.pk, "template": template.pk, "kind": "routine"},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection_run", args=[inspection.pk])


def test_run_page_records_items_and_finishes(client_for, inspector, inspection):
    client = client_for(inspector)
    page = client.get(reverse("inspections:inspection_run", args=[inspection.pk]))
    assert page.status_code == 200
    assert b'name="viewport"' in page.content
    items = list(inspection.template.items.order_by("number"))
    for item in items:
        data = {"result": "fail" if item.number == 2 else "pass", "note": "n"}
        if item.number == 2:
            data["photos"] = image_file()
        response = client.post(reverse("inspections:inspection_record", args=[inspection.pk, item.pk]), data)
        assert response.status_code == 302
    response = client.post(
        reverse("inspections:inspection_finish", args=[inspection.pk]), {"summary": "done"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "finished"
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and hazard.source == "inspection"
    detail = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    assert detail.status_code == 200 and f'data-hazard="{hazard.pk}"'.encode() in detail.content
    photo = InspectionItemResult.objects.get(item__number=2).photos.get()
    assert (
        client.get(reverse("inspections:inspection_photo", args=[inspection.pk, photo.pk])).status_code == 200
    )


def test_finish_page_with_unanswered_items_is_refused(client_for, inspector, inspection):
    client = client_for(inspector)
    response = client.post(reverse("inspections:inspection_finish", args=[inspection.pk]), {"summary": ""})
    assert response.status_code == 400
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"


def test_invalid_photo_on_the_page_changes_nothing(client_for, inspector, inspection):
    item = inspection.template.items.first()
    bad = SimpleUploadedFile("x.png", b"\x89PNG broken", content_type="image/png")
    response = client_for(inspector).post(
        reverse("inspections:inspection_record", args=[inspection.pk, item.pk]),
        {"result": "fail", "photos": bad},
    )
    assert response.status_code == 400
    assert f'data-field="item_{item.pk}"'.encode() in response.content
    assert not InspectionItemResult.objects.exists()


def test_staff_not_on_the_team_cannot_record(client_for, staff_user, inspection):
    item = inspection.template.items.first()
    response = client_for(staff_user).post(
        reverse("inspections:inspection_record", args=[inspection.pk, item.pk]), {"result": "pass"}
    )
    assert response.status_code == 403
    assert not InspectionItemResult.objects.exists()


def test_enterprise_user_sees_own_inspections_only(
    client_for, enterprise_b_user, enterprise_a_user, inspection
):
    assert (
        client_for(enterprise_a_user)
        .get(reverse("inspections:inspection_detail", args=[inspection.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(enterprise_b_user)
        .get(reverse("inspections:inspection_detail", args=[inspection.pk]))
        .status_code
        == 404
    )


def test_leader_may_view_but_not_start(client_for, leader, inspection):
    client = client_for(leader)
    assert client.get(reverse("inspections:inspection_list")).status_code == 200
    assert client.get(reverse("inspections:inspection_add")).status_code == 403


# -- API --------------------------------------------------------------------------------------------


def test_api_create_record_finish(client_for, inspector, enterprise_a, template):
    client = client_for(inspector)
    assert client.get("/api/v1/inspections/templates").json()["count"] == 5
    detail = client.get(f"/api/v1/inspections/templates/{template.pk}").json()
    assert len(detail["items"]) == template.items.count()
    created = client.post(
        "/api/v1/inspections",
        {"enterprise": enterprise_a.pk, "template": template.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    items = [i["id"] for i in created.json()["items"]]
    unfinished = client.post(f"/api/v1/inspections/{pk}/finish", {}, content_type="application/json")
    assert unfinished.status_code == 400
    assert unfinished.json()["code"] == "invalid_data" and "results" in unfinished.json()["fields"]
    bad = client.post(
        f"/api/v1/inspections/{pk}/results",
        {"results": [{"item": items[0], "result": "pass"}, {"item": items[1], "result": "maybe"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "results[1].result" in bad.json()["fields"]
    assert not InspectionItemResult.objects.exists()
    results = [{"item": i, "result": "pass"} for i in items]
    results[-1]["result"] = "fail"
    assert (
        client.post(
            f"/api/v1/inspections/{pk}/results", {"results": results}, content_type="application/json"
        ).status_code
        == 200
    )
    photo = client.post(f"/api/v1/inspections/{pk}/results/{items[-1]}/photos", {"photos": [image_file()]})
    assert photo.status_code == 200 and len(photo.json()["photos"]) == 1
    finished = client.post(
        f"/api/v1/inspections/{pk}/finish", {"summary": "ok"}, content_type="application/json"
    )
    assert finished.status_code == 200
    body = finished.json()
    assert body["status"] == "finished" and body["findings"][0]["hazard"]
    again = client.post(f"/api/v1/inspections/{pk}/finish", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "finished"


def test_api_recording_by_a_non_inspector_is_403(client_for, staff_user, inspection):
    item = inspection.template.items.first()
    response = client_for(staff_user).post(
        f"/api/v1/inspections/{inspection.pk}/results",
        {"results": [{"item": item.pk, "result": "pass"}]},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_inspector"
    assert not InspectionItemResult.objects.exists()


def test_api_invalid_photo_is_400(client_for, inspector, inspection):
    item = inspection.template.items.first()
    services_inspections.record_result(actor=inspector, inspection=inspection, item=item, result="fail")
    bad = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    response = client_for(inspector).post(
        f"/api/v1/inspections/{inspection.pk}/results/{item.pk}/photos", {"photos": [bad]}
    )
    assert response.status_code == 400 and "photos" in response.json()["fields"]
    assert not InspectionItemResult.objects.get().photos.exists()


def test_api_enterprise_user_cannot_create(client_for, enterprise_a_user, enterprise_a):
    response = client_for(enterprise_a_user).post(
        "/api/v1/inspections", {"enterprise": enterprise_a.pk}, content_type="application/json"
    )
    assert response.status_code == 403
