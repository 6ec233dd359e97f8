"""The `yingji assess lec|ls` subcommands (dispatched from core's `assess` command).

Each subcommand module offers `add_arguments(parser, name)` and `run(name, options) -> dict`; `run`
raises ValueError with a message for people when the input is not acceptable.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yingji.core.divisions import normalise_code
from yingji.core.models import Division
from yingji.risk import rules, services
from yingji.risk.rules import LEC

HELP = {
    "lec": "LEC: D = L × E × C from the standard value tables.",
    "ls": "Risk matrix: R = L × S, each 1–5.",
}


def add_arguments(parser, name: str) -> None:
    if name == LEC:
        parser.add_argument(
            "--l", dest="l", required=True, help="L, likelihood (10, 6, 3, 1, 0.5, 0.2, 0.1)."
        )
        parser.add_argument("--e", dest="e", required=True, help="E, exposure (10, 6, 3, 2, 1, 0.5).")
        parser.add_argument("--c", dest="c", required=True, help="C, consequence (100, 40, 15, 7, 3, 1).")
    else:
        parser.add_argument("--l", dest="l", required=True, help="L, likelihood (1–5).")
        parser.add_argument("--s", dest="s", required=True, help="S, severity (1–5).")
    parser.add_argument(
        "--division",
        help="Division code: use the level mapping configured for it (default: the shipped one).",
    )


def run(name: str, options: dict) -> dict:
    division = None
    if options.get("division"):
        code = normalise_code(options["division"])
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise ValueError(_("No division with code {code}.").format(code=options["division"]))
    bands = services.config_for(division, name)
    if name == LEC:
        return rules.assess_lec(options["l"], options["e"], options["c"], mapping=bands).as_json()
    return rules.assess_ls(options["l"], options["s"], thresholds=bands).as_json()
