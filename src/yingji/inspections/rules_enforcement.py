"""Enforcement (执法): the closed loop order → re-inspection → closed or penalty, document numbering and
the penalty discretion table. Plain functions over plain values; no request, no database.

ONE transition table (`TRANSITIONS`) drives the buttons on the pages, the API and the services: each
asks `refusal(kind, obj, user, action, facts)` and gets either None or a `TransitionError` (the API
answers 409 `{code, message}`; 403 `forbidden` when the role lacks the permission).
"""

from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# -- record kinds and actions ------------------------------------------------------------------------

ORDER, PENALTY, SUSPENSION, LEAD = "order", "penalty", "suspension", "lead"


class Action:
    REINSPECT = "reinspect"  # record a re-inspection (复查) with a result per finding
    CLOSE = "close"  # order: every finding rectified; penalty: paid or enforced
    REFER_PENALTY = "refer_penalty"  # order → penalty case for the findings not rectified
    DECIDE = "decide"  # penalty decision (行政处罚决定)
    PAY = "pay"
    ENFORCE = "enforce"  # 申请强制执行
    LIFT = "lift"  # lift a suspension (停产停业整顿)
    HANDLE = "handle"  # lead handled by an inspection
    DISMISS = "dismiss"  # lead dismissed with a reason


ACTION_LABELS = {
    Action.REINSPECT: _("Re-inspect"),
    Action.CLOSE: _("Close"),
    Action.REFER_PENALTY: _("Open a penalty case"),
    Action.DECIDE: _("Decide the penalty"),
    Action.PAY: _("Record payment"),
    Action.ENFORCE: _("Enforce payment"),
    Action.LIFT: _("Lift the suspension"),
    Action.HANDLE: _("Handle by an inspection"),
    Action.DISMISS: _("Dismiss"),
}

# (record kind, state, action) -> next state. The state of a penalty is "<status>/<payment>" so that the
# payment sub-state has its own rows in the same table.
TRANSITIONS: dict[tuple[str, str, str], str] = {
    (ORDER, "issued", Action.REINSPECT): "reinspected",
    (ORDER, "reinspected", Action.REINSPECT): "reinspected",  # a second visit replaces the conclusion
    (ORDER, "reinspected", Action.CLOSE): "closed",
    (ORDER, "reinspected", Action.REFER_PENALTY): "penalty",
    (PENALTY, "open/unpaid", Action.DECIDE): "decided/unpaid",
    (PENALTY, "decided/unpaid", Action.PAY): "decided/paid",
    (PENALTY, "decided/unpaid", Action.ENFORCE): "decided/enforced",
    (PENALTY, "decided/paid", Action.CLOSE): "closed/paid",
    (PENALTY, "decided/enforced", Action.CLOSE): "closed/enforced",
    (SUSPENSION, "active", Action.LIFT): "lifted",
    (LEAD, "open", Action.HANDLE): "handled",
    (LEAD, "open", Action.DISMISS): "dismissed",
}

PERMISSIONS: dict[tuple[str, str], str] = {
    (ORDER, Action.REINSPECT): "inspections.add_reinspection",
    (ORDER, Action.CLOSE): "inspections.change_rectificationorder",
    (ORDER, Action.REFER_PENALTY): "inspections.add_penaltycase",
    (PENALTY, Action.DECIDE): "inspections.decide_penaltycase",
    (PENALTY, Action.PAY): "inspections.change_penaltycase",
    (PENALTY, Action.ENFORCE): "inspections.change_penaltycase",
    (PENALTY, Action.CLOSE): "inspections.change_penaltycase",
    (SUSPENSION, Action.LIFT): "inspections.change_suspension",
    (LEAD, Action.HANDLE): "inspections.change_enforcementlead",
    (LEAD, Action.DISMISS): "inspections.change_enforcementlead",
}

STATUS_COLOURS = {
    "issued": "orange",
    "reinspected": "purple",
    "closed": "green",
    "penalty": "red",
    "open": "azure",
    "decided": "red",
    "active": "red",
    "lifted": "green",
    "handled": "green",
    "dismissed": "secondary",
    "unpaid": "orange",
    "paid": "green",
    "enforced": "purple",
}


class TransitionError(Exception):
    """A forbidden action: the API answers 409 (403 for `forbidden`), the page shows the reason."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    @property
    def status(self) -> int:
        return 403 if self.code == "forbidden" else 409


@dataclass(frozen=True)
class Facts:
    """What the rules need beyond the record's own state (looked up by the services)."""

    today: datetime.date | None = None
    deadline: datetime.date | None = None  # the order's deadline
    unrectified: int = 0  # findings not rectified at the latest re-inspection
    rectified: int = 0


