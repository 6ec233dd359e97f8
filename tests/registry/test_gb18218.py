"""GB 18218-2018 identification and grading: the rules and `yingji assess gb18218`."""

import json
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yingji.registry.rules_gb18218 import GB18218Error, alpha_for, assess, grade_for


def unit(*chemicals, population=60, kind="storage"):
    return {
        "units": [
            {"name": "罐区", "kind": kind, "exposed_population": population, "chemicals": list(chemicals)}
        ]
    }


def only(result):
    return result["units"][0]


def test_the_issue_example_adds_up_line_by_line():
    result = only(
        assess(
            unit(
                {"name": "二氧化硫", "quantity_t": 200},
                {"cas": "7664-41-7", "quantity_t": 10},
                {"name": "某未列名物质", "categories": ["J1", "W2"], "quantity_t": 6},
            )
        )
    )
    assert [line["matched_row"].split()[0:2] for line in result["lines"]] == [
        ["表1", "第4项"],
        ["表1", "第1项"],
        ["表2", "J1"],
    ]
    assert [line["q_over_Q"] for line in result["lines"]] == [10, 1, 1.2]
    assert [line["beta"] for line in result["lines"]] == [2, 2, 4]
    assert result["sum_q_over_Q"] == 12.2 and result["is_major"] is True
    assert result["alpha"] == 1.5 and result["R"] == 40.2 and result["grade"] == 3


def test_alias_finds_the_table_1_row():
    line = only(assess(unit({"name": "液氨", "quantity_t": 5})))["lines"][0]
    assert line["matched_row"] == "表1 第1项 氨" and line["Q"] == 10


@pytest.mark.parametrize(
    "name, seq, critical",
    [("汽油", 66, 200), ("液化石油气", 52, 50), ("丙烷", 52, 50), ("天然气", 49, 50), ("煤气", 13, 20)],
)
def test_names_in_practice_find_rows_whose_standard_name_is_qualified(name, seq, critical):
    line = only(assess(unit({"name": name, "quantity_t": 1, "categories": ["W2"]})))["lines"][0]
    assert line["matched_row"].startswith(f"表1 第{seq}项") and line["Q"] == critical


def test_s_exactly_one_is_major():
    result = only(assess(unit({"name": "氨", "quantity_t": 7}, {"name": "氯", "quantity_t": "1.5"})))
    assert result["sum_q_over_Q"] == 1 and result["is_major"] is True


def test_s_below_one_is_not_major_and_has_no_grade():
    result = only(assess(unit({"name": "氨", "quantity_t": "9.999"})))
    assert result["is_major"] is False and result["grade"] is None


def test_r_exactly_100_is_grade_one():
    # α = 2 (100 people), 氯: β = 4, Q = 5 → R = 2 × 4 × 62.5 / 5 = 100
    result = only(assess(unit({"name": "氯", "quantity_t": "62.5"}, population=100)))
    assert result["R"] == 100 and result["grade"] == 1


@pytest.mark.parametrize(
    ("r", "grade"),
    [
        (Fraction(100), 1),
        (Fraction(9999, 100), 2),
        (Fraction(50), 2),
        (Fraction(10), 3),
        (Fraction(999, 100), 4),
    ],
)
def test_table_6_thresholds_include_the_lower_bound(r, grade):
    assert grade_for(r)[0] == grade


@pytest.mark.parametrize(
    ("population", "alpha"),
    [(0, Fraction(1, 2)), (1, 1), (29, 1), (30, Fraction(6, 5)), (99, Fraction(3, 2)), (100, 2)],
)
def test_alpha_by_population(population, alpha):
    assert alpha_for(population)[0] == alpha


def test_table_1_chemical_outside_table_3_needs_categories_for_beta():
    with pytest.raises(GB18218Error) as error:
        assess(unit({"name": "氢", "quantity_t": 10}))
    assert "氢" in str(error.value)
    line = only(assess(unit({"name": "氢", "quantity_t": 10, "categories": ["W2"]})))["lines"][0]
    assert line["Q"] == 5 and line["beta"] == 1.5 and line["beta_from"] == "表4 W2"


def test_a_shared_cas_must_be_narrowed_by_row():
    with pytest.raises(GB18218Error) as error:
        assess(unit({"cas": "6484-52-2", "quantity_t": 10, "categories": ["W9.1"]}))
    assert "43" in str(error.value) and "44" in str(error.value)
    line = only(
        assess(unit({"cas": "6484-52-2", "table1_seq": 44, "quantity_t": 10, "categories": ["W9.1"]}))
    )["lines"][0]
    assert line["Q"] == 50


def test_carbon_monoxide_counts_as_town_gas_and_says_so():
    line = only(assess(unit({"name": "一氧化碳", "quantity_t": 20})))["lines"][0]
    assert line["Q"] == 20 and line["beta"] == 2 and line["notes"]


def test_every_problem_is_named_at_once():
    with pytest.raises(GB18218Error) as error:
        assess(
            unit(
                {"name": "不存在的物质", "quantity_t": 1},
                {"name": "氨", "quantity_t": -1},
                {"name": "x", "categories": ["Z9"], "quantity_t": 1},
            )
        )
    assert len(error.value.problems) == 3
    assert "不存在的物质" in error.value.problems[0] and "Z9" in error.value.problems[2]


def test_command_prints_json(tmp_path, capsys):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(unit({"name": "液氯", "quantity_t": 5})), encoding="utf-8")
    call_command("assess", "gb18218", str(path))
    result = json.loads(capsys.readouterr().out)
    assert only(result)["is_major"] is True and only(result)["lines"][0]["beta"] == 4


def test_command_exits_1_naming_the_unknown_chemical(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(unit({"name": "某未列名物质", "quantity_t": 6})), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("assess", "gb18218", str(path))
    assert error.value.returncode == 1 and "某未列名物质" in str(error.value)


def test_command_refuses_bad_json(tmp_path):
    path = tmp_path / "in.json"
    path.write_text("{units:", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("assess", "gb18218", str(path))
    assert error.value.returncode == 1
