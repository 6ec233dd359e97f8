"""The enforcement statistics add up what happened in the period, by town, industry and month."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from tests.conftest import TOWN_A, TOWN_B
from tests.inspections.scoping_plans import finished_inspection

from yingji.inspections import rules_plans, statistics
from yingji.inspections.models_enforcement import PenaltyCase, RectificationOrder, Suspension


def _at(y, m, d=10):
    return timezone.make_aware(datetime.datetime(y, m, d, 10))


def test_statistics_by_town_industry_and_month(admin_user, town_a_official, enterprise_a, enterprise_b):
    one = finished_inspection(enterprise_a, _at(2026, 2), user=admin_user, findings=3, major=1)
    finished_inspection(enterprise_a, _at(2026, 5), user=admin_user, findings=1)
    finished_inspection(enterprise_b, _at(2025, 12), user=admin_user, findings=2)  # another year
    RectificationOrder.objects.create(
        inspection=one,
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        deadline=datetime.date(2026, 3, 1),
        issued_by=admin_user,
        issued_at=_at(2026, 2, 11),
    )
    for amount, decided in ((Decimal("5000.50"), _at(2026, 3)), (Decimal("20000"), _at(2025, 3))):
        PenaltyCase.objects.create(
            enterprise=enterprise_a,
            division_id=enterprise_a.division_id,
            amount=amount,
            status="decided",
            opened_by=admin_user,
            opened_at=decided,
            decided_at=decided,
        )
    Suspension.objects.create(
        enterprise=enterprise_a,
        division_id=enterprise_a.division_id,
        reason="整顿",
        legal_basis="《安全生产法》",
        started_at=_at(2026, 3, 2),
        started_by=admin_user,
    )
    year = rules_plans.period(2026)
    result = statistics.statistics(admin_user, period=year, group_by="town")
    rows = {r.key: r for r in result.rows}
    a, b = rows[TOWN_A], rows[TOWN_B]
    assert (a.enterprises, a.enterprises_inspected, a.inspections, a.findings, a.major_findings) == (
        1,
        1,
        2,
        4,
        1,
    )
    assert (a.orders, a.penalties, a.penalty_amount, a.suspensions) == (1, 1, Decimal("5000.50"), 1)
    assert (b.enterprises, b.enterprises_inspected, b.inspections) == (1, 0, 0)
    assert result.total.coverage_rate == 50.0 and result.total.inspections == 2
    by_month = statistics.statistics(admin_user, period=year, group_by="month")
    months = {r.key: r for r in by_month.rows}
    assert (
        len(months) == 12
        and months["2026-02"].inspections == 1
        and months["2026-02"].enterprises_inspected == 1
    )
    assert months["2026-03"].penalties == 1 and by_month.total.enterprises_inspected == 1
    assert by_month.total.enterprises == 2
    by_industry = {r.key: r for r in statistics.statistics(admin_user, period=year, group_by="industry").rows}
    assert by_industry["26"].findings == 4 and by_industry["34"].findings == 0
    # A quarter; a town official sees their own town; below a town the per-enterprise counters answer.
    q1 = statistics.statistics(admin_user, period=rules_plans.period(2026, quarter=1))
    assert q1.total.inspections == 1 and q1.total.findings == 3
    mine = statistics.statistics(town_a_official, period=year)
    assert [r.key for r in mine.rows] == [TOWN_A]
    village = statistics.statistics(admin_user, period=year, filters={"division": enterprise_a.division_id})
    assert village.total.inspections == 2 and village.total.orders == 1
    assert result.as_dict if hasattr(result, "as_dict") else True
    assert a.as_dict()["penalty_amount"] == "5000.50"


def test_roll_call_answer_rate(admin_user, enterprise_a, enterprise_b):
    from yingji.monitoring.models_supervision import RollCall, RollCallTarget

    started = _at(2026, 4)
    call = RollCall.objects.create(
        division_id=enterprise_a.division_id[:6] + "000000",
        title="点名",
        code="123456",
        minutes=10,
        started_at=started,
        started_by=admin_user,
        deadline_at=started,
        closes_at=started,
    )
    for enterprise, status in ((enterprise_a, "answered"), (enterprise_b, "no_answer")):
        RollCallTarget.objects.create(
            roll_call=call, enterprise=enterprise, division_id=enterprise.division_id, status=status
        )
    result = statistics.statistics(admin_user, period=rules_plans.period(2026, quarter=2))
    assert result.supervision and result.total.rollcall_rate == 50.0
    rows = {r.key: r for r in result.rows}
    assert rows[TOWN_A].rollcall_rate == 100.0 and rows[TOWN_B].rollcall_rate == 0.0
