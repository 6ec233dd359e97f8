"""Spreadsheet import and export of teams, warehouses, shelters, experts, equipment, the supply catalogue
and stock, on the shared machinery (core.tabular, core.importing): every row is checked, and either
all rows are written or none, with each problem on its row and column.

Stock rows are receipts (入库): each becomes a `receive_stock` movement, in one transaction.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import audit, tabular
from yingji.core.importing import check_division_codes, report_field_errors
from yingji.core.scoping import import_prefix
from yingji.core.tabular import CellError, Column, ImportReport, TableError
from yingji.resources import services
from yingji.resources.models import (
    Equipment,
    EquipmentStatus,
    Expert,
    ExpertSpecialty,
    Shelter,
    SupplyCategory,
    SupplyItem,
    Team,
    TeamKind,
    TeamLevel,
    TeamStatus,
    Warehouse,
    WarehouseLevel,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
DIVISION_LEVELS = ("county", "town", "village")
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: str) -> datetime.date:
    """YYYY-MM-DD (also 2026/1/31 and 2026.1.31); Excel dates arrive already as YYYY-MM-DD."""
    cleaned = unicodedata.normalize("NFKC", value).strip().replace("/", "-").replace(".", "-")
    match = DATE_RE.match(cleaned)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(_("Enter a date as YYYY-MM-DD, e.g. 2026-12-31."), "invalid_date")


def parse_quantity(value: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("Enter a number."), "not_number") from None
    if not number.is_finite() or number < 0:
        raise CellError(_("Enter a number of zero or more."), "negative")
    if number != number.quantize(Decimal("0.01")):
        raise CellError(_("Use at most two decimals."), "too_precise")
    return number


# Spreadsheet words (the bureau's own vocabulary) -> stored values; the first word of each value is
# what exports write. The stored codes and the (translated) labels are accepted as well.
TEAM_KIND_WORDS = {
    "综合性消防救援": "fire_rescue",
    "消防救援": "fire_rescue",
    "危化": "hazchem",
    "危化品救援": "hazchem",
    "矿山": "mine",
    "矿山救援": "mine",
    "森林": "forest",
    "森林消防": "forest",
    "水上": "water",
    "水上救援": "water",
    "电力": "power",
    "电力抢修": "power",
    "医疗": "medical",
    "医疗救援": "medical",
    "其他专业": "professional",
    "社会救援": "social",
    "社会救援力量": "social",
    "企业专职": "enterprise",
    "企业专职队": "enterprise",
}
TEAM_LEVEL_WORDS = {
    "国家级": "national",
    "省级": "provincial",
    "市级": "city",
    "县级": "county",
    "乡镇级": "town",
    "企业": "enterprise",
}
TEAM_STATUS_WORDS = {
    "待命": "ready",
    "已出动": "dispatched",
    "在现场": "on_scene",
    "返回中": "returning",
    "不可用": "unavailable",
}
WAREHOUSE_LEVEL_WORDS = {
    "市级": "city",
    "县级": "county",
    "区县级": "county",
    "乡镇级": "town",
    "村级": "village",
    "企业储备": "enterprise",
    "协议储备": "agreement",
}
SPECIALTY_WORDS = {
    "危化": "hazchem",
    "危险化学品": "hazchem",
    "矿山": "mine",
    "消防": "fire",
    "防汛抗旱": "flood",
    "地质灾害": "geology",
    "森林防火": "forest",
    "地震": "earthquake",
    "医疗": "medical",
    "电力": "power",
    "建筑": "construction",
    "其他": "other",
}
EQUIPMENT_STATUS_WORDS = {
    "可用": "available",
    "使用中": "in_use",
    "维修中": "maintenance",
    "停用": "out_of_service",
}
WORDS = {
    frozenset(words.values()): words
    for words in (TEAM_KIND_WORDS, TEAM_STATUS_WORDS, SPECIALTY_WORDS, EQUIPMENT_STATUS_WORDS)
}
WORDS[frozenset(TEAM_LEVEL_WORDS.values())] = TEAM_LEVEL_WORDS
WORDS[frozenset(WAREHOUSE_LEVEL_WORDS.values())] = WAREHOUSE_LEVEL_WORDS


def _words(choices) -> dict[str, str]:
    return WORDS.get(frozenset(value for value, _label in choices), {})


def _labels(choices) -> dict[str, str]:
    """Spreadsheet words -> stored value: the Chinese words, the label and the code itself."""
    table = dict(_words(choices))
    for value, label in choices:
        table.setdefault(str(label), value)
        table.setdefault(value, value)
    return table


def _choice(choices) -> Callable[[str], str]:
    def parse(value: str) -> str:
        return tabular.choice(_labels(choices))(value)

    return parse


def _display(name: str) -> Callable:
    """The first spreadsheet word of the stored value (what an import reads back)."""

    def export(obj):
        value = getattr(obj, name)
        for word, stored in _words(obj._meta.get_field(name).choices).items():
            if stored == value:
                return word
        return value

    return export


def _coordinates() -> list[Column]:
    return [
        Column(
            "longitude", "经度", ("lng", "lon", "longitude"), True, tabular.decimal_number, example="120.9"
        ),
        Column("latitude", "纬度", ("lat", "latitude"), True, tabular.decimal_number, example="32.0"),
    ]


def _division_column() -> Column:
    return Column(
        "division",
        "行政区划代码",
        ("区划代码", "division"),
        True,
        tabular.text(12),
        help=gettext_lazy("12-digit code of the county, town or village."),
        example="329901001000",
    )


PHONE = tabular.text(30)

TEAM_COLUMNS = [
    Column("name", "队伍名称", ("名称", "name"), True, tabular.text(100)),
    Column("kind", "队伍类型", ("类型", "kind"), True, _choice(TeamKind.choices), export=_display("kind")),
    Column(
        "level", "队伍级别", ("级别", "level"), True, _choice(TeamLevel.choices), export=_display("level")
    ),
    _division_column(),
    Column("address", "驻地", ("地址", "address"), False, tabular.text(200), default=""),
    *_coordinates(),
    Column(
        "status",
        "战备状态",
        ("状态", "status"),
        False,
        _choice(TeamStatus.choices),
        export=_display("status"),
        default="ready",
    ),
    Column("headcount", "人数", ("headcount",), False, tabular.integer(0), default=0),
    Column("contact_name", "联系人", ("contact",), False, tabular.text(50), default=""),
    Column("contact_phone", "联系电话", ("电话", "phone"), False, PHONE, default=""),
]
WAREHOUSE_COLUMNS = [
    Column("name", "仓库名称", ("名称", "name"), True, tabular.text(100)),
    Column(
        "level",
        "储备级别",
        ("级别", "level"),
        True,
        _choice(WarehouseLevel.choices),
        export=_display("level"),
    ),
    _division_column(),
    Column("address", "地址", ("address",), False, tabular.text(200), default=""),
    *_coordinates(),
    Column("area_m2", "面积（m²）", ("面积", "area"), False, tabular.integer(0)),
    Column("manager", "管理人", ("负责人", "manager"), False, tabular.text(50), default=""),
    Column("phone", "联系电话", ("电话", "phone"), False, PHONE, default=""),
]
SHELTER_COLUMNS = [
    Column("name", "避难场所名称", ("名称", "name"), True, tabular.text(100)),
    _division_column(),
    Column("address", "地址", ("address",), False, tabular.text(200), default=""),
    *_coordinates(),
    Column("capacity", "容纳人数", ("容量", "capacity"), True, tabular.integer(0)),
    Column("area_m2", "面积（m²）", ("面积", "area"), False, tabular.integer(0)),
    Column("facilities", "设施", ("facilities",), False, tabular.text(300), default=""),
    Column(
        "is_open",
        "是否开放",
        ("开放", "is_open"),
        False,
        tabular.boolean,
        export=lambda s: tabular.yes_no(s.is_open),
    ),
    Column("manager", "管理人", ("负责人", "manager"), False, tabular.text(50), default=""),
    Column("phone", "联系电话", ("电话", "phone"), False, PHONE, default=""),
]
EXPERT_COLUMNS = [
    Column("name", "姓名", ("name",), True, tabular.text(50)),
    Column(
        "specialty",
        "专业领域",
        ("专业", "specialty"),
        True,
        _choice(ExpertSpecialty.choices),
        export=_display("specialty"),
    ),
    Column("title", "职称", ("title",), False, tabular.text(50), default=""),
    Column("employer", "工作单位", ("单位", "employer"), False, tabular.text(100), default=""),
    Column("phone", "联系电话", ("电话", "phone"), True, PHONE),
    _division_column(),
    Column("longitude", "经度", ("lng", "lon"), False, tabular.decimal_number),
    Column("latitude", "纬度", ("lat",), False, tabular.decimal_number),
]
EQUIPMENT_COLUMNS = [
    Column("name", "装备名称", ("名称", "name"), True, tabular.text(100)),
    Column("kind", "装备类型", ("类型", "kind"), True, tabular.text(50), example="挖掘机"),
    Column("model", "规格型号", ("型号", "model"), False, tabular.text(100), default=""),
    Column("owner", "所属单位", ("owner",), False, tabular.text(100), default=""),
    _division_column(),
    Column("address", "存放地点", ("地点", "address"), False, tabular.text(200), default=""),
    *_coordinates(),
    Column("quantity", "数量", ("quantity",), False, tabular.integer(1), default=1),
    Column(
        "status",
        "状态",
        ("status",),
        False,
        _choice(EquipmentStatus.choices),
        export=_display("status"),
        default="available",
    ),
    Column("contact_phone", "联系电话", ("电话", "phone"), False, PHONE, default=""),
]
ITEM_COLUMNS = [
    Column(
        "category",
        "物资类别编码",
        ("类别编码", "category"),
        True,
        tabular.text(30),
        export=lambda i: i.category.code,
    ),
    Column("code", "物资编码", ("编码", "code"), True, tabular.text(40)),
    Column("name", "物资名称", ("名称", "name"), True, tabular.text(50)),
    Column("unit", "单位", ("unit",), True, tabular.text(10)),
    Column("spec", "规格", ("spec",), False, tabular.text(100), default=""),
    Column("shelf_life_days", "保质期（天）", ("保质期", "shelf_life_days"), False, tabular.integer(1)),
]
STOCK_COLUMNS = [
    Column(
        "warehouse",
        "仓库编号",
        ("仓库ID", "warehouse"),
        True,
        tabular.integer(1),
        export=lambda s: s.warehouse_id,
    ),
    Column("warehouse_name", "仓库名称", (), False, importable=False, export=lambda s: s.warehouse.name),
    Column("item", "物资编码", ("编码", "item"), True, tabular.text(40), export=lambda s: s.item.code),
    Column("item_name", "物资名称", (), False, importable=False, export=lambda s: s.item.name),
    Column("quantity", "入库数量", ("数量", "quantity"), True, parse_quantity),
    Column("minimum", "最低库存", ("minimum",), False, parse_quantity),
    Column(
        "expiry",
        "有效期至",
        ("有效期", "expiry"),
        False,
        parse_date,
        help=gettext_lazy("Date as YYYY-MM-DD."),
        example="2027-06-30",
    ),
]


@dataclass(frozen=True)
class Kind:
    model: type
    columns: list[Column]
    sheet: str
    file_stem: str


KINDS = {
    "team": Kind(Team, TEAM_COLUMNS, "救援队伍", "teams"),
    "warehouse": Kind(Warehouse, WAREHOUSE_COLUMNS, "物资仓库", "warehouses"),
    "shelter": Kind(Shelter, SHELTER_COLUMNS, "避难场所", "shelters"),
    "expert": Kind(Expert, EXPERT_COLUMNS, "专家", "experts"),
    "equipment": Kind(Equipment, EQUIPMENT_COLUMNS, "重点装备", "equipment"),
    "supplyitem": Kind(SupplyItem, ITEM_COLUMNS, "物资目录", "supply-catalogue"),
    "stock": Kind(SupplyItem, STOCK_COLUMNS, "库存入库", "stock"),
}


def template(kind: str) -> bytes:
    return tabular.template_xlsx(KINDS[kind].columns, sheet_title=KINDS[kind].sheet)


def _read(kind: str, report: ImportReport, content: bytes, filename: str):
    try:
        table = tabular.read_table(content, filename, sheet_name=KINDS[kind].sheet)
    except TableError as error:
        report.file_error(error.message, error.code)
        return None
    parsed = tabular.parse_rows(table, KINDS[kind].columns, report)
    if not parsed and report.ok:
        report.file_error(_("There are no data rows below the header row."), "empty")
    return parsed


def import_resources(
    kind: str, content: bytes, filename: str, *, actor, dry_run: bool = False
) -> ImportReport:
    """Import teams, warehouses, shelters, experts or equipment: all rows or none."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    spec = KINDS[kind]
    prefix = import_prefix(actor)
    if prefix is None:
        report.file_error(_("Your account cannot import these records."), "forbidden")
        return report
    parsed = _read(kind, report, content, filename)
    if not parsed:
        report.sort_errors()
        return report
    keys = {c.key for c in spec.columns if c.importable}
    objects = []
    for row in parsed:
        values = {
            k: v for k, v in row.values.items() if k in keys and k not in row.failed and k != "division"
        }
        values = {k: v for k, v in values.items() if v is not None or spec.model._meta.get_field(k).null}
        obj = spec.model(**values, division_id=row.values.get("division"))
        try:
            obj.clean_fields(exclude=["division", *row.failed])
        except ValidationError as error:
            report_field_errors(report, row, error)
        objects.append(obj)
    check_division_codes(
        parsed,
        report,
        prefix,
        levels=DIVISION_LEVELS,
        level_message=_("Choose a county, town or village, not a province or city."),
    )
    report.sort_errors()
    if not report.ok:
        return report
    report.created = len(objects)
    if dry_run:
        return report
    with transaction.atomic():
        spec.model.objects.bulk_create(objects, batch_size=1000)
        audit.record(
            "import",
            user=actor,
            object_type=spec.model._meta.label_lower,
            object_repr=filename[:200],
            note=f"{len(objects)} rows created from {filename}",
        )
    return report


