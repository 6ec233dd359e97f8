"""Enterprises in and out of spreadsheets: the template's columns, the all-or-nothing import, exports.

Rules (the same for the upload page, the API and `yingji import enterprises`):

- The columns are `ENTERPRISE_COLUMNS`; headers may be the template's or a common synonym.
- Every row is checked before anything is written: each cell's format, the model's field validators
  (USCC check character, phone formats, coordinates inside China...), that the division exists, is a
  county, town or village, and lies inside the actor's jurisdiction, and that every USCC is new — not
  twice in the file and not already in the database.
- An import only **adds** enterprises. A USCC that already exists is an error (已存在), not an update:
  silently overwriting a record someone edited by hand is worse than asking them to edit it on its page.
  An export can be re-imported once its USCCs are new (e.g. into another installation).
- All rows or none: one transaction, `bulk_create` in batches, and one audit record per import
  (the per-row create records are not written, so a 30,000-row import stays fast).
- Validation is in bulk so 30,000 rows take seconds: division codes are fetched in chunks (one query per
  500 distinct codes), USCCs checked against the database in one query per 500 rows, and the model's field
  validators run per row through `clean_fields` without `full_clean`'s per-row unique queries.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import audit, tabular
from yingji.core.division_import import parse_code as parse_division_code
from yingji.core.identifiers import mask_phone, normalise_phone, normalise_uscc
from yingji.core.importing import check_division_codes, chunks, report_field_errors
from yingji.core.scoping import import_prefix
from yingji.core.services import refresh_statistics
from yingji.core.tabular import CellError, Column, ImportReport, Progress, TableError
from yingji.registry import industries
from yingji.registry.models import SUPERVISION_FLAGS, Enterprise

SHEET_TITLE = "企业信息"  # the template's data sheet; an uploaded workbook's sheet of this name is read first
BATCH_SIZE = 1000
ANALYZE_AFTER_ROWS = 1000  # large loads refresh the planner statistics (core.services.refresh_statistics)
DIVISION_LEVELS = ("county", "town", "village")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

# Spreadsheet words for the choices: the words people type -> stored value; the first word is exported.
SCALE_WORDS = {
    "大型": "large",
    "中型": "medium",
    "小型": "small",
    "微型": "micro",
    "大": "large",
    "中": "medium",
    "小": "small",
    "微": "micro",
    "large": "large",
    "medium": "medium",
    "small": "small",
    "micro": "micro",
}
STANDARDIZATION_WORDS = {
    "无": "none",
    "一级": "level1",
    "二级": "level2",
    "三级": "level3",
    "未定级": "none",
    "未评级": "none",
    "未达标": "none",
    "1级": "level1",
    "2级": "level2",
    "3级": "level3",
    "none": "none",
    "level1": "level1",
    "level2": "level2",
    "level3": "level3",
}
STATUS_WORDS = {
    "在营": "operating",
    "停产": "suspended",
    "关闭": "closed",
    "营业": "operating",
    "正常": "operating",
    "存续": "operating",
    "停业": "suspended",
    "停产整顿": "suspended",
    "关停": "closed",
    "注销": "closed",
    "吊销": "closed",
    "operating": "operating",
    "suspended": "suspended",
    "closed": "closed",
}


def _first_words(words: dict[str, str]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for word, value in words.items():
        shown.setdefault(value, word)
    return shown


SCALE_LABELS = _first_words(SCALE_WORDS)
STANDARDIZATION_LABELS = _first_words(STANDARDIZATION_WORDS)
STATUS_LABELS = _first_words(STATUS_WORDS)

# Supervision flags: field -> (header, synonyms). One 是/否 column each.
FLAG_HEADERS = {
    "hazchem_production": ("危化品生产", ("危险化学品生产", "涉及危化品生产", "危化生产")),
    "hazchem_business": ("危化品经营", ("危险化学品经营", "涉及危化品经营", "危化经营")),
    "hazchem_use": ("危化品使用", ("危险化学品使用", "涉及危化品使用", "危化使用")),
    "major_hazard_source": ("重大危险源", ("涉及重大危险源", "构成重大危险源")),
    "key_process": ("重点监管危险化工工艺", ("重点监管工艺", "危险化工工艺", "涉及重点监管危险化工工艺")),
    "dust_explosion": ("粉尘涉爆", ("涉爆粉尘", "可燃性粉尘", "粉尘爆炸")),
    "ammonia_refrigeration": ("涉氨制冷", ("氨制冷", "液氨制冷")),
    "confined_space": ("有限空间", ("有限空间作业", "涉及有限空间")),
    "metallurgy": ("冶金", ("冶金企业",)),
    "metal_smelting": ("金属冶炼", ("金属冶炼企业",)),
    "small_micro": ("小微企业", ("小微",)),
}
assert set(FLAG_HEADERS) == set(SUPERVISION_FLAGS)


# --- cell parsers ----------------------------------------------------------------------------------


def parse_uscc(text: str) -> str:
    if tabular.looks_shortened(text):
        raise tabular.shortened_error()
    return normalise_uscc(unicodedata.normalize("NFKC", text))


def parse_industry(text: str) -> str:
    code = industries.resolve(unicodedata.normalize("NFKC", text))
    if code is None:
        raise CellError(
            _("Unknown industry: use a GB/T 4754-2017 division code such as 26 or C26, or its name."),
            "unknown_industry",
        )
    return code


def parse_phone(text: str) -> str:
    if "*" in text:
        raise CellError(
            _(
                "This phone number is masked (it came from an export without permission to see phones). "
                "Enter the full number or leave the cell empty."
            ),
            "masked_phone",
        )
    return normalise_phone(unicodedata.normalize("NFKC", text))


def industry_label(code: str) -> str:
    name = industries.NAMES.get(code)
    return f"{industries.SECTION.get(code, '')}{code} {name}" if name else code


def _flag_column(name: str) -> Column:
    header, synonyms = FLAG_HEADERS[name]
    return Column(
        name,
        header,
        synonyms,
        parse=tabular.boolean,
        default=False,
        choices=("是", "否"),
        export=lambda e, name=name: tabular.yes_no(getattr(e, name)),
        help=gettext_lazy("是 or 否 (Y/N, 1/0, true/false, √ also work); empty means 否."),
        example="否",
    )


PHONE_HELP = gettext_lazy("Mobile (13812345678) or landline (0513-81234567).")

ENTERPRISE_COLUMNS: list[Column] = [
    Column(
        "name",
        "企业名称",
        ("单位名称", "名称", "企业全称", "单位全称", "生产经营单位名称"),
        required=True,
        parse=tabular.text(200),
        width=32,
        example="安澜精细化工有限公司",
        help=gettext_lazy("The registered name, at most 200 characters."),
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一代码", "USCC"),
        required=True,
        parse=parse_uscc,
        width=22,
        example="91329901MA1XXXXXXX",
        help=gettext_lazy(
            "18 characters (GB 32100-2015) with a correct check character; each enterprise once. "
            "Enterprises already in the platform cannot be imported again."
        ),
    ),
    Column(
        "industry",
        "行业",
        ("行业代码", "所属行业", "行业类别", "国民经济行业", "行业分类"),
        required=True,
        parse=parse_industry,
        export=lambda e: industry_label(e.industry),
        width=28,
        example="C26",
        choices=tuple(industry_label(code) for code in industries.NAMES),
        help=gettext_lazy("GB/T 4754-2017 division: its code (26 or C26) or its name."),
    ),
    Column(
        "scale",
        "规模",
        ("企业规模", "规模类型"),
        parse=tabular.choice(SCALE_WORDS),
        default="small",
        export=lambda e: SCALE_LABELS.get(e.scale, e.scale),
        choices=("大型", "中型", "小型", "微型"),
        example="小型",
        help=gettext_lazy("Empty means 小型."),
    ),
    Column(
        "address",
        "地址",
        ("详细地址", "注册地址", "经营地址", "生产经营地址"),
        parse=tabular.text(300),
        default="",
        width=40,
        help=gettext_lazy("At most 300 characters."),
    ),
    Column(
        "longitude",
        "经度",
        ("lng", "longitude", "lon"),
        parse=tabular.decimal_number,
        width=12,
        example="120.851234",
        help=gettext_lazy(
            "Decimal degrees, WGS-84/CGCS2000, inside China (73.4–135.1). Give both longitude "
            "and latitude, or neither."
        ),
    ),
    Column(
        "latitude",
        "纬度",
        ("lat", "latitude"),
        parse=tabular.decimal_number,
        width=12,
        example="32.012345",
        help=gettext_lazy("Decimal degrees, WGS-84/CGCS2000, inside China (3.8–53.6)."),
    ),
    Column(
        "division",
        "所属区划",
        ("区划代码", "行政区划代码", "所属区划代码", "统计用区划代码", "区划", "division"),
        required=True,
        parse=parse_division_code,
        export=lambda e: e.division_id,
        width=16,
        example="329901001001",
        help=gettext_lazy(
            "The 12-digit statistical division code of the county, town or village (a 9-digit town "
            "code also works); it must be inside your jurisdiction."
        ),
    ),
    Column(
        "division_name",
        "所属区划名称",
        ("区划名称",),
        importable=False,
        width=16,
        export=lambda e: e.division.name if e.division_id else "",
        help=gettext_lazy("Written by exports for reading; ignored by imports."),
    ),
    Column(
        "legal_representative",
        "法定代表人",
        ("法人", "法人代表", "法定代表人姓名"),
        parse=tabular.text(50),
        default="",
    ),
    Column("main_person", "主要负责人", ("负责人", "主要负责人姓名"), parse=tabular.text(50), default=""),
    Column(
        "main_person_phone",
        "主要负责人电话",
        ("负责人电话", "主要负责人联系电话", "主要负责人手机", "联系电话"),
        parse=parse_phone,
        default="",
        width=16,
        help=PHONE_HELP,
    ),
    Column(
        "safety_manager",
        "安全管理员",
        ("安全负责人", "安全管理人员", "安全员"),
        parse=tabular.text(50),
        default="",
    ),
    Column(
        "safety_manager_phone",
        "安全管理员电话",
        ("安全负责人电话", "安全管理人员电话", "安全员电话"),
        parse=parse_phone,
        default="",
        width=16,
        help=PHONE_HELP,
    ),
    Column(
        "employees",
        "从业人数",
        ("职工人数", "员工人数", "从业人员数", "职工总数"),
        parse=tabular.integer(0, 2_000_000),
        help=gettext_lazy("A whole number."),
    ),
    *[_flag_column(name) for name in SUPERVISION_FLAGS],
    Column(
        "standardization",
        "标准化等级",
        ("安全生产标准化等级", "标准化", "标准化达标等级"),
        parse=tabular.choice(STANDARDIZATION_WORDS),
        default="none",
        choices=("一级", "二级", "三级", "无"),
        export=lambda e: STANDARDIZATION_LABELS.get(e.standardization, e.standardization),
        example="无",
        help=gettext_lazy("Work-safety standardization grade; empty means 无."),
    ),
    Column(
        "liability_insured",
        "安责险",
        ("安全生产责任保险", "安全生产责任险", "是否投保安责险"),
        parse=tabular.boolean,
        default=False,
        choices=("是", "否"),
        export=lambda e: tabular.yes_no(e.liability_insured),
        example="是",
        help=gettext_lazy("Insured for work-safety liability: 是 or 否; empty means 否."),
    ),
    Column(
        "status",
        "状态",
        ("经营状态", "企业状态", "生产状态"),
        parse=tabular.choice(STATUS_WORDS),
        default="operating",
        choices=("在营", "停产", "关闭"),
        export=lambda e: STATUS_LABELS.get(e.status, e.status),
        example="在营",
        help=gettext_lazy("Empty means 在营."),
    ),
]
MODEL_KEYS = [c.key for c in ENTERPRISE_COLUMNS if c.importable]
# Their parsers only return valid values (是/否 -> bool, a word -> a choice), so the model's field checks
# would find nothing; skipping them saves a third of the per-row validation time.
PARSED_VALID = ["scale", "standardization", "status", "liability_insured", *SUPERVISION_FLAGS]


def template() -> bytes:
    return tabular.template_xlsx(ENTERPRISE_COLUMNS, sheet_title=SHEET_TITLE)


# --- import ----------------------------------------------------------------------------------------


def import_enterprises(
    content: bytes, filename: str, *, actor, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Check every row of an xlsx/csv file and create all its enterprises, or none (see the module doc)."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    _import(report, content, filename, actor, dry_run, progress)
    report.sort_errors()
    return report


def _import(report: ImportReport, content: bytes, filename: str, actor, dry_run: bool, progress) -> None:
    prefix = import_prefix(actor)
    if prefix is None:
        report.file_error(_("Your account cannot import enterprises."), "forbidden")
        return
    try:
        table = tabular.read_table(content, filename, sheet_name=SHEET_TITLE, progress=progress)
    except TableError as error:
        report.file_error(error.message, error.code)
        return
    parsed = tabular.parse_rows(table, ENTERPRISE_COLUMNS, report, progress)
    if not parsed:
        if report.ok:
            report.file_error(_("There are no data rows below the header row."), "empty")
        return

    objects = [_build(row, report) for row in parsed]
    if progress:
        progress("check", len(parsed), len(parsed))
    check_division_codes(
        parsed,
        report,
        prefix,
        levels=DIVISION_LEVELS,
        level_message=_("An enterprise belongs to a county, town or village, not to a province or city."),
    )
    _check_usccs(parsed, report)
    if not report.ok:
        return
    if dry_run:
        report.created = len(objects)
        return
    try:
        with transaction.atomic():
            for start in range(0, len(objects), BATCH_SIZE):
                Enterprise.objects.bulk_create(objects[start : start + BATCH_SIZE])
                if progress:
                    progress("write", min(start + BATCH_SIZE, len(objects)), len(objects))
            audit.record(
                "import",
                user=actor,
                object_type="registry.enterprise",
                object_repr=filename[:200],
                note=f"{len(objects)} enterprises created from {filename}"
                + (f" (sheet {table.sheet})" if table.sheet else ""),
            )
    except IntegrityError:
        report.file_error(
            _(
                "Someone saved an enterprise with one of these codes while the file was being "
                "checked; nothing was imported. Import the file again."
            ),
            "conflict",
        )
        return
    report.created = len(objects)
    if len(objects) >= ANALYZE_AFTER_ROWS:
        refresh_statistics(Enterprise)


def _build(row: tabular.ParsedRow, report: ImportReport) -> Enterprise:
    """The unsaved enterprise of a row, after the model's field validators (no database queries)."""
    values = {k: v for k, v in row.values.items() if k in MODEL_KEYS and k not in row.failed}
    code = values.pop("division", None)
    enterprise = Enterprise(**values, division_id=code)
    has_lng, has_lat = row.values.get("longitude") is not None, row.values.get("latitude") is not None
    if has_lng != has_lat and not {"longitude", "latitude"} & row.failed:
        missing = "latitude" if has_lng else "longitude"
        report.cell_error(
            row, missing, _("Give both longitude and latitude, or neither."), "coordinates_pair"
        )
    try:
        enterprise.clean_fields(exclude=["division", *PARSED_VALID, *row.failed])
    except ValidationError as error:
        report_field_errors(report, row, error)
    return enterprise


