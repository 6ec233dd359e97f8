"""Importing divisions: a county's villages from the shipped data, or a bureau's own xlsx/csv list.

The national province/city/county/town list is loaded by the migrations; villages are many
(600,000+), so a bureau loads only its own county's, either from the shipped statistical data
(`yingji import divisions --county 320623`) or from the list it keeps
(`yingji import divisions villages.xlsx`, columns 代码, 名称 and optionally 上级代码, 经度, 纬度).

Rules, checked for every row before anything is written (all rows or none):

- a code is the 12-digit statistical code (a 2/4/6/9-digit code is padded with zeros); its level comes
  from its shape (trailing zero groups);
- the parent is 上级代码 when given, else the code's shape (a village's town, a town's county); it must
  exist already or be in the same file, be of a higher level, and the code must lie in its subtree
  (scoping is a code-prefix match, so a child outside its parent's prefix would vanish from views);
- a code must be inside the actor's jurisdiction (no actor, i.e. the command line: anywhere);
- a code twice in the file is an error;
- **existing codes** from a bureau's file get the file's name (and coordinates, when given); their place in
  the tree is kept, and a different 上级代码 is an error rather than a silent move. From the shipped data,
  existing villages are left as they are (the bureau's own names win).

One audit record (`import`, object type core.division) is written per import.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import audit, divisions, geo, tabular
from yingji.core.division_data import villages_of
from yingji.core.scoping import import_prefix
from yingji.core.tabular import CellError, Column, ImportReport, ParsedRow, Progress, TableError

SHEET_TITLE = "区划"
QUERY_CHUNK = 500


def parse_code(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).strip()
    if tabular.looks_shortened(value):
        raise tabular.shortened_error()
    code = divisions.normalise_code(value)
    if not divisions.is_valid_code(code):
        raise CellError(
            _("A division code has 12 digits (2/4/6/9-digit codes are padded with zeros)."),
            "bad_division_code",
        )
    return code


def _coordinate(low: float, high: float):
    def parse(text: str) -> float:
        value = tabular.decimal_number(text)
        if not low <= value <= high:
            raise CellError(
                _("Must be inside China ({low}–{high}).").format(low=low, high=high), "outside_china"
            )
        return value

    return parse


DIVISION_COLUMNS: list[Column] = [
    Column(
        "code",
        "代码",
        ("区划代码", "统计用区划代码", "行政区划代码", "区划编码", "编码", "code"),
        required=True,
        parse=parse_code,
        width=16,
        example="329901001201",
        help=gettext_lazy("The 12-digit statistical division code."),
    ),
    Column(
        "name",
        "名称",
        ("区划名称", "村名称", "村（社区）名称", "name"),
        required=True,
        parse=tabular.text(100),
        width=24,
        example="新桥村村民委员会",
        help=gettext_lazy("At most 100 characters."),
    ),
    Column(
        "parent",
        "上级代码",
        ("上级区划代码", "父级代码", "parent", "parent_code"),
        parse=parse_code,
        width=16,
        help=gettext_lazy("Optional; by default the code's own shape gives it (a village's town)."),
    ),
    Column(
        "longitude",
        "经度",
        ("lng", "longitude", "lon"),
        parse=_coordinate(*geo.CHINA_LNG),
        width=12,
        help=gettext_lazy("Optional; decimal degrees of the division's centre, with 纬度."),
    ),
    Column(
        "latitude",
        "纬度",
        ("lat", "latitude"),
        parse=_coordinate(*geo.CHINA_LAT),
        width=12,
        help=gettext_lazy("Optional; decimal degrees of the division's centre, with 经度."),
    ),
]


def import_divisions(
    content: bytes, filename: str, *, actor=None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """A bureau's own list of divisions (usually villages) from an xlsx/csv file; all rows or none."""
    report = ImportReport(filename=filename, dry_run=dry_run)
    prefix = import_prefix(actor)
    if prefix is None:
        report.file_error(_("Your account cannot import divisions."), "forbidden")
        return report
    try:
        table = tabular.read_table(content, filename, sheet_name=SHEET_TITLE, progress=progress)
    except TableError as error:
        report.file_error(error.message, error.code)
        return report
    rows = tabular.parse_rows(table, DIVISION_COLUMNS, report, progress)
    if not rows:
        if report.ok:
            report.file_error(_("There are no data rows below the header row."), "empty")
        return report
    for row in rows:
        has_lng, has_lat = row.values.get("longitude") is not None, row.values.get("latitude") is not None
        if has_lng != has_lat and not {"longitude", "latitude"} & row.failed:
            report.cell_error(
                row,
                "latitude" if has_lng else "longitude",
                _("Give both longitude and latitude, or neither."),
                "coordinates_pair",
            )
    _apply(rows, report, prefix, actor=actor, dry_run=dry_run, update_existing=True, source=filename)
    report.sort_errors()
    return report


