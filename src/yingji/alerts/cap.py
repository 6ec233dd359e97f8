"""CAP 1.2 (OASIS Common Alerting Protocol) validation: the official XSD, then the rules of the
specification the XSD cannot express. Every problem carries its line so people can find it.

The rules checked beyond the schema (CAP 1.2 §3.2, §3.3): identifier and sender without spaces, commas
or restricted characters; `references` as space-separated `sender,identifier,sent` triplets, required
for Update, Cancel, Ack and Error; `restriction` for Restricted scope and `addresses` for Private scope;
polygons of at least four coordinate pairs that close on their first pair, valid WGS-84 latitude and
longitude; circles as `lat,lon radius` with radius ≥ 0; expires after effective and onset. (The
language tag is the schema's xs:language.)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD = Path(__file__).resolve().parent / "data" / "CAP-v1.2.xsd"
FORBIDDEN_IN_IDS = re.compile(r"[\s,<&]")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
NEEDS_REFERENCES = {"Update", "Cancel", "Ack", "Error"}


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            _("line {line}: {message}").format(line=self.line, message=self.message)
            if self.line
            else self.message
        )


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def parse(data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """The document's root, or the reason it is not readable XML (never resolves entities or DTDs)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else None
        return None, [Problem(line, _("not well-formed XML: {error}").format(error=error.msg))]
    if root.getroottree().docinfo.doctype:
        return None, [Problem(1, _("a DOCTYPE declaration is not allowed in a CAP message"))]
    return root, []


def schema_problems(root: etree._Element) -> list[Problem]:
    if root.tag != f"{{{NS}}}alert":
        namespace = etree.QName(root).namespace or _("no namespace")
        return [
            Problem(
                root.sourceline,
                _(
                    "the root element must be <alert> in the namespace {expected}, not <{name}> in {namespace}"
                ).format(expected=NS, name=etree.QName(root).localname, namespace=namespace),
            )
        ]
    validator = schema()
    if validator.validate(root):
        return []
    return [
        Problem(error.line or None, _("schema: {message}").format(message=error.message))
        for error in validator.error_log
    ]


def _text(element: etree._Element, name: str) -> str | None:
    child = element.find(f"{{{NS}}}{name}")
    return child.text.strip() if child is not None and child.text else None


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall(f"{{{NS}}}{name}")


def parse_datetime(text: str) -> datetime.datetime | None:
    if not DATETIME.match(text or ""):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def _point(text: str) -> tuple[float, float] | None:
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def polygon_problems(text: str) -> list[str]:
    pairs = text.split()
    points = [_point(p) for p in pairs]
    problems = []
    if any(p is None for p in points):
        problems.append(_("polygon: every point must be “latitude,longitude” within WGS-84 ranges"))
    if len(pairs) < 4:
        problems.append(_("polygon: at least four points are needed (the first repeated at the end)"))
    elif pairs and points[0] != points[-1]:
        problems.append(_("polygon: not closed (the last point must repeat the first)"))
    return problems


def circle_problems(text: str) -> list[str]:
    parts = text.split()
    if len(parts) != 2 or _point(parts[0]) is None:
        return [_("circle: must be “latitude,longitude radius”")]
    try:
        radius = float(parts[1])
    except ValueError:
        return [_("circle: the radius must be a number of kilometres")]
    return [] if radius >= 0 else [_("circle: the radius must not be negative")]


def references_problems(text: str) -> list[str]:
    problems = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) != 3 or not all(parts):
            problems.append(_("references: “{value}” is not sender,identifier,sent").format(value=triplet))
        elif parse_datetime(parts[2]) is None:
            problems.append(_("references: “{value}” has an invalid sent time").format(value=triplet))
    return problems


def rule_problems(root: etree._Element) -> list[Problem]:
    """The CAP 1.2 rules the XSD cannot express (run on a document in the CAP namespace)."""
    found: list[Problem] = []

    def add(element, message):
        found.append(Problem(element.sourceline if element is not None else None, message))

    for name in ("identifier", "sender"):
        element = root.find(f"{{{NS}}}{name}")
        if element is not None and element.text and FORBIDDEN_IN_IDS.search(element.text.strip()):
            add(element, _("{name} must not contain spaces, commas, “<” or “&”").format(name=name))
    msg_type = _text(root, "msgType")
    references = root.find(f"{{{NS}}}references")
    if msg_type in NEEDS_REFERENCES and (references is None or not (references.text or "").strip()):
        add(
            root,
            _("a {msg_type} message must name the message(s) it refers to in <references>").format(
                msg_type=msg_type
            ),
        )
    if references is not None and references.text:
        for message in references_problems(references.text):
            add(references, message)
    scope = _text(root, "scope")
    if scope == "Restricted" and not _text(root, "restriction"):
        add(root, _("scope Restricted needs a <restriction>"))
    if scope == "Private" and not _text(root, "addresses"):
        add(root, _("scope Private needs <addresses>"))
    for info in _children(root, "info"):
        starts = [parse_datetime(_text(info, name) or "") for name in ("effective", "onset")]
        start = max((s for s in starts if s is not None), default=None)
        expires = info.find(f"{{{NS}}}expires")
        end = parse_datetime(expires.text.strip()) if expires is not None and expires.text else None
        if start and end and end <= start:
            add(expires, _("expires must be later than effective and onset"))
        for area in _children(info, "area"):
            for polygon in _children(area, "polygon"):
                for message in polygon_problems(polygon.text or ""):
                    add(polygon, message)
            for circle in _children(area, "circle"):
                for message in circle_problems(circle.text or ""):
                    add(circle, message)
    return found


def validate(data: bytes) -> list[Problem]:
    """Every problem of a CAP 1.2 document (empty: valid)."""
    root, problems = parse(data)
    if root is None:
        return problems
    problems = schema_problems(root)
    if root.tag == f"{{{NS}}}alert":
        problems += rule_problems(root)
    return sorted(problems, key=lambda p: p.line or 0)
