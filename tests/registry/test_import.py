"""Importing enterprises: every bad input is reported by row and column, and nothing is half-written."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B, make_uscc

from yingji.accounts.services import create_token
from yingji.core.models import AuditLog
from yingji.registry import importing
from yingji.registry.models import Enterprise

HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "所属区划",
    "经度",
    "纬度",
    "主要负责人",
    "主要负责人电话",
    "危化品生产",
    "规模",
    "状态",
]


def row(n: int, **changes) -> dict:
    values = {
        "企业名称": f"测试企业{n}有限公司",
        "统一社会信用代码": make_uscc(1000 + n),
        "行业": "C26",
        "所属区划": VILLAGE_A,
        "经度": 120.9,
        "纬度": 32.0,
        "主要负责人": "王五",
        "主要负责人电话": "13812345678",
        "危化品生产": "是",
        "规模": "小型",
        "状态": "在营",
    }
    values.update(changes)
    return values


def xlsx(
    rows: list[dict], headers: list[str] = HEADERS, *, title: str = "企业信息", extra: list | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    for name, sheet_rows in extra or []:
        other = workbook.create_sheet(name)
        for values in sheet_rows:
            other.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig", headers: list[str] = HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(content: bytes, filename: str = "enterprises.xlsx", actor=None, dry_run: bool = False):
    return importing.import_enterprises(content, filename, actor=actor, dry_run=dry_run)


def problems(report) -> list[tuple]:
    return [(e.row, e.column, e.code) for e in report.errors]


# --- good files ------------------------------------------------------------------------------------


def test_a_valid_file_creates_every_row_and_one_audit_record(county):
    report = run(xlsx([row(1), row(2, 所属区划=VILLAGE_B, 危化品生产="否", 规模="大型", 状态="停产")]))
    assert report.ok, report.as_text()
    assert (report.rows, report.created) == (2, 2)
    first = Enterprise.objects.get(uscc=make_uscc(1001))
    assert (first.name, first.industry, first.division_id, first.hazchem_production) == (
        "测试企业1有限公司",
        "26",
        VILLAGE_A,
        True,
    )
    second = Enterprise.objects.get(uscc=make_uscc(1002))
    assert (second.scale, second.status, second.hazchem_production) == ("large", "suspended", False)
    records = AuditLog.objects.filter(action="import")
    assert records.count() == 1 and "2 enterprises" in records.get().note
    assert not AuditLog.objects.filter(action="create", object_type="registry.enterprise").exists()


def test_headers_may_be_synonyms_codes_may_be_short_and_industry_a_name(county):
    headers = [
        "单位名称",
        "信用代码",
        "所属行业",
        "区划代码",
        "lng",
        "lat",
        "负责人电话",
        "职工人数",
        "安责险",
    ]
    values = {
        "单位名称": "甲",
        "信用代码": make_uscc(7).lower(),
        "所属行业": "化学原料和化学制品制造业",
        "区划代码": TOWN_A[:9],
        "lng": "120.5",
        "lat": "32.1",
        "负责人电话": "138 1234 5678",
        "职工人数": "25",
        "安责险": "Y",
    }
    report = run(xlsx([values], headers))
    assert report.ok, report.as_text()
    enterprise = Enterprise.objects.get(uscc=make_uscc(7))
    assert (
        enterprise.industry,
        enterprise.division_id,
        enterprise.main_person_phone,
        enterprise.employees,
        enterprise.liability_insured,
    ) == ("26", TOWN_A, "13812345678", 25, True)


def test_a_dry_run_checks_everything_and_saves_nothing(county):
    before = AuditLog.objects.count()
    report = run(xlsx([row(1), row(2)]), dry_run=True)
    assert report.ok and report.dry_run and report.created == 2
    assert Enterprise.objects.count() == 0 and AuditLog.objects.count() == before


def test_a_gbk_csv_is_read_correctly(county):
    report = run(csv_bytes([row(1, 企业名称="安澜精细化工有限公司")], encoding="gbk"), "企业.csv")
    assert report.ok, report.as_text()
    assert report.encoding == "GBK"
    assert Enterprise.objects.get().name == "安澜精细化工有限公司"


def test_an_extra_sheet_the_template_sheet_is_read_and_the_report_says_so(county):
    content = xlsx([row(1)], title="企业信息", extra=[("说明", [["企业名称"], ["不是数据"]])])
    report = run(content)
    assert report.ok and report.created == 1
    assert (report.sheet, report.ignored_sheets) == ("企业信息", ["说明"])


def test_an_extra_sheet_without_the_template_name_the_first_sheet_is_read(county):
    content = xlsx([row(1)], title="Sheet1", extra=[("Sheet2", [HEADERS, list(row(2).values())])])
    report = run(content)
    assert report.ok and report.created == 1 and report.sheet == "Sheet1"
    assert Enterprise.objects.get().uscc == make_uscc(1001)


def test_the_downloaded_template_can_be_filled_and_imported(county):
    workbook = load_workbook(io.BytesIO(importing.template()))
    sheet = workbook["企业信息"]
    headers = [c.value for c in sheet[1]]
    values = row(1)
    sheet.append([values.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue())
    assert report.ok and report.created == 1, report.as_text()


# --- bad input, one case each ---------------------------------------------------------------------


def bad_then_nothing_written(county, content, filename="enterprises.xlsx"):
    before = Enterprise.objects.count()
    report = run(content, filename)
    assert not report.ok
    assert Enterprise.objects.count() == before
    assert not AuditLog.objects.filter(action="import").exists()
    return report


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        ("91329901MA12345", "uscc_length"),
        ("91329901MA1234567I", "uscc_characters"),
        (make_uscc(5)[:17] + ("0" if make_uscc(5)[17] != "0" else "1"), "uscc_check_char"),
    ],
)
def test_malformed_or_wrong_check_char_uscc(county, uscc, code):
    report = bad_then_nothing_written(county, xlsx([row(1), row(2, 统一社会信用代码=uscc)]))
    assert problems(report) == [(3, "统一社会信用代码", code)]
    assert report.errors[0].value == uscc


def test_duplicate_uscc_in_the_file(county):
    report = bad_then_nothing_written(
        county, xlsx([row(1), row(2), row(3, 统一社会信用代码=make_uscc(1001))])
    )
    assert problems(report) == [(4, "统一社会信用代码", "duplicate_in_file")]
    assert "2" in report.errors[0].message


def test_duplicate_uscc_already_in_the_database(enterprise_a):
    report = bad_then_nothing_written(None, xlsx([row(1), row(2, 统一社会信用代码=enterprise_a.uscc)]))
    assert problems(report) == [(3, "统一社会信用代码", "exists")]


@pytest.mark.parametrize(
    ("changes", "column", "code"),
    [
        ({"经度": 10.5}, "经度", "longitude_outside_china"),
        ({"纬度": -33.9}, "纬度", "latitude_outside_china"),
        ({"经度": "东经120度"}, "经度", "not_number"),
        ({"纬度": ""}, "纬度", "coordinates_pair"),
    ],
)
def test_coordinates_outside_china_or_incomplete(county, changes, column, code):
    report = bad_then_nothing_written(county, xlsx([row(1), row(2, **changes)]))
    assert problems(report) == [(3, column, code)]


def test_unknown_division_code(county):
    report = bad_then_nothing_written(
        county, xlsx([row(1, 所属区划="329901001999"), row(2, 所属区划="3299")])
    )
    assert problems(report) == [(2, "所属区划", "unknown_division"), (3, "所属区划", "division_level")]


def test_malformed_division_code_and_excel_scientific_notation(county):
    report = bad_then_nothing_written(
        county, csv_bytes([row(1, 所属区划="32990100100"), row(2, 所属区划="3.29901E+11")]), "a.csv"
    )
    assert problems(report) == [(2, "所属区划", "bad_division_code"), (3, "所属区划", "shortened_number")]


def test_empty_required_field(county):
    report = bad_then_nothing_written(county, xlsx([row(1, 企业名称=""), row(2, 行业=None)]))
    assert problems(report) == [(2, "企业名称", "required"), (3, "行业", "required")]


def test_unknown_industry_and_choice_words(county):
    report = bad_then_nothing_written(
        county, xlsx([row(1, 行业="C99"), row(2, 规模="超大", 危化品生产="可能")])
    )
    assert set(problems(report)) == {
        (2, "行业", "unknown_industry"),
        (3, "规模", "not_allowed"),
        (3, "危化品生产", "not_boolean"),
    }


def test_bad_and_masked_phone_numbers(county):
    report = bad_then_nothing_written(
        county, xlsx([row(1, 主要负责人电话="12345"), row(2, 主要负责人电话="138****5678")])
    )
    assert problems(report) == [(2, "主要负责人电话", "phone_format"), (3, "主要负责人电话", "masked_phone")]


def test_an_xlsx_with_a_missing_column(county):
    headers = [h for h in HEADERS if h != "统一社会信用代码"]
    report = bad_then_nothing_written(county, xlsx([row(1)], headers))
    assert problems(report) == [(1, "统一社会信用代码", "missing_column")]


def test_every_problem_of_the_file_is_listed_at_once(county):
    content = xlsx([row(1, 统一社会信用代码="X"), row(2), row(3, 所属区划="329901009001", 经度=200)])
    report = bad_then_nothing_written(county, content)
    assert problems(report) == [
        (2, "统一社会信用代码", "uscc_length"),
        (4, "经度", "longitude_outside_china"),
        (4, "所属区划", "unknown_division"),
    ]


def test_an_old_xls_is_refused_as_a_whole(county):
    report = bad_then_nothing_written(county, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "old.xls")
    assert problems(report) == [(None, "", "xls")]


def test_a_file_with_only_headers_has_no_data(county):
    report = bad_then_nothing_written(county, xlsx([]))
    assert problems(report) == [(None, "", "empty")]


# --- scope -----------------------------------------------------------------------------------------


def test_a_town_official_cannot_import_into_another_town(town_a_official):
    report = run(xlsx([row(1), row(2, 所属区划=VILLAGE_B)]), actor=town_a_official)
    assert problems(report) == [(3, "所属区划", "outside_jurisdiction")]
    assert Enterprise.objects.count() == 0


def test_a_town_official_imports_into_their_own_town(town_a_official):
    report = run(xlsx([row(1), row(2, 所属区划=TOWN_A)]), actor=town_a_official)
    assert report.ok and report.created == 2
    assert AuditLog.objects.get(action="import").username == "town_a"


def test_an_enterprise_user_cannot_import(enterprise_a_user):
    report = run(xlsx([row(1)]), actor=enterprise_a_user)
    assert problems(report) == [(None, "", "forbidden")]


# --- the command -----------------------------------------------------------------------------------


def test_command_imports_a_file(county, tmp_path):
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]))
    out = StringIO()
    call_command("import", "enterprises", str(path), stdout=out, stderr=StringIO())
    assert Enterprise.objects.count() == 2
    assert "enterprises.xlsx" in out.getvalue()


def test_command_exits_1_and_prints_every_problem(county, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(1, 统一社会信用代码="X"), row(2, 所属区划="329901001999")]))
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "enterprises", str(path), stdout=out, stderr=StringIO())
    assert caught.value.returncode == 1
    printed = out.getvalue()
    assert "X" in printed and "329901001999" in printed and "统一社会信用代码" in printed
    assert Enterprise.objects.count() == 0


def test_command_dry_run_saves_nothing(county, tmp_path):
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(xlsx([row(1)]))
    call_command("import", "enterprises", str(path), "--dry-run", stdout=StringIO(), stderr=StringIO())
    assert Enterprise.objects.count() == 0


def test_command_as_a_user_applies_their_jurisdiction(town_a_official, tmp_path):
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(xlsx([row(1, 所属区划=VILLAGE_B)]))
    with pytest.raises(CommandError):
        call_command(
            "import", "enterprises", str(path), "--as", "town_a", stdout=StringIO(), stderr=StringIO()
        )
    assert Enterprise.objects.count() == 0


def test_command_as_a_user_without_the_import_permission_is_refused(leader, tmp_path):
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(xlsx([row(1)]))
    with pytest.raises(CommandError):
        call_command(
            "import", "enterprises", str(path), "--as", "leader", stdout=StringIO(), stderr=StringIO()
        )
    assert Enterprise.objects.count() == 0


def test_command_shows_a_progress_bar_on_long_files(county, tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(1200)]))
    err = StringIO()
    call_command("import", "enterprises", str(path), "--dry-run", stdout=StringIO(), stderr=err)
    assert "[" in err.getvalue() and "1200/1200" in err.getvalue()


def test_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError):
        call_command("import", "enterprises", "/no/such/file.xlsx", stdout=StringIO(), stderr=StringIO())


# --- the upload page -------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "enterprises.xlsx", dry_run: bool = False):
    data = {"file": _named(content, name)}
    if dry_run:
        data["dry_run"] = "1"
    return client.post(reverse("registry:enterprise_import"), data)


def _named(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_import_page_shows_the_form_and_the_template_link(client_for, admin_user):
    response = client_for(admin_user).get(reverse("registry:enterprise_import"))
    assert response.status_code == 200
    html = response.content.decode()
    for marker in (
        'id="import-form"',
        'name="file"',
        'name="dry_run"',
        'id="import-submit"',
        reverse("registry:enterprise_template"),
    ):
        assert marker in html


def test_import_page_imports_a_good_file(client_for, admin_user):
    response = upload(client_for(admin_user), xlsx([row(1), row(2)]))
    assert response.status_code == 200
    assert 'id="import-success"' in response.content.decode()
    assert Enterprise.objects.count() == 2


def test_import_page_dry_run(client_for, admin_user):
    response = upload(client_for(admin_user), xlsx([row(1)]), dry_run=True)
    assert response.status_code == 200 and 'id="import-success"' in response.content.decode()
    assert Enterprise.objects.count() == 0


def test_import_page_lists_every_problem_with_status_400(client_for, admin_user):
    response = upload(client_for(admin_user), xlsx([row(1, 统一社会信用代码="BAD"), row(2, 经度=10)]))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-report"' in html and "BAD" in html and "统一社会信用代码" in html and "经度" in html
    assert Enterprise.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=1000)
def test_import_page_refuses_an_oversized_file(client_for, admin_user):
    response = upload(client_for(admin_user), csv_bytes([row(n) for n in range(40)]), "big.csv")
    assert response.status_code == 413
    assert 'id="import-error"' in response.content.decode()
    assert Enterprise.objects.count() == 0


def test_import_page_without_a_file_is_400(client_for, admin_user):
    response = client_for(admin_user).post(reverse("registry:enterprise_import"), {})
    assert response.status_code == 400


def test_import_page_needs_the_import_permission(client_for, leader):
    client = client_for(leader)
    assert client.get(reverse("registry:enterprise_import")).status_code == 403
    assert upload(client, xlsx([row(1)])).status_code == 403
    assert client.get(reverse("registry:enterprise_template")).status_code == 403
    assert Enterprise.objects.count() == 0


def test_import_page_for_a_town_official_refuses_another_town(client_for, town_a_official):
    response = upload(client_for(town_a_official), xlsx([row(1, 所属区划=VILLAGE_B)]))
    assert response.status_code == 400 and Enterprise.objects.count() == 0


def test_the_template_download(client_for, admin_user):
    response = client_for(admin_user).get(reverse("registry:enterprise_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["企业信息", "说明"]
    assert [c.value for c in workbook["企业信息"][1]][:2] == ["企业名称", "统一社会信用代码"]


def test_the_list_page_links_to_import_and_export(client_for, admin_user):
    response = client_for(admin_user).get(reverse("registry:enterprise_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("registry:enterprise_import") in html and reverse("registry:enterprise_export") in html


# --- the API ---------------------------------------------------------------------------------------

API_IMPORT = "/api/v1/enterprises/import"


def api_upload(client, content: bytes, name: str = "enterprises.xlsx", dry_run: bool = False, **headers):
    return client.post(
        API_IMPORT, {"file": _named(content, name), "dry_run": "true" if dry_run else "false"}, **headers
    )


def test_api_import_with_a_session(client_for, admin_user):
    response = api_upload(client_for(admin_user), xlsx([row(1), row(2)]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["created"] == 2 and body["sheet"] == "企业信息"
    assert Enterprise.objects.count() == 2


def test_api_import_with_a_bearer_token_and_dry_run(client, admin_user):
    token = create_token(admin_user)
    response = api_upload(client, xlsx([row(1)]), dry_run=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["dry_run"] is True and Enterprise.objects.count() == 0


def test_api_import_errors_have_one_shape(client, admin_user):
    token = create_token(admin_user)
    response = api_upload(
        client,
        csv_bytes([row(1, 统一社会信用代码="X"), row(2, 所属区划="329901001999")]),
        "a.csv",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid" and body["fields"] == {} and body["message"]
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in body["errors"]] == [
        (2, "统一社会信用代码", "X", "uscc_length"),
        (3, "所属区划", "329901001999", "unknown_division"),
    ]
    assert all(e["message"] for e in body["errors"])
    assert Enterprise.objects.count() == 0
    assert AuditLog.objects.filter(action="import").count() == 0


def test_api_import_writes_the_audit_record_for_the_token_user(client, admin_user):
    token = create_token(admin_user)
    response = api_upload(client, xlsx([row(1)]), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert AuditLog.objects.get(action="import").username == "admin"


@override_settings(IMPORT_MAX_BYTES=1000)
def test_api_import_refuses_an_oversized_file(client_for, admin_user):
    response = api_upload(client_for(admin_user), csv_bytes([row(n) for n in range(40)]), "big.csv")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Enterprise.objects.count() == 0


def test_api_import_needs_the_permission(client, leader):
    token = create_token(leader)
    response = api_upload(client, xlsx([row(1)]), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_api_import_scoping(client, town_a_official):
    token = create_token(town_a_official)
    response = api_upload(client, xlsx([row(1, 所属区划=VILLAGE_B)]), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["outside_jurisdiction"]


def test_api_enterprise_detail_still_works_next_to_import(client_for, admin_user, enterprise_a):
    response = client_for(admin_user).get(f"/api/v1/enterprises/{enterprise_a.pk}")
    assert response.status_code == 200 and json.loads(response.content)["uscc"] == enterprise_a.uscc