def import_items(content: bytes, filename: str, *, actor, dry_run: bool = False) -> ImportReport:
    """Add supply items to the catalogue (category by its code; item codes must be new)."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    parsed = _read("supplyitem", report, content, filename)
    if not parsed:
        report.sort_errors()
        return report
    categories = {c.code: c for c in SupplyCategory.objects.all()}
    existing = set(SupplyItem.objects.values_list("code", flat=True))
    seen: set[str] = set()
    objects = []
    for row in parsed:
        category = categories.get(row.values.get("category") or "")
        if "category" not in row.failed and category is None:
            report.cell_error(row, "category", _("No supply category has this code."), "unknown_category")
        code = row.values.get("code")
        if "code" not in row.failed and (code in existing or code in seen):
            report.cell_error(row, "code", _("This item code is already used."), "exists")
        seen.add(code or "")
        values = {k: row.values.get(k) for k in ("code", "name", "unit", "spec", "shelf_life_days")}
        item = SupplyItem(
            category=category, **{k: v for k, v in values.items() if v is not None or k == "shelf_life_days"}
        )
        try:
            item.clean_fields(exclude=["category", *row.failed])
        except ValidationError as error:
            report_field_errors(report, row, error)
        objects.append(item)
    report.sort_errors()
    if not report.ok:
        return report
    report.created = len(objects)
    if not dry_run:
        try:
            with transaction.atomic():
                SupplyItem.objects.bulk_create(objects)
                audit.record(
                    "import", user=actor, object_type="resources.supplyitem", object_repr=filename[:200]
                )
        except IntegrityError:
            report.file_error(
                _("Someone added one of these items meanwhile; import the file again."), "conflict"
            )
    return report


def import_stock(content: bytes, filename: str, *, actor, dry_run: bool = False) -> ImportReport:
    """Receive stock from a spreadsheet (warehouse id, item code, quantity, minimum, expiry): all or none."""
    from yingji.resources.models import Warehouse as WarehouseModel

    report = ImportReport(filename=filename, dry_run=dry_run)
    if import_prefix(actor) is None:
        report.file_error(_("Your account cannot import these records."), "forbidden")
        return report
    parsed = _read("stock", report, content, filename)
    if not parsed:
        report.sort_errors()
        return report
    warehouses = WarehouseModel.objects.for_user(actor) if actor is not None else WarehouseModel.objects.all()
    wanted = {r.values.get("warehouse") for r in parsed if "warehouse" not in r.failed}
    found = {w.pk: w for w in warehouses.filter(pk__in=wanted)}
    items = {i.code: i for i in SupplyItem.objects.all()}
    for row in parsed:
        if "warehouse" not in row.failed and row.values.get("warehouse") not in found:
            report.cell_error(
                row,
                "warehouse",
                _("No warehouse with this number in your jurisdiction."),
                "unknown_warehouse",
            )
        if "item" not in row.failed and row.values.get("item") not in items:
            report.cell_error(row, "item", _("No supply item has this code."), "unknown_item")
        if "quantity" not in row.failed and row.values.get("quantity") == 0:
            report.cell_error(row, "quantity", _("The quantity must be greater than zero."), "not_positive")
    report.sort_errors()
    if not report.ok:
        return report
    report.created = len(parsed)
    if dry_run:
        return report
    reason = _("Imported from {file}").format(file=filename)[:200]
    with transaction.atomic():
        for row in parsed:
            services.receive_stock(
                actor=actor,
                warehouse=found[row.values["warehouse"]],
                item=items[row.values["item"]],
                quantity=row.values["quantity"],
                reason=reason,
                expiry=row.values.get("expiry"),
                minimum=row.values.get("minimum"),
            )
    return report


def importer(kind: str):
    if kind == "supplyitem":
        return import_items
    if kind == "stock":
        return import_stock
    return lambda content, filename, *, actor, dry_run=False: import_resources(
        kind, content, filename, actor=actor, dry_run=dry_run
    )


def export(kind: str):
    """An exporter (queryset, fmt, *, reveal_phones) -> (bytes, content type, file name) for a kind."""
    spec = KINDS[kind]

    def run(queryset, fmt: str, *, reveal_phones: bool = False) -> tuple[bytes, str, str]:
        from yingji.core.identifiers import mask_phone

        columns = list(spec.columns)
        if not reveal_phones:
            import dataclasses

            columns = [
                dataclasses.replace(c, export=lambda o, k=c.key: mask_phone(getattr(o, k)))
                if c.key in ("phone", "contact_phone")
                else c
                for c in columns
            ]
        rows = tabular.export_rows(columns, queryset.iterator(chunk_size=2000))
        if fmt == "xlsx":
            data, content_type = tabular.to_xlsx(columns, rows, sheet_title=spec.sheet), XLSX_TYPE
        else:
            data, content_type = tabular.to_csv(columns, rows), CSV_TYPE
        return data, content_type, f"{spec.file_stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"

    return run
