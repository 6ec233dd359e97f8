"""The hazard ledger (挂账销账): open items by town, industry and age; the list, export and API."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone
from tests.conftest import TOWN_A, TOWN_B

from yingji.core.models import AuditLog
from yingji.hazards import services, statistics
from yingji.hazards.models import Hazard

MAJOR = ["chem-2017-4"]


def ago(days: float, now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days)


@pytest.fixture
def book(enterprise_a, enterprise_b, staff_user, admin_user):
    """Town A: open items aged 5 (major, overdue), 60 and 200 days, and one closed. Town B: 100 days."""
    now = timezone.now()

    def report(enterprise, days, *, grade="general", title="隐患"):
        return services.report_hazard(
            actor=staff_user,
            title=title,
            source="inspection",
            enterprise=enterprise,
            grade=grade,
            criteria=MAJOR if grade == "major" else None,
            now=ago(days, now),
        )

    major = report(enterprise_a, 5, grade="major", title="甲镇重大隐患")
    services.confirm_hazard(
        major, actor=admin_user, grade="major", treatment="deadline", due_at=ago(1, now), now=ago(5, now)
    )
    report(enterprise_a, 60, title="甲镇一般隐患")
    report(enterprise_a, 200, title="甲镇陈年隐患")
    closed = report(enterprise_a, 50, title="甲镇已销号")
    services.confirm_hazard(
        closed, actor=admin_user, grade="general", treatment="immediate", now=ago(50, now)
    )
    services.start_rectification(closed, actor=staff_user, now=ago(49.9, now))
    services.submit_rectification(closed, actor=staff_user, note="ok", now=ago(49.8, now))
    services.verify_hazard(closed, actor=admin_user, now=ago(49.7, now))
    report(enterprise_b, 100, title="乙镇隐患")
    return now


def test_ledger_counts_open_items_by_town_industry_and_age(book, staff_user):
    ledger = statistics.ledger(staff_user, now=book)
    assert (ledger.total.open, ledger.total.major, ledger.total.overdue) == (4, 1, 1)
    towns = {row.key: row for row in ledger.by_town}
    assert towns[TOWN_A].open == 3 and towns[TOWN_A].major == 1 and towns[TOWN_A].overdue == 1
    assert towns[TOWN_A].ages == [1, 1, 0, 1] and towns[TOWN_B].ages == [0, 0, 1, 0]
    assert towns[TOWN_A].label == "甲镇"
    trades = {row.key: row.open for row in ledger.by_industry}
    assert trades == {"26": 3, "34": 1}
    assert [row.open for row in ledger.by_age] == [1, 1, 1, 1]


def test_ledger_filters_and_scoping(book, staff_user, town_a_official, enterprise_b_user):
    assert statistics.ledger(staff_user, filters={"age": "181+"}, now=book).total.open == 1
    assert statistics.ledger(staff_user, filters={"overdue": "yes"}, now=book).total.open == 1
    assert statistics.ledger(staff_user, filters={"division": TOWN_B}, now=book).total.open == 1
    assert statistics.ledger(staff_user, filters={"grade": "major"}, now=book).total.open == 1
    town = statistics.ledger(town_a_official, now=book)
    assert town.total.open == 3 and [r.key for r in town.by_town] == [TOWN_A]
    assert statistics.ledger(town_a_official, filters={"division": TOWN_B}, now=book).total.open == 0
    assert statistics.ledger(enterprise_b_user, now=book).total.open == 1
    items = statistics.open_hazards(staff_user, {"age": "31-90"}, book)
    assert sorted(items.values_list("title", flat=True)) == ["甲镇一般隐患"]


def test_ledger_page(book, client_for, town_a_official):
    response = client_for(town_a_official).get("/hazards/ledger/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "甲镇重大隐患" in content and "甲镇陈年隐患" in content
    assert "乙镇隐患" not in content and "甲镇已销号" not in content
    filtered = client_for(town_a_official).get("/hazards/ledger/", {"age": "181+"}).content.decode()
    assert "甲镇陈年隐患" in filtered and "甲镇重大隐患" not in filtered
    assert client_for(town_a_official).get("/hazards/ledger/", {"age": "old"}).status_code == 400


def test_ledger_export_is_scoped_and_audited(book, client_for, town_a_official):
    before = AuditLog.objects.filter(action="export").count()
    response = client_for(town_a_official).get("/hazards/ledger/export/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["甲镇一般隐患", "甲镇重大隐患", "甲镇陈年隐患"]
    assert AuditLog.objects.filter(action="export").count() == before + 1
    assert client_for(town_a_official).get("/hazards/ledger/export/", {"format": "pdf"}).status_code == 400
    assert AuditLog.objects.filter(action="export").count() == before + 1


def test_ledger_summary_api(book, client_for, staff_user, town_a_official):
    data = client_for(staff_user).get("/api/v1/ledger/summary").json()
    assert data["total"]["open"] == 4 and data["total"]["major"] == 1 and data["total"]["overdue"] == 1
    assert {row["key"] for row in data["by_town"]} == {TOWN_A, TOWN_B}
    assert data["by_age"][0]["key"] == "0-30" and data["total"]["ages"]["181+"] == 1
    data = client_for(town_a_official).get("/api/v1/ledger/summary", {"division": TOWN_B}).json()
    assert data["total"]["open"] == 0
    response = client_for(staff_user).get("/api/v1/ledger/summary", {"age": "old", "overdue": "maybe"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"age", "overdue"}


def test_ledger_needs_login(client, county):
    assert client.get("/hazards/ledger/").status_code == 302
    assert client.get("/hazards/ledger/export/").status_code == 302
    assert client.get("/api/v1/ledger/summary").status_code == 401
    assert Hazard.objects.count() == 0
