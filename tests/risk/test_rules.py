"""LEC and LS grading: the tables, every band edge, exact arithmetic, bad values, level mappings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yingji.risk import rules
from yingji.risk.rules import Method, assess_lec, assess_ls, bands_from_json


def test_tables_hold_the_standard_values():
    factors = rules.lec_factors()
    assert [str(v.value) for v in factors["L"]] == ["10", "6", "3", "1", "0.5", "0.2", "0.1"]
    assert [str(v.value) for v in factors["E"]] == ["10", "6", "3", "2", "1", "0.5"]
    assert [str(v.value) for v in factors["C"]] == ["100", "40", "15", "7", "3", "1"]
    assert factors["C"][2].description == "非常严重，一人死亡"
    assert [band.danger for band in rules.lec_bands()] == [
        "极其危险",
        "高度危险",
        "显著危险",
        "一般危险",
        "稍有危险",
    ]


def test_d_is_exact_and_fractional():
    result = assess_lec("0.1", "0.5", "1")
    assert result.d == Decimal("0.05")
    assert rules.plain_number(result.d) == 0.05
    assert assess_lec(0.2, 3, 7).d == Decimal(
        "4.2"
    )  # a float input is read by its text, not its binary value
    assert assess_lec("0.5", "1", "1").as_json()["D"] == 0.5


@pytest.mark.parametrize(
    ("d", "band"),
    [
        ("10000", 1),
        ("320.01", 1),
        ("320", 2),
        ("160.01", 2),
        ("160", 3),
        ("70.01", 3),
        ("70", 4),
        ("20.01", 4),
        ("20", 5),
        ("0.05", 5),
    ],
)
def test_every_lec_band_edge_belongs_below(d, band):
    assert rules.lec_band(Decimal(d)).number == band


@pytest.mark.parametrize(
    ("l", "e", "c", "d", "danger", "level", "colour"),
    [
        ("10", "10", "100", 10000, "极其危险", "major", "red"),
        ("6", "6", "15", 540, "极其危险", "major", "red"),
        ("10", "6", "3", 180, "高度危险", "significant", "orange"),
        ("3", "6", "7", 126, "显著危险", "general", "yellow"),
        ("10", "1", "7", 70, "一般危险", "low", "blue"),  # D = 70 is reachable: stays in (20, 70]
        ("1", "0.5", "40", 20, "稍有危险", "low", "blue"),  # the published worked example: 20 is 稍有危险
        ("3", "1", "7", 21, "一般危险", "low", "blue"),
    ],
)
def test_assess_lec_default_mapping(l, e, c, d, danger, level, colour):  # noqa: E741
    result = assess_lec(l, e, c)
    assert rules.plain_number(result.d) == d
    assert result.band.danger == danger
    assert (result.level, result.colour) == (level, colour)
    assert result.as_json() == {"D": d, "band": result.band.text, "level": level, "colour": colour}


def test_a_band_bug_like_d_over_10_would_be_caught():
    # One public implementation graded 显著危险 as 10 < D <= 160; D = 18 must stay 稍有危险.
    assert assess_lec("3", "6", "1").band.danger == "稍有危险"
    assert assess_lec("6", "3", "1").band.number == 5


def test_variant_b_maps_lec_differently():
    assert assess_lec("10", "6", "3", mapping=rules.LEC_VARIANT_B).level == "major"  # 180
    assert assess_lec("3", "6", "7", mapping=rules.LEC_VARIANT_B).level == "significant"  # 126
    assert assess_lec("10", "1", "7", mapping=rules.LEC_VARIANT_B).level == "general"  # 70
    assert assess_lec("1", "0.5", "40", mapping=rules.LEC_VARIANT_B).level == "low"  # 20


def test_only_20_and_70_of_the_edges_are_reachable():
    scores = set(rules.possible_scores(Method.LEC))
    assert Decimal(20) in scores and Decimal(70) in scores
    assert Decimal(160) not in scores and Decimal(320) not in scores


@pytest.mark.parametrize(
    ("factor", "args"),
    [("L", ("2", "1", "1")), ("E", ("1", "5", "1")), ("C", ("1", "1", "50")), ("L", ("abc", "1", "1"))],
)
def test_a_value_outside_the_tables_names_the_factor_and_the_allowed_values(factor, args):
    with pytest.raises(rules.FactorError) as error:
        assess_lec(*args)
    assert error.value.factor == factor
    assert str(error.value).startswith(f"{factor} = ")
    allowed = ", ".join(rules.number_text(row.value) for row in rules.lec_factors()[factor])
    assert allowed in str(error.value)


@pytest.mark.parametrize("value", [None, True, "nan", "inf", "", "1e999999"])
def test_odd_inputs_are_refused(value):
    with pytest.raises(rules.FactorError):
        assess_lec(value, "1", "1")


@pytest.mark.parametrize(
    ("l", "s", "r", "level", "colour", "band"),
    [
        (1, 1, 1, "low", "blue", "1–8"),
        (2, 4, 8, "low", "blue", "1–8"),
        (3, 3, 9, "general", "yellow", "9–12"),  # the one value where the variants differ
        (3, 4, 12, "general", "yellow", "9–12"),
        (3, 5, 15, "significant", "orange", "15–16"),
        (4, 4, 16, "significant", "orange", "15–16"),
        (4, 5, 20, "major", "red", "20–25"),
        (5, 5, 25, "major", "red", "20–25"),
    ],
)
def test_assess_ls_default_thresholds(l, s, r, level, colour, band):  # noqa: E741
    result = assess_ls(l, s)
    assert result.as_json() == {"R": r, "band": band, "level": level, "colour": colour}


def test_ls_variant_b_puts_9_in_low():
    assert assess_ls(3, 3, thresholds=rules.LS_VARIANT_B).level == "low"
    assert assess_ls(2, 5, thresholds=rules.LS_VARIANT_B).level == "general"
    assert assess_ls(3, 5, thresholds=rules.LS_VARIANT_B).band == "15–16"
    levels = {
        score: (rules.LS_DEFAULT.level_of(score), rules.LS_VARIANT_B.level_of(score))
        for score in rules.possible_scores(Method.LS)
    }
    assert [score for score, (a, b) in levels.items() if a != b] == [Decimal(9)]


@pytest.mark.parametrize(("l", "s", "factor"), [(0, 1, "L"), (6, 1, "L"), (1, "2.5", "S"), (1, "x", "S")])
def test_ls_values_outside_1_to_5_are_refused(l, s, factor):  # noqa: E741
    with pytest.raises(rules.FactorError) as error:
        assess_ls(l, s)
    assert error.value.factor == factor
    assert "1, 2, 3, 4, 5" in str(error.value)


def test_ls_accepts_whole_numbers_as_text():
    assert assess_ls("3.0", " 4 ").r == 12


def test_highest_level():
    assert rules.highest([]) is None
    assert rules.highest(["low", None, "general"]) == "general"
    assert rules.highest(["significant", "major", "low"]) == "major"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [70, 160, 320],
        {"edges": [70, 160]},
        {"edges": [70, 160, 320, 400]},
        {"edges": [160, 70, 320]},
        {"edges": [70, 70, 320]},
        {"edges": [70, "x", 320]},
        {"edges": [70, True, 320]},
        {"edges": [70, 160, 320], "closed": "both"},
        {"edges": [70, 160, 20000]},  # nothing is major
        {"edges": [0, 160, 320]},  # nothing is low
        {"edges": [70, 71, 320]},  # nothing is general (no reachable D in (70, 71])
    ],
)
def test_bad_lec_mappings_are_refused(data):
    with pytest.raises(rules.BandsError):
        bands_from_json(Method.LEC, data)


def test_bad_ls_thresholds_are_refused():
    with pytest.raises(rules.BandsError):
        bands_from_json(Method.LS, {"edges": [9, 15, 26]})  # R never reaches 26
    with pytest.raises(rules.BandsError):
        bands_from_json(Method.LS, {"edges": [13, 14, 20]})  # no R in [13, 14)


def test_a_left_closed_lec_mapping_moves_70_up():
    bands = bands_from_json(Method.LEC, {"edges": [70, 160, 320], "closed": "left"})
    assert assess_lec("10", "1", "7", mapping=bands).level == "general"
    assert bands.as_json() == {"edges": [70, 160, 320], "closed": "left", "name": ""}


def test_defaults_per_method():
    assert bands_from_json(Method.LS, {"edges": [9, 15, 20]}).closed == "left"
    assert bands_from_json(Method.LEC, {"edges": ["70", "160.5", 320]}).edges[1] == Decimal("160.5")
