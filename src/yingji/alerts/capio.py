"""Reading real-world CAP 1.2 into plain values, and writing a warning as CAP 1.2.

Reading (`read`) tolerates what real feeds send: namespace prefixes, several `info` blocks in several
languages (the main one is zh-CN, then any zh, then the first; the others are kept), references as
`sender,identifier,sent` triplets, polygons, circles and geocodes. Whether a message is acceptable is
the caller's decision: `read` returns the problems (schema and rules, from `cap.validate`) next to the
values. The writes live in `services.import_cap`; `import_cap` here is a shortcut to it.

Writing (`export_cap`) produces a CAP 1.2 message whose identifier and sender follow GB/T 35965.1
practice (see docs/alerts.md): sender `ZZZZZZDDDUUUXX` (6-digit division code, 3-digit organisation
code, 3-digit unit, 2-digit extension), identifier `<sender>_<YYYYMMDDhhmmss Beijing time>_<N>`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from yingji.alerts import cap
from yingji.alerts.events import (
    EVENT_TYPES,
    LEVEL_TO_SEVERITY,
    SEVERITY_TO_LEVEL,
    event_code_for,
    level_from_text,
)

NS = cap.NS
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
# A `sent` in `references` may differ from the referenced message's own by this much (seconds dropped or
# rounded), or by a whole number of hours within ±14 h plus this much (an offset written wrongly).
SENT_TOLERANCE = datetime.timedelta(seconds=90)
LEVEL_PARAMETERS = {
    "color",
    "colour",
    "level",
    "alertlevel",
    "warninglevel",
    "预警级别",
    "级别",
    "颜色",
    "预警颜色",
}
SOURCE_PARAMETER = "yingji:source"
EVENT_CODE_NAME = "yingji:event_type"
DIVISION_CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")


class CapError(Exception):
    """A message that cannot be imported: a stable code and every problem, by field."""

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def problems(self) -> list[str]:
        return [message for messages in self.fields.values() for message in messages] or [self.message]


@dataclass
class Reference:
    sender: str
    identifier: str
    sent: datetime.datetime | None
    text: str


@dataclass
class Area:
    area_desc: str
    geocodes: list[dict] = field(default_factory=list)  # [{"name": ..., "value": ...}]
    polygons: list[list[list[float]]] = field(default_factory=list)
    circles: list[list[float]] = field(default_factory=list)
    altitude: float | None = None
    ceiling: float | None = None

    def division_codes(self) -> list[str]:
        """The 12-digit division codes the geocodes name (6 or 9 digits padded with zeros)."""
        codes = []
        for geocode in self.geocodes:
            value = str(geocode.get("value", "")).strip()
            if DIVISION_CODE.match(value):
                codes.append(value.ljust(12, "0"))
        return codes


@dataclass
class Info:
    language: str = "en-US"
    categories: list[str] = field(default_factory=list)
    event: str = ""
    urgency: str = "Unknown"
    severity: str = "Unknown"
    certainty: str = "Unknown"
    effective: datetime.datetime | None = None
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    parameters: list[dict] = field(default_factory=list)
    event_codes: list[dict] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)

    def as_other(self) -> dict:
        """What is kept of a non-main info block (JSON)."""
        return {
            "language": self.language,
            "category": self.categories[0] if self.categories else "Other",
            "event": self.event,
            "urgency": self.urgency,
            "severity": self.severity,
            "certainty": self.certainty,
            "sender_name": self.sender_name,
            "headline": self.headline,
            "description": self.description,
            "instruction": self.instruction,
            "areas": [area.area_desc for area in self.areas],
        }


@dataclass
class Message:
    identifier: str
    sender: str
    sent: datetime.datetime
    status: str
    msg_type: str
    scope: str
    references: list[Reference]
    references_text: str
    infos: list[Info]
    problems: list[cap.Problem]  # schema and rule problems (lenient mode imports anyway)

    @property
    def main_info(self) -> Info | None:
        return self.infos[choose_main_info([info.language for info in self.infos])] if self.infos else None

    @property
    def other_infos(self) -> list[Info]:
        main = self.main_info
        return [info for info in self.infos if info is not main]


def choose_main_info(languages: list[str]) -> int:
    """The index of the info block to use: zh-CN, then any Chinese, then the first."""
    normalised = [language.strip().lower().replace("_", "-") for language in languages]
    for wanted in (lambda tag: tag in ("zh-cn", "zh-hans-cn", "zh-hans"), lambda tag: tag.startswith("zh")):
        for index, tag in enumerate(normalised):
            if wanted(tag):
                return index
    return 0


def parse_time(text: str | None) -> datetime.datetime | None:
    """A CAP time, also as real feeds write it (Z, fractions); a time without offset is Beijing time."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def _text(element, name: str) -> str:
    child = element.find(f"{{{NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _pairs(element, name: str) -> list[dict]:
    return [
        {"name": _text(child, "valueName"), "value": _text(child, "value")}
        for child in element.findall(f"{{{NS}}}{name}")
    ]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_polygon(text: str) -> list[list[float]]:
    points = []
    for pair in text.split():
        lat, _sep, lon = pair.partition(",")
        points.append([float(lat), float(lon)])
    return points


def parse_circle(text: str) -> list[float]:
    centre, radius = text.split()
    lat, lon = centre.split(",")
    return [float(lat), float(lon), float(radius)]


def _read_area(element, problems: list[cap.Problem]) -> Area:
    area = Area(area_desc=_text(element, "areaDesc"), geocodes=_pairs(element, "geocode"))
    for polygon in element.findall(f"{{{NS}}}polygon"):
        try:
            area.polygons.append(parse_polygon(polygon.text or ""))
        except ValueError:
            problems.append(cap.Problem(polygon.sourceline, _("polygon: cannot be read")))
    for circle in element.findall(f"{{{NS}}}circle"):
        try:
            area.circles.append(parse_circle(circle.text or ""))
        except ValueError:
            problems.append(cap.Problem(circle.sourceline, _("circle: cannot be read")))
    area.altitude = _float(_text(element, "altitude"))
    area.ceiling = _float(_text(element, "ceiling"))
    return area


def _read_info(element, problems: list[cap.Problem]) -> Info:
    return Info(
        language=_text(element, "language") or "en-US",
        categories=[(c.text or "").strip() for c in element.findall(f"{{{NS}}}category")],
        event=_text(element, "event"),
        urgency=_text(element, "urgency") or "Unknown",
        severity=_text(element, "severity") or "Unknown",
        certainty=_text(element, "certainty") or "Unknown",
        effective=parse_time(_text(element, "effective")),
        onset=parse_time(_text(element, "onset")),
        expires=parse_time(_text(element, "expires")),
        sender_name=_text(element, "senderName"),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        web=_text(element, "web"),
        parameters=_pairs(element, "parameter"),
        event_codes=_pairs(element, "eventCode"),
        areas=[_read_area(area, problems) for area in element.findall(f"{{{NS}}}area")],
    )


def read_references(text: str) -> list[Reference]:
    references = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) == 3 and parts[0] and parts[1]:
            references.append(Reference(parts[0], parts[1], parse_time(parts[2]), triplet))
    return references


