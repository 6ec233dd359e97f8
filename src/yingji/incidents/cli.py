"""`yingji assess accident --deaths N --serious-injuries N --direct-loss-yuan X` (from core's assess)."""

from __future__ import annotations

from yingji.incidents import rules

HELP = {"accident": "Accident grade by Article 3 of the 2007 regulation (国务院令第493号)."}


def add_arguments(parser, name: str) -> None:
    parser.add_argument("--deaths", default="0", help="Number of deaths.")
    parser.add_argument(
        "--serious-injuries",
        dest="serious_injuries",
        default="0",
        help="Serious injuries incl. acute poisoning.",
    )
    parser.add_argument(
        "--direct-loss-yuan", dest="direct_loss_yuan", default="0", help="Direct economic loss, yuan."
    )


def run(name: str, options: dict) -> dict:
    return rules.grade_accident(
        deaths=options["deaths"],
        serious_injuries=options["serious_injuries"],
        direct_loss_yuan=options["direct_loss_yuan"],
    ).as_json()
