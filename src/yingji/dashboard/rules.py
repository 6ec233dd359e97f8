"""Key numbers of a jurisdiction, computed from querysets already cut to the user's scope."""

from __future__ import annotations

from django.db.models import Count, Q

from yingji.core.models import Division
from yingji.registry import industries
from yingji.registry.models import Enterprise, EnterpriseStatus


def enterprise_kpis(enterprises) -> dict[str, int]:
    return enterprises.aggregate(
        total=Count("id"),
        operating=Count("id", filter=Q(status=EnterpriseStatus.OPERATING)),
        hazchem=Count(
            "id", filter=Q(hazchem_production=True) | Q(hazchem_business=True) | Q(hazchem_use=True)
        ),
        major_hazard_source=Count("id", filter=Q(major_hazard_source=True)),
        dust_explosion=Count("id", filter=Q(dust_explosion=True)),
        uninsured=Count("id", filter=Q(liability_insured=False, status=EnterpriseStatus.OPERATING)),
    )


def counts_by_child_division(enterprises, parent: Division) -> list[dict]:
    """Enterprise counts per child division of `parent` (e.g. per town of a county), largest first."""
    children = list(Division.objects.filter(parent=parent))
    counts: dict[str, int] = {}
    for code, n in enterprises.order_by().values_list("division_id").annotate(n=Count("id")):
        counts[code] = n
    rows = []
    for child in children:
        total = sum(n for code, n in counts.items() if code.startswith(child.prefix))
        rows.append({"code": child.code, "name": child.name, "level": child.level, "count": total})
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))


def scoped_enterprises(user):
    return Enterprise.objects.for_user(user)


RISK_COLUMNS = ("major", "significant", "general", "low", "none")


def _risk_row(**fields) -> dict:
    return {**fields, **dict.fromkeys(RISK_COLUMNS, 0), "total": 0}


def risk_counts(enterprises) -> dict[str, int]:
    """Enterprises per risk level (their highest point; "none" = no graded point), one grouped query."""
    row = _risk_row()
    for level, n in enterprises.order_by().values_list("risk__level").annotate(n=Count("id")):
        row[level or "none"] += n
        row["total"] += n
    return row


def risk_counts_by_child_division(enterprises, parent: Division) -> list[dict]:
    """Per child division of `parent` (e.g. per town): enterprises per risk level, most at risk first."""
    children = list(Division.objects.filter(parent=parent))
    rows = {child.code: _risk_row(code=child.code, name=child.name) for child in children}
    grouped = enterprises.order_by().values_list("division_id", "risk__level").annotate(n=Count("id"))
    for code, level, n in grouped:
        for child in children:
            if code.startswith(child.prefix):
                row = rows[child.code]
                row[level or "none"] += n
                row["total"] += n
                break
    return sorted(
        rows.values(), key=lambda r: (-r["major"], -r["significant"], -r["general"], -r["total"], r["code"])
    )


def risk_counts_by_industry(enterprises, limit: int = 12) -> list[dict]:
    """Per industry (GB/T 4754 division): enterprises per risk level, the most at risk first."""
    rows: dict[str, dict] = {}
    grouped = enterprises.order_by().values_list("industry", "risk__level").annotate(n=Count("id"))
    for code, level, n in grouped:
        row = rows.setdefault(code, _risk_row(code=code, name=industries.NAMES.get(code, code)))
        row[level or "none"] += n
        row["total"] += n
    ordered = sorted(
        rows.values(), key=lambda r: (-r["major"], -r["significant"], -r["general"], -r["total"], r["code"])
    )
    return ordered[:limit]
