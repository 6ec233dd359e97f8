"""The situation report (续报): built from the incident, its response and its timeline, as DOCX
(python-docx, Chinese layout: 黑体 title, 宋体 body, A4) and as the context of the print page."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.incidents.models import Incident, TimelineEntry
from yingji.risk.printables import DOCX_TYPE, _font, _label_table, _new_document, _save, _title

__all__ = ["DOCX_TYPE", "MAX_ENTRIES", "context", "sitrep_docx"]

MAX_ENTRIES = 500  # the report lists the latest entries; the timeline page has them all


def _local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def context(incident: Incident) -> dict:
    response = getattr(incident, "response", None) if hasattr(incident, "response") else None
    total = TimelineEntry.objects.filter(incident=incident).count()
    entries = list(
        TimelineEntry.objects.filter(incident=incident)
        .select_related("actor")
        .order_by("-at", "-pk")[:MAX_ENTRIES]
    )
    entries.reverse()
    dispatches = list(response.dispatches.select_related("team").order_by("pk")) if response else []
    supplies = (
        list(response.supply_requests.select_related("stock__item", "stock__warehouse").order_by("pk"))
        if response
        else []
    )
    return {
        "incident": incident,
        "response": response,
        "generated_at": timezone.now(),
        "entries": entries,
        "total_entries": total,
        "omitted": max(0, total - len(entries)),
        "dispatches": dispatches,
        "supplies": supplies,
    }


def sitrep_docx(incident: Incident) -> bytes:
    ctx = context(incident)
    document = _new_document()
    _title(
        document,
        _("Situation report"),
        _("{title} · generated {at}").format(title=incident.title, at=_local(ctx["generated_at"])),
    )
    rows: list[tuple[str, list[str] | str]] = [
        (_("Incident"), f"{incident.get_kind_display()} · {incident.get_subtype_display()}"),
        (_("Occurred"), _local(incident.occurred_at)),
        (_("Place"), f"{incident.division.full_name} {incident.address}".strip()),
        (
            _("Casualties"),
            _("Deaths {deaths}, missing {missing}, seriously injured {serious}, trapped {trapped}").format(
                deaths=incident.deaths,
                missing=incident.missing,
                serious=incident.serious_injuries,
                trapped=incident.trapped,
            ),
        ),
        (_("Direct economic loss (yuan)"), str(incident.direct_loss_yuan)),
    ]
    if incident.grade:
        rows.append((_("Grade"), [str(incident.get_grade_display()), *incident.grade_decided_by]))
    response = ctx["response"]
    if response is not None:
        plan = (
            f"{response.plan.title} · {response.level.code}"
            if response.plan_id and response.level_id
            else "—"
        )
        rows.append((_("Response"), plan))
    rows.append((_("Status"), str(incident.get_status_display())))
    _label_table(document, rows)
    if ctx["dispatches"]:
        heading = document.add_paragraph()
        _font(heading.add_run(_("Teams dispatched")), "黑体", 14, bold=True)
        for d in ctx["dispatches"]:
            document.add_paragraph(f"{d.team.name} — {d.get_status_display()} ({_local(d.dispatched_at)})")
    if ctx["supplies"]:
        heading = document.add_paragraph()
        _font(heading.add_run(_("Supplies issued")), "黑体", 14, bold=True)
        for s in ctx["supplies"]:
            document.add_paragraph(
                f"{s.stock.item.name} × {s.quantity.normalize()} {s.stock.item.unit} — {s.stock.warehouse.name}"
            )
    heading = document.add_paragraph()
    _font(heading.add_run(_("Timeline")), "黑体", 14, bold=True)
    if ctx["omitted"]:
        document.add_paragraph(
            _("{count} earlier entries are on the timeline page.").format(count=ctx["omitted"])
        )
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    header = table.rows[0].cells
    for cell, text in zip(header, (_("Time"), _("Kind"), _("What happened")), strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(text)), "黑体", bold=True)
    for entry in ctx["entries"]:
        cells = table.add_row().cells
        cells[0].text = _local(entry.at)
        cells[1].text = str(entry.get_kind_display())
        cells[2].text = entry.text
    return _save(document)
