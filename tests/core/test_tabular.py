"""Reading and writing spreadsheets: sheets, headers, encodings, row numbers, writers, the template."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from yingji.core import tabular
from yingji.core.tabular import Column, ImportReport, TableError

COLUMNS = [
    Column("name", "企业名称", ("单位名称", "名称"), required=True, parse=tabular.text(10)),
    Column("lng", "经度", ("lng", "longitude"), parse=tabular.decimal_number),
    Column("count", "从业人数", ("职工人数",), parse=tabular.integer(0)),
    Column("flag", "重大危险源", parse=tabular.boolean, default=False),
    Column(
        "status", "状态", parse=tabular.choice({"在营": "operating", "关闭": "closed"}), default="operating"
    ),
]


def xlsx(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(content: bytes, filename: str, sheet_name: str | None = None):
    report = ImportReport(filename=filename)
    table = tabular.read_table(content, filename, sheet_name=sheet_name)
    return tabular.parse_rows(table, COLUMNS, report), report


# --- headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["经度", "经 度", "经度（lng）", "经度(°)", "LNG", "Longitude", "ｌｎｇ", "*经度", "lng（经度）"],
)
def test_header_variants_match_the_column(header):
    match = tabular.match_headers(COLUMNS, ["企业名称", header])
    assert match.positions == {"name": 0, "lng": 1}
    assert match.headers["lng"] == header


def test_synonyms_match_and_unknown_headers_are_listed_as_ignored():
    match = tabular.match_headers(COLUMNS, ["单位名称", "职工人数", "备注", ""])
    assert match.positions == {"name": 0, "count": 1}
    assert match.ignored == ["备注"]
    assert match.missing == []


def test_a_column_given_twice_is_a_duplicate():
    match = tabular.match_headers(COLUMNS, ["企业名称", "单位名称"])
    assert [(c.key, headers) for c, headers in match.duplicates] == [("name", ["企业名称", "单位名称"])]


def test_missing_required_column_is_reported_on_the_header_row():
    rows, report = parse(xlsx(("Sheet", [["标题行"], ["经度", "状态"], [120.5, "在营"]])), "a.xlsx")
    assert rows == []
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "企业名称", "missing_column")]


def test_header_row_below_a_title_row_is_found():
    rows, report = parse(
        xlsx(("Sheet", [["企业信息导入"], [], ["企业名称", "经度"], ["甲", 120.5]])), "a.xlsx"
    )
    assert report.ok and report.header_row == 3
    assert [(r.row, r.values["name"], r.values["lng"]) for r in rows] == [(4, "甲", 120.5)]


def test_no_header_row_at_all_is_one_error():
    rows, report = parse(xlsx(("Sheet", [["a", "b"], ["c", "d"]])), "a.xlsx")
    assert rows == [] and [e.code for e in report.errors] == ["no_header"]


# --- rows and cells --------------------------------------------------------------------------------


def test_row_numbers_are_the_spreadsheets_and_empty_rows_are_skipped():
    content = xlsx(("Sheet", [["企业名称", "从业人数"], ["甲", 3], [None, None], ["  ", ""], ["乙", 4.0]]))
    rows, report = parse(content, "a.xlsx")
    assert report.ok
    assert [(r.row, r.values["name"], r.values["count"]) for r in rows] == [(2, "甲", 3), (5, "乙", 4)]
    assert report.rows == 2


def test_cells_are_stripped_and_whole_floats_lose_their_fraction():
    assert tabular.clean_cell("  甲\u3000") == "甲"
    assert tabular.clean_cell(329901001001.0) == "329901001001"
    assert tabular.clean_cell(120.5) == "120.5"
    assert tabular.clean_cell(True) == "true"
    assert tabular.clean_cell(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert tabular.clean_cell("'=SUM(A1)") == "=SUM(A1)"


def test_empty_required_cell_and_bad_values_are_reported_per_cell():
    content = xlsx(
        (
            "Sheet",
            [
                ["企业名称", "经度", "从业人数", "重大危险源", "状态"],
                ["", "abc", "1.5", "也许", "营业中"],
                ["很长很长很长很长很长很长", 120, -1, "√", "关闭"],
            ],
        )
    )
    rows, report = parse(content, "a.xlsx")
    problems = {(e.row, e.column, e.code) for e in report.errors}
    assert problems == {
        (2, "企业名称", "required"),
        (2, "经度", "not_number"),
        (2, "从业人数", "not_integer"),
        (2, "重大危险源", "not_boolean"),
        (2, "状态", "not_allowed"),
        (3, "企业名称", "too_long"),
        (3, "从业人数", "too_small"),
    }
    assert rows[1].values["flag"] is True and rows[1].values["status"] == "closed"
    assert {e.value for e in report.errors if e.row == 2} >= {"abc", "1.5", "也许", "营业中"}


@pytest.mark.parametrize("word", ["是", "Y", "yes", "1", "TRUE", "√", "有"])
def test_yes_words(word):
    assert tabular.boolean(word) is True


@pytest.mark.parametrize("word", ["否", "n", "NO", "0", "false", "×", "无"])
def test_no_words(word):
    assert tabular.boolean(word) is False


def test_numbers_excel_shortened_are_recognised():
    assert tabular.looks_shortened("3.29901E+11")
    assert not tabular.looks_shortened("329901001001")


# --- sheets and file types -------------------------------------------------------------------------


def test_extra_sheets_the_first_one_is_read_and_the_others_named():
    content = xlsx(("数据", [["企业名称"], ["甲"]]), ("备注", [["企业名称"], ["乙"]]))
    rows, report = parse(content, "a.xlsx")
    assert [r.values["name"] for r in rows] == ["甲"]
    assert report.sheet == "数据" and report.ignored_sheets == ["备注"]
    assert any("备注" in note for note in report.notes())


def test_extra_sheets_the_sheet_named_like_the_template_wins():
    content = xlsx(
        ("说明", [["企业名称"], ["说明行"]]),
        ("其他", [["企业名称"], ["乙"]]),
        ("企业信息", [["企业名称"], ["甲"]]),
    )
    rows, report = parse(content, "a.xlsx", sheet_name="企业信息")
    assert [r.values["name"] for r in rows] == ["甲"]
    assert report.sheet == "企业信息"


def test_the_instructions_sheet_is_never_taken_as_the_first_sheet():
    content = xlsx(("说明", [["企业名称"], ["说明行"]]), ("Sheet1", [["企业名称"], ["甲"]]))
    rows, report = parse(content, "a.xlsx")
    assert [r.values["name"] for r in rows] == ["甲"] and report.sheet == "Sheet1"


def test_old_xls_files_are_refused_with_advice():
    with pytest.raises(TableError) as caught:
        tabular.read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls")
    assert caught.value.code == "xls"


def test_a_broken_xlsx_is_refused():
    with pytest.raises(TableError) as caught:
        tabular.read_table(b"PK\x03\x04 not really a zip", "broken.xlsx")
    assert caught.value.code == "bad_xlsx"


def test_other_file_types_are_refused():
    with pytest.raises(TableError) as caught:
        tabular.read_table(b"{}", "data.json")
    assert caught.value.code == "file_type"


def test_an_empty_file_is_refused():
    with pytest.raises(TableError) as caught:
        tabular.read_table("\ufeff\n\n".encode(), "empty.csv")
    assert caught.value.code == "empty"


def test_too_many_rows_are_refused():
    content = ("企业名称\n" + "甲\n" * 30).encode()
    with pytest.raises(TableError) as caught:
        tabular.read_table(content, "a.csv", max_rows=5)
    assert caught.value.code == "too_many_rows"


def test_the_fast_reader_and_openpyxl_agree():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业信息"
    sheet.append(["企业名称", "数字", "日期", "布尔", "公式"])
    sheet.append(["甲 & <乙>", 329901001001, datetime.date(2026, 3, 1), True, "=1+1"])
    sheet["A4"] = "跳过一行"
    sheet["D4"] = 1.25
    workbook.create_sheet("其他").append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    fast = tabular._read_xlsx_fast(content, None, 100, None)
    slow = tabular._read_xlsx_openpyxl(content, None, 100, None)
    assert fast.rows == slow.rows
    assert fast.rows[1] == (2, ["甲 & <乙>", "329901001001", "2026-03-01", "true"])
    assert fast.rows[2] == (4, ["跳过一行", "", "", "1.25"])
    assert (fast.sheet, fast.ignored_sheets) == ("企业信息", ["其他"])


# --- CSV encodings ---------------------------------------------------------------------------------


CSV_TEXT = "企业名称,经度,状态\r\n安澜化工,120.5,在营\r\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (CSV_TEXT.encode("utf-8"), "UTF-8"),
        ("\ufeff".encode() + CSV_TEXT.encode("utf-8"), "UTF-8"),
        (CSV_TEXT.encode("gbk"), "GBK"),
        (CSV_TEXT.encode("utf-16"), "UTF-16"),
    ],
)
def test_csv_in_utf8_gbk_and_utf16_is_read_correctly(encoded, encoding):
    rows, report = parse(encoded, "a.csv")
    assert report.ok and report.encoding == encoding
    assert [(r.row, r.values["name"], r.values["lng"], r.values["status"]) for r in rows] == [
        (2, "安澜化工", 120.5, "operating")
    ]


def test_tab_separated_text_is_read_too():
    rows, report = parse("企业名称\t经度\n甲\t121\n".encode(), "a.txt")
    assert report.ok and rows[0].values == {
        "name": "甲",
        "lng": 121.0,
        "count": None,
        "flag": False,
        "status": "operating",
    }


def test_undecodable_csv_asks_to_save_as_utf8_or_gbk():
    with pytest.raises(TableError) as caught:
        tabular.read_table(b"\xff\xff\xff\x81\x30\xff,\xfe\xfe\n", "a.csv")
    assert caught.value.code == "encoding"
    assert "UTF-8" in caught.value.message and "GBK" in caught.value.message


# --- writers ---------------------------------------------------------------------------------------


def test_xlsx_writer_bold_frozen_header_widths_and_text_never_a_formula():
    columns = [Column("a", "企业名称", width=30), Column("b", "从业人数"), Column("c", "备注")]
    content = tabular.to_xlsx(
        columns, [["=HYPERLINK(1)", 12, "甲 & 乙"], ["乙", 1.5, None]], sheet_title="企业信息"
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["企业信息"]
    assert [c.value for c in sheet[1]] == ["企业名称", "从业人数", "备注"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12 and sheet["C2"].value == "甲 & 乙" and sheet["B3"].value == 1.5


def test_csv_writer_has_a_bom_and_guards_formulas():
    content = tabular.to_csv([Column("a", "企业名称"), Column("b", "备注")], [["=1+1", "甲"]])
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.splitlines() == ["企业名称,备注", "'=1+1,甲"]
    table = tabular.read_table(content, "a.csv")
    assert table.rows[1] == (2, ["=1+1", "甲"])


def test_template_has_headers_and_an_instructions_sheet():
    columns = [*COLUMNS, Column("industry", "行业", choices=tuple(f"C{n}" for n in range(13, 43)))]
    workbook = load_workbook(io.BytesIO(tabular.template_xlsx(columns, sheet_title="企业信息")))
    assert workbook.sheetnames == ["企业信息", "说明", "行业"]
    assert [c.value for c in workbook["企业信息"][1]] == [c.header for c in columns]
    notes = workbook["说明"]
    assert notes.max_row >= len(columns) + 1
    assert [notes.cell(row=n, column=1).value for n in range(2, len(columns) + 2)] == [
        c.header for c in columns
    ]
    assert workbook["行业"].max_row == 31


def test_report_as_dict_and_text():
    report = ImportReport(filename="a.csv", dry_run=True)
    report.add(3, "经度", "abc", "not a number", "not_number")
    data = report.as_dict()
    assert data["ok"] is False and data["error_count"] == 1
    assert data["errors"] == [
        {"row": 3, "column": "经度", "value": "abc", "message": "not a number", "code": "not_number"}
    ]
    text = report.as_text()
    assert "经度" in text and "abc" in text and "not a number" in text


def test_the_report_counts_problems_beyond_the_listed_ones(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_LISTED_ERRORS", 3)
    report = ImportReport()
    for n in range(5):
        report.add(n, "a", "", "bad")
    assert len(report.errors) == 3 and report.error_count == 5 and not report.ok
