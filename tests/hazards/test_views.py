"""The hidden-danger pages: the list and its filters, scoping, the detail page's buttons, every action
through its form, refusals (403/409) that change nothing, uploads, photos, export and query count."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, image_file

from yingji.core.models import AuditLog, ExtensionRequest
from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardEvent, HazardPhoto, Status, Supervision
from yingji.hazards.rules import Action

LIST = "/hazards/"
MAJOR = ["chem-2017-4"]


def days(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=n)


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def titles(response) -> list[str]:
    return [obj.title for obj, _cells in response.context["rows"]]


def buttons(response) -> list[str]:
    return re.findall(r'data-action="([a-z_]+)"', response.content.decode())


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
    return services.report_hazard(
        actor=enterprise_b_user, title="乙镇配电箱未接地", source="self_check", photos=[image_file()]
    )


@pytest.fixture
def major_a(enterprise_a_user):
    return services.report_hazard(
        actor=enterprise_a_user,
        title="紧急停车系统未投用",
        source="inspection",
        grade="major",
        criteria=MAJOR,
    )


def confirm(hazard, actor, due=30, grade="general", criteria=None):
    return services.confirm_hazard(
        hazard, actor=actor, grade=grade, treatment="deadline", due_at=days(due), criteria=criteria
    )


# The list


def test_the_list_shows_only_hazards_in_the_users_jurisdiction(
    client_for, town_a_official, hazard_a, hazard_b
):
    response = client_for(town_a_official).get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["甲镇护栏缺失"]
    assert "乙镇配电箱未接地" not in response.content.decode()


def test_the_list_is_in_the_menu_of_roles_that_may_see_hazards(client_for, leader, county):
    assert "/hazards/" in [item["url"] for item in client_for(leader).get(LIST).context["nav_items"]]


@pytest.fixture
def many(enterprise_a, enterprise_b, staff_user):
    """Twelve hazards in both towns and in every state, some overdue, one supervised."""
    now = timezone.now()
    rows = []
    for n in range(12):
        enterprise = enterprise_a if n < 6 else enterprise_b
        status = [
            Status.REPORTED,
            Status.CONFIRMED,
            Status.RECTIFYING,
            Status.SUBMITTED,
            Status.VERIFIED,
            Status.CLOSED,
        ][n % 6]
        rows.append(
            Hazard(
                enterprise=enterprise,
                division_id=enterprise.division_id,
                title=f"隐患{n:02d}",
                source="inspection" if n % 2 else "self_check",
                grade="major" if n in (1, 7) else "general",
                status=status,
                due_at=None
                if status == Status.REPORTED
                else now + datetime.timedelta(days=-1 if n % 3 else 5),
                is_supervised=n == 7,
                reported_at=now - datetime.timedelta(days=n),
            )
        )
    Hazard.objects.bulk_create(rows)


def overdue_titles() -> set[str]:
    now = timezone.now()
    return {
        h.title
        for h in Hazard.objects.all()
        if h.status in (Status.CONFIRMED, Status.RECTIFYING) and h.due_at and h.due_at < now
    }


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 12),
        ({"q": "隐患0"}, 10),
        ({"q": "乙镇机械"}, 6),  # the enterprise's name
        ({"status": "rectifying"}, 2),
        ({"grade": "major"}, 2),
        ({"source": "inspection"}, 6),
        ({"division": TOWN_A}, 6),
        ({"division": VILLAGE_A}, 6),
        ({"division": COUNTY[:6]}, 12),
        ({"supervised": "yes"}, 1),
        ({"grade": "major", "division": TOWN_B}, 1),
    ],
)
def test_the_list_filters(client_for, staff_user, many, query, count):
    assert client_for(staff_user).get(LIST, query).context["page"].paginator.count == count


def test_the_enterprise_filter(client_for, staff_user, many, enterprise_b):
    response = client_for(staff_user).get(LIST, {"enterprise": enterprise_b.pk})
    assert response.context["page"].paginator.count == 6


def test_the_reported_date_range(client_for, staff_user, many):
    today = timezone.localdate()
    query = {"reported_from": str(today - datetime.timedelta(days=2)), "reported_to": str(today)}
    assert set(titles(client_for(staff_user).get(LIST, query))) == {"隐患00", "隐患01", "隐患02"}


def test_overdue_means_still_owed_and_past_the_deadline(client_for, staff_user, many):
    response = client_for(staff_user).get(LIST, {"overdue": "yes"})
    shown = set(titles(response))
    assert shown == overdue_titles() and shown == {"隐患01", "隐患02", "隐患07", "隐患08"}
    assert response.content.decode().count("yj-overdue") == 4  # one badge per row
    # submitted, verified and closed hazards past their deadline are not overdue
    html = client_for(staff_user).get(LIST, {"status": "submitted"}).content.decode()
    assert "yj-overdue" not in html


@pytest.mark.parametrize(
    "query", [{"division": "12345"}, {"status": "lost"}, {"overdue": "maybe"}, {"sort": "x"}]
)
def test_an_invalid_filter_shows_an_error_and_no_rows(client_for, staff_user, many, query):
    response = client_for(staff_user).get(LIST, query)
    assert response.status_code == 200 and titles(response) == []
    assert response.context["filterset"].errors


def test_the_list_is_newest_first_and_sorts_both_ways(client_for, staff_user, many):
    client = client_for(staff_user)
    assert titles(client.get(LIST))[:2] == ["隐患00", "隐患01"]
    assert titles(client.get(LIST, {"sort": "reported_at"}))[:2] == ["隐患11", "隐患10"]


def test_the_list_query_count_does_not_grow_with_the_page_size(
    client_for, staff_user, enterprise_a, enterprise_b
):
    now = timezone.now()
    Hazard.objects.bulk_create(
        Hazard(
            enterprise=enterprise_a if n % 2 else enterprise_b,
            division_id=(enterprise_a if n % 2 else enterprise_b).division_id,
            title=f"批量{n:03d}",
            source="self_check",
            status=Status.CONFIRMED,
            due_at=now - datetime.timedelta(days=1),
            reported_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(120)
    )
    client = client_for(staff_user)
    client.get(LIST)  # warm up session and caches
    counts = {}
    for per_page in (25, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(titles(client.get(LIST, {"per_page": per_page}))) == per_page
        counts[per_page] = len(queries)
    assert counts[25] == counts[100], counts


def test_htmx_requests_get_only_the_table(client_for, staff_user, many):
    html = (
        client_for(staff_user).get(LIST, {"grade": "major"}, headers={"HX-Request": "true"}).content.decode()
    )
    assert 'id="object-list"' in html and "<html" not in html


# Export


def test_the_export_is_an_xlsx_of_the_filtered_list_and_is_audited(client_for, town_a_official, many):
    response = client_for(town_a_official).get("/hazards/export/", {"format": "xlsx", "grade": "major"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "隐患01"  # town A's one major hazard, under the header
    assert AuditLog.objects.filter(action="export", object_type="hazards.hazard").count() == 1


def test_the_export_needs_its_permission(client_for, client, county):
    assert client.get("/hazards/export/").status_code == 302  # to the login page


# Scoping


def test_a_town_official_cannot_reach_another_towns_hazard(client_for, town_a_official, hazard_b):
    client = client_for(town_a_official)
    before = snapshot(hazard_b)
    photo = hazard_b.photos.get()
    assert client.get(f"/hazards/{hazard_b.pk}/").status_code == 404
    assert client.get(f"/hazards/{hazard_b.pk}/photos/{photo.pk}/").status_code == 404
    response = client.post(
        f"/hazards/{hazard_b.pk}/actions/confirm/",
        {"confirm-grade": "general", "confirm-treatment": "deadline", "confirm-due_at": local_input(days(9))},
    )
    assert response.status_code == 404
    assert snapshot(hazard_b) == before


def test_the_photo_of_a_hazard_is_served_to_those_who_may_see_it(
    client_for, town_a_official, hazard_a, hazard_b
):
    client = client_for(town_a_official)
    photo = hazard_a.photos.get()
    response = client.get(f"/hazards/{hazard_a.pk}/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:4] == b"\x89PNG"
    other = hazard_b.photos.get()  # another hazard's photo through this hazard's address
    assert client.get(f"/hazards/{hazard_a.pk}/photos/{other.pk}/").status_code == 404


def test_the_photo_view_needs_a_login(client, hazard_a):
    photo = hazard_a.photos.get()
    assert client.get(f"/hazards/{hazard_a.pk}/photos/{photo.pk}/").status_code == 302


# The detail page and its buttons


@pytest.mark.parametrize(
    "persona", ["enterprise_a_user", "enterprise_a_manager", "staff_user", "town_a_official", "leader"]
)
def test_the_buttons_are_exactly_the_allowed_actions(
    request, client_for, persona, major_a, enterprise_a_manager
):
    user = request.getfixturevalue(persona)
    confirm(major_a, enterprise_a_manager, grade="major", criteria=MAJOR)
    response = client_for(user).get(f"/hazards/{major_a.pk}/")
    assert response.status_code == 200
    assert buttons(response) == services.allowed_actions(Hazard.objects.get(pk=major_a.pk), user)


def test_the_detail_page_shows_criteria_plan_photos_supervision_and_history(
    client_for, staff_user, major_a, enterprise_a_manager
):
    confirm(major_a, enterprise_a_manager, grade="major", criteria=MAJOR)
    services.list_for_supervision(
        major_a,
        actor=staff_user,
        level="county",
        authority=staff_user.division,
        unit="安澜县应急管理局",
        due_at=days(40),
        document_no="安应急督〔2026〕7号",
    )
    services.add_photos(major_a, actor=staff_user, photos=[image_file()])
    html = client_for(staff_user).get(f"/hazards/{major_a.pk}/").content.decode()
    criterion = major_a.criteria.get()
    assert criterion.source in html and criterion.short in html
    assert "安应急督〔2026〕7号" in html and 'id="hazard-supervision"' in html
    assert html.count('data-event="') == 4  # report, confirm, list, add_photos
    photo = major_a.photos.get()
    assert f"/hazards/{major_a.pk}/photos/{photo.pk}/" in html


def test_the_detail_shows_the_overdue_badge(client_for, staff_user, hazard_a, enterprise_a_manager):
    confirm(hazard_a, enterprise_a_manager)
    client = client_for(staff_user)
    assert 'id="overdue-badge"' not in client.get(f"/hazards/{hazard_a.pk}/").content.decode()
    Hazard.objects.filter(pk=hazard_a.pk).update(due_at=days(-1))
    assert 'id="overdue-badge"' in client.get(f"/hazards/{hazard_a.pk}/").content.decode()


def test_the_leader_sees_but_gets_no_buttons_and_cannot_act(client_for, leader, hazard_a):
    client = client_for(leader)
    response = client.get(f"/hazards/{hazard_a.pk}/")
    assert response.status_code == 200 and buttons(response) == []
    before = snapshot(hazard_a)
    for action in (Action.CONFIRM, Action.LIST, Action.VERIFY):
        assert client.post(f"/hazards/{hazard_a.pk}/actions/{action}/", {}).status_code == 403
    assert client.get("/hazards/add/").status_code == 403
    assert snapshot(hazard_a) == before


def test_an_unknown_action_is_404(client_for, staff_user, hazard_a):
    assert client_for(staff_user).post(f"/hazards/{hazard_a.pk}/actions/explode/", {}).status_code == 404


# Every action through its form


def post_action(client, hazard, action, fields, files=None):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    for name, value in (files or {}).items():
        data[f"{action}-{name}"] = value
    return client.post(f"/hazards/{hazard.pk}/actions/{action}/", data)


def test_the_whole_loop_through_the_pages(
    client_for, major_a, enterprise_a_user, enterprise_a_manager, staff_user
):
    pk = major_a.pk
    client = client_for(enterprise_a_manager)
    response = post_action(
        client,
        major_a,
        "confirm",
        {"grade": "major", "treatment": "deadline", "due_at": local_input(days(30)), "criteria": MAJOR},
    )
    assert response.status_code == 302 and response["Location"] == f"/hazards/{pk}/"
    assert Hazard.objects.get(pk=pk).status == Status.CONFIRMED

    client = client_for(staff_user)
    assert client.get(f"/hazards/{pk}/actions/list/").status_code == 200  # the form on its own page
    response = post_action(
        client,
        major_a,
        "list",
        {
            "level": "county",
            "authority": COUNTY,
            "unit": "安澜县应急管理局",
            "document_no": "督1号",
            "due_at": local_input(days(40)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Hazard.objects.get(pk=pk).is_supervised

    client = client_for(enterprise_a_user)
    response = post_action(
        client,
        major_a,
        "start",
        {"measures": "恢复系统", "responsible": "王工", "funds": "50000", "contingency": "停车预案"},
    )
    assert response.status_code == 302 and Hazard.objects.get(pk=pk).status == Status.RECTIFYING
    response = post_action(
        client, major_a, "submit", {"note": "已恢复"}, {"photos": [image_file("a.png"), image_file("b.png")]}
    )
    assert response.status_code == 302 and Hazard.objects.get(pk=pk).status == Status.SUBMITTED
    assert major_a.photos.filter(kind="after").count() == 2

    client = client_for(enterprise_a_manager)
    response = post_action(client, major_a, "reject", {"note": "联锁未测试"})
    assert response.status_code == 302 and Hazard.objects.get(pk=pk).rejections == 1
    post_action(client_for(enterprise_a_user), major_a, "submit", {"note": "联锁已测试"})
    response = post_action(client_for(enterprise_a_manager), major_a, "verify", {"note": "验收合格"})
    assert response.status_code == 302 and Hazard.objects.get(pk=pk).status == Status.VERIFIED

    response = post_action(client_for(staff_user), major_a, "sign_off", {"note": "销号"})
    assert response.status_code == 302
    hazard = Hazard.objects.get(pk=pk)
    assert hazard.status == Status.CLOSED and not hazard.is_supervised
    assert list(hazard.events.values_list("action", flat=True)) == [
        "report",
        "confirm",
        "list",
        "start",
        "submit",
        "reject",
        "submit",
        "verify",
        "sign_off",
    ]


def test_an_extension_is_requested_and_decided_on_the_page(
    client_for, hazard_a, enterprise_a_user, enterprise_a_manager, staff_user
):
    confirm(hazard_a, enterprise_a_manager, due=5)
    new_due = days(12)
    response = post_action(
        client_for(enterprise_a_user),
        hazard_a,
        "request_extension",
        {"new_due_at": local_input(new_due), "reason": "等待配件"},
    )
    assert response.status_code == 302
    client = client_for(staff_user)
    assert 'id="hazard-extension"' in client.get(f"/hazards/{hazard_a.pk}/").content.decode()
    response = post_action(client, hazard_a, "decide_extension", {"approve": "yes", "note": "同意"})
    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard_a.pk).due_at.date() == new_due.date()
    assert ExtensionRequest.objects.get().state == "approved"


def test_a_forbidden_transition_on_the_page_is_409_and_changes_nothing(client_for, staff_user, hazard_a):
    before = snapshot(hazard_a)
    response = post_action(client_for(staff_user), hazard_a, "verify", {"note": "x"})
    assert response.status_code == 409
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    assert snapshot(hazard_a) == before


def test_the_rectifier_cannot_verify_their_own_work_on_the_page(
    client_for, hazard_a, enterprise_a_user, enterprise_a_manager
):
    confirm(hazard_a, enterprise_a_manager)
    services.start_rectification(hazard_a, actor=enterprise_a_user)
    services.submit_rectification(hazard_a, actor=enterprise_a_user, note="done")
    before = snapshot(hazard_a)
    response = post_action(client_for(enterprise_a_user), hazard_a, "verify", {"note": "self"})
    assert response.status_code == 409
    assert snapshot(hazard_a) == before


def test_a_major_plan_without_five_in_place_is_400_naming_the_fields(
    client_for, major_a, enterprise_a_user, enterprise_a_manager
):
    confirm(major_a, enterprise_a_manager, grade="major", criteria=MAJOR)
    before = snapshot(major_a)
    response = post_action(client_for(enterprise_a_user), major_a, "start", {"measures": "x"})
    assert response.status_code == 400
    assert set(response.context["action"]["form"].errors) == {"responsible", "funds", "contingency"}
    assert snapshot(major_a) == before


def test_a_deadline_in_the_past_is_400_on_the_field(client_for, hazard_a, enterprise_a_manager):
    before = snapshot(hazard_a)
    response = post_action(
        client_for(enterprise_a_manager),
        hazard_a,
        "confirm",
        {"grade": "general", "treatment": "deadline", "due_at": local_input(days(-2))},
    )
    assert response.status_code == 400 and "due_at" in response.context["action"]["form"].errors
    assert snapshot(hazard_a) == before


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(
    client_for, hazard_a, enterprise_a_user, enterprise_a_manager, settings
):
    confirm(hazard_a, enterprise_a_manager)
    services.start_rectification(hazard_a, actor=enterprise_a_user)
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    before = snapshot(hazard_a)
    stored = sorted(p.name for p in settings.UPLOAD_DIR.rglob("*") if p.is_file())
    response = post_action(
        client_for(enterprise_a_user), hazard_a, "submit", {"note": "done"}, {"photos": [fake]}
    )
    assert response.status_code == 400 and "photos" in response.context["action"]["form"].errors
    assert snapshot(hazard_a) == before
    assert sorted(p.name for p in settings.UPLOAD_DIR.rglob("*") if p.is_file()) == stored


# Reporting


def test_an_enterprise_user_reports_for_their_own_enterprise(client_for, enterprise_a_user, enterprise_a):
    client = client_for(enterprise_a_user)
    form = client.get("/hazards/add/")
    assert form.status_code == 200 and 'name="enterprise"' not in form.content.decode()
    response = client.post(
        "/hazards/add/",
        {"title": "消防通道堵塞", "source": "self_check", "grade": "general", "photos": [image_file()]},
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.enterprise == enterprise_a and hazard.photos.count() == 1


def test_bureau_staff_report_a_major_hazard_with_criteria(client_for, staff_user, enterprise_b):
    client = client_for(staff_user)
    html = client.get("/hazards/add/").content.decode()
    assert "chem-2017-4" in html and enterprise_b.name in html
    response = client.post(
        "/hazards/add/",
        {
            "enterprise": enterprise_b.pk,
            "title": "储罐区无联锁",
            "source": "inspection",
            "grade": "major",
            "criteria": MAJOR,
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and list(hazard.criteria.values_list("code", flat=True)) == MAJOR


def test_a_place_without_an_enterprise_is_reported_by_division(client_for, town_a_official):
    response = client_for(town_a_official).post(
        "/hazards/add/",
        {"division": VILLAGE_A, "title": "河道护栏缺失", "source": "other", "grade": "general"},
    )
    assert response.status_code == 302 and Hazard.objects.get().division_id == VILLAGE_A


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "source": "self_check", "grade": "general"}, "title"),
        ({"title": "x", "source": "self_check", "grade": "major"}, "criteria"),
        ({"title": "x", "source": "rumour", "grade": "general"}, "source"),
    ],
)
def test_bad_reports_are_400_naming_the_field_and_save_nothing(client_for, enterprise_a_user, fields, field):
    response = client_for(enterprise_a_user).post("/hazards/add/", fields)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_a_non_image_report_photo_is_400_and_nothing_is_stored(client_for, enterprise_a_user, settings):
    fake = SimpleUploadedFile("x.jpg", b"GIF89a nope", content_type="image/jpeg")
    response = client_for(enterprise_a_user).post(
        "/hazards/add/", {"title": "x", "source": "self_check", "grade": "general", "photos": [fake]}
    )
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not Hazard.objects.exists() and not HazardPhoto.objects.exists()
    assert not settings.UPLOAD_DIR.exists() or not any(p.is_file() for p in settings.UPLOAD_DIR.rglob("*"))


def test_a_town_official_cannot_report_for_another_towns_enterprise(
    client_for, town_a_official, enterprise_b
):
    response = client_for(town_a_official).post(
        "/hazards/add/",
        {"enterprise": enterprise_b.pk, "title": "x", "source": "inspection", "grade": "general"},
    )
    assert response.status_code == 400 and "enterprise" in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_every_action_form_also_opens_on_its_own_page(client_for, major_a, enterprise_a_manager, staff_user):
    confirm(major_a, enterprise_a_manager, grade="major", criteria=MAJOR)
    client = client_for(staff_user)
    actions = services.allowed_actions(Hazard.objects.get(pk=major_a.pk), staff_user)
    assert {"start", "list", "request_extension"} <= set(actions)
    for action in actions:
        response = client.get(f"/hazards/{major_a.pk}/actions/{action}/")
        assert response.status_code == 200, action
        assert 'id="action-form"' in response.content.decode()
    html = client.get(f"/hazards/{major_a.pk}/actions/list/").content.decode()
    assert f'<option value="{COUNTY}" selected>' in html  # the user's own division by default
    assert client.get(f"/hazards/{major_a.pk}/actions/verify/").status_code == 409
