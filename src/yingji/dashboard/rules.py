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
