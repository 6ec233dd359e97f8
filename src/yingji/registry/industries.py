"""GB/T 4754-2017 industry divisions (大类), loaded from data/industries_gbt4754_2017.csv."""

from __future__ import annotations

import csv
from pathlib import Path

_FILE = Path(__file__).parent / "data" / "industries_gbt4754_2017.csv"

with _FILE.open(encoding="utf-8") as _f:
    ROWS: list[dict[str, str]] = list(csv.DictReader(_f))

NAMES: dict[str, str] = {row["code"]: row["name"] for row in ROWS}
SECTION: dict[str, str] = {row["code"]: row["section"] for row in ROWS}
CHOICES: list[tuple[str, str]] = [
    (row["code"], f"{row['section']}{row['code']} {row['name']}") for row in ROWS
]


def resolve(value: str) -> str | None:
    """The 2-digit code for '26', 'C26', '2611', 'C26 化学…' or the exact name; None if unknown."""
    text = str(value or "").strip()
    if not text:
        return None
    if text in NAMES.values():
        return next(code for code, name in NAMES.items() if name == text)
    head = text.split()[0]
    if head[:1].isalpha():
        head = head[1:]
    if head.isdigit() and len(head) in (1, 2, 3, 4):
        code = head.zfill(2)[:2] if len(head) <= 2 else head[:2]
        return code if code in NAMES else None
    return None
