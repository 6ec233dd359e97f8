"""Enforcement documents (执法文书): the content snapshot taken when a document is issued, and its two
renderings — DOCX (python-docx; edited in WPS or Word) and the print-ready HTML page
(templates/inspections/document_print.html) — both from the same snapshot, so a reprint years later
shows what was issued.

Layout of the 2016 式样: the bureau's name and the title centred (小标宋/黑体), the number line right
under them, the parties, the body, the legal basis, the signature and seal lines, the date in Chinese
(二〇二六年十一月二十六日). The printed text is the legal form's own Chinese wording, whatever the UI
language.
"""

from __future__ import annotations

import datetime
from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from yingji.inspections import rules_enforcement as rules

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT, BODY_FONT, NUMBER_FONT = "黑体", "仿宋", "宋体"
RESULT_WORDS = {"rectified": "已整改", "not_rectified": "未整改"}
DISCRETION_WORDS = {"lenient": "从轻", "general": "一般", "severe": "从重"}


def bureau_name(division) -> str:
    """安澜县应急管理局: the bureau of the record's county."""
    code = rules.county_code(division.code)
    node = division
    while node is not None and node.code != code:
        node = node.parent
    return f"{(node or division).name}应急管理局"


def _party(enterprise) -> list[list[str]]:
    return [
        ["被检查单位", enterprise.name],
        ["地址", enterprise.address or "—"],
        ["统一社会信用代码", enterprise.uscc],
        ["法定代表人(主要负责人)", enterprise.legal_representative or enterprise.main_person or "—"],
        ["联系电话", enterprise.main_person_phone or "—"],
    ]


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _finding_lines(findings) -> list[str]:
    return [f"{n}. {f.description}" for n, f in enumerate(findings, start=1)]


def _bases(findings) -> list[str]:
    return list(dict.fromkeys(f.legal_basis for f in findings if f.legal_basis))


def _inspectors(inspection) -> str:
    names = [u.full_name or u.username for u in inspection.inspectors.all()]
    return "、".join(names) or "—"


def inspection_record(inspection, *, issued_at) -> dict:
    findings = list(inspection.findings.order_by("id"))
    return {
        "party": _party(inspection.enterprise),
        "body": [
            f"检查时间：{timezone.localtime(inspection.started_at):%Y年%m月%d日 %H时%M分}",
            f"检查人员：{_inspectors(inspection)}",
            "检查情况：" + (inspection.summary or "按检查表逐项检查。"),
            "发现的问题：" if findings else "未发现问题。",
        ],
        "items": _finding_lines(findings),
        "legal_basis": _bases(findings),
        "signatures": ["检查人员(签名)：", "被检查单位现场负责人(签名)："],
        "seal": False,
        "date": rules.chinese_date(_day(issued_at)),
    }


def rectification_order(order, *, issued_at) -> dict:
    findings = list(order.inspection.findings.order_by("id"))
    started = timezone.localtime(order.inspection.started_at)
    return {
        "party": _party(order.enterprise),
        "body": [
            f"{order.enterprise.name}：",
            f"经查，你单位存在下列问题(检查日期：{started:%Y年%m月%d日})：",
        ],
        "items": _finding_lines(findings),
        "after_items": [
            "依据上述规定，现责令你单位对上述问题于"
            f"{rules.chinese_date(order.deadline)}前整改完毕，达到有关法律法规规章和标准规定的要求。"
            "由于存在的问题不能及时整改完毕，危及生产安全的，在整改期间应采取措施，确保安全。",
            *([order.requirements] if order.requirements else []),
            "如果不服本指令，可以依法在60日内申请行政复议，或者在6个月内依法提起行政诉讼，"
            "但本指令不停止执行，法律另有规定的除外。",
        ],
        "legal_basis": _bases(findings),
        "signatures": ["执法人员(签名)：", "被检查单位负责人(签收)："],
        "seal": True,
        "date": rules.chinese_date(_day(issued_at)),
    }


def reinspection_opinion(reinspection, *, issued_at) -> dict:
    order = reinspection.order
    results = list(reinspection.results.select_related("finding").order_by("finding_id"))
    items = [
        f"{n}. {r.finding.description} —— {RESULT_WORDS.get(r.result, r.result)}"
        + (f"({r.note})" if r.note else "")
        for n, r in enumerate(results, start=1)
    ]
    unrectified = sum(1 for r in results if r.result == "not_rectified")
    conclusion = (
        "经复查，上述问题已整改完毕。"
        if not unrectified
        else f"经复查，尚有{unrectified}项问题未按期整改，将依法予以处理。"
    )
    order_numbers = [d.number for d in order.documents.filter(kind=rules.RECTIFICATION_ORDER)]
    return {
        "party": _party(order.enterprise),
        "body": [
            f"{order.enterprise.name}：",
            "本机关于{date}对你单位{ref}责令限期整改的问题进行了复查，复查意见如下：".format(
                date=timezone.localtime(reinspection.performed_at).strftime("%Y年%m月%d日"),
                ref=f"({order_numbers[0]})" if order_numbers else "",
            ),
        ],
        "items": items,
        "after_items": [conclusion, *([reinspection.note] if reinspection.note else [])],
        "legal_basis": [],
        "signatures": ["复查人员(签名)：", "被复查单位负责人(签收)："],
        "seal": True,
        "date": rules.chinese_date(_day(issued_at)),
    }


