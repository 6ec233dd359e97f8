"""Use cases that change risk units, points and control measures, and the lookups they rely on.

A point's score and level are never typed in: every create or update recomputes them with rules.py
under the level mapping that applies to the enterprise's division (`config_for`). Bad input raises
`ValidationError({field: message})` and changes nothing, neither the database nor the object passed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.core.models import Division
from yingji.registry.models import Enterprise
from yingji.risk import rules
from yingji.risk.models import ControlMeasure, EnterpriseRisk, Post, RiskMethodConfig, RiskPoint, RiskUnit
from yingji.risk.rules import LEC, LS, Method

UNIT_FIELDS = ["name", "description"]
POINT_FIELDS = [
    "name",
    "kind",
    "hazard_factors",
    "consequences",
    "method",
    "lec_l",
    "lec_e",
    "lec_c",
    "ls_l",
    "ls_s",
]
ASSESSMENT_FIELDS = {"method", "lec_l", "lec_e", "lec_c", "ls_l", "ls_s"}
MEASURE_FIELDS = ["measure_type", "control_level", "description", "responsible_person", "responsible_phone"]
# factor letter in rules -> model field, per method
FACTOR_FIELDS = {
    LEC: {"L": "lec_l", "E": "lec_e", "C": "lec_c"},
    LS: {"L": "ls_l", "S": "ls_s"},
}


# --- lookups --------------------------------------------------------------------------------------


def config_for(division: Division | None, method: str) -> rules.Bands:
    """The level mapping for `method` at `division`: the nearest `RiskMethodConfig` up the division
    tree, else the installation-wide one (division empty), else the shipped default."""
    codes: list[str] = []
    node = division
    while node is not None:
        codes.append(node.code)
        node = node.parent
    configs = {
        config.division_id: config
        for config in RiskMethodConfig.objects.filter(method=method).filter(
            Q(division__in=codes) | Q(division__isnull=True)
        )
    }
    for code in [*codes, None]:
        if code in configs:
            return configs[code].as_bands()
    return rules.DEFAULTS[str(method)]


def enterprise_risk_level(enterprise: Enterprise) -> str | None:
    """The enterprise's risk level: that of its highest point (None when it has no points)."""
    levels = RiskPoint.objects.filter(unit__enterprise=enterprise).values_list("level", flat=True).distinct()
    return rules.highest(levels)


def refresh_enterprise_risk(enterprise_id: int) -> EnterpriseRisk:
    """Recount the enterprise's points per level and store its level (the highest) in EnterpriseRisk.

    Called by every service that adds, changes or removes a point, inside its transaction."""
    counts = dict.fromkeys(rules.LEVELS_LOW_TO_HIGH, 0)
    rows = (
        RiskPoint.objects.filter(unit__enterprise_id=enterprise_id)
        .order_by()
        .values_list("level")
        .annotate(n=models.Count("id"))
    )
    for level, n in rows:
        counts[str(level)] = n
    level = rules.highest(name for name, n in counts.items() if n) or ""
    risk, _created = EnterpriseRisk.objects.update_or_create(
        enterprise_id=enterprise_id, defaults={"level": level, **counts}
    )
    return risk


def refresh_all_enterprise_risks(enterprise_ids: list[int] | None = None) -> int:
    """Rebuild EnterpriseRisk for some enterprises (default: every one with a point); for bulk loads."""
    if enterprise_ids is None:
        enterprise_ids = list(
            RiskPoint.objects.order_by().values_list("unit__enterprise_id", flat=True).distinct()
        )
    for enterprise_id in enterprise_ids:
        refresh_enterprise_risk(enterprise_id)
    return len(enterprise_ids)


# --- helpers --------------------------------------------------------------------------------------


def check_in_scope(enterprise: Enterprise, actor) -> None:
    """An actor may only touch risk data of an enterprise they can see (no actor: a system job)."""
    if actor is None:
        return
    if not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("This enterprise is outside your jurisdiction.")})


@contextmanager
def _unchanged_on_error(obj: models.Model) -> Iterator[None]:
    """Put the object's field values back if the block raises, so a rejected change changes nothing."""
    before = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    try:
        yield
    except BaseException:
        for name, value in before.items():
            setattr(obj, name, value)
        raise


