"""Spreadsheet import/export of resources: all rows or none, problems on their row and column."""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from yingji.core import tabular
from yingji.resources import importing
from yingji.resources.models import Shelter, Stock, StockMovement, SupplyItem, Team, Warehouse

TOWN_A = "329901001000"
TOWN_B = "329901002000"


def xlsx(kind: str, rows: list[list]) -> bytes:
    columns = [c for c in importing.KINDS[kind].columns if c.importable]
    return tabular.to_xlsx(columns, rows, sheet_title=importing.KINDS[kind].sheet)


SHELTER_ROW = ["甲镇小学", TOWN_A, "甲镇", 120.9, 32.0, 300, 2000, "饮用水", "是", "王五", "13812341234"]


def test_shelter_import_all_or_nothing(county, town_a_official):
    bad = list(SHELTER_ROW)
    bad[3] = 10.0  # longitude outside China
    worse = list(SHELTER_ROW)
    worse[1] = TOWN_B  # another town: outside the importer's jurisdiction
    third = list(SHELTER_ROW)
    third[5] = "很多"
    report = importing.import_resources(
        "shelter", xlsx("shelter", [SHELTER_ROW, bad, worse, third]), "s.xlsx", actor=town_a_official
    )
    assert not report.ok
    problems = {(e.row, e.column, e.code) for e in report.errors}
    assert (3, "经度", "longitude_outside_china") in problems
    assert (4, "行政区划代码", "outside_jurisdiction") in problems
    assert (5, "容纳人数", "not_integer") in problems
    assert not Shelter.objects.exists()
    report = importing.import_resources(
        "shelter", xlsx("shelter", [SHELTER_ROW]), "s.xlsx", actor=town_a_official
    )
    assert report.ok and report.created == 1
    assert Shelter.objects.get().is_open


def test_team_import_and_export(county, staff_user):
    row = ["甲镇分队", "社会救援力量", "town", TOWN_A, "", 120.9, 32.0, "", 12, "张三", ""]
    report = importing.import_resources("team", xlsx("team", [row]), "t.xlsx", actor=staff_user)
    assert report.ok, report.as_text()
    team = Team.objects.get()
    assert (team.kind, team.level, team.headcount) in {("social", "town", 12)}
    data, content_type, filename = importing.export("team")(Team.objects.all(), "xlsx")
    assert filename.endswith(".xlsx") and data[:2] == b"PK"


def test_stock_import_bad_expiry_writes_nothing(county, staff_user):
    warehouse = Warehouse.objects.create(
        name="仓库", level="town", division_id=TOWN_A, latitude=32, longitude=121
    )
    rows = [
        [warehouse.pk, "tent", 10, 5, "2027-06-30"],
        [warehouse.pk, "quilt", 10, 5, "30/06/2027"],
        [warehouse.pk, "no-such-item", 10, "", ""],
        [warehouse.pk, "quilt", -3, "", ""],
    ]
    columns = [c for c in importing.STOCK_COLUMNS if c.importable]
    content = tabular.to_xlsx(columns, rows, sheet_title=importing.KINDS["stock"].sheet)
    report = importing.import_stock(content, "k.xlsx", actor=staff_user)
    problems = {(e.row, e.column, e.code) for e in report.errors}
    assert (3, "有效期至", "invalid_date") in problems
    assert (4, "物资编码", "unknown_item") in problems
    assert (5, "入库数量", "negative") in problems
    assert not Stock.objects.exists() and not StockMovement.objects.exists()
    report = importing.import_stock(
        tabular.to_xlsx(columns, rows[:1], sheet_title="库存入库"), "k.xlsx", actor=staff_user
    )
    assert report.ok and Stock.objects.get().expiry == datetime.date(2027, 6, 30)


def test_catalogue_import_refuses_duplicates(db, staff_user):
    rows = [
        ["living", "tent", "帐篷", "顶", "", ""],
        ["nope", "x1", "物资", "个", "", ""],
        ["living", "mat", "防潮垫", "张", "", ""],
    ]
    report = importing.import_items(xlsx("supplyitem", rows), "c.xlsx", actor=staff_user)
    codes = {(e.row, e.code) for e in report.errors}
    assert codes == {(2, "exists"), (3, "unknown_category")}
    assert not SupplyItem.objects.filter(code="mat").exists()


def test_import_page(client_for, staff_user, county):
    upload = SimpleUploadedFile("s.xlsx", xlsx("shelter", [SHELTER_ROW]))
    response = client_for(staff_user).post(reverse("resources:shelter_import"), {"file": upload})
    assert response.status_code == 200 and Shelter.objects.count() == 1


def test_demo_seed_is_idempotent(county):
    from yingji.demo.resources import seed_resources

    now = timezone.now()
    assert seed_resources(random.Random(1), now) > 10
    assert Stock.objects.filter(quantity__lt=models_F("minimum")).exists()
    assert seed_resources(random.Random(1), now) == 0


def models_F(name):
    from django.db.models import F

    return F(name)
