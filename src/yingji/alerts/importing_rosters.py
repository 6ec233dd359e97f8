"""Evacuation rosters in and out of spreadsheets (xlsx/csv), per village or town.

The import is all-or-nothing, like the enterprise import (`registry/importing.py`): every row is
checked first — names present, phones well formed (and not masked), the village code known, at
village level and inside the importer's jurisdiction, no person twice (same village, name and phone)
in the file or already on the roster — and only a clean file is written, in one transaction with one
`import` audit record. An import only adds people; change existing ones on their page.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.alerts.models import Evacuee, EvacueeCategory
from yingji.core import audit, tabular
from yingji.core.division_import import parse_code as parse_division_code
from yingji.core.identifiers import mask_phone, normalise_phone, phone_problem
from yingji.core.importing import check_division_codes, chunks, report_field_errors
from yingji.core.scoping import import_prefix
from yingji.core.tabular import CellError, Column, ImportReport, Progress, TableError

SHEET_TITLE = "转移人员"
BATCH_SIZE = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

CATEGORY_WORDS = {
    "独居老人": "elderly_alone",
    "孤寡老人": "elderly_alone",
    "老人": "elderly_alone",
    "残疾人": "disabled",
    "残疾": "disabled",
    "危房户": "dangerous_house",
    "危房": "dangerous_house",
    "低洼地": "low_lying",
    "低洼地带": "low_lying",
    "低洼": "low_lying",
    "地质灾害隐患点": "geohazard",
    "地灾点": "geohazard",
    "地质灾害": "geohazard",
    "孕妇": "pregnant",
    "儿童": "child",
    "留守儿童": "child",
    "其他": "other",
    **{value: value for value in EvacueeCategory.values},
}
CATEGORY_LABELS: dict[str, str] = {}
for _word, _value in CATEGORY_WORDS.items():
    CATEGORY_LABELS.setdefault(_value, _word)


def parse_phone(text: str) -> str:
    if "*" in text:
        raise CellError(
            _(
                "This phone number is masked (it came from an export without permission to see phones). "
                "Enter the full number or leave the cell empty."
            ),
            "masked_phone",
        )
    value = normalise_phone(unicodedata.normalize("NFKC", text))
    if phone_problem(value):
        raise CellError(
            _("Not a phone number: a mobile (13812345678) or a landline (0513-81234567)."), "bad_phone"
        )
    return value


PHONE_HELP = gettext_lazy("Mobile (13812345678) or landline (0513-81234567).")

ROSTER_COLUMNS: list[Column] = [
    Column(
        "division",
        "村（社区）代码",
        ("村代码", "区划代码", "行政区划代码", "统计用区划代码", "所属村", "division"),
        required=True,
        parse=parse_division_code,
        export=lambda e: e.division_id,
        width=16,
        example="329901001201",
        help=gettext_lazy(
            "The 12-digit code of the village or community; it must be inside your jurisdiction."
        ),
    ),
    Column(
        "division_name",
        "村（社区）名称",
        ("村名称", "村名"),
        importable=False,
        width=14,
        export=lambda e: e.division.name,
        help=gettext_lazy("Written by exports for reading; ignored by imports."),
    ),
    Column(
        "name",
        "姓名",
        ("转移人员姓名", "人员姓名", "name"),
        required=True,
        parse=tabular.text(50),
        example="王秀英",
        help=gettext_lazy("At most 50 characters."),
    ),
    Column(
        "address", "住址", ("地址", "家庭住址", "居住地址"), parse=tabular.text(200), default="", width=30
    ),
    Column(
        "category",
        "类别",
        ("人员类别", "转移类别", "类型"),
        parse=tabular.choice(CATEGORY_WORDS),
        default="other",
        export=lambda e: CATEGORY_LABELS.get(e.category, e.category),
        choices=("独居老人", "残疾人", "危房户", "低洼地", "地质灾害隐患点", "孕妇", "儿童", "其他"),
        example="独居老人",
        width=14,
        help=gettext_lazy("Empty means 其他."),
    ),
    Column(
        "phone",
        "联系电话",
        ("电话", "手机", "手机号码", "联系方式"),
        parse=parse_phone,
        default="",
        width=16,
        help=PHONE_HELP,
    ),
    Column(
        "custodian_name",
        "包保责任人",
        ("责任人", "包保人", "包保干部", "转移责任人"),
        required=True,
        parse=tabular.text(50),
        example="李建国",
    ),
    Column(
        "custodian_phone",
        "包保责任人电话",
        ("责任人电话", "包保人电话", "包保干部电话"),
        parse=parse_phone,
        default="",
        width=16,
        help=PHONE_HELP,
    ),
    Column(
        "shelter",
        "安置点",
        ("转移安置点", "避灾安置点", "目标安置点", "安置场所"),
        parse=tabular.text(200),
        default="",
        width=24,
    ),
    Column(
        "active",
        "在册",
        ("是否在册", "有效"),
        parse=tabular.boolean,
        default=True,
        choices=("是", "否"),
        export=lambda e: tabular.yes_no(e.active),
        example="是",
        help=gettext_lazy("是 or 否; empty means 是."),
    ),
]
MODEL_KEYS = [c.key for c in ROSTER_COLUMNS if c.importable]


def template() -> bytes:
    return tabular.template_xlsx(ROSTER_COLUMNS, sheet_title=SHEET_TITLE)


# --- import ------------------------------------------------------------------------------------------


def import_roster(
    content: bytes, filename: str, *, actor, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Check every row and add all its people, or none (see the module doc)."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    _import(report, content, filename, actor, dry_run, progress)
    report.sort_errors()
    return report


def _import(report: ImportReport, content: bytes, filename: str, actor, dry_run: bool, progress) -> None:
    prefix = import_prefix(actor)
    if prefix is None or (actor is not None and not actor.has_perm("alerts.import_evacuee")):
        report.file_error(_("Your account cannot import evacuation rosters."), "forbidden")
        return
    try:
        table = tabular.read_table(content, filename, sheet_name=SHEET_TITLE, progress=progress)
    except TableError as error:
        report.file_error(error.message, error.code)
        return
    parsed = tabular.parse_rows(table, ROSTER_COLUMNS, report, progress)
    if not parsed:
        if report.ok:
            report.file_error(_("There are no data rows below the header row."), "empty")
        return
    objects = [_build(row, report) for row in parsed]
    check_division_codes(
        parsed,
        report,
        prefix,
        levels=("village",),
        level_message=_("A roster belongs to a village (a 12-digit village code)."),
    )
    _check_duplicates(parsed, report)
    if not report.ok:
        return
    report.created = len(objects)
    if dry_run:
        return
    with transaction.atomic():
        Evacuee.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        audit.record(
            "import",
            user=actor,
            object_type="alerts.evacuee",
            object_repr=filename[:200],
            note=f"{len(objects)} evacuees added from {filename}",
        )


def _build(row: tabular.ParsedRow, report: ImportReport) -> Evacuee:
    values = {k: v for k, v in row.values.items() if k in MODEL_KEYS and k not in row.failed}
    evacuee = Evacuee(
        **{k: v for k, v in values.items() if k != "division"}, division_id=values.get("division")
    )
    try:
        evacuee.clean_fields(exclude=["division", "custodian_user", "category", "active", *row.failed])
    except ValidationError as error:
        report_field_errors(report, row, error)
    return evacuee


def _key(row: tabular.ParsedRow) -> tuple[str, str, str] | None:
    if {"division", "name"} & row.failed:
        return None
    return (row.values["division"], row.values["name"], row.values.get("phone") or "")


def _check_duplicates(rows: list[tabular.ParsedRow], report: ImportReport) -> None:
    first_row: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = _key(row)
        if key is None:
            continue
        if key in first_row:
            report.cell_error(
                row,
                "name",
                _("The same person is already on row {row} of this file.").format(row=first_row[key]),
                "duplicate_in_file",
            )
        else:
            first_row[key] = row.row
    existing: set[tuple[str, str, str]] = set()
    villages = sorted({key[0] for key in first_row})
    for chunk in chunks(villages):
        existing.update(
            Evacuee.objects.filter(division_id__in=chunk).values_list("division_id", "name", "phone")
        )
    for row in rows:
        key = _key(row)
        if key is not None and key in existing and "name" not in row.failed:
            report.cell_error(
                row,
                "name",
                _(
                    "This person (same village, name and phone) is already on the roster; change them on their page."
                ),
                "exists",
            )


# --- export ------------------------------------------------------------------------------------------


def export_columns(*, reveal_phones: bool) -> list[Column]:
    if reveal_phones:
        return list(ROSTER_COLUMNS)
    masked = {
        "phone": lambda e: mask_phone(e.phone),
        "custodian_phone": lambda e: mask_phone(e.custodian_phone),
    }
    return [dataclasses.replace(c, export=masked[c.key]) if c.key in masked else c for c in ROSTER_COLUMNS]


def export_roster(queryset, fmt: str, *, reveal_phones: bool) -> tuple[bytes, str, str]:
    """(file bytes, content type, file name) of the people in `queryset` as xlsx or csv."""
    columns = export_columns(reveal_phones=reveal_phones)
    rows = tabular.export_rows(columns, queryset.select_related("division").iterator(chunk_size=2000))
    if fmt == "xlsx":
        data, content_type = tabular.to_xlsx(columns, rows, sheet_title=SHEET_TITLE), XLSX_TYPE
    elif fmt == "csv":
        data, content_type = tabular.to_csv(columns, rows), CSV_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return data, content_type, f"evacuation-roster-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
