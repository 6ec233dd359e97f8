import pytest

from yingji.core.identifiers import (
    id_card_problem,
    mask_id_card,
    mask_phone,
    normalise_phone,
    phone_problem,
    uscc_check_char,
    uscc_problem,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_uscc_codes_are_valid(code):
    assert uscc_problem(code) is None


def test_wrong_check_character_is_caught():
    assert uscc_problem("91350100M000100Y44") == "check_char"


@pytest.mark.parametrize(
    ("code", "problem"),
    [("9135010", "length"), ("91350100M000100Y4I", "characters"), ("9135010OM000100Y43", "characters")],
)
def test_malformed_uscc_is_named(code, problem):
    assert uscc_problem(code) == problem


def test_check_character_is_computed_from_the_first_17():
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_id_card_check_digit():
    assert id_card_problem("11010519491231002X") is None
    assert id_card_problem("110105194912310021") == "check_char"
    assert id_card_problem("1101051949123100") == "format"


def test_masking_keeps_the_ends():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_card("11010519491231002X") == "110105********002X"
    assert mask_phone("") == ""


def test_phone_formats():
    assert phone_problem(normalise_phone("+86 138 1234 1234")) is None
    assert phone_problem("0513-85551234") is None
    assert phone_problem("12345") == "format"
