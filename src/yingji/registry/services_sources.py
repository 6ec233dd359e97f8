"""Use cases that change major hazard sources (重大危险源) and their chemicals.

Every change recomputes the GB 18218-2018 identification and grading (`rules_gb18218`) and stores the
whole computation in `MajorHazardSource.assessment` (numbers as exact decimal strings), so the result
page and the API show what was computed, not a re-run. Chemicals are replaced all-or-nothing: one bad
row rejects the whole change, with errors keyed `chemicals[i].<field>` (0-based, like the API input).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.registry import rules_gb18218 as gb
from yingji.registry.models import Enterprise, MajorHazardSource, SourceChemical

SOURCE_FIELDS = [
    "enterprise",
    "name",
    "code",
    "category",
    "kind",
    "exposed_population",
    "location",
    "longitude",
    "latitude",
    "status",
]
CHEMICAL_FIELDS = ("name", "cas", "categories", "quantity_t")
DECIMALS = 6  # shown for values that have no finite decimal expansion (the comparisons stay exact)


# -- numbers ---------------------------------------------------------------------------------------


def is_exact(value: Fraction) -> bool:
    """Whether the value has a finite decimal expansion (its denominator has no factor but 2 and 5)."""
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    return denominator == 1


def decimal_text(value: Fraction) -> str:
    """The exact decimal when it terminates (1/8 -> "0.125"), else rounded to six places."""
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    if not is_exact(value):
        decimal = decimal.quantize(Decimal(1).scaleb(-DECIMALS))
    return format(decimal.normalize(), "f")


def _stored(value: Fraction) -> Decimal:
    """The 4-decimal value kept in the indexed columns (filters and lists; the JSON keeps the exact text)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"))


# -- chemicals: parse and check, errors keyed by row and field -------------------------------------


def parse_categories(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    return [str(code).strip().upper() for code in raw if str(code).strip()]


def _key(i: int, field: str) -> str:
    return f"chemicals[{i}].{field}"


def _row_label(i: int, chemical: dict) -> str:
    shown = chemical.get("name") or chemical.get("cas")
    return _("chemical {n}").format(n=i + 1) + (f" ({shown})" if shown else "")


def _clean_quantity(value: Any, where: str) -> Decimal:
    if value is None or value == "" or isinstance(value, bool):
        raise ValidationError(_("{where}: the maximum quantity (t) is required.").format(where=where))
    try:
        quantity = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            _("{where}: the maximum quantity must be a number of tonnes, not {value}.").format(
                where=where, value=value
            )
        ) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError(_("{where}: the maximum quantity must be greater than 0.").format(where=where))
    if quantity != quantity.quantize(Decimal("0.0001")) or quantity >= Decimal(10) ** 10:
        raise ValidationError(
            _("{where}: the maximum quantity must be below 10,000,000,000 t with at most 4 decimals.").format(
                where=where
            )
        )
    return quantity


def _candidate_rows(chemical: dict) -> list[set[int]]:
    """Table 1 rows matched by the name and by the CAS number (each a set of row numbers)."""
    t = gb.tables()
    found = []
    for key in ("cas", "name"):
        if chemical.get(key):
            rows = t.by_key.get(gb.normalise(chemical[key]))
            if rows:
                found.append({row.seq for row in rows})
    return found


def _field_of_rule_error(chemical: dict) -> str:
    """Which input field a GB18218Error about this chemical concerns."""
    found = _candidate_rows(chemical)
    if found and len(set.intersection(*found)) == 1:
        return "categories"  # a Table 1 chemical outside Table 3: β needs its categories
    if chemical.get("name") or not chemical.get("cas"):
        return "name" if chemical.get("name") or not chemical.get("categories") else "categories"
    return "cas"