def state_of(kind: str, obj) -> str:
    if kind == PENALTY:
        return f"{obj.status}/{obj.payment_status}"
    return obj.status


def refusal(kind: str, obj, user, action: str, facts: Facts = Facts()) -> TransitionError | None:
    """Why `user` may not take `action` on `obj` (a record of `kind`) now, or None if they may."""
    permission = PERMISSIONS.get((kind, action))
    if permission is None:
        return TransitionError("unknown_action", str(_("Unknown action.")))
    if user is not None and not user.has_perm(permission):
        return TransitionError("forbidden", str(_("You do not have permission for this action.")))
    state = state_of(kind, obj)
    if (kind, state, action) not in TRANSITIONS:
        return TransitionError(
            "forbidden_transition",
            str(_("“{action}” is not possible in the state “{state}”.")).format(
                action=ACTION_LABELS[action], state=state
            ),
        )
    too_early = facts.today is not None and facts.deadline is not None and facts.today < facts.deadline
    if kind == ORDER and action == Action.REINSPECT and too_early:
        assert facts.deadline is not None
        return TransitionError(
            "before_deadline",
            str(_("A re-inspection is possible on or after the deadline ({date}).")).format(
                date=facts.deadline.isoformat()
            ),
        )
    if kind == ORDER and action == Action.CLOSE and facts.unrectified:
        return TransitionError(
            "unrectified_findings",
            str(_("{n} finding(s) are not rectified: the order cannot be closed.")).format(
                n=facts.unrectified
            ),
        )
    if kind == ORDER and action == Action.REFER_PENALTY and not facts.unrectified:
        return TransitionError(
            "all_rectified", str(_("Every finding is rectified: close the order instead."))
        )
    return None


def allowed_actions(kind: str, obj, user, facts: Facts = Facts()) -> list[str]:
    return [
        action for (k, action) in PERMISSIONS if k == kind and refusal(kind, obj, user, action, facts) is None
    ]


def next_state(kind: str, obj, action: str) -> str:
    return TRANSITIONS[(kind, state_of(kind, obj), action)]


def is_overdue(order, today: datetime.date) -> bool:
    return order.status == "issued" and order.deadline < today


# -- document kinds and numbering ------------------------------------------------------------------

INSPECTION_RECORD = "inspection_record"  # 现场检查记录
RECTIFICATION_ORDER = "rectification_order"  # 责令限期整改指令书
REINSPECTION_OPINION = "reinspection_opinion"  # 整改复查意见书
PENALTY_DECISION = "penalty_decision"  # 行政处罚决定书
COERCIVE_MEASURE = "coercive_measure"  # 强制措施决定书 (停产停业整顿)

# The official title of each document (the printed title stays Chinese whatever the UI language) and
# the short word of its number (e.g. 责改 in "(区)应急责改〔2026〕12号").
DOCUMENT_TITLES = {
    INSPECTION_RECORD: "现场检查记录",
    RECTIFICATION_ORDER: "责令限期整改指令书",
    REINSPECTION_OPINION: "整改复查意见书",
    PENALTY_DECISION: "行政处罚决定书",
    COERCIVE_MEASURE: "强制措施决定书",
}
DOCUMENT_CODES = {
    INSPECTION_RECORD: "检记",
    RECTIFICATION_ORDER: "责改",
    REINSPECTION_OPINION: "复查",
    PENALTY_DECISION: "罚",
    COERCIVE_MEASURE: "强措",
}
DEFAULT_PATTERN = "({abbr})应急{code}〔{year}〕{seq}号"
PLACEHOLDERS = frozenset({"abbr", "year", "seq", "code"})
REQUIRED_PLACEHOLDERS = ("year", "seq")


def check_pattern(pattern: str) -> str | None:
    """None when `pattern` is usable, else the message saying what is wrong."""
    if not pattern or not pattern.strip():
        return str(_("The pattern is required."))
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return str(_("Unbalanced braces in the pattern."))
    names = [name for _lit, name, _spec, _conv in parsed if name is not None]
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        return str(_("Unknown placeholders: {names}. Use {{abbr}} {{year}} {{seq}} {{code}}.")).format(
            names=", ".join(unknown)
        )
    for required in REQUIRED_PLACEHOLDERS:
        if required not in names:
            return str(_("The pattern must contain {{{name}}}.")).format(name=required)
    try:
        format_number(pattern, abbr="区", code="责改", year=2026, seq=1)
    except (ValueError, KeyError, IndexError):
        return str(_("The pattern cannot be filled in (check the format after a colon, e.g. {seq:03d})."))
    return None


