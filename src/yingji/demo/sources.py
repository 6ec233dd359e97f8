"""Demo major hazard sources for the demo county (安澜县): hazardous-chemical units of its 危化
enterprises with real chemicals, graded by GB 18218 through the services (grades 1–4 and some units
below the threshold), plus one tailings pond and one non-coal mine.

`seed_sources()` is idempotent: it does nothing once any source exists in the county. It acts as the
county's demo administrator (`demo_admin`), so every unit goes through the same checks as a user's.
"""

from __future__ import annotations

from yingji.accounts.models import User
from yingji.core.models import Division
from yingji.demo import generator
from yingji.registry import services_sources as services
from yingji.registry.models import Enterprise, MajorHazardSource

COUNTY_CODE = generator.COUNTY[0]
ADMIN = "demo_admin"

# (unit name, kind, people within 500 m, chemicals); the comment is the expected result.
HAZCHEM_UNITS = [
    # S = 16, R = 2 × 4 × 16 = 128: grade 1
    ("液氯储存单元", "storage", 150, [{"name": "液氯", "cas": "7782-50-5", "quantity_t": "80"}]),
    # S = 20, R = 1.5 × 2 × 20 = 60: grade 2
    ("液氨储罐区", "storage", 60, [{"name": "液氨", "cas": "7664-41-7", "quantity_t": "200"}]),
    # S = 10 + 2 = 12, R = 1.2 × (10 + 1.5 × 2) = 15.6: grade 3
    (
        "甲醇及液化石油气罐区",
        "storage",
        35,
        [
            {"name": "甲醇", "cas": "67-56-1", "categories": "W5.3", "quantity_t": "5000"},
            {"name": "液化石油气", "cas": "68476-85-7", "categories": "W2", "quantity_t": "100"},
        ],
    ),
    # S = 1.5, R = 1 × 1.5 × 1.5 = 2.25: grade 4
    (
        "汽油储罐区",
        "storage",
        20,
        [{"name": "汽油", "cas": "86290-81-5", "categories": "W5.1", "quantity_t": "300"}],
    ),
    # S = 3 + 0.4 = 3.4, R = 1.5 × (2 × 3 + 1.5 × 0.4) = 9.9: grade 4
    (
        "合成氨生产装置",
        "production",
        80,
        [
            {"name": "液氨", "quantity_t": "30"},
            {"name": "氢", "cas": "1333-74-0", "categories": "W2", "quantity_t": "2"},
        ],
    ),
    # S = 0.2: not major
    (
        "乙醇储罐区",
        "storage",
        45,
        [{"name": "乙醇", "cas": "64-17-5", "categories": "W5.3", "quantity_t": "100"}],
    ),
    # S = 0.1 + 0.1 = 0.2: not major (an unnamed mixture classified by Table 2)
    (
        "危化品仓库",
        "storage",
        12,
        [
            {"name": "甲苯", "cas": "108-88-3", "categories": "W5.3", "quantity_t": "50"},
            {"name": "稀释剂(混合溶剂)", "categories": "W5.4", "quantity_t": "500"},
        ],
    ),
]


def _hazchem_enterprises(prefix: str) -> list[Enterprise]:
    queryset = Enterprise.objects.filter(division__code__startswith=prefix, status="operating")
    return list(queryset.filter(hazchem_production=True).order_by("uscc")) + list(
        queryset.filter(hazchem_production=False, hazchem_business=True).order_by("uscc")
    )


def seed_sources() -> int:
    """Create the demo sources; return how many (0 when the county already has some)."""
    county = Division.objects.filter(code=COUNTY_CODE).first()
    actor = User.objects.filter(username=ADMIN).first()
    if county is None or actor is None:
        return 0
    if MajorHazardSource.objects.filter(division__code__startswith=county.prefix).exists():
        return 0
    enterprises = _hazchem_enterprises(county.prefix)
    created = 0
    for n, (name, kind, population, chemicals) in enumerate(HAZCHEM_UNITS):
        if not enterprises:
            break
        enterprise = enterprises[n % len(enterprises)]
        services.create_source(
            actor=actor,
            enterprise=enterprise,
            name=name,
            code=f"MHS-{enterprise.division_id[:6]}-{n + 1:03d}",
            kind=kind,
            exposed_population=population,
            chemicals=chemicals,
        )
        created += 1
    others = Enterprise.objects.filter(division__code__startswith=county.prefix, status="operating")
    metal = others.filter(industry__in=["31", "32", "08", "09", "10"]).order_by("uscc")
    for enterprise, name, category in (
        (metal.first() or others.order_by("uscc").first(), "尾矿库", "tailings"),
        (metal.exclude(pk=getattr(metal.first(), "pk", None)).first(), "露天采石场", "mine"),
    ):
        if enterprise is not None:
            services.create_source(
                actor=actor, enterprise=enterprise, name=name, category=category, exposed_population=0
            )
            created += 1
    return created