def check_chemicals(chemicals: list[dict]) -> tuple[list[dict], list[gb.Line]]:
    """(clean rows, assessed lines); ValidationError keyed `chemicals[i].field` listing every problem."""
    errors: dict[str, list[str]] = {}
    rows, lines = [], []
    for i, raw in enumerate(chemicals):
        where = _row_label(i, raw)
        row: dict[str, Any] = {
            "name": str(raw.get("name") or "").strip(),
            "cas": str(raw.get("cas") or "").strip(),
            "categories": parse_categories(raw.get("categories")),
        }
        try:
            row["quantity_t"] = _clean_quantity(raw.get("quantity_t"), where)
        except ValidationError as error:
            errors.setdefault(_key(i, "quantity_t"), []).extend(error.messages)
            continue
        for field, limit in (("name", 100), ("cas", 20)):
            if len(row[field]) > limit:
                errors.setdefault(_key(i, field), []).append(
                    _("{where}: at most {limit} characters.").format(where=where, limit=limit)
                )
        if not (row["name"] or row["cas"] or row["categories"]):
            errors.setdefault(_key(i, "name"), []).append(
                _("{where}: give the chemical's name or CAS number, or its hazard categories.").format(
                    where=where
                )
            )
            continue
        rule_input: dict[str, Any] = {"quantity_t": str(row["quantity_t"])}
        rule_input.update({k: row[k] for k in ("name", "cas", "categories") if row[k]})
        unknown = [c for c in row["categories"] if c not in gb.tables().table2]
        if unknown:
            errors.setdefault(_key(i, "categories"), []).append(
                _("{where}: unknown categories {codes} (Table 2 codes: J1–J5, W1.1–W11).").format(
                    where=where, codes=", ".join(unknown)
                )
            )
            continue
        try:
            lines.append(gb.assess_chemical(rule_input, where))
        except gb.GB18218Error as error:
            errors.setdefault(_key(i, _field_of_rule_error(row)), []).extend(error.problems)
            continue
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows, lines


# -- the assessment as stored ----------------------------------------------------------------------


def _grade_band(grade: int) -> str:
    for number, low, high, _label in gb.tables().grades:
        if number == grade:
            if low is not None and high is not None:
                return f"{decimal_text(low)} ≤ R < {decimal_text(high)}"
            if low is not None:
                return f"R ≥ {decimal_text(low)}"
            if high is not None:
                return f"R < {decimal_text(high)}"
    return ""


def _line_json(line: gb.Line, row: dict) -> dict:
    notes = [str(n) for n in line.notes]
    if line.matched_row.startswith("表2") and (row["name"] or row["cas"]):
        # Everyday names (汽油, 液化石油气) are not always Table 1's names: say what happened.
        notes.append(
            _(
                "{name} was not found in Table 1, so it is classified by its categories; if it is a Table 1 "
                "chemical under another name, give its CAS number."
            ).format(name=row["name"] or row["cas"])
        )
    return {
        "chemical": line.label,
        "name": row["name"],
        "cas": row["cas"],
        "categories": row["categories"],
        "matched_row": line.matched_row,
        "table": "1" if line.matched_row.startswith("表1") else "2",
        "quantity_t": decimal_text(line.quantity),
        "Q": decimal_text(line.q),
        "q_over_Q": decimal_text(line.q_over_Q),
        "beta": decimal_text(line.beta),
        "beta_from": line.beta_from,
        "beta_q_over_Q": decimal_text(line.beta * line.q_over_Q),
        "notes": notes,
    }


