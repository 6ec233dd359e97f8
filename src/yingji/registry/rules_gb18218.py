"""GB 18218-2018 identification and grading of major hazard sources (危险化学品重大危险源).

The standard's tables are data (`data/gb18218_*.csv`); this module only applies §4:
- Q: Table 1 for a named chemical; otherwise Table 2 by hazard category, the lowest Q of its categories.
- S = Σ q/Q; S ≥ 1 means a major hazard source.
- R = α · Σ β·q/Q; β from Table 3 for its 14 toxic gases, otherwise from Table 4 by the chemical's
  categories (never a silent default: a Table 1 chemical outside Table 3 needs its categories); α from
  Table 5 by the population within 500 m; grade from Table 6 (一级 R ≥ 100 … 四级 R < 10).
Arithmetic is exact (fractions), so S = 1 is major and R = 100 is 一级.

Two choices the standard leaves open, made explicit here:
- several categories give several β: the highest applies (the conservative reading);
- 一氧化碳 is in Table 3 but appears in Table 1 only inside row 13 煤气: it is counted as 煤气
  (Q = 20, β = 2), the common practice, and the line says so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("production", "storage")
CO_ROW = 13  # 煤气(CO, CO和H₂、CH₄的混合物等)
CO_NAMES = {"一氧化碳", "630-08-0"}


class GB18218Error(ValueError):
    """Input that cannot be assessed; `problems` lists every one (where, what)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    seq: int
    name: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    q: Fraction

    @property
    def label(self) -> str:
        return f"表1 第{self.seq}项 {self.name}"


@dataclass(frozen=True)
class Tables:
    table1: tuple[Row, ...]
    by_seq: dict[int, Row]
    by_key: dict[str, tuple[Row, ...]]  # normalised name/alias/CAS -> rows
    table2: dict[str, tuple[str, Fraction]]  # category code -> (description, Q)
    table3_beta: dict[int, tuple[str, Fraction]]  # Table 1 seq -> (gas name, β)
    table4_beta: dict[str, Fraction]  # category code -> β
    alpha: tuple[tuple[int, int | None, Fraction, str], ...]  # (min, max, α, label)
    grades: tuple[
        tuple[int, Fraction | None, Fraction | None, str], ...
    ]  # (grade, min incl., max excl., label)


def normalise(text: str) -> str:
    """Names as typed in practice: full-width brackets and spaces do not matter."""
    table = str.maketrans({"（": "(", "）": ")", "，": ",", "　": "", " ": ""})
    return text.strip().translate(table)


