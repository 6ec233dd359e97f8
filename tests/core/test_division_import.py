"""Importing divisions: a county's villages from the shipped data, or the bureau's own list."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A

from yingji.core import division_import
from yingji.core.models import AuditLog, Division

SHIPPED_COUNTY = "150172"  # 呼和浩特经济技术开发区: six towns in the national list, six villages shipped


def csv_file(*rows: str, header: str = "代码,名称,上级代码") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def run(content: bytes, filename: str = "villages.csv", actor=None, dry_run: bool = False):
    return division_import.import_divisions(content, filename, actor=actor, dry_run=dry_run)


def problems(report) -> list[tuple]:
    return [(e.row, e.column, e.code) for e in report.errors]


# --- the shipped data ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_countys_villages_come_from_the_shipped_data_and_a_rerun_keeps_the_bureaus_names():
    assert not Division.objects.filter(code__startswith=SHIPPED_COUNTY, level="village").exists()
    report = division_import.import_county_villages(SHIPPED_COUNTY)
    assert report.ok, report.as_text()
    assert report.created == 6
    village = Division.objects.get(code="150172401498")
    assert (village.name, village.level, village.parent_id) == ("如意虚拟社区", "village", "150172401000")
    assert AuditLog.objects.filter(action="import", object_type="core.division").count() == 1

    Division.objects.filter(code="150172401498").update(name="如意社区")
    again = division_import.import_county_villages(SHIPPED_COUNTY + "000000")
    assert again.ok and (again.created, again.unchanged) == (0, 6)
    assert Division.objects.get(code="150172401498").name == "如意社区"


@pytest.mark.django_db
def test_the_shipped_data_needs_the_county_and_its_towns():
    assert problems(division_import.import_county_villages("999999")) == [(None, "", "unknown_county")]
    Division.objects.filter(code="150172401000").delete()
    report = division_import.import_county_villages(SHIPPED_COUNTY)
    assert [e.code for e in report.errors] == ["unknown_parent"]
    assert not Division.objects.filter(code__startswith=SHIPPED_COUNTY, level="village").exists()


def test_the_shipped_data_respects_the_actors_jurisdiction(admin_user):
    report = division_import.import_county_villages(SHIPPED_COUNTY, actor=admin_user)
    assert problems(report) == [(None, "", "outside_jurisdiction")]


@pytest.mark.django_db
def test_command_county_dry_run_then_for_real_and_an_unknown_county():
    call_command(
        "import", "divisions", "--county", SHIPPED_COUNTY, "--dry-run", stdout=StringIO(), stderr=StringIO()
    )
    assert not Division.objects.filter(code__startswith=SHIPPED_COUNTY, level="village").exists()
    call_command("import", "divisions", "--county", SHIPPED_COUNTY, stdout=StringIO(), stderr=StringIO())
    assert Division.objects.filter(code__startswith=SHIPPED_COUNTY, level="village").count() == 6
    with pytest.raises(CommandError) as caught:
        call_command("import", "divisions", "--county", "999999", stdout=StringIO(), stderr=StringIO())
    assert caught.value.returncode == 1


# --- a bureau's own file ---------------------------------------------------------------------------


def test_a_bureau_file_adds_villages_with_parents_from_the_code(county):
    report = run(csv_file("329901001201,新桥村,", "329901002201,柳塘村,329901002000"))
    assert report.ok, report.as_text()
    assert report.created == 2
    village = Division.objects.get(code="329901001201")
    assert (village.name, village.level, village.parent_id) == ("新桥村", "village", TOWN_A)
    assert Division.objects.get(code="329901002201").parent_id == TOWN_B
    assert village.code.startswith(Division.objects.get(code=COUNTY).prefix)


def test_a_bureau_file_may_add_a_town_and_its_villages_together(county):
    report = run(csv_file("329901003101,新村,", "329901003000,新镇,"))
    assert report.ok, report.as_text()
    assert Division.objects.get(code="329901003000").level == "town"
    assert Division.objects.get(code="329901003101").parent_id == "329901003000"


def test_existing_codes_get_the_files_name(county):
    report = run(csv_file(f"{VILLAGE_A},甲村村民委员会,", f"{TOWN_A},甲镇,"))
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Division.objects.get(code=VILLAGE_A).name == "甲村村民委员会"


def test_an_xlsx_with_english_headers_and_coordinates(county):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent", "lng", "lat"])
    sheet.append([329901001202, "东村", None, 120.9, 32.05])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "villages.xlsx")
    assert report.ok, report.as_text()
    village = Division.objects.get(code="329901001202")
    assert (village.longitude, village.latitude) == (120.9, 32.05)


def test_a_gbk_csv_is_read(county):
    report = run("代码,名称\n329901001203,西村\n".encode("gbk"))
    assert report.ok and report.encoding == "GBK"
    assert Division.objects.get(code="329901001203").name == "西村"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["32990100120,短码,"], [(2, "代码", "bad_division_code")]),
        (["329901001204,,"], [(2, "名称", "required")]),
        (["329901009201,无镇之村,"], [(2, "代码", "unknown_parent")]),
        (["329901001205,错挂村,329901002000"], [(2, "代码", "outside_parent")]),
        (["329901001206,村下村,329901001001"], [(2, "上级代码", "parent_level")]),
        (["329901001207,甲,", "329901001207,乙,"], [(3, "代码", "duplicate_in_file")]),
        ([f"{VILLAGE_A},甲村,{TOWN_B}"], [(2, "上级代码", "parent_mismatch")]),
        (["3.29901E+11,科学计数,"], [(2, "代码", "shortened_number")]),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(county, rows, expected):
    before = Division.objects.count()
    report = run(csv_file("329901001299,好村,", *rows))
    assert problems(report) == [(r + 1, c, code) for r, c, code in expected]
    assert Division.objects.count() == before
    assert not AuditLog.objects.filter(action="import").exists()


def test_a_file_without_the_code_column(county):
    report = run(csv_file("新村", header="名称"))
    assert problems(report) == [(1, "代码", "missing_column")]


def test_a_town_official_may_only_add_villages_in_their_town(town_a_official):
    report = run(csv_file("329901001208,本镇村,", "329901002208,外镇村,"), actor=town_a_official)
    assert problems(report) == [(3, "代码", "outside_jurisdiction")]
    assert not Division.objects.filter(code="329901001208").exists()


def test_a_dry_run_writes_nothing(county):
    report = run(csv_file("329901001209,试村,"), dry_run=True)
    assert report.ok and report.created == 1
    assert not Division.objects.filter(code="329901001209").exists()


def test_command_with_a_file_and_exit_code(county, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file("329901001210,好村,"))
    call_command("import", "divisions", str(good), stdout=StringIO(), stderr=StringIO())
    assert Division.objects.filter(code="329901001210").exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("329901009210,无镇村,"))
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "divisions", str(bad), stdout=out, stderr=StringIO())
    assert caught.value.returncode == 1 and "329901009210" in out.getvalue()


def test_command_needs_a_file_or_a_county(db):
    with pytest.raises(CommandError):
        call_command("import", "divisions", stdout=StringIO(), stderr=StringIO())
