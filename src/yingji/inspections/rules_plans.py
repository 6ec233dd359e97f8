"""Pure rules of the enforcement plans: key/general classification, the months of a plan, the
reproducible random draw (双随机) and the periods of coverage and statistics."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

KEY = "key"
GENERAL = "general"
MIN_INSPECTORS = 2


@dataclass(frozen=True)
class Factors:
    """What classification looks at for one enterprise."""

    flags: frozenset[str]  # the supervision flags set on the enterprise
    industry: str
    risk_level: str  # "" when not assessed
    open_major_hazards: int
    findings_last_year: int


@dataclass(frozen=True)
class Thresholds:
    """A division's classification config as plain values (see ClassificationConfig)."""

    flags: frozenset[str]
    risk_levels: frozenset[str]
    industries: tuple[str, ...]
    open_major_hazards: int  # 0 = not counted
    findings_last_year: int  # 0 = not counted
    key_per_year: int = 2
    general_per_year: int = 1
    general_share: int = 100


def classify(factors: Factors, thresholds: Thresholds) -> tuple[str, list[str]]:
    """("key" | "general", reasons): each reason is "<factor>:<value>" — flag:dust_explosion,
    industry:26, risk:major, hazards:2 (open major hidden dangers), findings:7 (last year)."""
    reasons = [f"flag:{name}" for name in sorted(factors.flags & thresholds.flags)]
    if factors.industry:
        reasons += [
            f"industry:{prefix}"
            for prefix in thresholds.industries
            if prefix and factors.industry.startswith(prefix)
        ]
    if factors.risk_level and factors.risk_level in thresholds.risk_levels:
        reasons.append(f"risk:{factors.risk_level}")
    if thresholds.open_major_hazards and factors.open_major_hazards >= thresholds.open_major_hazards:
        reasons.append(f"hazards:{factors.open_major_hazards}")
    if thresholds.findings_last_year and factors.findings_last_year >= thresholds.findings_last_year:
        reasons.append(f"findings:{factors.findings_last_year}")
    return (KEY if reasons else GENERAL), reasons


def visit_months(visits: int, index: int) -> list[int]:
    """The months (1-12) of `visits` inspections a year of the `index`-th enterprise of a plan: evenly
    apart, the starting month turning with the index so every month gets a share of the work."""
    visits = max(1, min(visits, 12))
    start = index % 12
    return sorted({(start + j * 12 // visits) % 12 + 1 for j in range(visits)})


def sampled(ids: Sequence[int], share: int, seed: int) -> list[int]:
    """`share` % (rounded up) of `ids`, drawn reproducibly with `seed`; all of them at 100 %."""
    ordered = sorted(ids)
    if share >= 100:
        return ordered
    n = -(-len(ordered) * share // 100)
    return sorted(random.Random(seed).sample(ordered, n))


def valid_month(month: object) -> bool:
    return isinstance(month, int) and not isinstance(month, bool) and 1 <= month <= 12


# -- the random draw ----------------------------------------------------------------------------------


class DrawRefused(Exception):
    """The draw cannot be made: `field` names the input, `code` is stable, `params` fill the message."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.params = field, code, params


def draw(
    *,
    seed: int,
    candidate_ids: Iterable[int],
    inspector_ids: Iterable[int],
    count: int,
    per_enterprise: int = MIN_INSPECTORS,
    exclusions: Iterable[Sequence[int]] = (),
) -> list[tuple[int, list[int]]]:
    """[(enterprise id, [inspector ids])] in draw order.

    Deterministic in its inputs: the candidates and inspectors are sorted first, one `random.Random(seed)`
    makes every choice. Enterprises: a sample of `count`. Inspectors per enterprise: the eligible ones
    (not in an excluded (inspector, enterprise) pair) shuffled, then the least loaded so far first, so
    the work is spread evenly. Refuses an empty pool, a count above the pool, and an enterprise with
    fewer than `per_enterprise` (at least 2) eligible inspectors."""
    candidates = sorted(set(candidate_ids))
    inspectors = sorted(set(inspector_ids))
    if per_enterprise < MIN_INSPECTORS:
        raise DrawRefused("per_enterprise", "too_few", minimum=MIN_INSPECTORS)
    if not candidates:
        raise DrawRefused("pool", "empty_pool")
    if count < 1:
        raise DrawRefused("count", "min_value", minimum=1)
    if count > len(candidates):
        raise DrawRefused("count", "above_pool", count=count, pool=len(candidates))
    excluded = {(int(i), int(e)) for i, e in exclusions}
    rng = random.Random(seed)
    chosen = rng.sample(candidates, count)
    load = dict.fromkeys(inspectors, 0)
    result = []
    for enterprise in chosen:
        eligible = [i for i in inspectors if (i, enterprise) not in excluded]
        if len(eligible) < per_enterprise:
            raise DrawRefused(
                "inspectors", "too_few_inspectors", enterprise=enterprise, eligible=len(eligible)
            )
        rng.shuffle(eligible)
        eligible.sort(key=lambda i: load[i])  # stable: ties keep the shuffled order
        team = sorted(eligible[:per_enterprise])
        for i in team:
            load[i] += 1
        result.append((enterprise, team))
    return result


def previous_pairs(previous: Mapping[int, Iterable[int]]) -> list[tuple[int, int]]:
    """(inspector, enterprise) pairs of a previous draw's result {enterprise: inspectors}."""
    return sorted((int(i), int(e)) for e, team in previous.items() for i in team)


# -- periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    first_month: int  # 1-12
    last_month: int  # 1-12, inclusive

    @property
    def mask(self) -> int:
        """The months as bits (bit 0 = January), as in EnterpriseInspectionYear.months."""
        return sum(1 << (m - 1) for m in range(self.first_month, self.last_month + 1))

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.last_month == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, self.last_month + 1, 1) - datetime.timedelta(days=1)

    def months(self) -> list[datetime.date]:
        return [datetime.date(self.year, m, 1) for m in range(self.first_month, self.last_month + 1)]

    @property
    def key(self) -> str:
        if self.first_month == 1 and self.last_month == 12:
            return f"{self.year}"
        if self.first_month == self.last_month:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.year}-Q{(self.first_month - 1) // 3 + 1}"


def period(year: int, quarter: int | None = None, month: int | None = None) -> Period:
    """The year, one quarter of it or one month of it (ValueError on a quarter outside 1-4, a month
    outside 1-12, or both given)."""
    if quarter and month:
        raise ValueError("quarter and month")
    if month:
        if not valid_month(month):
            raise ValueError("month")
        return Period(year, month, month)
    if quarter:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter")
        return Period(year, 3 * quarter - 2, 3 * quarter)
    return Period(year, 1, 12)
