"""The closing record of a warning's calls (叫应闭环): xlsx (every call and every step) and DOCX."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.shared import Pt

from yingji.alerts import services_calls
from yingji.alerts.models import Call, CallAttempt, Warning
from yingji.core.identifiers import mask_phone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def call_header() -> list[str]:
    return [
        _("Division"), _("Division code"), _("Tier"), _("Called"), _("Name"), _("Phone"), _("Called at"),
        _("Deadline"), _("Status"), _("Acknowledged at"), _("Acknowledged by"), _("Late"),
        _("On site"), _("Deployed"), _("People moved"), _("Support needed"),
    ]  # fmt: skip


def call_rows(warning: Warning):
    calls = (
        Call.objects.filter(warning=warning)
        .select_related("division")
        .order_by("division_id", "tier", "parent_id", "pk")
        .iterator(chunk_size=2000)
    )
    for call in calls:
        yield [
            call.division.name, call.division_id, call.get_tier_display(), call.get_kind_display(), call.name,
            mask_phone(call.phone), _time(call.called_at), _time(call.deadline_at), call.get_status_display(),
            _time(call.acknowledged_at), call.get_ack_method_display(), _yes(call.is_late), _yes(call.on_site),
            _yes(call.deployed), "" if call.evacuated is None else call.evacuated, call.support_needed,
        ]  # fmt: skip


def closing_xlsx(warning: Warning) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Calls"))
    sheet.append([warning.headline])
    sheet.append(call_header())
    for row in call_rows(warning):
        sheet.append(row)
    steps = book.create_sheet(_("Steps"))
    steps.append([_("Name"), _("Division code"), _("Step"), _("Action"), _("At"), _("Channels"), _("Note")])
    attempts = (
        CallAttempt.objects.filter(call__warning=warning)
        .values_list("call__name", "call__division_id", "step", "action", "at", "channels", "note")
        .order_by("call_id", "step")
        .iterator(chunk_size=2000)
    )
    for name, code, step, action, at, channels, note in attempts:
        steps.append([name, code, step, action, _time(at), ",".join(channels or []), note])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def closing_docx(warning: Warning) -> bytes:
    """A summary a bureau files: the warning, the counts per tier and division, the open cases."""
    data = services_calls.board(warning)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    document.add_heading(_("Call and acknowledge closing record"), level=1)
    document.add_paragraph(warning.headline)
    document.add_paragraph(
        _("Issued at {issued}; record made at {now}.").format(
            issued=_time(warning.issued_at), now=_time(data["now"])
        )
    )
    total = data["total"]
    document.add_paragraph(
        _("Called {called}, acknowledged {acknowledged}, late {late}, unreachable {unreachable}.").format(
            **{k: total[k] for k in ("called", "acknowledged", "late", "unreachable")}
        )
    )
    for title, rows, label in (
        (
            _("By tier"),
            data["by_tier"],
            lambda r: str(dict(Call._meta.get_field("tier").choices).get(r["tier"], r["tier"])),
        ),
        (_("By division"), data["by_division"], lambda r: f"{r['division__name']} ({r['division_id']})"),
    ):
        document.add_heading(title, level=2)
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            ["", _("Called"), pgettext("warning call", "Acknowledged"), _("Late"), _("Unreachable")],
            strict=True,
        ):
            cell.text = str(text)
        for row in rows:
            cells = table.add_row().cells
            values = [label(row), row["called"], row["acknowledged"], row["late"], row["unreachable"]]
            for cell, value in zip(cells, values, strict=True):
                cell.text = str(value)
    open_calls = Call.objects.filter(
        warning=warning, parent__isnull=True, status__in=("calling", "unreachable")
    )
    document.add_heading(_("Not acknowledged"), level=2)
    for call in open_calls.select_related("division").order_by("division_id")[:500]:
        document.add_paragraph(
            f"{call.division.name} · {call.get_tier_display()} · {call.name} · {mask_phone(call.phone)}",
            style="List Bullet",
        )
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
