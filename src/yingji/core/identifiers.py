"""Chinese identifiers: USCC (GB 32100-2015), resident ID (GB 11643-1999), mobile numbers, and masking."""

from __future__ import annotations

import re

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^(i) mod 31 for positions 1..17.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """None when `value` is a valid USCC, else a short English code of what is wrong."""
    if len(value) != 18:
        return "length"
    if not USCC_RE.match(value):
        return "characters"
    if uscc_check_char(value[:17]) != value[17]:
        return "check_char"
    return None


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def id_card_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_card_problem(value: str) -> str | None:
    if not ID_RE.match(value):
        return "format"
    if id_card_check_char(value[:17]) != value[17]:
        return "check_char"
    return None


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()]", "", (value or "").strip()).removeprefix("+86")


def phone_problem(value: str) -> str | None:
    if MOBILE_RE.match(value) or LANDLINE_RE.match(value):
        return None
    return "format"


def mask_phone(value: str) -> str:
    """138****1234 for mobiles; landlines keep the area code and the last 4 digits."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) < 7:
        return "*" * len(value)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_card(value: str) -> str:
    """First 6 and last 4 characters visible."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
