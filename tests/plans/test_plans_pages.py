"""Plan and drill pages and the /api/v1/plans endpoints."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from tests.conftest import COUNTY, TOWN_B

from yingji.hazards.models import Hazard
from yingji.plans import services
from yingji.plans.models import Drill, EmergencyPlan, PlanAttachment, PlanLevel, PlanTask


@pytest.fixture
def plan(staff_user):
    plan = services.create_plan(
        actor=staff_user,
        title="县危化品事故专项预案",
        owner_kind="government",
        division_id=COUNTY,
        level="county",
        plan_type="special",
        incident_types=["accident"],
        owner="县应急管理局",
        status="in_force",
        approved_at=datetime.date(2025, 3, 1),
    )
    level = services.save_level(plan, actor=staff_user, code="IV", name="四级响应", min_deaths=1)
    services.save_task(
        level, actor=staff_user, number=1, role="指挥部办公室", task="接报并通知成员单位", deadline_minutes=30
    )
    services.save_contact(plan, actor=staff_user, role="总指挥", name="王五", phone="13800000000")
    return plan


@pytest.fixture
def enterprise_plan(enterprise_a_user, enterprise_a):
    return services.create_plan(
        actor=enterprise_a_user,
        title="泄漏现场处置方案",
        owner_kind="enterprise",
        enterprise=enterprise_a,
        level="enterprise",
        plan_type="onsite",
        owner="甲镇化工",
        status="draft",
    )


def test_pages_render(client_for, staff_user, plan):
    c = client_for(staff_user)
    assert c.get(reverse("plans:emergencyplan_list")).status_code == 200
    page = c.get(reverse("plans:emergencyplan_detail", args=[plan.pk]))
    assert page.status_code == 200 and b'id="plan-flow"' in page.content
    card = c.get(reverse("plans:emergencyplan_card", args=[plan.pk]))
    assert card.status_code == 200 and "接报并通知成员单位" in card.content.decode()
    docx = c.get(reverse("plans:emergencyplan_card", args=[plan.pk]) + "?format=docx")
    text = "\n".join(
        cell.text for t in Document(io.BytesIO(docx.content)).tables for row in t.rows for cell in row.cells
    )
    assert "指挥部办公室" in text and "王五" in text
    assert c.get(reverse("plans:emergencyplan_add")).status_code == 200
    assert c.get(reverse("plans:drill_list")).status_code == 200
    assert c.get(reverse("plans:drill_add")).status_code == 200


def test_add_level_with_bad_input_shows_field_error(client_for, staff_user, plan):
    c = client_for(staff_user)
    response = c.post(
        reverse("plans:emergencyplan_level_add", args=[plan.pk]), {"code": "IV", "name": "again"}
    )
    assert response.status_code == 400 and b'data-field="code"' in response.content
    assert PlanLevel.objects.filter(plan=plan).count() == 1
    response = c.post(
        reverse("plans:emergencyplan_level_add", args=[plan.pk]),
        {"code": "I", "name": "一级", "min_deaths": "3", "accident_grades": ["larger"]},
    )
    assert response.status_code == 302
    assert PlanLevel.objects.get(plan=plan, code="I").accident_grades == ["larger"]


def test_upload_rejects_a_renamed_file(client_for, staff_user, plan):
    c = client_for(staff_user)
    fake = SimpleUploadedFile("plan.docx", b"plain text", content_type="application/vnd.openxmlformats")
    response = c.post(reverse("plans:emergencyplan_attachment_add", args=[plan.pk]), {"file": fake})
    assert response.status_code == 400 and b'data-field="file"' in response.content
    assert not PlanAttachment.objects.exists()
    good = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert (
        c.post(reverse("plans:emergencyplan_attachment_add", args=[plan.pk]), {"file": good}).status_code
        == 302
    )
    attachment = PlanAttachment.objects.get()
    download = c.get(reverse("plans:planattachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_town_official_views_but_cannot_edit(client_for, town_a_official, town_b_official, plan, staff_user):
    town_b_plan = services.create_plan(
        actor=staff_user,
        title="乙镇总体预案",
        owner_kind="government",
        division_id=TOWN_B,
        level="town",
        plan_type="general",
        owner="乙镇",
    )
    c = client_for(town_a_official)
    assert c.get(reverse("plans:emergencyplan_detail", args=[town_b_plan.pk])).status_code == 404
    assert c.get(reverse("plans:emergencyplan_add")).status_code == 403
    c.logout()
    c = client_for(town_b_official)
    assert c.get(reverse("plans:emergencyplan_detail", args=[town_b_plan.pk])).status_code == 200
    assert (
        c.post(
            reverse("plans:emergencyplan_level_add", args=[town_b_plan.pk]), {"code": "I", "name": "x"}
        ).status_code
        == 403
    )


def test_enterprise_drill_problem_becomes_hazard_in_one_click(client_for, enterprise_a_user, enterprise_plan):
    c = client_for(enterprise_a_user)
    response = c.post(
        reverse("plans:drill_add"),
        {
            "plan": enterprise_plan.pk,
            "held_on": "2026-05-01",
            "kind": "functional",
            "participant_count": "20",
            "problems": "消防水带老化\n报警不及时",
        },
    )
    assert response.status_code == 302
    drill = Drill.objects.get()
    assert drill.enterprise_id == enterprise_plan.enterprise_id and drill.problems.count() == 2
    problem = drill.problems.first()
    response = c.post(reverse("plans:drillproblem_hazard", args=[problem.pk]))
    assert response.status_code == 302
    assert Hazard.objects.get().enterprise_id == enterprise_plan.enterprise_id
    page = c.get(reverse("plans:drill_detail", args=[drill.pk]))
    assert f'data-hazard="{Hazard.objects.get().pk}"'.encode() in page.content


def api(client, method, url, data=None):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json")


def test_api_plan_lifecycle_and_bad_input(client_for, staff_user):
    c = client_for(staff_user)
    bad = api(
        c,
        "post",
        "/api/v1/plans",
        {"title": "x", "division": COUNTY, "level": "county", "plan_type": "nonsense", "owner": "局"},
    )
    assert bad.status_code == 400 and "plan_type" in bad.json()["fields"]
    bad = api(
        c,
        "post",
        "/api/v1/plans",
        {
            "title": "x",
            "division": COUNTY,
            "level": "county",
            "plan_type": "general",
            "owner": "局",
            "status": "in_force",
        },
    )
    assert bad.status_code == 400 and "approved_at" in bad.json()["fields"]
    assert not EmergencyPlan.objects.exists()
    created = api(
        c,
        "post",
        "/api/v1/plans",
        {
            "title": "总体预案",
            "division": COUNTY,
            "level": "county",
            "plan_type": "general",
            "owner": "县政府",
            "status": "in_force",
            "approved_at": "2025-01-01",
            "filing_number": "备2025-1",
            "filed_at": "2025-01-05",
        },
    )
    assert created.status_code == 201
    plan_id = created.json()["id"]
    assert created.json()["next_review"] == "2028-01-01"
    level = api(
        c,
        "post",
        f"/api/v1/plans/{plan_id}/levels",
        {"code": "II", "name": "二级", "accident_grades": ["major"]},
    )
    assert level.status_code == 201
    bad = api(c, "post", f"/api/v1/plans/{plan_id}/levels", {"code": "III", "accident_grades": ["huge"]})
    assert bad.status_code == 400 and "accident_grades" in bad.json()["fields"]
    task = api(
        c,
        "post",
        f"/api/v1/plans/levels/{level.json()['id']}/tasks",
        {"role": "县长", "task": "启动二级响应", "deadline_minutes": 60},
    )
    assert task.status_code == 201
    assert PlanTask.objects.count() == 1
    review = api(c, "post", f"/api/v1/plans/{plan_id}/review", {"reviewed_on": "2099-01-01"})
    assert review.status_code == 400 and "reviewed_on" in review.json()["fields"]
    assert c.get("/api/v1/plans?review=overdue").json()["count"] == 0
    assert c.get(f"/api/v1/plans/{plan_id}").json()["levels"][0]["tasks"][0]["role"] == "县长"
    drill = api(
        c,
        "post",
        "/api/v1/plans/drills",
        {"plan": plan_id, "held_on": "2026-06-01", "kind": "tabletop", "score": 120},
    )
    assert drill.status_code == 400 and "score" in drill.json()["fields"]
    assert not Drill.objects.exists()


def test_api_enterprise_user_sees_only_own_plans(client_for, enterprise_b_user, enterprise_plan, leader):
    c = client_for(enterprise_b_user)
    assert c.get("/api/v1/plans").json()["count"] == 0
    assert c.get(f"/api/v1/plans/{enterprise_plan.pk}").status_code == 404
    c.logout()
    c = client_for(leader)
    assert c.get("/api/v1/plans").json()["count"] == 1
    assert api(c, "delete", f"/api/v1/plans/{enterprise_plan.pk}").status_code == 403
    assert EmergencyPlan.objects.count() == 1


def test_api_match_for_a_real_incident(client_for, staff_user, plan, enterprise_a):
    from django.utils import timezone

    from yingji.incidents.models import Incident

    incident = Incident.objects.create(
        kind="accident",
        subtype="hazchem",
        title="泄漏",
        occurred_at=timezone.now(),
        reported_at=timezone.now(),
        division_id=enterprise_a.division_id,
        enterprise=enterprise_a,
        deaths=1,
        channel="phone",
        grade="general",
    )
    c = client_for(staff_user)
    items = c.get(f"/api/v1/plans/match?incident_id={incident.pk}").json()["items"]
    assert [(i["plan"]["id"], i["level"]["code"]) for i in items] == [(plan.pk, "IV")]
    assert c.get("/api/v1/plans/match?incident_id=999999").status_code == 404
