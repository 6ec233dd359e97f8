"""Custodians of a major hazard source (包保责任制): the default duties of each role and the timing of
duty tasks. Pure functions: no database, no clock (callers pass `now`).

Source of the defaults: 《危险化学品企业重大危险源安全包保责任制办法（试行）》(应急厅〔2021〕12号).
Each major hazard source has three custodians (包保责任人): the main one (主要负责人), the technical one
(技术负责人) and the operational one (操作负责人). The 办法 gives each a duty list and a minimum rhythm
of 安全风险隐患排查 for the source:
- main custodian: at least once a quarter (每季度至少组织一次针对重大危险源的安全风险隐患排查);
- technical custodian: at least once a month (每月至少组织一次);
- operational custodian: at least once a week (每周至少组织一次).
The checklist items below paraphrase the duties the 办法 lists for each role (Articles 8-10 in the
text as we read it). They are defaults: a bureau or an enterprise edits them per source
(`DutySchedule.checklist`, `cadence_days`) without touching this file.

Timing. A task covers one period of `cadence_days` and is due at its end (`due_at`); it is created
when its period opens (`due_at - cadence`). Once `due_at` has passed it is overdue (late), and it is
missed once a grace of a seventh of the period (at least a day) has passed too: a weekly check may be
late by a day, a monthly one by four, a quarterly one by twelve.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAIN, TECHNICAL, OPERATIONAL = "main", "technical", "operational"
ROLES: tuple[str, ...] = (MAIN, TECHNICAL, OPERATIONAL)

PENDING, DONE, MISSED = "pending", "done", "missed"
# What a checklist item may be answered with: done and fine / a problem found / not applicable.
OK, ISSUE, NOT_APPLICABLE = "ok", "issue", "na"
ANSWERS: tuple[str, ...] = (OK, ISSUE, NOT_APPLICABLE)

MIN_CADENCE_DAYS, MAX_CADENCE_DAYS = 1, 366
MAX_CHECKLIST_ITEMS, MAX_ITEM_LENGTH = 50, 200
MAX_CATCH_UP = 8  # periods generated at once for a schedule the scheduler has not seen for a while


@dataclass(frozen=True)
class DutyDefault:
    role: str
    title: str  # Chinese, as the 办法 words it: the duty's name on pages and messages
    cadence_days: int
    checklist: tuple[str, ...]


DEFAULT_DUTIES: dict[str, DutyDefault] = {
    MAIN: DutyDefault(
        MAIN,
        "主要负责人季度安全风险隐患排查",
        90,  # 每季度至少一次
        (
            "组织开展针对重大危险源的安全风险隐患排查",
            "重大危险源安全生产规章制度和操作规程得到执行",
            "重大危险源安全生产所必需的安全投入到位",
            "管理和操作岗位人员安全技能培训已组织",
            "重大危险源事故应急预案已制定并按计划演练",
            "重大危险源信息已填报、监测监控数据接入风险监测预警系统",
        ),
    ),
    TECHNICAL: DutyDefault(
        TECHNICAL,
        "技术负责人月度安全风险隐患排查",
        30,  # 每月至少一次
        (
            "组织开展重大危险源安全风险隐患排查，检查上次隐患整改情况",
            "安全监测监控系统（液位、温度、压力、可燃有毒气体检测）运行正常",
            "安全设施、监测监控系统按期检测检验并经常性维护保养",
            "超过可容许风险的，降低风险措施已落实",
            "涉及重大危险源的变更及外来施工单位资质、安全管理已审查",
        ),
    ),
    OPERATIONAL: DutyDefault(
        OPERATIONAL,
        "操作负责人周安全风险隐患排查",
        7,  # 每周至少一次
        (
            "组织开展重大危险源安全风险隐患排查",
            "各岗位严格执行规章制度和操作规程",
            "特殊作业、检维修作业安全管控措施落实",
            "现场设备设施、报警联锁无异常，发现的隐患已及时消除",
            "重大危险源公示牌、安全警示标志完好",
        ),
    ),
}


def default_for(role: str) -> DutyDefault:
    if role not in DEFAULT_DUTIES:
        raise ValueError(f"unknown custodian role {role!r}")
    return DEFAULT_DUTIES[role]


# -- checks (each returns an error code for the service to word, or None) ---------------------------


def cadence_error(cadence_days) -> str | None:
    if not isinstance(cadence_days, int) or isinstance(cadence_days, bool):
        return "not_a_number"
    if cadence_days < MIN_CADENCE_DAYS:
        return "too_small"
    if cadence_days > MAX_CADENCE_DAYS:
        return "too_large"
    return None


def clean_checklist(items: Sequence[str]) -> list[str]:
    """Stripped, non-empty items in order (duplicates dropped)."""
    seen: list[str] = []
    for raw in items or ():
        text = str(raw or "").strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def role_counts(roles: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(ROLES, 0)
    for role in roles:
        counts[role] = counts.get(role, 0) + 1
    return counts


# -- timing -----------------------------------------------------------------------------------------


def period(cadence_days: int) -> datetime.timedelta:
    return datetime.timedelta(days=cadence_days)


def grace(cadence_days: int) -> datetime.timedelta:
    """How late a task may still be done before it counts as missed."""
    return datetime.timedelta(days=max(1, cadence_days // 7))


def opens_at(due_at: datetime.datetime, cadence_days: int) -> datetime.datetime:
    return due_at - period(cadence_days)


def first_due(now: datetime.datetime, cadence_days: int) -> datetime.datetime:
    """The due time of a new schedule's first task: the end of the period's last day, the period
    counting today as its first day (so it opens at once: a weekly duty set on a Monday is due on
    Sunday night)."""
    day_end = now.replace(hour=23, minute=59, second=0, microsecond=0)
    return day_end + period(cadence_days - 1)


def due_dates(
    next_due_at: datetime.datetime, cadence_days: int, now: datetime.datetime, limit: int = MAX_CATCH_UP
) -> tuple[list[datetime.datetime], datetime.datetime]:
    """(due times of the tasks whose period has opened by `now`, the schedule's next due time after
    them). At most `limit` periods: older ones are skipped (nobody can still do them)."""
    dates: list[datetime.datetime] = []
    due = next_due_at
    while opens_at(due, cadence_days) <= now:
        dates.append(due)
        due += period(cadence_days)
    return dates[-limit:], due


def is_overdue(status: str, due_at: datetime.datetime, now: datetime.datetime) -> bool:
    return status == PENDING and now > due_at


def is_missed(status: str, due_at: datetime.datetime, cadence_days: int, now: datetime.datetime) -> bool:
    return status == PENDING and now >= due_at + grace(cadence_days)


def state(status: str, due_at: datetime.datetime, now: datetime.datetime) -> str:
    """What a task shows: done, missed, overdue (late but still doable) or due (pending in time)."""
    if status in (DONE, MISSED):
        return status
    return "overdue" if now > due_at else "due"


def missing_answers(checklist: Sequence[str], answers: Mapping[int, str]) -> list[int]:
    """Indexes of the checklist items without a valid answer."""
    return [i for i in range(len(checklist)) if answers.get(i) not in ANSWERS]


def has_evidence(note: str, photo_count: int) -> bool:
    """Completion needs evidence: a note of what was done, or at least one photo."""
    return bool((note or "").strip()) or photo_count > 0