def penalty_decision(penalty, *, issued_at) -> dict:
    findings = list(penalty.findings.order_by("id"))
    amount = f"{penalty.amount:,.2f}" if penalty.amount is not None else "—"
    return {
        "party": _party(penalty.enterprise),
        "body": [
            f"{penalty.enterprise.name}：",
            "违法事实及证据：" + (penalty.facts or "经复查，你单位下列问题逾期未整改："),
        ],
        "items": _finding_lines(findings),
        "after_items": [
            f"以上事实违反了{penalty.legal_basis}的规定。",
            f"依据{penalty.legal_basis}的规定，按照{DISCRETION_WORDS.get(penalty.discretion, '')}"
            f"的裁量基准，决定给予罚款人民币{amount}元的行政处罚。",
            "罚款自收到本决定书之日起15日内缴至指定银行。到期不缴纳罚款的，每日按罚款数额的3%加处罚款。",
            "如果不服本处罚决定，可以依法在60日内申请行政复议，或者在6个月内依法提起行政诉讼，"
            "但本决定不停止执行，法律另有规定的除外。",
        ],
        "legal_basis": [penalty.legal_basis],
        "signatures": [],
        "seal": True,
        "date": rules.chinese_date(_day(issued_at)),
    }


def coercive_measure(suspension, *, issued_at) -> dict:
    return {
        "party": _party(suspension.enterprise),
        "body": [
            f"{suspension.enterprise.name}：",
            f"经查，你单位{suspension.reason}",
            f"依据{suspension.legal_basis}的规定，本机关决定对你单位采取责令停产停业整顿的强制措施，"
            f"自{rules.chinese_date(_day(suspension.started_at))}起执行，整顿完毕经复查合格后方可恢复生产经营。",
            "如果不服本决定，可以依法在60日内申请行政复议，或者在6个月内依法提起行政诉讼。",
        ],
        "items": [],
        "legal_basis": [suspension.legal_basis],
        "signatures": ["执法人员(签名)：", "当事人(签收)："],
        "seal": True,
        "date": rules.chinese_date(_day(suspension.started_at)),
    }


BUILDERS = {
    rules.INSPECTION_RECORD: inspection_record,
    rules.RECTIFICATION_ORDER: rectification_order,
    rules.REINSPECTION_OPINION: reinspection_opinion,
    rules.PENALTY_DECISION: penalty_decision,
    rules.COERCIVE_MEASURE: coercive_measure,
}


def snapshot(kind: str, record, *, number: str, bureau: str, issued_at) -> dict:
    content = BUILDERS[kind](record, issued_at=issued_at)
    return {"title": rules.DOCUMENT_TITLES[kind], "number": number, "bureau": bureau, **content}


# -- DOCX ------------------------------------------------------------------------------------------


def _font(run, name: str, size: float, bold: bool = False):
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = Pt(size)
    run.font.bold = bold
    return run


def _paragraph(
    document, text: str, *, align=None, font: str = BODY_FONT, size: float = 16, bold=False, indent=True
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent and align is None:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def docx_bytes(content: dict) -> bytes:
    """The document as DOCX: A4, 公文 margins, 仿宋 三号 body, 黑体 二号 title."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, content["bureau"], align=centre, font=TITLE_FONT, size=22, bold=True)
    _paragraph(document, content["title"], align=centre, font=TITLE_FONT, size=22, bold=True)
    _paragraph(document, content["number"], align=right, font=NUMBER_FONT, size=14)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.get("party", []):
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(4.5), Cm(11.1)
        cells[0].text, cells[1].text = "", ""
        _font(cells[0].paragraphs[0].add_run(label), BODY_FONT, 12, True)
        _font(cells[1].paragraphs[0].add_run(value), BODY_FONT, 12)
    for line in content.get("body", []):
        _paragraph(document, line)
    for line in content.get("items", []):
        _paragraph(document, line)
    bases = content.get("legal_basis") or []
    if bases:
        _paragraph(document, "法律依据：" + "；".join(bases))
    for line in content.get("after_items", []):
        _paragraph(document, line)
    for line in content.get("signatures", []):
        _paragraph(document, line + "　" * 8 + "年　月　日", indent=False)
    if content.get("seal"):
        _paragraph(document, f"{content['bureau']}(印章)", align=right, size=16)
    _paragraph(document, content["date"], align=right, size=16)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