def read(data: bytes) -> Message:
    """The message's values and its problems; CapError when it cannot be read at all."""
    root, problems = cap.parse(data)
    if root is None:
        raise CapError(
            "not_xml", _("The file is not a readable XML document."), {"xml": [str(p) for p in problems]}
        )
    problems = cap.schema_problems(root)
    if root.tag != f"{{{NS}}}alert":
        raise CapError(
            "wrong_namespace", _("This is not a CAP 1.2 message."), {"alert": [str(p) for p in problems]}
        )
    problems += cap.rule_problems(root)
    missing = {}
    for name in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        if not _text(root, name):
            missing[name] = [_("{name} is required and missing.").format(name=name)]
    sent = parse_time(_text(root, "sent"))
    if "sent" not in missing and sent is None:
        missing["sent"] = [_("sent is not a date and time.")]
    msg_type = _text(root, "msgType")
    if "msgType" not in missing and msg_type not in ("Alert", "Update", "Cancel"):
        missing["msgType"] = [
            _("Only Alert, Update and Cancel messages can be imported, not {value}.").format(value=msg_type)
        ]
    infos = [_read_info(info, problems) for info in root.findall(f"{{{NS}}}info")]
    if msg_type in ("Alert", "Update") and not infos:
        missing["info"] = [
            _("An {msg_type} message needs at least one <info> block.").format(msg_type=msg_type)
        ]
    elif msg_type in ("Alert", "Update") and not (infos[choose_main_info([i.language for i in infos])].event):
        missing["event"] = [_("event is required and missing.")]
    if missing:
        fields = dict(missing)
        if problems:
            fields["schema"] = [str(p) for p in sorted(problems, key=lambda p: p.line or 0)]
        raise CapError("unreadable", _("The message lacks what an import needs."), fields)
    references_text = " ".join(_text(root, "references").split())
    assert sent is not None
    return Message(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=sent,
        status=_text(root, "status"),
        msg_type=msg_type,
        scope=_text(root, "scope"),
        references=read_references(references_text),
        references_text=references_text,
        infos=infos,
        problems=sorted(problems, key=lambda p: p.line or 0),
    )