def format_number(pattern: str, *, abbr: str, code: str, year: int, seq: int) -> str:
    return pattern.format(abbr=abbr, code=code, year=year, seq=seq)


def default_abbr(division_name: str) -> str:
    """The one-character abbreviation of a bureau's division name: 安澜县 → 安."""
    name = re.sub(r"(自治县|自治旗|县|区|市|旗)$", "", division_name or "")
    return (name or division_name or "")[:1]


def county_code(division_code: str) -> str:
    return division_code[:6].ljust(12, "0")


# -- penalty discretion (行政处罚自由裁量) -------------------------------------------------------------

LENIENT, GENERAL, SEVERE = "lenient", "general", "severe"
DISCRETION_LABELS = {LENIENT: _("Lenient (从轻)"), GENERAL: _("General (一般)"), SEVERE: _("Severe (从重)")}
# Share of the statutory range each level may use: 从轻 the lower 30 %, 一般 30–70 %, 从重 the upper 30 %.
DISCRETION_BANDS = {
    LENIENT: (Decimal("0"), Decimal("0.3")),
    GENERAL: (Decimal("0.3"), Decimal("0.7")),
    SEVERE: (Decimal("0.7"), Decimal("1")),
}


@dataclass(frozen=True)
class Violation:
    code: str
    legal_basis: str  # the article the decision cites
    summary: str
    minimum: Decimal
    maximum: Decimal


# A short table of the articles of the 安全生产法 (2021) most cited after a re-inspection; a decision
# citing one of them must keep its amount inside the band of its discretion level.
DISCRETION_TABLE: tuple[Violation, ...] = (
    Violation(
        "aqsf-102",
        "《中华人民共和国安全生产法》第一百零二条",
        "未采取措施消除事故隐患(拒不执行的)",
        Decimal("50000"),
        Decimal("100000"),
    ),
    Violation(
        "aqsf-97",
        "《中华人民共和国安全生产法》第九十七条",
        "未按规定设置安全生产管理机构、配备人员或开展教育培训(逾期未改正的)",
        Decimal("100000"),
        Decimal("200000"),
    ),
    Violation(
        "aqsf-99",
        "《中华人民共和国安全生产法》第九十九条",
        "安全设备的安装、使用、检测、改造和报废不符合标准(逾期未改正的)",
        Decimal("50000"),
        Decimal("200000"),
    ),
    Violation(
        "aqsf-101",
        "《中华人民共和国安全生产法》第一百零一条",
        "重大危险源未登记建档、未进行评估监控(逾期未改正的)",
        Decimal("100000"),
        Decimal("200000"),
    ),
)


def violation(code: str) -> Violation | None:
    return next((v for v in DISCRETION_TABLE if v.code == code), None)


def band(v: Violation, level: str) -> tuple[Decimal, Decimal]:
    low, high = DISCRETION_BANDS[level]
    span = v.maximum - v.minimum
    return (v.minimum + span * low).quantize(Decimal("1")), (v.minimum + span * high).quantize(Decimal("1"))


def check_decision(
    *, legal_basis: str, amount: Decimal | None, discretion: str, violation_code: str = ""
) -> dict[str, str]:
    """{field: message} for what is wrong with a penalty decision (empty when it is complete)."""
    errors: dict[str, str] = {}
    if not (legal_basis or "").strip():
        errors["legal_basis"] = str(_("The legal basis is required for a penalty decision."))
    if amount is None:
        errors["amount"] = str(_("The amount is required."))
    elif amount <= 0:
        errors["amount"] = str(_("The amount must be greater than zero."))
    if discretion not in DISCRETION_BANDS:
        errors["discretion"] = str(_("Choose lenient, general or severe."))
    if violation_code:
        v = violation(violation_code)
        if v is None:
            errors["violation"] = str(_("Unknown violation in the discretion table."))
        elif "amount" not in errors and "discretion" not in errors and amount is not None:
            low, high = band(v, discretion)
            if not low <= amount <= high:
                errors["amount"] = str(
                    _(
                        "For this violation and discretion level the amount must be between {low} and {high} yuan."
                    )
                ).format(low=low, high=high)
    return errors


# -- the Chinese date on documents -----------------------------------------------------------------

_DIGITS = "〇一二三四五六七八九"


def _small_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else _DIGITS[tens] + "十") + (_DIGITS[ones] if ones else "")


def chinese_date(day: datetime.date) -> str:
    """二〇二六年十一月二十六日 — the date line of an official document."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"
