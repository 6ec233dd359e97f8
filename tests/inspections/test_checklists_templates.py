"""Checklist templates: versions, life cycle, xlsx import (all or nothing, row/column errors), export."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.conftest import COUNTY, _user

from yingji.inspections import services_checklists as services
from yingji.inspections.models_checklists import ChecklistItem, ChecklistTemplate
from yingji.inspections.rules_checklists import TemplateRefused

HEADERS = [
    "检查表编号",
    "检查表名称",
    "专题",
    "适用行业",
    "序号",
    "检查内容",
    "依据",
    "重大隐患判定项",
    "判定标准条目",
    "整改期限（天）",
]


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def inspector(county):
    return _user("insp", "inspector", COUNTY)


@pytest.fixture
def shipped(county):
    services.load_shipped_templates()
    return ChecklistTemplate.objects.get(code="dust")


GOOD = [
    [
        "local-fire",
        "本县消防检查表",
        "小场所消防",
        "",
        1,
        "疏散通道畅通",
        "《消防法》第二十八条",
        "否",
        "",
        3,
    ],
    ["local-fire", "本县消防检查表", "小场所消防", "", 2, "", "", "是", "chem-2017-12", 30],
    [
        "local-dust",
        "本县粉尘检查表",
        "粉尘涉爆",
        "13,14",
        1,
        "除尘器泄爆",
        "",
        "是",
        "gongmao-2023-dust-3",
        60,
    ],
]


def test_import_creates_draft_versions_and_fills_criterion_text(inspector, shipped):
    report = services.import_templates(xlsx(GOOD), "c.xlsx", actor=inspector)
    assert report.ok, report.errors
    fire = ChecklistTemplate.objects.get(code="local-fire")
    assert (fire.version, fire.status, fire.topic, fire.division_id) == (
        1,
        "draft",
        "small_venue_fire",
        COUNTY,
    )
    second = fire.items.get(number=2)
    assert second.is_major_criterion and second.criterion.code == "chem-2017-12" and second.text
    assert second.legal_basis.startswith("化工和危险化学品")
    again = services.import_templates(xlsx(GOOD[:1]), "c.xlsx", actor=inspector)
    assert again.ok
    assert ChecklistTemplate.objects.get(code="local-fire", version=2).items.count() == 1


def test_bad_rows_report_row_and_column_and_import_nothing(inspector, shipped):
    rows = [
        GOOD[0],
        ["local-fire", "本县消防检查表", "小场所消防", "", 1, "重复序号", "", "否", "", 3],
        ["local-fire", "本县消防检查表", "小场所消防", "", 3, "", "", "否", "", 3],
        ["local-fire", "本县消防检查表", "小场所消防", "", 4, "重大无条目", "", "是", "", 3],
        ["local-fire", "本县消防检查表", "小场所消防", "", 5, "未知条目", "", "是", "nope-1", 3],
        ["local-fire", "本县消防检查表", "月球专题", "", 6, "x", "", "否", "", 999],
        ["坏 编号", "本县消防检查表", "", "", 7, "x", "", "也许", "", 3],
    ]
    before = ChecklistTemplate.objects.count(), ChecklistItem.objects.count()
    report = services.import_templates(xlsx(rows), "bad.xlsx", actor=inspector)
    assert not report.ok
    found = {(e.row, e.column, e.code) for e in report.errors}
    assert (3, "序号", "duplicate") in found
    assert (4, "检查内容", "invalid") in found
    assert (5, "判定标准条目", "criterion") in found
    assert (6, "判定标准条目", "unknown_criterion") in found
    assert (7, "专题", "not_allowed") in found
    assert (7, "整改期限（天）", "too_large") in found
    assert (8, "检查表编号", "invalid_code") in found
    assert (8, "重大隐患判定项", "not_boolean") in found
    assert (ChecklistTemplate.objects.count(), ChecklistItem.objects.count()) == before


def test_missing_required_column_is_reported(inspector):
    report = services.import_templates(
        xlsx([["a", "b", 1]], headers=["检查表编号", "检查表名称", "检查内容"]), "x.xlsx", actor=inspector
    )
    assert not report.ok
    assert any(e.code == "missing_column" and e.column == "序号" for e in report.errors)
    assert not ChecklistTemplate.objects.exists()


def test_enterprise_user_cannot_import(enterprise_a_user):
    report = services.import_templates(xlsx(GOOD), "c.xlsx", actor=enterprise_a_user)
    assert [e.code for e in report.errors] == ["forbidden"]


def test_export_round_trips(inspector, shipped):
    data, content_type, _name = services.export_templates(
        ChecklistTemplate.objects.filter(pk=shipped.pk), "xlsx"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) - 1 == shipped.items.count()
    report = services.import_templates(data, "export.xlsx", actor=inspector)
    assert report.ok, report.errors
    copy = ChecklistTemplate.objects.get(code="dust", version=2)
    assert copy.items.count() == shipped.items.count()
    assert (
        copy.items.filter(is_major_criterion=True).count()
        == shipped.items.filter(is_major_criterion=True).count()
    )


def test_new_version_is_a_copy_and_the_original_is_kept(inspector, shipped):
    copy = services.new_version(shipped, actor=inspector)
    assert (copy.code, copy.version, copy.status, copy.division_id) == ("dust", 2, "draft", COUNTY)
    services.update_template(copy, actor=inspector, name="新版", items=[{"number": 1, "text": "只有一项"}])
    assert shipped.items.count() > 1 and copy.items.count() == 1
    services.activate_template(copy, actor=inspector)
    copy.refresh_from_db()
    assert copy.status == "active"
    with pytest.raises(TemplateRefused):
        services.update_template(copy, actor=inspector, name="再改")


def test_platform_template_cannot_be_changed_by_a_county(inspector, shipped):
    with pytest.raises(TemplateRefused) as error:
        services.retire_template(shipped, actor=inspector)
    assert error.value.code == "platform_template"


def test_bad_items_are_refused_with_fields(inspector, shipped):
    copy = services.new_version(shipped, actor=inspector)
    with pytest.raises(ValidationError) as error:
        services.update_template(
            copy,
            actor=inspector,
            items=[{"number": 1, "text": ""}, {"number": 1, "text": "x", "is_major_criterion": True}],
        )
    fields = error.value.message_dict
    assert "items[0].text" in fields and "items[1].criterion" in fields and "items" in fields
    assert copy.items.count() == shipped.items.count()


def test_import_page_shows_errors_and_imports_nothing(client_for, inspector, shipped):
    client = client_for(inspector)
    assert client.get(reverse("inspections:checklisttemplate_import")).status_code == 200
    upload = SimpleUploadedFile("bad.xlsx", xlsx([["x", "y", "", "", "abc", "t", "", "", "", ""]]))
    response = client.post(reverse("inspections:checklisttemplate_import"), {"file": upload})
    assert response.status_code == 400
    assert not ChecklistTemplate.objects.filter(code="x").exists()
    template = client.get(reverse("inspections:checklisttemplate_template"))
    assert template.status_code == 200


def test_edit_page_saves_items(client_for, inspector, shipped):
    client = client_for(inspector)
    draft = services.new_version(shipped, actor=inspector)
    assert client.get(reverse("inspections:checklisttemplate_edit", args=[draft.pk])).status_code == 200
    data = {
        "name": "改",
        "topic": "dust",
        "industries": "13",
        "description": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "500",
        "items-0-number": "1",
        "items-0-text": "甲",
        "items-0-default_deadline_days": "10",
        "items-1-number": "2",
        "items-1-text": "",
        "items-1-is_major_criterion": "on",
        "items-1-default_deadline_days": "10",
    }
    response = client.post(reverse("inspections:checklisttemplate_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert b'data-field="criterion"' in response.content
    data["items-1-criterion"] = "gongmao-2023-dust-1"
    response = client.post(reverse("inspections:checklisttemplate_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    assert draft.items.count() == 2
    for name in ("activate", "retire"):
        assert (
            client.post(reverse(f"inspections:checklisttemplate_{name}", args=[draft.pk])).status_code == 302
        )
    draft.refresh_from_db()
    assert draft.status == "retired"


def test_list_detail_export_pages(client_for, inspector, shipped, leader):
    client = client_for(inspector)
    assert client.get(reverse("inspections:checklisttemplate_list")).status_code == 200
    assert client.get(reverse("inspections:checklisttemplate_detail", args=[shipped.pk])).status_code == 200
    export = client.get(reverse("inspections:checklisttemplate_export") + f"?id={shipped.pk}&format=xlsx")
    assert export.status_code == 200
    assert (
        client_for(leader)
        .post(reverse("inspections:checklisttemplate_new_version", args=[shipped.pk]))
        .status_code
        == 403
    )


def test_load_command_is_idempotent(county):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_checklists", stdout=out)
    call_command("load_checklists", stdout=out)
    assert ChecklistTemplate.objects.filter(division__isnull=True, status="active").count() == 5


def test_towns_see_the_county_checklists_but_not_each_others(inspector, shipped, town_a_official):
    from tests.conftest import TOWN_B

    county_copy = services.new_version(shipped, actor=inspector)
    town_b_inspector = _user("insp_b", "inspector", TOWN_B)
    town_b_copy = services.new_version(shipped, actor=town_b_inspector)
    visible = set(ChecklistTemplate.objects.for_user(town_a_official).values_list("pk", flat=True))
    assert county_copy.pk in visible and shipped.pk in visible and town_b_copy.pk not in visible
    with pytest.raises(ValidationError):
        services.update_template(county_copy, actor=town_b_inspector, name="越权")
