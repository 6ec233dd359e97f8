"""The one-page card of a digital plan (一图一表): the response flow (boxes and arrows) and the
responsibility table (level → role → task → time limit), as print HTML (one A4 page) and DOCX.
Both are built from `card_context`."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from yingji.plans import services
from yingji.plans.models import EmergencyPlan

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, TITLE_FONT = "宋体", "黑体"


def card_context(plan: EmergencyPlan) -> dict:
    levels = list(plan.levels.prefetch_related("tasks"))
    rows = []
    for level in levels:
        tasks = list(level.tasks.all())
        for i, task in enumerate(tasks):
            rows.append(
                {
                    "level": f"{level.code} {level.name}",
                    "span": len(tasks) if i == 0 else 0,
                    "role": task.role,
                    "task": task.task,
                    "minutes": task.deadline_minutes,
                }
            )
    contacts = list(plan.contacts.select_related("level"))
    return {
        "plan": plan,
        "steps": services.flow_steps(plan),
        "levels": levels,
        "rows": rows,
        "contacts": contacts,
    }


def _font(run, name: str = BODY_FONT, size: float = 10.5, bold: bool = False) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = Pt(size)
    run.font.bold = bold


def _cell(cell, text: str, bold: bool = False, size: float = 9) -> None:
    cell.text = ""
    _font(cell.paragraphs[0].add_run(str(text)), TITLE_FONT if bold else BODY_FONT, size, bold)


def card_docx(plan: EmergencyPlan) -> bytes:
    context = card_context(plan)
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(plan.title), TITLE_FONT, 16, bold=True)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(
        sub.add_run(
            _("Response flow and responsibilities") + f" · {plan.owner} · {_('Version')} {plan.version}"
        ),
        size=10,
    )

    flow = document.add_paragraph()
    flow.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(flow.add_run("  →  ".join(f"【{s}】" for s in context["steps"])), TITLE_FONT, 11, bold=True)

    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(
        table.rows[0].cells,
        (_("Response level"), _("Role"), _("Task"), _("Time limit (minutes)")),
        strict=True,
    ):
        _cell(cell, label, bold=True)
    for row in context["rows"]:
        cells = table.add_row().cells
        _cell(cells[0], row["level"])
        _cell(cells[1], row["role"])
        _cell(cells[2], row["task"])
        _cell(cells[3], row["minutes"] if row["minutes"] is not None else "—")
    if context["contacts"]:
        heading = document.add_paragraph()
        _font(heading.add_run(_("Contacts")), TITLE_FONT, 11, bold=True)
        contacts = document.add_table(rows=1, cols=3)
        contacts.style = "Table Grid"
        for cell, label in zip(contacts.rows[0].cells, (_("Role"), _("Name"), _("Phone")), strict=True):
            _cell(cell, label, bold=True)
        for contact in context["contacts"]:
            cells = contacts.add_row().cells
            _cell(cells[0], contact.role + (f"（{contact.level.code}）" if contact.level_id else ""))
            _cell(cells[1], contact.name)
            _cell(cells[2], contact.phone)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