def sent_matches(referenced: datetime.datetime, stated: datetime.datetime | None) -> bool:
    """Whether a reference's `sent` is close enough to the referenced message's own `sent`:
    a few seconds apart, or the same wall-clock time written with another offset."""
    if stated is None:
        return True
    difference = abs(referenced - stated)
    if difference <= SENT_TOLERANCE:
        return True
    hours = round(difference.total_seconds() / 3600)
    return hours <= 14 and abs(difference - datetime.timedelta(hours=hours)) <= SENT_TOLERANCE


def level_of(info: Info, others: list[Info]) -> tuple[str, str]:
    """The colour and where it came from: a parameter, the headline or event, else the severity."""
    for parameter in info.parameters:
        if parameter["name"].strip().lower() in LEVEL_PARAMETERS:
            level = level_from_text(parameter["value"])
            if level:
                return level, "parameter"
    for text in [info.headline, info.event] + [other.headline for other in others]:
        level = level_from_text(text)
        if level:
            return level, "text"
    return SEVERITY_TO_LEVEL.get(info.severity, "blue"), "severity"


def source_of(info: Info) -> str:
    for parameter in info.parameters:
        if parameter["name"] == SOURCE_PARAMETER and parameter["value"] in (
            "met",
            "water",
            "natural_resources",
            "emergency",
            "internal",
        ):
            return parameter["value"]
    name = info.sender_name
    for words, source in (
        (("气象",), "met"),
        (("水利", "水文", "防汛", "防指"), "water"),
        (("自然资源", "国土"), "natural_resources"),
        (("应急",), "emergency"),
    ):
        if any(word in name for word in words):
            return source
    category = info.categories[0] if info.categories else ""
    return {"Met": "met", "Geo": "natural_resources"}.get(category, "emergency")


def event_type_of(info: Info) -> str:
    for code in info.event_codes:
        if code["name"] == EVENT_CODE_NAME and code["value"] in EVENT_TYPES:
            return code["value"]
    return event_code_for(info.event)


# --- writing -----------------------------------------------------------------------------------------


def format_time(value: datetime.datetime) -> str:
    """CAP's form (no fractions, explicit offset) in Beijing time, as GB/T 35965.1 asks."""
    return value.astimezone(BEIJING).replace(microsecond=0).isoformat()


def sender_code(division_code: str) -> str:
    """ZZZZZZDDDUUUXX: the county-level division, the organisation code (GB/T 4657, setting
    `CAP_ORGANISATION_CODE`, default 000), the unit (000) and the extension (00)."""
    organisation = str(getattr(settings, "CAP_ORGANISATION_CODE", "000")).zfill(3)[:3]
    return f"{division_code[:6]}{organisation}00000"


def identifier_for(sender: str, sent: datetime.datetime, taken) -> str:
    """`<sender>_<YYYYMMDDhhmmss>_<N>`, N the first of 0–9 that `taken(identifier)` says is free."""
    stamp = sent.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
    for sequence in range(10):
        candidate = f"{sender}_{stamp}_{sequence}"
        if not taken(candidate):
            return candidate
    raise CapError("identifier_exhausted", _("Ten messages were already sent this second; try again."))