def build_assessment(source: MajorHazardSource, rows: list[dict], lines: list[gb.Line]) -> dict:
    """The whole GB 18218 computation of a hazardous-chemical unit, every number an exact string."""
    alpha, alpha_row = gb.alpha_for(source.exposed_population)
    unit = gb.UnitResult(
        name=source.name,
        kind=source.kind,
        exposed_population=source.exposed_population,
        lines=lines,
        alpha=alpha,
        alpha_row=alpha_row,
    )
    s, beta_sum = unit.s, sum((line.beta * line.q_over_Q for line in lines), Fraction(0))
    result: dict[str, Any] = {
        "standard": "GB 18218-2018",
        "category": "hazchem",
        "kind": source.kind,
        "exposed_population": source.exposed_population,
        "lines": [_line_json(line, row) for line, row in zip(lines, rows, strict=True)],
        "S": decimal_text(s),
        "S_exact": is_exact(s),
        "S_fraction": f"{s.numerator}/{s.denominator}",
        "S_compared": "≥ 1" if unit.is_major else "< 1",
        "is_major": unit.is_major,
        "alpha": None,
        "alpha_row": None,
        "sum_beta_q_over_Q": None,
        "R": None,
        "R_exact": None,
        "R_fraction": None,
        "grade": None,
        "grade_label": None,
        "grade_band": None,
    }
    if unit.is_major:
        r = unit.r
        grade, label = gb.grade_for(r)
        result.update(
            alpha=decimal_text(alpha),
            alpha_row=f"表5 {alpha_row}",
            sum_beta_q_over_Q=decimal_text(beta_sum),
            R=decimal_text(r),
            R_exact=is_exact(r),
            R_fraction=f"{r.numerator}/{r.denominator}",
            grade=grade,
            grade_label=label,
            grade_band=f"表6 {label} {_grade_band(grade)}",
        )
    return result


def _apply_assessment(source: MajorHazardSource, rows: list[dict], lines: list[gb.Line], now) -> None:
    if source.category != "hazchem":
        # Tailings ponds, mines and others are registered as sources directly; GB 18218 does not grade them.
        source.is_major, source.grade, source.sum_q_over_q, source.r_value = True, None, None, None
        source.assessment = {"standard": None, "category": source.category, "is_major": True, "lines": []}
    else:
        result = build_assessment(source, rows, lines)
        source.is_major = result["is_major"]
        source.grade = result["grade"]
        source.sum_q_over_q = _stored(Fraction(result["S_fraction"]))
        source.r_value = _stored(Fraction(result["R_fraction"])) if result["R_fraction"] else None
        source.assessment = result
    source.assessed_at = now


# -- the source itself -----------------------------------------------------------------------------


def _check_enterprise(source: MajorHazardSource, actor) -> None:
    enterprise = source.enterprise if source.enterprise_id else None
    if enterprise is None or not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("This enterprise is outside your jurisdiction.")})


def _check_source(source: MajorHazardSource) -> None:
    errors: dict[str, list[str]] = {}
    if source.category == "hazchem" and source.kind not in ("production", "storage"):
        errors["kind"] = [_("A hazardous-chemical unit is a production or a storage unit.")]
    if source.category != "hazchem":
        source.kind = ""
    population = source.exposed_population
    if isinstance(population, int) and not isinstance(population, bool) and population < 0:
        errors["exposed_population"] = [_("The number of people within 500 m cannot be negative.")]
    name = (source.name or "").strip()
    source.name = name
    if (
        name
        and source.enterprise_id
        and MajorHazardSource.objects.filter(enterprise_id=source.enterprise_id, name=name)
        .exclude(pk=source.pk)
        .exists()
    ):
        errors["name"] = [_("This enterprise already has a source named {name}.").format(name=name)]
    if errors:
        raise ValidationError(errors)
    source.full_clean(validate_constraints=False)


def _current_rows(source: MajorHazardSource) -> list[dict]:
    return [
        {
            "name": c.name,
            "cas": c.cas,
            "categories": parse_categories(c.categories),
            "quantity_t": c.quantity_t,
        }
        for c in source.chemicals.all()
    ]


