"""Exporting the filtered enterprise list to xlsx and csv: scoped, filtered, audited, re-importable."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import VILLAGE_A, make_uscc

from yingji.accounts.services import create_token
from yingji.core.models import AuditLog
from yingji.registry import importing
from yingji.registry.models import Enterprise

API_EXPORT = "/api/v1/enterprises/export"


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content))["企业信息"]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def as_dicts(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_xlsx_export_has_the_templates_columns_and_every_row(
    client_for, admin_user, enterprise_a, enterprise_b
):
    response = client_for(admin_user).get(reverse("registry:enterprise_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == importing.XLSX_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    template_headers = [c.header for c in importing.ENTERPRISE_COLUMNS if c.importable]
    assert [h for h in rows[0] if h in template_headers] == template_headers
    assert "所属区划名称" in rows[0]
    records = {r["统一社会信用代码"]: r for r in as_dicts(rows)}
    assert set(records) == {enterprise_a.uscc, enterprise_b.uscc}
    first = records[enterprise_a.uscc]
    assert first["企业名称"] == "甲镇化工有限公司" and first["所属区划"] == VILLAGE_A
    assert first["所属区划名称"] == "甲村" and first["危化品生产"] == "是" and first["状态"] == "在营"
    assert first["行业"].startswith("C26")
    assert first["主要负责人电话"] == "138****1234"  # masked unless asked for (?reveal=1)


def test_csv_export_is_utf8_with_bom(client_for, admin_user, enterprise_a):
    response = client_for(admin_user).get(reverse("registry:enterprise_export"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["企业名称", "统一社会信用代码"]
    assert rows[1][1] == enterprise_a.uscc


def test_export_applies_the_list_filters(client_for, admin_user, enterprise_a, enterprise_b):
    response = client_for(admin_user).get(
        reverse("registry:enterprise_export"), {"format": "csv", "industry": "34"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == [enterprise_b.uscc]


def test_a_town_officials_export_holds_only_their_town(
    client_for, town_a_official, enterprise_a, enterprise_b
):
    response = client_for(town_a_official).get(reverse("registry:enterprise_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert [r["统一社会信用代码"] for r in as_dicts(sheet_rows(response.content))] == [enterprise_a.uscc]


def test_phones_are_masked_without_permission_to_see_them(client_for, town_a_official, enterprise_a):
    client = client_for(town_a_official)
    response = client.get(reverse("registry:enterprise_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "13812341234" not in text and "138****1234" in text
    refused = client.get(reverse("registry:enterprise_export"), {"format": "csv", "reveal": "1"})
    assert refused.status_code == 403


def test_phones_are_unmasked_on_request_for_roles_that_may_see_them_and_audited(
    client_for, admin_user, enterprise_a
):
    response = client_for(admin_user).get(
        reverse("registry:enterprise_export"), {"format": "csv", "reveal": "1"}
    )
    assert response.status_code == 200
    assert "13812341234" in response.content.decode("utf-8-sig")
    assert "phones unmasked" in AuditLog.objects.get(action="export").note
    assert AuditLog.objects.get(action="reveal").object_type == "registry.enterprise"


def test_every_export_is_audited(client_for, leader, enterprise_a):
    response = client_for(leader).get(
        reverse("registry:enterprise_export"), {"format": "csv", "status": "operating"}
    )
    assert response.status_code == 200
    record = AuditLog.objects.get(action="export")
    assert record.username == "leader" and record.object_type == "registry.enterprise"
    assert "1 rows as csv" in record.note and "status=operating" in record.note


def test_an_unknown_format_is_400(client_for, admin_user):
    response = client_for(admin_user).get(reverse("registry:enterprise_export"), {"format": "pdf"})
    assert response.status_code == 400
    assert not AuditLog.objects.filter(action="export").exists()


def test_export_needs_a_login_and_the_permission(client, client_for, enterprise_a_user):
    url = reverse("registry:enterprise_export")
    assert client.get(url).status_code == 302
    response = client_for(enterprise_a_user).get(url, {"format": "csv"})
    assert response.status_code == 200  # enterprise users may export: their own enterprise only
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2


def test_an_export_can_be_reimported_after_giving_new_usccs(
    client_for, admin_user, enterprise_a, enterprise_b
):
    url = reverse("registry:enterprise_export")
    response = client_for(admin_user).get(url, {"format": "xlsx", "reveal": "1"})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["企业信息"]
    headers = [c.value for c in sheet[1]]
    uscc_column = headers.index("统一社会信用代码") + 1
    old_to_new = {}
    for number in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=number, column=uscc_column)
        old_to_new[cell.value] = cell.value = make_uscc(5000 + number)
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = importing.import_enterprises(buffer.getvalue(), "edited.xlsx", actor=admin_user)
    assert report.ok, report.as_text()
    assert report.created == 2 and report.ignored_columns == []
    for original in (enterprise_a, enterprise_b):
        copy = Enterprise.objects.get(uscc=old_to_new[original.uscc])
        for field in importing.MODEL_KEYS:
            if field != "uscc":
                expected = getattr(original, "division_id" if field == "division" else field)
                assert getattr(copy, "division_id" if field == "division" else field) == expected, field


def test_a_csv_export_can_be_reimported_too(client_for, admin_user, enterprise_a):
    response = client_for(admin_user).get(
        reverse("registry:enterprise_export"), {"format": "csv", "reveal": "1"}
    )
    text = response.content.decode("utf-8-sig").replace(enterprise_a.uscc, make_uscc(9001))
    report = importing.import_enterprises(text.encode("utf-8-sig"), "edited.csv", actor=admin_user)
    assert report.ok and report.created == 1, report.as_text()


def test_reimporting_an_unchanged_masked_export_names_each_problem(client_for, admin_user, enterprise_a):
    response = client_for(admin_user).get(reverse("registry:enterprise_export"), {"format": "xlsx"})
    report = importing.import_enterprises(response.content, "same.xlsx", actor=admin_user)
    assert [(e.column, e.code) for e in report.errors] == [
        ("主要负责人电话", "masked_phone"),
        ("统一社会信用代码", "exists"),
    ]


# --- the API ---------------------------------------------------------------------------------------


def test_api_export_with_a_bearer_token(client, staff_user, enterprise_a, enterprise_b):
    token = create_token(staff_user)
    response = client.get(API_EXPORT, {"format": "xlsx", "q": "甲镇"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert [r["统一社会信用代码"] for r in as_dicts(sheet_rows(response.content))] == [enterprise_a.uscc]
    assert AuditLog.objects.get(action="export").username == "staff"


def test_api_export_csv_with_a_session_is_scoped(client_for, town_a_official, enterprise_a, enterprise_b):
    response = client_for(town_a_official).get(API_EXPORT, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == [enterprise_a.uscc]
    assert "138****1234" in response.content.decode("utf-8-sig")
    assert client_for(town_a_official).get(API_EXPORT, {"reveal": "true"}).status_code == 403


def test_api_export_reveal_for_a_role_that_may_see_phones(client, staff_user, enterprise_a):
    token = create_token(staff_user)
    response = client.get(
        API_EXPORT, {"format": "csv", "reveal": "true"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200 and "13812341234" in response.content.decode("utf-8-sig")
    assert AuditLog.objects.get(action="reveal").username == "staff"


def test_api_export_rejects_bad_format_and_bad_filters(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(API_EXPORT, {"format": "pdf"}).json()["code"] == "invalid_format"
    response = client.get(API_EXPORT, {"format": "csv", "status": "nonsense"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_filter"


def test_api_export_needs_authentication(client):
    assert client.get(API_EXPORT).status_code == 401
