"""Rules of emergency plans: review cycle, attachment types, and which response level an incident
reaches (the structured trigger conditions read by `services.match_plans`). Plain functions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from yingji.core import divisions

REVIEW_YEARS = 3  # 《突发事件应急预案管理办法》: plans are evaluated at least every three years
REMIND_DAYS_BEFORE = 30  # the daily task reminds owners this many days before the review is due

# uploads of plan documents: extension -> accepted content types; checked again on the magic bytes
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

LEVEL_RANK = {"I": 1, "II": 2, "III": 3, "IV": 4}
GRADE_RANK = {"especially_major": 1, "major": 2, "larger": 3, "general": 4}
# more specific plans first when several cover the same incident
TYPE_ORDER = {"onsite": 0, "special": 1, "department": 2, "general": 3}


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_review_from(day: datetime.date) -> datetime.date:
    return add_years(day, REVIEW_YEARS)


def review_overdue(next_review: datetime.date | None, status: str, today: datetime.date) -> bool:
    return status == "in_force" and next_review is not None and next_review < today


def review_due_soon(next_review: datetime.date | None, status: str, today: datetime.date) -> bool:
    if status != "in_force" or next_review is None:
        return False
    return today <= next_review <= today + datetime.timedelta(days=REMIND_DAYS_BEFORE)


def document_kind(name: str, head: bytes) -> str | None:
    """'pdf' or 'docx' when the name's extension and the first bytes agree, else None."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "pdf" and head.startswith(b"%PDF-"):
        return "pdf"
    if ext == "docx" and head.startswith(b"PK\x03\x04"):
        return "docx"
    return None


def division_chain(code: str) -> list[str]:
    """The division code and those of its ancestors by shape, nearest first."""
    chain = [code]
    parent = divisions.parent_code_of(code)
    while parent is not None:
        chain.append(parent)
        parent = divisions.parent_code_of(parent)
    return chain


@dataclass(frozen=True)
class IncidentFacts:
    kind: str = ""
    subtype: str = ""
    grade: str = ""
    deaths: int = 0
    serious_injuries: int = 0
    direct_loss_yuan: Decimal = Decimal(0)


@dataclass(frozen=True)
class LevelFacts:
    code: str
    min_deaths: int | None = None
    min_serious_injuries: int | None = None
    min_direct_loss_yuan: Decimal | None = None
    accident_grades: list[str] = field(default_factory=list)
    incident_types: list[str] = field(default_factory=list)


def covers(types: list[str], facts: IncidentFacts) -> bool:
    """An empty list covers every incident; otherwise the incident's kind or subtype must be listed."""
    if not types:
        return True
    return bool({facts.kind, facts.subtype} & {t for t in types if t})


def level_reasons(level: LevelFacts, facts: IncidentFacts) -> list[str]:
    """The structured conditions of `level` the incident reaches (joined by "or", like the grading of
    accidents; a minimum is reached at the boundary). Empty = the level is not triggered."""
    if not covers(level.incident_types, facts):
        return []
    reasons: list[str] = []
    if level.min_deaths is not None and facts.deaths >= level.min_deaths:
        reasons.append(f"deaths {facts.deaths} ≥ {level.min_deaths}")
    if level.min_serious_injuries is not None and facts.serious_injuries >= level.min_serious_injuries:
        reasons.append(f"serious_injuries {facts.serious_injuries} ≥ {level.min_serious_injuries}")
    if level.min_direct_loss_yuan is not None and facts.direct_loss_yuan >= level.min_direct_loss_yuan:
        reasons.append(f"direct_loss_yuan {facts.direct_loss_yuan} ≥ {level.min_direct_loss_yuan}")
    if facts.grade and facts.grade in level.accident_grades:
        reasons.append(f"grade {facts.grade}")
    return reasons


def best_level(levels: list[LevelFacts], facts: IncidentFacts) -> tuple[LevelFacts, list[str]] | None:
    """The most severe triggered level (I before IV) with its reasons."""
    for level in sorted(levels, key=lambda lv: LEVEL_RANK.get(lv.code, 9)):
        reasons = level_reasons(level, facts)
        if reasons:
            return level, reasons
    return None


def plan_sort_key(
    *, is_enterprise_plan: bool, division_distance: int, plan_type: str, level_code: str, plan_id: int
) -> tuple:
    """Best first: the involved enterprise's own plan, then the nearest division, the most specific
    plan type, the most severe level."""
    return (
        0 if is_enterprise_plan else 1,
        division_distance,
        TYPE_ORDER.get(plan_type, 9),
        LEVEL_RANK.get(level_code, 9),
        plan_id,
    )