def _save(source: MajorHazardSource, chemicals: list[dict] | None, *, actor, now=None) -> MajorHazardSource:
    """Check everything, then write the source, its chemicals (when given) and the assessment."""
    _check_enterprise(source, actor)
    if source.enterprise_id:
        source.division_id = source.enterprise.division_id  # the scope reads the source's own division
    # The unit's fields and its chemicals are checked together, so every problem is reported at once.
    errors: dict[str, list[str]] = {}
    try:
        _check_source(source)
    except ValidationError as error:
        errors.update(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})
    rows: list[dict] = []
    lines: list[gb.Line] = []
    if source.category != "hazchem" and chemicals:
        errors["chemicals"] = [_("Only hazardous-chemical units list chemicals.")]
    elif source.category == "hazchem":
        raw = chemicals if chemicals is not None else (_current_rows(source) if source.pk else [])
        if not raw:
            errors["chemicals"] = [_("A hazardous-chemical unit needs at least one chemical.")]
        else:
            try:
                rows, lines = check_chemicals(raw)
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _apply_assessment(source, rows, lines, now or timezone.now())
    with audit.acting_as(actor, audit.current_actor().ip):
        source.save()
        if chemicals is not None or source.category != "hazchem":
            _replace_chemicals(source, rows)
    sync_enterprise_flag(source.enterprise, actor=actor)
    return source


def _replace_chemicals(source: MajorHazardSource, rows: list[dict]) -> None:
    source.chemicals.all().delete()
    SourceChemical.objects.bulk_create(
        SourceChemical(
            source=source,
            name=row["name"],
            cas=row["cas"],
            categories=", ".join(row["categories"]),
            quantity_t=row["quantity_t"],
        )
        for row in rows
    )


def _fields(fields: dict) -> dict:
    unknown = sorted(set(fields) - set(SOURCE_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown fields: {names}.").format(names=", ".join(unknown)))
    return fields


@transaction.atomic
def create_source(*, actor, chemicals: list[dict] | None = None, now=None, **fields) -> MajorHazardSource:
    source = MajorHazardSource(**_fields(fields))
    return _save(source, chemicals or [], actor=actor, now=now)


@transaction.atomic
def update_source(
    source: MajorHazardSource, *, actor, chemicals: list[dict] | None = None, now=None, **fields
) -> MajorHazardSource:
    """Change fields and, when `chemicals` is given, replace the chemicals; the result is recomputed."""
    _check_enterprise(source, actor)  # the source as it is must be the actor's to change
    if actor.is_enterprise_user and "enterprise" in fields and fields["enterprise"] != source.enterprise:
        raise ValidationError(
            {"enterprise": _("An enterprise user cannot move a source to another enterprise.")}
        )
    for name, value in _fields(fields).items():
        setattr(source, name, value)
    return _save(source, chemicals, actor=actor, now=now)


@transaction.atomic
def set_chemicals(source: MajorHazardSource, chemicals: list[dict], *, actor, now=None) -> MajorHazardSource:
    return update_source(source, actor=actor, chemicals=chemicals, now=now)


@transaction.atomic
def reassess(source: MajorHazardSource, *, actor, now=None) -> MajorHazardSource:
    """Recompute with the chemicals as stored (e.g. after a change of the standard's data)."""
    return update_source(source, actor=actor, now=now)


@transaction.atomic
def delete_source(source: MajorHazardSource, *, actor) -> None:
    _check_enterprise(source, actor)
    enterprise = source.enterprise
    with audit.acting_as(actor, audit.current_actor().ip):
        source.delete()
    sync_enterprise_flag(enterprise, actor=actor)


def sync_enterprise_flag(enterprise: Enterprise, *, actor) -> None:
    """The enterprise's 重大危险源 flag follows its registered sources: set when one is major."""
    has_major = MajorHazardSource.objects.filter(enterprise=enterprise, is_major=True).exists()
    if enterprise.major_hazard_source == has_major:
        return
    # A plain update (not update_enterprise): the flag is derived data and the actor may be an
    # enterprise user who cannot edit the enterprise's other fields; the audit row says why.
    Enterprise.objects.filter(pk=enterprise.pk).update(major_hazard_source=has_major)
    enterprise.major_hazard_source = has_major
    audit.record(
        "update",
        enterprise,
        user=actor,
        changes={
            "before": {"major_hazard_source": not has_major},
            "after": {"major_hazard_source": has_major},
        },
        note="major_hazard_source follows the registered major hazard sources (GB 18218)",
    )
