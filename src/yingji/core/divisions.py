"""Rules of the 12-digit statistical division codes (2 province, 2 city, 2 county, 3 town, 3 village)."""

from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "town", "village")
# How many leading digits identify a division of each level; its subtree shares that prefix.
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}
CODE_RE = re.compile(r"^\d{12}$")


def is_valid_code(code: str) -> bool:
    return bool(CODE_RE.match(code or ""))


def normalise_code(code: str | int) -> str:
    """Accept 2/4/6/9/12-digit codes (as bureaus type them) and return the 12-digit form."""
    text = str(code).strip()
    if text.isdigit() and len(text) in (2, 4, 6, 9):
        text = text.ljust(12, "0")
    return text


def level_of(code: str) -> str:
    """The level a code's shape implies (trailing zero groups); the stored level wins where they differ."""
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "town"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def subtree_prefix(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[level]]


def parent_code_of(code: str) -> str | None:
    """The code of the enclosing division by shape, or None for a province."""
    level = level_of(code)
    index = LEVELS.index(level)
    if index == 0:
        return None
    parent_level = LEVELS[index - 1]
    return code[: PREFIX_LENGTH[parent_level]].ljust(12, "0")
