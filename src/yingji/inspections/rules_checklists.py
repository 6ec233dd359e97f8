"""Checklist rules (pure): template life cycle, item checks, which templates suit an enterprise.

A template is edited only while it is a draft; activating it freezes it (and retires the code's
previously active version); a change after that is a new version, made as a copy. Inspections keep the
version they used.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_DEADLINE_DAYS = 365
MAX_ITEMS = 500
TEXT_MAX = 2000
LEGAL_BASIS_MAX = 300

# (status, action) -> next status
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "activate"): "active",
    ("active", "retire"): "retired",
}
STATUS_COLOURS = {"draft": "secondary", "active": "green", "retired": "muted"}


class TemplateRefused(Exception):
    """An action the template's state does not allow (the API answers 409 with `code`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def refusal(status: str, action: str) -> TemplateRefused | None:
    if action == "edit":
        if status != "draft":
            return TemplateRefused(
                "not_draft", _("Only a draft can be changed; make a new version of this checklist instead.")
            )
        return None
    if action == "delete":
        if status != "draft":
            return TemplateRefused("not_draft", _("Only a draft can be deleted; retire it instead."))
        return None
    if (status, action) not in TRANSITIONS:
        return TemplateRefused("forbidden_transition", _("This is not possible in the checklist's status."))
    return None


@dataclass(frozen=True)
class ItemLine:
    number: int
    text: str
    legal_basis: str = ""
    is_major_criterion: bool = False
    criterion: str = ""  # a HazardCriterion code
    default_deadline_days: int = 30


def item_errors(item: ItemLine, known_criteria: set[str] | None = None) -> dict[str, str]:
    """Problems of one item, keyed by field name (empty when the item is fine)."""
    errors: dict[str, str] = {}
    if item.number < 1:
        errors["number"] = _("The number must be 1 or more.")
    if not item.text.strip():
        errors["text"] = _("The check item's text is required.")
    elif len(item.text) > TEXT_MAX:
        errors["text"] = _("At most {n} characters.").format(n=TEXT_MAX)
    if len(item.legal_basis) > LEGAL_BASIS_MAX:
        errors["legal_basis"] = _("At most {n} characters.").format(n=LEGAL_BASIS_MAX)
    if not 1 <= item.default_deadline_days <= MAX_DEADLINE_DAYS:
        errors["default_deadline_days"] = _("Between 1 and {n} days.").format(n=MAX_DEADLINE_DAYS)
    if item.criterion and known_criteria is not None and item.criterion not in known_criteria:
        errors["criterion"] = _("Unknown criterion code {code}.").format(code=item.criterion)
    elif item.is_major_criterion and not item.criterion:
        errors["criterion"] = _(
            "A major hidden danger item must name the article of the 判定标准 it checks (a criterion code)."
        )
    return errors


def duplicate_numbers(numbers: list[int]) -> set[int]:
    seen: set[int] = set()
    dupes: set[int] = set()
    for n in numbers:
        (dupes if n in seen else seen).add(n)
    return dupes


def parse_industries(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ",").replace("、", ",").split(",") if p.strip()]


def industries_error(text: str) -> str | None:
    for prefix in parse_industries(text):
        if not prefix.isdigit() or len(prefix) > 4:
            return _("Give GB/T 4754 code prefixes (digits) separated by commas, e.g. 26,59.")
    return None


def suits_industry(industries: str, industry: str) -> bool:
    """A template with no industries suits every enterprise; else one prefix must match."""
    prefixes = parse_industries(industries)
    return not prefixes or any((industry or "").startswith(p) for p in prefixes)
