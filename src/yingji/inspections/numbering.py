"""Gap-free document numbers (文书编号) per numbering bureau, document kind and year.

`assign(division, kind, year)` must run inside the transaction that writes the document: it takes the
counter row's lock with a conditional UPDATE (last = last + 1), so concurrent requests queue on the row
and each reads its own number; when the transaction rolls back the increment goes with it and no
number is lost. The pattern of the nearest division up the tree applies (NumberPattern); without one
the county's default pattern does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from yingji.core.models import Division
from yingji.inspections import rules_enforcement as rules
from yingji.inspections.models_enforcement import DocumentCounter, NumberPattern


@dataclass(frozen=True)
class Numbering:
    division_id: str  # the bureau whose counter is used
    pattern: str
    abbr: str
    code: str


def ancestor_codes(code: str) -> list[str]:
    """The 12-digit codes of a division and every level above it (village → province), finest first."""
    cuts = (12, 9, 6, 4, 2)
    return [code[:n].ljust(12, "0") for n in cuts if code[:n].ljust(12, "0")]


def numbering_for(division_code: str, kind: str) -> Numbering:
    """The pattern that numbers documents of `kind` for a record placed at `division_code`."""
    codes = list(dict.fromkeys(ancestor_codes(division_code)))
    patterns = {p.division_id: p for p in NumberPattern.objects.filter(division_id__in=codes, kind=kind)}
    for code in codes:
        pattern = patterns.get(code)
        if pattern is not None:
            name = Division.objects.filter(pk=code).values_list("name", flat=True).first() or ""
            return Numbering(
                division_id=code,
                pattern=pattern.pattern,
                abbr=pattern.abbr or rules.default_abbr(name),
                code=pattern.code or rules.DOCUMENT_CODES[kind],
            )
    county = rules.county_code(division_code)
    name = Division.objects.filter(pk=county).values_list("name", flat=True).first()
    if name is None:  # a record placed above county level numbers at its own division
        county = division_code
        name = Division.objects.filter(pk=county).values_list("name", flat=True).first() or ""
    return Numbering(
        division_id=county,
        pattern=rules.DEFAULT_PATTERN,
        abbr=rules.default_abbr(name),
        code=rules.DOCUMENT_CODES[kind],
    )


def next_seq(division_id: str, kind: str, year: int) -> int:
    """Consume the next number of the counter (inside the caller's transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document numbers are assigned inside the transaction that writes the document")
    key = {"division_id": division_id, "kind": kind, "year": year}
    if not DocumentCounter.objects.filter(**key).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(**key, last=0)
        except IntegrityError:  # created by a concurrent transaction meanwhile: queue on its row lock
            pass
        DocumentCounter.objects.filter(**key).update(last=F("last") + 1)
    # The row is locked by our UPDATE until commit, so this reads our own increment.
    return DocumentCounter.objects.filter(**key).values_list("last", flat=True).get()


def assign(division_code: str, kind: str, year: int) -> tuple[Numbering, int, str]:
    """(numbering, seq, formatted number) for a new document of `kind` placed at `division_code`."""
    numbering = numbering_for(division_code, kind)
    seq = next_seq(numbering.division_id, kind, year)
    number = rules.format_number(
        numbering.pattern, abbr=numbering.abbr, code=numbering.code, year=year, seq=seq
    )
    return numbering, seq, number
