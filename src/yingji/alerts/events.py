"""The common warning event types: our code, the Chinese label, the CAP category and the English event
name used in `en` info blocks. The codes are our own mnemonics (not GB/T 35561 codes); an imported
event text that matches none of them is kept verbatim with the code `other`."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# code -> (label, CAP category, English event, words that identify it in a message's event text)
EVENT_TYPES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "rainstorm": ("暴雨", "Met", "Rainstorm", ("暴雨", "rainstorm", "heavy rain")),
    "typhoon": ("台风", "Met", "Typhoon", ("台风", "typhoon")),
    "gale": ("大风", "Met", "Gale", ("大风", "gale", "strong wind")),
    "cold_wave": ("寒潮", "Met", "Cold wave", ("寒潮", "cold wave")),
    "heat": ("高温", "Met", "Heat wave", ("高温", "heat")),
    "lightning": ("雷电", "Met", "Lightning", ("雷电", "雷暴", "lightning", "thunder")),
    "hail": ("冰雹", "Met", "Hail", ("冰雹", "hail")),
    "fog": ("大雾", "Met", "Heavy fog", ("大雾", "fog")),
    "road_icing": ("道路结冰", "Met", "Road icing", ("道路结冰", "road icing", "icy road")),
    "snowstorm": ("暴雪", "Met", "Snowstorm", ("暴雪", "snowstorm", "blizzard")),
    "forest_fire": (
        "森林火险",
        "Fire",
        "Forest fire danger",
        ("森林火险", "森林草原火险", "forest fire", "wildfire"),
    ),
    "geological": (
        "地质灾害",
        "Geo",
        "Geological hazard",
        ("地质灾害", "滑坡", "泥石流", "landslide", "geolog"),
    ),
    "flash_flood": ("山洪", "Met", "Flash flood", ("山洪", "flash flood")),
    "flood": ("洪水", "Met", "Flood", ("洪水", "flood")),
    "drought": ("干旱", "Met", "Drought", ("干旱", "drought")),
    "other": ("其他", "Other", "Other", ()),
}
EVENT_CHOICES = [(code, label) for code, (label, _category, _en, _words) in EVENT_TYPES.items()]

# The four colours, Ⅳ (blue) to Ⅰ (red). Stored apart from CAP severity: real messages do not always
# map red to Extreme.
LEVELS = {
    "blue": (_("Blue (IV)"), 4),
    "yellow": (_("Yellow (III)"), 3),
    "orange": (_("Orange (II)"), 2),
    "red": (_("Red (I)"), 1),
}
# How the colour is written in messages (parameters and headlines), first match wins.
LEVEL_WORDS = {
    "red": ("red", "红色", "红", "ⅰ", "ⅰ级", "一级"),
    "orange": ("orange", "橙色", "橙", "ⅱ", "ⅱ级", "二级"),
    "yellow": ("yellow", "黄色", "黄", "ⅲ", "ⅲ级", "三级"),
    "blue": ("blue", "蓝色", "蓝", "ⅳ", "ⅳ级", "四级"),
}
# Only when a message says nothing about its colour: the usual correspondence.
SEVERITY_TO_LEVEL = {"Extreme": "red", "Severe": "orange", "Moderate": "yellow", "Minor": "blue"}
LEVEL_TO_SEVERITY = {value: key for key, value in SEVERITY_TO_LEVEL.items()}


def event_code_for(text: str) -> str:
    """Our event code for a message's event text (`other` when none matches)."""
    lowered = (text or "").lower()
    for code, (_label, _category, _en, words) in EVENT_TYPES.items():
        if any(word.lower() in lowered for word in words):
            return code
    return "other"


def _last_position(text: str, word: str) -> int:
    if word.isascii():  # whole words only: “declared” does not say red
        matches = list(re.finditer(rf"\b{re.escape(word)}\b", text))
        return matches[-1].start() if matches else -1
    return text.rfind(word)


def level_from_text(text: str) -> str | None:
    """The colour a parameter value or a headline names. In running text the last colour named wins
    (“暴雨红色预警降为橙色” is orange now)."""
    lowered = (text or "").strip().lower()
    if not lowered:
        return None
    for level in ("red", "orange", "yellow", "blue"):
        if lowered in LEVEL_WORDS[level]:
            return level
    best, best_at = None, -1
    for level in ("red", "orange", "yellow", "blue"):
        for word in LEVEL_WORDS[level]:
            at = _last_position(lowered, word) if len(word) > 1 else -1
            if at > best_at:
                best, best_at = level, at
    return best