def _set(obj: models.Model, allowed: list[str], fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    for name, value in fields.items():
        setattr(obj, name, value)


def _save(obj: models.Model, actor) -> None:
    obj.full_clean()
    with audit.acting_as(
        actor if actor is not None else audit.current_actor().user, audit.current_actor().ip
    ):
        obj.save()


def assess(point: RiskPoint) -> None:
    """Recompute the point's score, level and mapping from its method and factor values."""
    if point.method not in Method.values:
        raise ValidationError(
            {"method": _("Choose an assessment method: {methods}.").format(methods=", ".join(Method.values))}
        )
    method = str(point.method)
    fields = FACTOR_FIELDS[method]
    missing = {
        name: _("Required for this assessment method.")
        for name in fields.values()
        if getattr(point, name) in (None, "")
    }
    if missing:
        raise ValidationError(missing)
    bands = config_for(point.unit.enterprise.division, method)
    try:
        if method == LEC:
            lec = rules.assess_lec(point.lec_l, point.lec_e, point.lec_c, mapping=bands)
            point.lec_l, point.lec_e, point.lec_c = lec.l.value, lec.e.value, lec.c.value
            point.ls_l = point.ls_s = None
            point.score, point.level = lec.d, lec.level
        else:
            ls = rules.assess_ls(point.ls_l, point.ls_s, thresholds=bands)
            point.ls_l, point.ls_s = ls.l, ls.s
            point.lec_l = point.lec_e = point.lec_c = None
            point.score, point.level = Decimal(ls.r), ls.level
    except rules.FactorError as error:
        raise ValidationError({fields[error.factor]: str(error)}) from error
    point.mapping = bands.as_json()


# --- risk units -----------------------------------------------------------------------------------


@transaction.atomic
def create_unit(*, actor, enterprise: Enterprise, **fields) -> RiskUnit:
    check_in_scope(enterprise, actor)
    unit = RiskUnit(enterprise=enterprise)
    _set(unit, UNIT_FIELDS, fields)
    _save(unit, actor)
    return unit


@transaction.atomic
def update_unit(unit: RiskUnit, *, actor, **fields) -> RiskUnit:
    check_in_scope(unit.enterprise, actor)
    with _unchanged_on_error(unit):
        _set(unit, UNIT_FIELDS, fields)
        _save(unit, actor)
    return unit


@transaction.atomic
def delete_unit(unit: RiskUnit, *, actor) -> None:
    check_in_scope(unit.enterprise, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        unit.delete()
    refresh_enterprise_risk(unit.enterprise_id)


# --- risk points ----------------------------------------------------------------------------------


@transaction.atomic
def create_point(*, actor, unit: RiskUnit, **fields) -> RiskPoint:
    """A new risk point with its assessment; the score and level come from the rules."""
    check_in_scope(unit.enterprise, actor)
    point = RiskPoint(unit=unit)
    _set(point, POINT_FIELDS, fields)
    assess(point)
    point.assessed_by = actor
    point.assessed_at = timezone.now()
    _save(point, actor)
    refresh_enterprise_risk(unit.enterprise_id)
    return point


@transaction.atomic
def update_point(point: RiskPoint, *, actor, **fields) -> RiskPoint:
    """Change a point; the assessment is recomputed, and re-attributed when its inputs or result change."""
    check_in_scope(point.unit.enterprise, actor)
    with _unchanged_on_error(point):
        before = (point.method, point.score, point.level, point.mapping)
        _set(point, POINT_FIELDS, fields)
        assess(point)
        if ASSESSMENT_FIELDS & set(fields) or before != (
            point.method,
            point.score,
            point.level,
            point.mapping,
        ):
            point.assessed_by = actor
            point.assessed_at = timezone.now()
        _save(point, actor)
        refresh_enterprise_risk(point.unit.enterprise_id)
    return point


@transaction.atomic
def delete_point(point: RiskPoint, *, actor) -> None:
    check_in_scope(point.unit.enterprise, actor)
    enterprise_id = point.unit.enterprise_id
    with audit.acting_as(actor, audit.current_actor().ip):
        point.delete()
    refresh_enterprise_risk(enterprise_id)


# --- control measures -----------------------------------------------------------------------------


@transaction.atomic
def create_measure(*, actor, point: RiskPoint, **fields) -> ControlMeasure:
    check_in_scope(point.unit.enterprise, actor)
    measure = ControlMeasure(point=point)
    _set(measure, MEASURE_FIELDS, fields)
    _save(measure, actor)
    return measure


@transaction.atomic
def update_measure(measure: ControlMeasure, *, actor, **fields) -> ControlMeasure:
    check_in_scope(measure.point.unit.enterprise, actor)
    with _unchanged_on_error(measure):
        _set(measure, MEASURE_FIELDS, fields)
        _save(measure, actor)
    return measure


@transaction.atomic
def delete_measure(measure: ControlMeasure, *, actor) -> None:
    check_in_scope(measure.point.unit.enterprise, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        measure.delete()


# --- posts (岗位) ----------------------------------------------------------------------------------

POST_FIELDS = ["name", "duties", "operating_steps", "emergency_steps"]


def _set_post_points(post: Post, points) -> None:
    ids = sorted({p.pk if isinstance(p, RiskPoint) else int(p) for p in points})
    found = set(
        RiskPoint.objects.filter(pk__in=ids, unit__enterprise_id=post.enterprise_id).values_list(
            "pk", flat=True
        )
    )
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"risk_points": _("Not risk points of this enterprise: {ids}.").format(ids=", ".join(missing))}
        )
    post.risk_points.set(ids)


@transaction.atomic
def create_post(*, actor, enterprise: Enterprise, risk_points=(), **fields) -> Post:
    check_in_scope(enterprise, actor)
    post = Post(enterprise=enterprise)
    _set(post, POST_FIELDS, fields)
    _save(post, actor)
    _set_post_points(post, risk_points)
    return post


@transaction.atomic
def update_post(post: Post, *, actor, risk_points=None, **fields) -> Post:
    check_in_scope(post.enterprise, actor)
    with _unchanged_on_error(post):
        _set(post, POST_FIELDS, fields)
        _save(post, actor)
        if risk_points is not None:
            _set_post_points(post, risk_points)
    return post


@transaction.atomic
def delete_post(post: Post, *, actor) -> None:
    check_in_scope(post.enterprise, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        post.delete()


# --- per-bureau level mappings --------------------------------------------------------------------


@transaction.atomic
def set_method_config(
    *, actor, division: Division | None, method: str, bands: dict, note: str = ""
) -> RiskMethodConfig:
    """Create or replace the level mapping of `method` for `division` (None: installation-wide)."""
    if getattr(actor, "is_enterprise_user", False):
        raise ValidationError({"division": _("Only the bureau sets the level mapping.")})
    prefix = getattr(actor, "scope_prefix", "") if actor is not None else ""
    if prefix is None or (prefix and (division is None or not division.code.startswith(prefix))):
        raise ValidationError({"division": _("This division is outside your jurisdiction.")})
    config = RiskMethodConfig.objects.filter(division=division, method=method).first() or RiskMethodConfig(
        division=division, method=method
    )
    config.bands, config.note = bands, note
    _save(config, actor)
    return config


# --- read helpers ---------------------------------------------------------------------------------


def assessment_of(point: RiskPoint) -> dict:
    """How the point's level was computed, for its page, its card and the API: the factors with
    their table descriptions, the formula, the score, the LEC danger band and the mapping in force."""
    method = str(point.method)
    try:
        bands = rules.bands_from_json(method, point.mapping)
    except rules.BandsError:
        bands = config_for(point.unit.enterprise.division, method)
    if method == LEC:
        lec = rules.assess_lec(point.lec_l, point.lec_e, point.lec_c, mapping=bands)
        rows = [lec.l, lec.e, lec.c]
        factors = [
            {"factor": r.factor, "value": rules.plain_number(r.value), "description": r.description}
            for r in rows
        ]
        values = " × ".join(rules.number_text(r.value) for r in rows)
        symbol, score, band = "D", lec.d, lec.band.text
        formula = f"D = L × E × C = {values} = {rules.number_text(lec.d)}"
        level = lec.level
    else:
        ls = rules.assess_ls(point.ls_l, point.ls_s, thresholds=bands)
        factors = [
            {"factor": "L", "value": ls.l, "description": ""},
            {"factor": "S", "value": ls.s, "description": ""},
        ]
        symbol, score, band = "R", Decimal(ls.r), ls.band
        formula = f"R = L × S = {ls.l} × {ls.s} = {ls.r}"
        level = ls.level
    return {
        "method": method,
        "factors": factors,
        "formula": formula,
        "symbol": symbol,
        "score": rules.plain_number(score),
        "band": band,
        "level": level,
        "colour": rules.colour_of(level),
        "mapping": [
            {
                "level": lv,
                "label": str(rules.Level(lv).label),
                "condition": text,
                "colour": rules.colour_of(lv),
            }
            for lv, text in rules.describe_bands(bands, symbol)
        ],
        "mapping_name": bands.name,
        "stale": level != point.level,
    }