def _sub(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _pair(parent, name: str, value_name: str, value: str) -> None:
    element = _sub(parent, name)
    _sub(element, "valueName", value_name)
    _sub(element, "value", value)


def _area_geocodes(area) -> list[tuple[str, str]]:
    """Division codes as GB/T 2260 (6 digits, county and above) or GB/T 10114 (12 digits, below),
    then any other geocode the message came with."""
    pairs: list[tuple[str, str]] = []
    for code in sorted(division.code for division in area.divisions.all()):
        pairs.append(("GB/T 2260", code[:6]) if code.endswith("000000") else ("GB/T 10114", code))
    seen = {value for _name, value in pairs} | {value.ljust(12, "0") for _name, value in pairs}
    for geocode in area.geocodes:
        value = str(geocode.get("value", ""))
        if value not in seen and value.ljust(12, "0") not in seen:
            pairs.append((geocode.get("name", ""), value))
    return pairs


def _write_area(info, area) -> None:
    element = _sub(info, "area")
    _sub(element, "areaDesc", area.area_desc)
    for polygon in area.polygons:
        _sub(element, "polygon", " ".join(f"{lat:g},{lon:g}" for lat, lon in polygon))
    for lat, lon, radius in area.circles:
        _sub(element, "circle", f"{lat:g},{lon:g} {radius:g}")
    for name, value in _area_geocodes(area):
        _pair(element, "geocode", name, value)
    if area.altitude is not None:
        _sub(element, "altitude", f"{area.altitude:g}")
        if area.ceiling is not None:
            _sub(element, "ceiling", f"{area.ceiling:g}")


def _write_main_info(alert, warning) -> None:
    info = _sub(alert, "info")
    _sub(info, "language", warning.language or "zh-CN")
    _sub(info, "category", warning.category or "Other")
    _sub(info, "event", warning.event)
    _sub(info, "urgency", warning.urgency)
    _sub(info, "severity", warning.severity or LEVEL_TO_SEVERITY.get(warning.level, "Unknown"))
    _sub(info, "certainty", warning.certainty)
    _pair(info, "eventCode", EVENT_CODE_NAME, warning.event_type)
    for name in ("effective", "onset", "expires"):
        value = getattr(warning, name)
        if value is not None:
            _sub(info, name, format_time(value))
    if warning.sender_name:
        _sub(info, "senderName", warning.sender_name)
    _sub(info, "headline", warning.headline)
    for name in ("description", "instruction", "web"):
        if getattr(warning, name):
            _sub(info, name, getattr(warning, name))
    _pair(info, "parameter", "color", warning.level)
    _pair(info, "parameter", SOURCE_PARAMETER, warning.source)
    for area in warning.areas.all():
        _write_area(info, area)


def _write_other_info(alert, other: dict) -> None:
    info = _sub(alert, "info")
    _sub(info, "language", other.get("language") or "en-US")
    _sub(info, "category", other.get("category") or "Other")
    _sub(info, "event", other.get("event") or "-")
    for name in ("urgency", "severity", "certainty"):
        _sub(info, name, other.get(name) or "Unknown")
    for key, name in (
        ("sender_name", "senderName"),
        ("headline", "headline"),
        ("description", "description"),
        ("instruction", "instruction"),
    ):
        if other.get(key):
            _sub(info, name, other[key])
    for area_desc in other.get("areas") or []:
        _sub(_sub(info, "area"), "areaDesc", area_desc)


def export_cap(warning) -> bytes:
    """The warning's current CAP 1.2 message (its identity: identifier, sender, sent, msgType, references)."""
    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _sub(alert, "identifier", warning.identifier)
    _sub(alert, "sender", warning.sender)
    _sub(alert, "sent", format_time(warning.sent))
    _sub(alert, "status", warning.cap_status)
    _sub(alert, "msgType", warning.msg_type)
    _sub(alert, "scope", warning.cap_scope)
    if warning.cap_scope == "Restricted":
        _sub(alert, "restriction", _("For the emergency-management bodies of the area."))
    if warning.references_text:
        _sub(alert, "references", warning.references_text)
    if warning.msg_type != "Cancel" or warning.headline:
        _write_main_info(alert, warning)
        for other in warning.other_infos:
            _write_other_info(alert, other)
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def summary(warning) -> dict:
    """What the command line and the API answer after an import."""
    return {
        "id": warning.pk,
        "identifier": warning.identifier,
        "msg_type": warning.msg_type,
        "status": warning.status,
    }


def import_cap(xml_bytes: bytes, *, actor=None, lenient: bool = False):
    """Shortcut to `services.import_cap` (the writes live in services)."""
    from yingji.alerts import services

    return services.import_cap(xml_bytes, actor=actor, lenient=lenient)