def _check_usccs(rows: list[tabular.ParsedRow], report: ImportReport) -> None:
    first_row: dict[str, int] = {}
    for row in rows:
        if "uscc" in row.failed:
            continue
        uscc = row.values["uscc"]
        if uscc in first_row:
            report.cell_error(
                row,
                "uscc",
                _("The same code is already on row {row} of this file.").format(row=first_row[uscc]),
                "duplicate_in_file",
            )
        else:
            first_row[uscc] = row.row
    existing: set[str] = set()
    for chunk in chunks(list(first_row)):
        existing.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
    for row in rows:
        if "uscc" not in row.failed and row.values["uscc"] in existing:
            report.cell_error(
                row,
                "uscc",
                _(
                    "An enterprise with this code already exists (已存在). Imports only add "
                    "new enterprises; change existing ones on their own page."
                ),
                "exists",
            )


# --- export ----------------------------------------------------------------------------------------


def export_columns(*, reveal_phones: bool) -> list[Column]:
    """The template's columns (plus the division's name), phones masked unless `reveal_phones`."""
    if reveal_phones:
        return list(ENTERPRISE_COLUMNS)
    masked = {
        "main_person_phone": lambda e: mask_phone(e.main_person_phone),
        "safety_manager_phone": lambda e: mask_phone(e.safety_manager_phone),
    }
    return [
        dataclasses.replace(c, export=masked[c.key]) if c.key in masked else c for c in ENTERPRISE_COLUMNS
    ]


def export_enterprises(queryset, fmt: str, *, reveal_phones: bool) -> tuple[bytes, str, str]:
    """(file bytes, content type, file name) of the enterprises in `queryset` as xlsx or csv."""
    columns = export_columns(reveal_phones=reveal_phones)
    rows = tabular.export_rows(columns, queryset.select_related("division").iterator(chunk_size=2000))
    if fmt == "xlsx":
        data, content_type = tabular.to_xlsx(columns, rows, sheet_title=SHEET_TITLE), XLSX_TYPE
    elif fmt == "csv":
        data, content_type = tabular.to_csv(columns, rows), CSV_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    filename = f"enterprises-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    return data, content_type, filename