def import_county_villages(county_code: str, *, actor=None, dry_run: bool = False) -> ImportReport:
    """The villages of one county from the shipped statistical data; its towns must exist already."""
    from yingji.core.models import Division

    code = divisions.normalise_code(county_code)
    report = ImportReport(filename=f"villages.csv.gz ({code[:6]})", dry_run=dry_run)
    prefix = import_prefix(actor)
    if prefix is None:
        report.file_error(_("Your account cannot import divisions."), "forbidden")
        return report
    county = Division.objects.filter(code=code).first() if divisions.is_valid_code(code) else None
    if county is None or county.level != "county":
        report.file_error(
            _(
                "{code} is not a county in the database. Give a county's 6- or 12-digit code; the "
                "national list of counties and towns is loaded by `yingji migrate`."
            ).format(code=county_code),
            "unknown_county",
        )
        return report
    if not code.startswith(prefix):
        report.file_error(_("This county is outside your jurisdiction."), "outside_jurisdiction")
        return report
    shipped = villages_of(code[:6])
    if not shipped:
        report.file_error(
            _("The shipped data has no villages for {name} ({code}).").format(name=county.name, code=code),
            "no_villages",
        )
        return report
    report.headers = {"code": "code", "name": "name", "parent": "parent_code"}
    rows = [
        ParsedRow(
            row=number,
            values={"code": r["code"], "name": r["name"], "parent": r["parent_code"] or None},
            raw={"code": r["code"], "name": r["name"], "parent": r["parent_code"]},
        )
        for number, r in enumerate(shipped, start=2)  # row 1 of the data file is its header
    ]
    report.rows = len(rows)
    _apply(
        rows,
        report,
        prefix,
        actor=actor,
        dry_run=dry_run,
        update_existing=False,
        source=f"shipped villages of {code[:6]}",
    )
    report.sort_errors()
    return report


@dataclass
class _Known:
    level: str
    parent_id: str | None


def _apply(
    rows: list[ParsedRow],
    report: ImportReport,
    prefix: str,
    *,
    actor,
    dry_run: bool,
    update_existing: bool,
    source: str,
) -> None:
    from django.db import IntegrityError

    from yingji.core.models import Division, DivisionLevel

    first_row: dict[str, ParsedRow] = {}
    for row in rows:
        if "code" in row.failed:
            continue
        code = row.values["code"]
        if code in first_row:
            report.cell_error(
                row,
                "code",
                _("The same code is already on row {row} of this file.").format(row=first_row[code].row),
                "duplicate_in_file",
            )
        elif not code.startswith(prefix):
            report.cell_error(
                row, "code", _("This division is outside your jurisdiction."), "outside_jurisdiction"
            )
        else:
            first_row[code] = row

    wanted = set(first_row)
    for code, row in first_row.items():
        wanted.add(row.values.get("parent") or divisions.parent_code_of(code) or code)
    existing: dict[str, Division] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), QUERY_CHUNK):
        chunk = ordered[start : start + QUERY_CHUNK]
        existing.update(
            (d.code, d)
            for d in Division.objects.filter(code__in=chunk).only(
                "code", "name", "level", "parent_id", "longitude", "latitude"
            )
        )
    known = {code: _Known(d.level, d.parent_id) for code, d in existing.items()}
    for code in first_row:
        known.setdefault(code, _Known(divisions.level_of(code), None))

    creates: list[Division] = []
    updates: list[Division] = []
    for code, row in first_row.items():
        if row.failed:
            continue
        explicit_parent = row.values.get("parent")
        lng, lat = row.values.get("longitude"), row.values.get("latitude")
        current = existing.get(code)
        if current is not None:
            if explicit_parent and explicit_parent != current.parent_id:
                report.cell_error(
                    row,
                    "parent",
                    _(
                        "This division already exists under {parent}; moving a division is not supported."
                    ).format(parent=current.parent_id or "—"),
                    "parent_mismatch",
                )
            elif not update_existing:
                report.unchanged += 1
            elif row.values["name"] != current.name or (
                lng is not None and (lng, lat) != (current.longitude, current.latitude)
            ):
                current.name = row.values["name"]
                if lng is not None:
                    current.longitude, current.latitude = lng, lat
                updates.append(current)
            else:
                report.unchanged += 1
            continue
        level = divisions.level_of(code)
        parent = explicit_parent or divisions.parent_code_of(code)
        if parent is not None:
            parent_info = known.get(parent)
            if parent == code or parent_info is None:
                report.cell_error(
                    row,
                    "parent" if explicit_parent else "code",
                    _(
                        "The parent division {code} does not exist; add it first or include it in this file."
                    ).format(code=parent),
                    "unknown_parent",
                )
                continue
            if divisions.LEVELS.index(parent_info.level) >= divisions.LEVELS.index(level):
                report.cell_error(
                    row,
                    "parent" if explicit_parent else "code",
                    _("A {level} cannot be placed under a {parent_level}.").format(
                        level=DivisionLevel(level).label, parent_level=DivisionLevel(parent_info.level).label
                    ),
                    "parent_level",
                )
                continue
            parent_prefix = divisions.subtree_prefix(parent, parent_info.level)
            if not code.startswith(parent_prefix):
                report.cell_error(
                    row,
                    "code",
                    _("The code must start with its parent's prefix {prefix}.").format(prefix=parent_prefix),
                    "outside_parent",
                )
                continue
        creates.append(
            Division(
                code=code, name=row.values["name"], level=level, parent_id=parent, longitude=lng, latitude=lat
            )
        )
    if not report.ok:
        report.unchanged = 0
        return
    creates.sort(key=lambda d: (divisions.LEVELS.index(d.level), d.code))
    report.created, report.updated = len(creates), len(updates)
    if dry_run:
        return
    try:
        with transaction.atomic():
            Division.objects.bulk_create(creates, batch_size=1000)
            if updates:
                Division.objects.bulk_update(updates, ["name", "longitude", "latitude"], batch_size=500)
            audit.record(
                "import",
                user=actor,
                object_type="core.division",
                object_repr=source[:200],
                note=f"divisions from {source}: {len(creates)} created, {len(updates)} updated, "
                f"{report.unchanged} unchanged",
            )
    except IntegrityError:
        report.created = report.updated = report.unchanged = 0
        report.file_error(
            _(
                "Someone added one of these divisions while the file was being checked; nothing was "
                "imported. Import the file again."
            ),
            "conflict",
        )
