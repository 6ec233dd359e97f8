"""`yingji assess gb18218 FILE.json`: identify and grade major hazard sources by GB 18218-2018.

Prints the whole computation as JSON (per unit: sum_q_over_Q, is_major, alpha, R, grade, lines);
unknown chemicals, missing categories and other bad input: every problem on stderr, exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.utils.translation import gettext as _

from yingji.registry import rules_gb18218

HELP = {"gb18218": "GB 18218-2018: identify and grade major hazard sources from a JSON file (- for stdin)."}


def add_arguments(parser, name: str) -> None:
    parser.add_argument(
        "file", help='JSON: {"units": [{"name", "kind", "exposed_population", "chemicals": [...]}]}'
    )


def run(name: str, options: dict) -> dict:
    import sys

    path = options["file"]
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(_("Cannot read {path}: {error}").format(path=path, error=error.strerror)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            _("{path} is not valid JSON (line {line}, column {column}).").format(
                path=path, line=error.lineno, column=error.colno
            )
        ) from None
    try:
        return rules_gb18218.assess(document)
    except rules_gb18218.GB18218Error as error:
        raise ValueError("\n".join(error.problems)) from None
