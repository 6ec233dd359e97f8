"""Row checks every spreadsheet import shares (enterprises, evacuation rosters): model-field errors
reported on their cells, and division codes that must exist, be of an allowed level and lie inside
the importer's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.core.models import Division
from yingji.core.tabular import ImportReport, ParsedRow

QUERY_CHUNK = 500  # values per IN (...) list, well under SQLite's variable limit


def chunks(items: list, size: int = QUERY_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def report_field_errors(report: ImportReport, row: ParsedRow, error: ValidationError) -> None:
    """A model's `clean_fields` errors, each on the cell of its field."""
    for key, problems in error.error_dict.items():
        report.cell_error(
            row, key, " ".join(m for p in problems for m in p.messages), problems[0].code or "invalid"
        )


def check_division_codes(
    rows: list[ParsedRow], report: ImportReport, prefix: str, *, levels: tuple[str, ...], level_message: str
) -> None:
    """Each row's `division` code must name a division of one of `levels` under `prefix`."""
    wanted = sorted({r.values["division"] for r in rows if "division" not in r.failed})
    found: dict[str, str] = {}
    for chunk in chunks(wanted):
        found.update(Division.objects.filter(code__in=chunk).values_list("code", "level"))
    for row in rows:
        if "division" in row.failed:
            continue
        code = row.values["division"]
        level = found.get(code)
        if level is None:
            report.cell_error(
                row, "division", _("No division has the code {code}.").format(code=code), "unknown_division"
            )
        elif level not in levels:
            report.cell_error(row, "division", level_message, "division_level")
        elif not code.startswith(prefix):
            report.cell_error(
                row, "division", _("This division is outside your jurisdiction."), "outside_jurisdiction"
            )
