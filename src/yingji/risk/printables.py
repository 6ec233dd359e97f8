"""The printables: 风险告知卡 per risk point and 两单两卡 per post, as DOCX (python-docx; bureaus
and enterprises edit them in WPS or Word) and as the context of the print-ready HTML pages.

Both formats are built from the same `card_context` / `post_context` dictionaries.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from yingji.risk.models import MeasureType, Post, RiskPoint

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, TITLE_FONT = "宋体", "黑体"
# Fill colours of the four levels (GB 2893 safety colours) and the text colour that reads on each.
FILL = {"major": "FF0000", "significant": "FF8C00", "general": "FFD700", "low": "1E64C8"}
TEXT_ON = {"major": "FFFFFF", "significant": "FFFFFF", "general": "000000", "low": "FFFFFF"}


def emergency_phones() -> list[tuple[str, str]]:
    bureau = getattr(settings, "BUREAU_PHONE", "") or "12350"
    return [(_("Fire"), "119"), (_("Ambulance"), "120"), (_("Emergency management bureau"), bureau)]


def _measure_rows(measures) -> list[dict]:
    return [
        {
            "type": m.get_measure_type_display(),
            "control_level": m.get_control_level_display(),
            "description": m.description,
            "responsible": m.responsible_person,
            "phone": m.responsible_phone,
            "is_emergency": m.measure_type == MeasureType.EMERGENCY,
        }
        for m in sorted(measures, key=lambda m: (MeasureType.values.index(m.measure_type), m.pk))
    ]


def card_context(point: RiskPoint) -> dict:
    """Everything on a point's 风险告知卡."""
    measures = _measure_rows(point.measures.all())
    people: list[str] = []
    for m in measures:
        text = f"{m['responsible']} {m['phone']}".strip()
        if text and text not in people:
            people.append(text)
    return {
        "point": point,
        "enterprise": point.unit.enterprise,
        "level": point.level,
        "level_label": point.get_level_display(),
        "colour": point.colour,
        "fill": FILL[point.level],
        "text_on": TEXT_ON[point.level],
        "control_measures": [m for m in measures if not m["is_emergency"]],
        "emergency_measures": [m for m in measures if m["is_emergency"]],
        "responsible": people,
        "phones": emergency_phones(),
    }


def post_context(post: Post) -> dict:
    """Everything on a post's 两单两卡."""
    points = list(post.risk_points.select_related("unit").prefetch_related("measures"))
    return {
        "post": post,
        "enterprise": post.enterprise,
        "points": [
            {
                "point": p,
                "level_label": p.get_level_display(),
                "fill": FILL[p.level],
                "text_on": TEXT_ON[p.level],
                "measures": _measure_rows(p.measures.all()),
            }
            for p in points
        ],
        "duties": post.duty_lines,
        "operating": post.operating_lines,
        "emergency": post.emergency_lines,
        "phones": emergency_phones(),
    }


# --- DOCX -----------------------------------------------------------------------------------------


def _new_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.0)
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return document


def _font(run, name: str = BODY_FONT, size: float | None = None, bold: bool = False, colour: str = ""):
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _title(document, text: str, subtitle: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), TITLE_FONT, 20, bold=True)
    if subtitle:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(subtitle), BODY_FONT, 12)


def _shade(cell, fill: str) -> None:
    properties = cell._element.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _set_cell(
    cell, lines: list[str] | str, *, bold: bool = False, fill: str = "", colour: str = "", size=None
):
    lines = [lines] if isinstance(lines, str) else (lines or ["—"])
    cell.text = ""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _font(paragraph.add_run(line), TITLE_FONT if bold else BODY_FONT, size, bold=bold, colour=colour)
    if fill:
        _shade(cell, fill)


