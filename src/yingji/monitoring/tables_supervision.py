"""Columns of the online-supervision lists and of the league table's spreadsheet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core import tabular
from yingji.core.tables import Column

ROLL_CALL_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("division.name", _("Division"), sortable=False),
    Column("started_at", _("Started at")),
    Column("deadline_at", _("Deadline")),
    Column("target_count", _("Enterprises called")),
    Column("status", _("Status")),
]
TARGET_COLUMNS = [
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("division.name", _("Division"), sortable=False),
    Column("status", _("Status")),
    Column("answered_at", _("Answered at")),
    Column("method", _("Answered by")),
]
VIDEO_COLUMNS = [
    Column("checked_at", _("Checked at"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("division.name", _("Division"), sortable=False),
    Column("result", _("Result")),
    Column("checked_by", _("Checked by"), sortable=False),
]
DUST_SCHEDULE_COLUMNS = [
    Column("area", _("Area"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("division.name", _("Division"), sortable=False),
    Column("windows_text", _("Time windows"), sortable=False),
    Column("active", _("Active")),
]
DUST_CHECKIN_COLUMNS = [
    Column("done_at", _("Cleaned at"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("schedule.area", _("Area"), sortable=False),
    Column("recorded_by", _("Recorded by"), sortable=False),
]
LEAGUE_COLUMNS = [
    ("rank", _("Rank")),
    ("town", _("Division code")),
    ("name", _("Town")),
    ("called", _("Enterprises called")),
    ("answered", _("Answered on time")),
    ("late", _("Answered late")),
    ("no_answer", _("No answer")),
    ("answer_rate", _("Answer rate (%)")),
    ("checks", _("Video spot-checks")),
    ("normal", _("Normal")),
    ("normal_rate", _("Normal rate (%)")),
    ("windows", _("Cleanings due")),
    ("done", _("Done on time")),
    ("missed", _("Missed")),
    ("checkin_rate", _("Check-in rate (%)")),
    ("score", _("Score")),
]


def league_xlsx(table: dict) -> bytes:
    """The league table as a workbook (headers in the active language: call inside the request)."""
    columns = [tabular.Column(key, str(label), importable=False) for key, label in LEAGUE_COLUMNS]
    rows = [[row.get(c.key) for c in columns] for row in table["rows"]]
    return tabular.to_xlsx(columns, rows, sheet_title=str(_("League table")))
