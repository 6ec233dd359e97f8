"""Key numbers of a jurisdiction, computed from querysets already cut to the user's scope."""

from __future__ import annotations

from django.db.models import Count, Q

from yingji.core.models import Division
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
    children = list(Division.objects.filter(parent=parent).values("code", "name", "level"))
    if not children:
        return []
    width = len(Division.objects.filter(parent=parent).first().prefix)
    counts: dict[str, int] = {}
    for code, n in _counts_by_division(enterprises):
        counts[code[:width]] = counts.get(code[:width], 0) + n
    rows = [{**c, "count": counts.get(c["code"][:width], 0)} for c in children]
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))


def _counts_by_division(enterprises):
    return enterprises.order_by().values_list("division_id").annotate(n=Count("id"))


def scoped_enterprises(user):
    return Enterprise.objects.for_user(user)
