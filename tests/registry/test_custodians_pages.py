"""Custodian pages: the custodians form, the duty list, doing a duty with evidence, the placard, scoping."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from tests.conftest import image_file

from yingji.registry import services_custodians as services
from yingji.registry.models_sources import Custodian, DutySchedule, DutyTask, MajorHazardSource


@pytest.fixture
def source(enterprise_a):
    return MajorHazardSource.objects.create(
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        name="液氯储罐区",
        is_major=True,
        grade=2,
    )


def _post_custodians(user=None, **over):
    data = {"part": "custodians"}
    people = {
        "main": ("张三", "总经理", "13812341234"),
        "technical": ("李工", "技术总监", "13812341235"),
        "operational": ("王班长", "车间主任", "13812341236"),
    }
    for role, (name, title, phone) in people.items():
        data.update(
            {f"{role}-name": name, f"{role}-title": title, f"{role}-phone": phone, f"{role}-user": ""}
        )
    if user is not None:
        data["operational-user"] = str(user.pk)
    data.update(over)
    return data


@pytest.fixture
def staffed(source, staff_user, enterprise_a_user):
    rows = _post_custodians()
    entries = [
        {"role": r, "name": rows[f"{r}-name"], "title": rows[f"{r}-title"], "phone": rows[f"{r}-phone"]}
        for r in ("main", "technical", "operational")
    ]
    entries[2]["user"] = enterprise_a_user
    services.set_custodians(source, actor=staff_user, entries=entries)
    return source


def test_custodians_page_saves_all_three(client_for, staff_user, source, enterprise_a_user):
    client = client_for(staff_user)
    url = reverse("registry:source_custodians", args=[source.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _post_custodians(enterprise_a_user))
    assert response.status_code == 302
    assert Custodian.objects.filter(source=source).count() == 3
    assert DutySchedule.objects.filter(source=source).count() == 3


def test_custodians_page_refuses_bad_input(client_for, staff_user, source, enterprise_b_user):
    client = client_for(staff_user)
    url = reverse("registry:source_custodians", args=[source.pk])
    response = client.post(url, _post_custodians(**{"main-name": ""}))
    assert response.status_code == 400
    assert b'data-field="main-name"' in response.content
    response = client.post(url, _post_custodians(**{"operational-user": str(enterprise_b_user.pk)}))
    assert response.status_code == 400
    assert b'data-field="operational-user"' in response.content
    assert not Custodian.objects.exists()


def test_schedule_form_refuses_cadence_zero(client_for, staff_user, staffed):
    client = client_for(staff_user)
    url = reverse("registry:source_custodians", args=[staffed.pk])
    response = client.post(
        url,
        {
            "part": "schedule-technical",
            "schedule-technical-title": "月度排查",
            "schedule-technical-cadence_days": "0",
            "schedule-technical-checklist": "一\n二",
            "schedule-technical-is_active": "on",
        },
    )
    assert response.status_code == 400
    assert b'data-field="schedule-technical-cadence_days"' in response.content
    assert DutySchedule.objects.get(source=staffed, role="technical").cadence_days == 30
    response = client.post(
        url,
        {
            "part": "schedule-technical",
            "schedule-technical-title": "月度排查",
            "schedule-technical-cadence_days": "14",
            "schedule-technical-checklist": "一\n二",
            "schedule-technical-is_active": "on",
        },
    )
    assert response.status_code == 302
    schedule = DutySchedule.objects.get(source=staffed, role="technical")
    assert (schedule.cadence_days, schedule.checklist) == (14, ["一", "二"])


def test_enterprise_user_cannot_edit_custodians_of_another_enterprise(client_for, enterprise_b_user, staffed):
    client = client_for(enterprise_b_user)
    assert client.get(reverse("registry:source_custodians", args=[staffed.pk])).status_code == 404


def test_duty_list_and_views(client_for, staff_user, staffed):
    client = client_for(staff_user)
    response = client.get(reverse("registry:duty_list"))
    assert response.status_code == 200
    assert response.content.count(b"data-task=") == 3
    response = client.get(reverse("registry:duty_list"), {"view": "sources"})
    assert response.status_code == 200
    assert f'data-source="{staffed.pk}"'.encode() in response.content
    response = client.get(reverse("registry:duty_list"), {"state": "missed"})
    assert response.content.count(b"data-task=") == 0
    response = client.get(reverse("registry:duty_list"), {"role": "main"})
    assert response.content.count(b"data-task=") == 1


def test_town_b_gets_404(client_for, town_b_official, staffed):
    client = client_for(town_b_official)
    task = DutyTask.objects.filter(source=staffed).first()
    for url in (
        reverse("registry:source_custodians", args=[staffed.pk]),
        reverse("registry:source_placard", args=[staffed.pk]),
        reverse("registry:duty_detail", args=[task.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("registry:duty_list"))
    assert response.status_code == 200 and b"data-task=" not in response.content


def test_town_a_sees_the_duties(client_for, town_a_official, staffed):
    client = client_for(town_a_official)
    assert client.get(reverse("registry:duty_list")).content.count(b"data-task=") == 3


def test_complete_duty_on_the_page(client_for, enterprise_a_user, staffed):
    client = client_for(enterprise_a_user)
    task = DutyTask.objects.get(source=staffed, role="operational")
    url = reverse("registry:duty_detail", args=[task.pk])
    response = client.get(url)
    assert response.status_code == 200 and b'id="duty-form"' in response.content
    answers = {f"answer_{i}": "ok" for i in range(len(task.schedule.checklist))}
    complete = reverse("registry:duty_complete", args=[task.pk])
    # no evidence: refused, nothing saved
    response = client.post(complete, {**answers, "evidence_note": ""})
    assert response.status_code == 400 and b'data-field="evidence_note"' in response.content
    # an item left out: refused
    partial = dict(answers)
    partial.pop("answer_1")
    response = client.post(complete, {**partial, "evidence_note": "x"})
    assert response.status_code == 400 and b'data-field="item_1"' in response.content
    task.refresh_from_db()
    assert task.status == "pending"
    response = client.post(complete, {**answers, "evidence_note": "", "photos": [image_file()]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.photos.count() == 1
    photo = task.photos.get()
    response = client.get(reverse("registry:duty_photo", args=[task.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_bureau_sees_but_cannot_complete(client_for, staff_user, staffed):
    client = client_for(staff_user)
    task = DutyTask.objects.get(source=staffed, role="operational")
    response = client.get(reverse("registry:duty_detail", args=[task.pk]))
    assert response.status_code == 200 and b'id="duty-form"' not in response.content
    response = client.post(reverse("registry:duty_complete", args=[task.pk]), {"evidence_note": "x"})
    assert response.status_code == 403


def test_placard_shows_the_three(client_for, staff_user, staffed):
    client = client_for(staff_user)
    response = client.get(reverse("registry:source_placard", args=[staffed.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    for name, phone in (("张三", "13812341234"), ("李工", "13812341235"), ("王班长", "13812341236")):
        assert name in text and phone in text  # in full: a public notice
    assert 'id="placard-source"' in text and "液氯储罐区" in text
    response = client.get(reverse("registry:source_placard", args=[staffed.pk]), {"format": "docx"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert {"张三", "李工", "王班长", "13812341236"} <= set(cells)


def test_source_card_tag(rf, staff_user, staffed):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = staff_user
    html = Template("{% load custodian_tags %}{% custodian_card source %}").render(
        Context({"request": request, "source": staffed})
    )
    assert 'id="custodian-card"' in html and "张三" in html


def test_town_official_may_look_but_not_change(client_for, town_a_official, staffed):
    client = client_for(town_a_official)
    url = reverse("registry:source_custodians", args=[staffed.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, _post_custodians()).status_code == 403
    assert client.post(url, {"part": "schedule-main"}).status_code == 403
