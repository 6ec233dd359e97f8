"""Coverage (执法清零) and the counters it reads: kept counters = a recount from the inspections."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.conftest import TOWN_A, TOWN_B
from tests.inspections.scoping_plans import finished_inspection

from yingji.inspections import coverage, rollup_plans, rules_plans
from yingji.inspections.models_checklists import Finding, Inspection
from yingji.inspections.models_enforcement import PenaltyCase, RectificationOrder, Suspension
from yingji.inspections.models_plans import EnterpriseInspectionYear, InspectionStatMonth


def _at(y, m, d=10):
    return timezone.make_aware(datetime.datetime(y, m, d, 10))


def test_counters_equal_a_recount_through_every_change(admin_user, enterprise_a, enterprise_b):
    one = finished_inspection(enterprise_a, _at(2026, 3), user=admin_user, findings=3, major=1)
    finished_inspection(enterprise_a, _at(2026, 3, 20), user=admin_user, findings=1)
    finished_inspection(enterprise_b, _at(2026, 7), user=admin_user)
    Inspection.objects.create(  # in progress: not counted
        enterprise=enterprise_b,
        division_id=enterprise_b.division_id,
        status="in_progress",
        started_at=_at(2026, 8),
        created_by=admin_user,
    )
    assert rollup_plans.stored() == rollup_plans.recount()
    month = InspectionStatMonth.objects.get(month=datetime.date(2026, 3, 1), town=TOWN_A)
    assert (month.inspections, month.findings, month.major_findings) == (2, 4, 1)
    # A finding added after finishing, a finding removed, an inspection moved to another month.
    Finding.objects.create(
        inspection=one, description="补充", is_major=True, deadline=datetime.date(2026, 4, 1)
    )
    Finding.objects.filter(inspection=one, is_major=False).first().delete()
    one.finished_at = _at(2026, 5)
    one.save()
    assert rollup_plans.stored() == rollup_plans.recount()
    assert EnterpriseInspectionYear.objects.get(enterprise=enterprise_a, year=2026).months == (1 << 2) | (
        1 << 4
    )
    # An enterprise moving town takes its counts along.
    enterprise_b.division_id = enterprise_a.division_id
    enterprise_b.save()
    finished_inspection(enterprise_b, _at(2026, 9), user=admin_user)
    assert rollup_plans.stored() == rollup_plans.recount()
    assert not InspectionStatMonth.objects.filter(town=TOWN_B).exclude(inspections=0).exists()
    # Enforcement records: an order, a penalty opened then decided, a suspension.
    order = RectificationOrder.objects.create(
        inspection=one,
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        deadline=datetime.date(2026, 6, 1),
        issued_by=admin_user,
        issued_at=_at(2026, 5, 11),
    )
    penalty = PenaltyCase.objects.create(
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        order=order,
        opened_by=admin_user,
        opened_at=_at(2026, 6),
    )
    assert rollup_plans.stored() == rollup_plans.recount()
    penalty.status, penalty.decided_at, penalty.amount = "decided", _at(2026, 6, 20), Decimal("12345.60")
    penalty.save()
    Suspension.objects.create(
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        reason="整顿",
        legal_basis="《安全生产法》",
        started_at=_at(2026, 6, 21),
        started_by=admin_user,
    )
    assert rollup_plans.stored() == rollup_plans.recount()
    june = InspectionStatMonth.objects.get(month=datetime.date(2026, 6, 1), town=TOWN_A)
    assert (june.penalties, june.penalty_amount, june.suspensions) == (1, Decimal("12345.60"), 1)
    penalty.delete()
    order.delete()
    one.delete()
    assert rollup_plans.stored() == rollup_plans.recount()
    # A rebuild from scratch gives the same tables.
    kept = rollup_plans.stored()
    rollup_plans.rebuild_counters()
    assert rollup_plans.stored() == kept


def test_coverage_by_town_and_uninspected(admin_user, town_a_official, enterprise_a, enterprise_b):
    finished_inspection(enterprise_a, _at(2026, 2), user=admin_user)
    year = rules_plans.period(2026)
    result = coverage.coverage(admin_user, period=year)
    rows = {r.key: r for r in result.rows}
    assert (rows[TOWN_A].enterprises, rows[TOWN_A].inspected) == (1, 1)
    assert (rows[TOWN_B].enterprises, rows[TOWN_B].inspected) == (1, 0)
    assert result.total.rate == 50.0
    assert list(coverage.uninspected(admin_user, period=year)) == [enterprise_b]
    # Another quarter: nobody inspected; a town official sees their town only.
    q2 = rules_plans.period(2026, quarter=2)
    assert set(coverage.uninspected(admin_user, period=q2)) == {enterprise_a, enterprise_b}
    assert [r.key for r in coverage.coverage(town_a_official, period=year).rows] == [TOWN_A]
    assert list(coverage.uninspected(town_a_official, period=q2)) == [enterprise_a]
    by_industry = {r.key: r for r in coverage.coverage(admin_user, period=year, group_by="industry").rows}
    assert by_industry["26"].inspected == 1 and by_industry["34"].inspected == 0


def test_period_rules():
    assert rules_plans.period(2026).mask == 0xFFF
    assert rules_plans.period(2026, quarter=2).mask == 0b111000
    assert rules_plans.period(2026, month=12).last_day == datetime.date(2026, 12, 31)
    for bad in ({"month": 13}, {"month": 0, "quarter": 5}, {"quarter": 1, "month": 2}):
        with pytest.raises(ValueError):
            rules_plans.period(2026, **bad)