def _label_table(document, rows: list[tuple[str, list[str] | str]], *, label_cm: float = 3.6):
    label_width = Cm(label_cm)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        _set_cell(cells[0], label, bold=True, fill="F2F2F2")
        _set_cell(cells[1], value)
        cells[0].width, cells[1].width = label_width, Cm(17) - label_width
    return table


def _numbered(items: list[str]) -> list[str]:
    return [f"{n}. {text}" for n, text in enumerate(items, start=1)]


def _measure_lines(measures: list[dict]) -> list[str]:
    return _numbered([f"【{m['type']}·{m['control_level']}】{m['description']}" for m in measures])


def _save(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def risk_card_docx(point: RiskPoint) -> bytes:
    c = card_context(point)
    document = _new_document()
    _title(document, _("Risk notification card"), c["enterprise"].name)
    band = document.add_table(rows=1, cols=1)
    band.style = "Table Grid"
    _set_cell(
        band.rows[0].cells[0],
        "{name}　{level}".format(name=point.name, level=c["level_label"]),
        bold=True,
        fill=c["fill"],
        colour=c["text_on"],
        size=16,
    )
    band.rows[0].cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph()
    _label_table(
        document,
        [
            (_("Risk point"), point.name),
            (_("Risk unit"), point.unit.name),
            (
                _("Risk level"),
                "{label}（{colour}）".format(label=c["level_label"], colour=_colour_name(c["colour"])),
            ),
            (_("Hazard factors"), point.hazard_factors.splitlines() or "—"),
            (_("Possible consequences"), point.consequences.splitlines() or "—"),
            (_("Control measures"), _measure_lines(c["control_measures"])),
            (_("Emergency measures"), _measure_lines(c["emergency_measures"])),
            (_("Responsible person"), c["responsible"]),
            (_("Emergency phones"), [f"{label}：{number}" for label, number in c["phones"]]),
        ],
    )
    return _save(document)


def _colour_name(colour: str) -> str:
    return {"red": _("red"), "orange": _("orange"), "yellow": _("yellow"), "blue": _("blue")}[colour]


def post_cards_docx(post: Post) -> bytes:
    """The 两单两卡 of a post: risk list, duty list, operating card, emergency card (one page each)."""
    c = post_context(post)
    document = _new_document()
    heading = "{enterprise}　{post}".format(enterprise=c["enterprise"].name, post=post.name)

    _title(document, _("Post risk list"), heading)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    headers = [_("No."), _("Risk point"), _("Risk level"), _("Hazard factors"), _("Control measures")]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _set_cell(cell, text, bold=True, fill="F2F2F2")
    for number, row in enumerate(c["points"], start=1):
        cells = table.add_row().cells
        _set_cell(cells[0], str(number))
        _set_cell(cells[1], row["point"].name)
        _set_cell(cells[2], row["level_label"], fill=row["fill"], colour=row["text_on"])
        _set_cell(cells[3], row["point"].hazard_factors.splitlines() or "—")
        _set_cell(cells[4], _measure_lines(row["measures"]))
    for row in table.rows:
        for cell, width in zip(row.cells, (1.2, 3.3, 2.2, 4.3, 6.0), strict=True):
            cell.width = Cm(width)

    document.add_page_break()
    _title(document, _("Post duty list"), heading)
    _label_table(document, [(_("Post"), post.name), (_("Duties"), _numbered(c["duties"]))])

    document.add_page_break()
    _title(document, _("Post operating card"), heading)
    _label_table(
        document,
        [
            (_("Post"), post.name),
            (_("Risk points"), [f"{r['point'].name}（{r['level_label']}）" for r in c["points"]]),
            (_("Operating steps"), _numbered(c["operating"])),
        ],
    )

    document.add_page_break()
    _title(document, _("Post emergency card"), heading)
    _label_table(
        document,
        [
            (_("Post"), post.name),
            (_("Emergency steps"), _numbered(c["emergency"])),
            (_("Emergency phones"), [f"{label}：{number}" for label, number in c["phones"]]),
        ],
    )
    return _save(document)