def _fraction(text: str) -> Fraction:
    return Fraction(Decimal(text.strip()))


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _names_in_practice(name: str, notes: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Names people type for a row whose standard name carries a qualifier: the name without its
    bracket (汽油 for "汽油(乙醇汽油、甲醇汽油)", 煤气) and the names the notes give per CAS
    (丙烷 and 丁烷 for 液化石油气, 天然气 for "甲烷,天然气")."""
    found = []
    base = re.sub(r"[(（].*?[)）]", "", name).strip()
    if base and base != name:
        found.append(base)
    found += [pair.split("=", 1)[1].strip() for pair in notes.split(";") if "=" in pair]
    return tuple(n for n in dict.fromkeys(found) if n and n != name and n not in aliases)


@cache
def tables() -> Tables:
    table1 = []
    by_key: dict[str, list[Row]] = {}
    for r in _rows("gb18218_table1.csv"):
        aliases = tuple(a for a in r["alias"].replace("、", ";").split(";") if a and "未能转录" not in a)
        aliases += _names_in_practice(r["name"], r["notes"], aliases)
        row = Row(
            seq=int(r["seq"]),
            name=r["name"],
            aliases=aliases,
            cas=tuple(c for c in r["cas"].split(";") if c),
            q=_fraction(r["critical_t"]),
        )
        table1.append(row)
        for key in {row.name, *aliases, *row.cas}:
            by_key.setdefault(normalise(key), []).append(row)
        if row.seq == CO_ROW:  # 一氧化碳 is found as 煤气 (see the module docstring)
            for key in CO_NAMES:
                by_key.setdefault(key, []).append(row)
    table2 = {
        r["symbol"]: (f"{r['category']}({r['description']})", _fraction(r["critical_t"]))
        for r in _rows("gb18218_table2.csv")
    }
    table3: dict[int, tuple[str, Fraction]] = {}
    table4: dict[str, Fraction] = {}
    for r in _rows("gb18218_beta.csv"):
        if r["table"] == "3":
            seq = int(r["table1_seq"]) if r["table1_seq"] else CO_ROW  # 一氧化碳 is counted as 煤气
            table3[seq] = (r["key"], _fraction(r["beta"]))
        else:
            table4[r["key"]] = _fraction(r["beta"])
    alpha = tuple(
        (
            int(r["population_min"]),
            int(r["population_max"]) if r["population_max"] else None,
            _fraction(r["alpha"]),
            r["label"],
        )
        for r in _rows("gb18218_alpha.csv")
    )
    grades = tuple(
        (
            int(r["grade_no"]),
            _fraction(r["r_min_inclusive"]) if r["r_min_inclusive"] else None,
            _fraction(r["r_max_exclusive"]) if r["r_max_exclusive"] else None,
            r["grade"],
        )
        for r in _rows("gb18218_grades.csv")
    )
    return Tables(
        table1=tuple(table1),
        by_seq={row.seq: row for row in table1},
        by_key={key: tuple(rows) for key, rows in by_key.items()},
        table2=table2,
        table3_beta=table3,
        table4_beta=table4,
        alpha=alpha,
        grades=grades,
    )


# -- one chemical ----------------------------------------------------------------------------------


@dataclass
class Line:
    label: str  # what the user typed
    quantity: Fraction
    matched_row: str
    q: Fraction
    beta: Fraction
    beta_from: str
    notes: list[str] = field(default_factory=list)

    @property
    def q_over_Q(self) -> Fraction:  # noqa: N802 - the standard's notation
        return self.quantity / self.q

    def as_json(self) -> dict[str, Any]:
        return {
            "chemical": self.label,
            "matched_row": self.matched_row,
            "quantity_t": number(self.quantity),
            "Q": number(self.q),
            "q_over_Q": number(self.q_over_Q),
            "beta": number(self.beta),
            "beta_from": self.beta_from,
            "beta_q_over_Q": number(self.beta * self.q_over_Q),
            "notes": self.notes,
        }


def number(value: Fraction) -> int | float:
    """An exact integer stays one; otherwise six decimals (the comparisons used the exact value)."""
    if value.denominator == 1:
        return int(value)
    return float(round(Decimal(value.numerator) / Decimal(value.denominator), 6))


def _find_row(chemical: dict, where: str, t: Tables) -> tuple[Row | None, list[str]]:
    """The Table 1 row of a chemical (by table1_seq, CAS, name or alias), or None when unnamed."""
    if chemical.get("table1_seq") is not None:
        row = t.by_seq.get(chemical["table1_seq"]) if isinstance(chemical["table1_seq"], int) else None
        if row is None:
            raise GB18218Error(
                [
                    _("{where}: table1_seq {value} is not a row of Table 1 (1–85).").format(
                        where=where, value=chemical["table1_seq"]
                    )
                ]
            )
        return row, []
    candidates: list[tuple[Row, ...]] = []
    for key in ("cas", "name"):
        value = chemical.get(key)
        if value:
            found = t.by_key.get(normalise(str(value)))
            if found:
                candidates.append(found)
    if not candidates:
        return None, []
    # A CAS shared by several rows (硝化纤维素, 硝酸铵) is narrowed by the name when both are given.
    rows = set(candidates[0]).intersection(*candidates[1:]) if len(candidates) > 1 else set(candidates[0])
    if len(rows) != 1:
        options = ", ".join(
            f"{r.seq} {r.name}" for r in sorted(set().union(*candidates), key=lambda r: r.seq)
        )
        raise GB18218Error(
            [
                _("{where}: several rows of Table 1 match; give table1_seq, one of: {options}.").format(
                    where=where, options=options
                )
            ]
        )
    row = next(iter(rows))
    notes = []
    if row.seq == CO_ROW and {normalise(str(chemical.get(k) or "")) for k in ("name", "cas")} & CO_NAMES:
        notes.append(
            _("Carbon monoxide is counted as Table 1 row 13, town gas (Q = 20, β = 2), the common practice.")
        )
    return row, notes


def _categories(chemical: dict, where: str, t: Tables) -> list[str]:
    raw = chemical.get("categories") or []
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise GB18218Error(
            [_("{where}: categories must be a list of Table 2 codes such as J1 or W5.3.").format(where=where)]
        )
    codes = [c.strip().upper() for c in raw]
    unknown = [c for c in codes if c not in t.table2]
    if unknown:
        raise GB18218Error(
            [
                _("{where}: unknown categories {codes} (Table 2 codes: J1–J5, W1.1–W11).").format(
                    where=where, codes=", ".join(unknown)
                )
            ]
        )
    return codes


def _quantity(chemical: dict, where: str) -> Fraction:
    value = chemical.get("quantity_t")
    if isinstance(value, bool) or value is None:
        raise GB18218Error([_("{where}: quantity_t (tonnes) is required.").format(where=where)])
    try:
        quantity = Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise GB18218Error(
            [
                _("{where}: quantity_t must be a number of tonnes, not {value}.").format(
                    where=where, value=repr(value)
                )
            ]
        ) from None
    if quantity <= 0:
        raise GB18218Error([_("{where}: quantity_t must be greater than 0.").format(where=where)])
    return quantity


def assess_chemical(chemical: dict, where: str, t: Tables | None = None) -> Line:
    t = t or tables()
    if not isinstance(chemical, dict):
        raise GB18218Error([_("{where}: a chemical must be an object.").format(where=where)])
    label = str(chemical.get("name") or chemical.get("cas") or "")
    quantity = _quantity(chemical, where)
    row, notes = _find_row(chemical, where, t)
    codes = _categories(chemical, where, t)
    if row is None:
        if not codes:
            shown = label or "(no name)"
            raise GB18218Error(
                [
                    _(
                        "{where}: {name} is not in Table 1; give its categories (Table 2 codes) to classify it."
                    ).format(where=where, name=shown)
                ]
            )
        q_code = min(codes, key=lambda c: (t.table2[c][1], c))
        q, matched = t.table2[q_code][1], f"表2 {q_code} {t.table2[q_code][0]}"
        if len(codes) > 1:
            notes.append(
                _("Several hazard categories: the lowest critical quantity applies ({code}).").format(
                    code=q_code
                )
            )
    else:
        q, matched = row.q, row.label
    if row is not None and row.seq in t.table3_beta:
        gas, beta = t.table3_beta[row.seq]
        beta_from = f"表3 {gas}"
    elif codes:
        beta_code = max(codes, key=lambda c: (t.table4_beta[c], c))
        beta, beta_from = t.table4_beta[beta_code], f"表4 {beta_code}"
        if len(codes) > 1:
            notes.append(
                _("Several hazard categories: the highest β applies ({code}).").format(code=beta_code)
            )
    else:
        raise GB18218Error(
            [
                _("{where}: {name} is not a toxic gas of Table 3; give its categories to decide β.").format(
                    where=where, name=row.name if row else label
                )
            ]
        )
    return Line(
        label=label or matched,
        quantity=quantity,
        matched_row=matched,
        q=q,
        beta=beta,
        beta_from=beta_from,
        notes=notes,
    )


# -- a unit ----------------------------------------------------------------------------------------


def alpha_for(population: int, t: Tables | None = None) -> tuple[Fraction, str]:
    t = t or tables()
    for low, high, alpha, label in t.alpha:
        if population >= low and (high is None or population <= high):
            return alpha, label
    raise GB18218Error([_("exposed_population {value} is outside Table 5.").format(value=population)])


def grade_for(r: Fraction, t: Tables | None = None) -> tuple[int, str]:
    t = t or tables()
    for grade, low, high, label in t.grades:
        if (low is None or r >= low) and (high is None or r < high):
            return grade, label
    raise AssertionError(f"Table 6 does not cover R = {r}")


@dataclass
class UnitResult:
    name: str
    kind: str
    exposed_population: int
    lines: list[Line]
    alpha: Fraction
    alpha_row: str

    @property
    def s(self) -> Fraction:
        return sum((line.q_over_Q for line in self.lines), Fraction(0))

    @property
    def r(self) -> Fraction:
        return self.alpha * sum((line.beta * line.q_over_Q for line in self.lines), Fraction(0))

    @property
    def is_major(self) -> bool:
        return self.s >= 1

    def as_json(self) -> dict[str, Any]:
        grade, grade_label = grade_for(self.r) if self.is_major else (None, None)
        return {
            "name": self.name,
            "kind": self.kind,
            "exposed_population": self.exposed_population,
            "sum_q_over_Q": number(self.s),
            "is_major": self.is_major,
            "alpha": number(self.alpha),
            "alpha_row": f"表5 {self.alpha_row}",
            "R": number(self.r),
            "grade": grade,
            "grade_label": grade_label,
            "lines": [line.as_json() for line in self.lines],
        }


def assess_unit(unit: dict, where: str) -> UnitResult:
    problems: list[str] = []
    if not isinstance(unit, dict):
        raise GB18218Error([_("{where}: a unit must be an object.").format(where=where)])
    name = str(unit.get("name") or "").strip()
    if not name:
        problems.append(_("{where}: name is required.").format(where=where))
    kind = unit.get("kind")
    if kind not in KINDS:
        problems.append(
            _("{where}: kind must be production or storage, not {value}.").format(
                where=where, value=repr(kind)
            )
        )
    population = unit.get("exposed_population")
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        problems.append(
            _("{where}: exposed_population must be a whole number ≥ 0 (people within 500 m).").format(
                where=where
            )
        )
    chemicals = unit.get("chemicals")
    if not isinstance(chemicals, list) or not chemicals:
        problems.append(_("{where}: chemicals must be a non-empty list.").format(where=where))
        chemicals = []
    lines = []
    for i, chemical in enumerate(chemicals):
        shown = (chemical.get("name") or chemical.get("cas")) if isinstance(chemical, dict) else None
        try:
            lines.append(
                assess_chemical(
                    chemical,
                    _("{where} chemical {n}").format(where=where, n=i + 1) + (f" ({shown})" if shown else ""),
                )
            )
        except GB18218Error as error:
            problems.extend(error.problems)
    if problems:
        raise GB18218Error(problems)
    assert isinstance(population, int) and isinstance(kind, str)
    alpha, alpha_row = alpha_for(population)
    return UnitResult(
        name=name, kind=kind, exposed_population=population, lines=lines, alpha=alpha, alpha_row=alpha_row
    )


def assess(document: dict) -> dict[str, Any]:
    """The whole input of `yingji assess gb18218`; GB18218Error lists every problem found."""
    units = document.get("units") if isinstance(document, dict) else None
    if not isinstance(units, list) or not units:
        raise GB18218Error([_('The input must be {"units": [...]} with at least one unit.')])
    problems: list[str] = []
    results = []
    for i, unit in enumerate(units):
        shown = unit.get("name") if isinstance(unit, dict) else None
        try:
            results.append(
                assess_unit(unit, _("unit {n}").format(n=i + 1) + (f" ({shown})" if shown else ""))
            )
        except GB18218Error as error:
            problems.extend(error.problems)
    if problems:
        raise GB18218Error(problems)
    return {"standard": "GB 18218-2018", "units": [r.as_json() for r in results]}
