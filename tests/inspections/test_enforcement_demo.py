"""The demo's enforcement seed: every stage of the loop, through the services, idempotent."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from tests.conftest import COUNTY, PASSWORD, VILLAGE_A, make_uscc

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.demo.enforcement import seed_enforcement
from yingji.inspections.models_enforcement import (
    EnforcementDocument,
    EnforcementLead,
    PenaltyCase,
    RectificationOrder,
    Suspension,
)
from yingji.registry.models import Enterprise


def test_seed_enforcement_covers_the_loop_and_is_idempotent(county):
    account_services.create_user(
        username="demo_inspector",
        role="inspector",
        division=Division.objects.get(code=COUNTY),
        password=PASSWORD,
    )
    for n in range(9):
        Enterprise.objects.create(
            name=f"演示企业{n}", uscc=make_uscc(100 + n), industry="26", division_id=VILLAGE_A
        )
    now = timezone.make_aware(datetime.datetime(2026, 11, 20, 10))  # all of the year's documents
    assert seed_enforcement(random.Random(23), now) == 11
    statuses = set(RectificationOrder.objects.values_list("status", flat=True))
    assert statuses == {"issued", "closed", "penalty"}
    assert set(PenaltyCase.objects.values_list("status", "payment_status")) == {
        ("decided", "unpaid"),
        ("closed", "paid"),
    }
    assert Suspension.objects.filter(status="active").count() == 1
    assert EnforcementLead.objects.filter(status="open").count() == 4
    seqs = list(
        EnforcementDocument.objects.filter(kind="rectification_order")
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 7))
    assert seed_enforcement(random.Random(23), now) == 0
