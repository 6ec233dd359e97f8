"""The demo risk seed: realistic, every level present (mostly low and general), idempotent."""

from __future__ import annotations

import random
from collections import Counter

from tests.conftest import make_uscc

from yingji.demo.risk import seed_risk
from yingji.registry.models import Enterprise
from yingji.risk.models import ControlMeasure, EnterpriseRisk, Post, RiskPoint


def test_seed_risk_gives_enterprises_units_points_measures_and_posts(county):
    for n in range(40):
        Enterprise.objects.create(
            name=f"演示企业{n}",
            uscc=make_uscc(500 + n),
            industry=["26", "34", "13", "59"][n % 4],
            division_id="329901001001" if n % 2 else "329901002001",
            hazchem_production=n % 4 == 0,
            dust_explosion=n % 4 == 2,
            ammonia_refrigeration=n % 4 == 3,
        )
    created = seed_risk(random.Random(7))
    assert created == RiskPoint.objects.count() > 50
    levels = Counter(RiskPoint.objects.values_list("level", flat=True))
    assert set(levels) == {"low", "general", "significant", "major"}
    assert levels["low"] + levels["general"] > levels["significant"] + levels["major"]
    assert set(RiskPoint.objects.values_list("method", flat=True)) == {"lec", "ls"}
    assert ControlMeasure.objects.filter(measure_type="emergency").count() == created
    assert Post.objects.exists() and Post.risk_points.through.objects.exists()
    graded = EnterpriseRisk.objects.exclude(level="")
    assert graded.count() == RiskPoint.objects.values("unit__enterprise").distinct().count()
    counts = (RiskPoint.objects.count(), ControlMeasure.objects.count(), Post.objects.count())
    assert seed_risk(random.Random(8)) == 0
    assert (RiskPoint.objects.count(), ControlMeasure.objects.count(), Post.objects.count()) == counts
