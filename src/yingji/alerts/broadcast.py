"""The village broadcast text (应急广播稿) of a warning: plain sentences a broadcaster reads out, twice.

Written in Chinese whatever the interface language: it is read to villagers over the loudspeakers.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from yingji.alerts.events import EVENT_TYPES
from yingji.alerts.models import Warning

REPEAT = 2  # broadcasters read each notice twice
LEVEL_WORDS = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
# What villagers must do, by colour, when the warning gives no instruction of its own.
DEFAULT_ACTIONS = {
    "blue": "请大家关注天气变化，减少不必要的外出，注意安全。",
    "yellow": "请大家减少外出，检查房屋、电线和排水沟，把东西收进屋内，照看好老人和孩子。",
    "orange": "请大家不要外出，远离河道、山坡和危旧房屋，听从村干部安排，做好转移准备。",
    "red": "请危险区域的群众立即按村里安排转移到安置点，不要返回，其他群众留在安全的屋内，有情况马上报告村委会。",
}


def _when(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def _area(warning: Warning) -> str:
    names = [a.area_desc for a in warning.areas.all() if a.area_desc]
    return "、".join(names) or warning.division.name


def broadcast_text(warning: Warning) -> str:
    """One reading of the notice (the page prints it `REPEAT` times)."""
    level = LEVEL_WORDS.get(warning.level, "")
    event = EVENT_TYPES.get(warning.event_type, ("",))[0] if warning.event_type != "other" else warning.event
    sender = warning.sender_name or warning.division.name
    lines = ["各位村民请注意，各位村民请注意："]
    if "预警" not in warning.headline:  # a headline that says it already is read as it is
        lines.append(f"{sender}发布{event}{level}预警。")
    lines.append(warning.headline.rstrip("。") + "。")
    times = []
    if warning.onset:
        times.append(f"从{_when(warning.onset)}起")
    if warning.expires:
        times.append(f"到{_when(warning.expires)}止")
    if times:
        lines.append("预警时间" + "，".join(times) + "。")
    lines.append(f"影响范围：{_area(warning)}。")
    if warning.description:
        lines.append(warning.description.strip())
    lines.append("请大家做到：" + (warning.instruction.strip() or DEFAULT_ACTIONS.get(warning.level, "")))
    lines.append("如遇险情，请立即拨打村委会电话或110、119求助。")
    return "\n".join(lines)
