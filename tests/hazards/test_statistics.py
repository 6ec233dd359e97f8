"""Hidden-danger statistics: counters kept by the services equal a rebuild, figures, scoping, API, page,
and the demo hazards."""

import datetime
import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B

from yingji.core.models import Division
from yingji.hazards import services, statistics
from yingji.hazards.models import Hazard, HazardEvent, HazardStat, HazardStatMonth, Status

MAJOR = ["chem-2017-4"]
PLAN = {"measures": "恢复", "responsible": "王工", "funds": 50000, "contingency": "预案"}


def at(days_ago: float, now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days_ago)


def report(enterprise, actor, when, *, grade="general", source="inspection"):
    return services.report_hazard(
        actor=actor,
        title="隐患",
        source=source,
        enterprise=enterprise,
        grade=grade,
        criteria=MAJOR if grade == "major" else None,
        now=when,
    )


def close(hazard, rectifier, verifier, when, *, due_days=10, submit_after=5):
    """Confirm at `when`, submit `submit_after` days later, verify a day after that."""
    services.confirm_hazard(
        hazard,
        actor=verifier,
        grade=hazard.grade,
        treatment="deadline",
        due_at=when + datetime.timedelta(days=due_days),
        now=when,
    )
    plan = PLAN if hazard.grade == "major" else {}
    services.start_rectification(hazard, actor=rectifier, now=when + datetime.timedelta(hours=1), **plan)
    services.submit_rectification(
        hazard, actor=rectifier, note="done", now=when + datetime.timedelta(days=submit_after)
    )
    return services.verify_hazard(
        hazard, actor=verifier, now=when + datetime.timedelta(days=submit_after + 1)
    )


def test_kept_counters_equal_rebuilt_ones_after_random_service_calls(
    enterprise_a, enterprise_b, staff_user, admin_user
):
    rng = random.Random(7)
    now = timezone.now()
    county = Division.objects.get(code=COUNTY)
    for i in range(40):
        start = at(rng.uniform(5, 200), now)
        hazard = report(
            rng.choice([enterprise_a, enterprise_b]),
            staff_user,
            start,
            grade="major" if i % 7 == 0 else "general",
            source=rng.choice(["inspection", "self_check", "other"]),
        )
        t = start + datetime.timedelta(hours=3)
        step = rng.random()
        if step < 0.15:
            continue
        # Sometimes the grade changes on confirmation: the counters move between keys.
        grade = "major" if hazard.grade == "general" and rng.random() < 0.2 else hazard.grade
        services.confirm_hazard(
            hazard,
            actor=admin_user,
            grade=grade,
            treatment="deadline",
            due_at=t + datetime.timedelta(days=rng.randint(2, 20)),
            criteria=MAJOR if grade == "major" else None,
            now=t,
        )
        if grade == "major" and rng.random() < 0.5:
            services.list_for_supervision(
                hazard,
                actor=admin_user,
                level="county",
                authority=county,
                unit="安澜县应急管理局",
                due_at=t + datetime.timedelta(days=30),
                now=t + datetime.timedelta(hours=1),
            )
        if step < 0.3:
            continue
        t += datetime.timedelta(hours=2)
        services.start_rectification(hazard, actor=staff_user, now=t, **(PLAN if grade == "major" else {}))
        if step < 0.45:
            continue
        t += datetime.timedelta(days=rng.uniform(0.5, 25))
        services.submit_rectification(hazard, actor=staff_user, note="ok", now=t)
        if rng.random() < 0.2:
            services.reject_rectification(hazard, actor=admin_user, note="no", now=t)
            services.submit_rectification(hazard, actor=staff_user, note="ok", now=t)
        if step < 0.55:
            continue
        hazard = services.verify_hazard(hazard, actor=admin_user, now=t + datetime.timedelta(days=1))
        if hazard.status == Status.VERIFIED:
            services.sign_off_hazard(hazard, actor=admin_user, now=t + datetime.timedelta(days=2))
    kept = statistics.counters_by_key()
    kept_months = statistics.monthly_counters_by_key()
    assert sum(v[0] for v in kept.values()) == 40
    assert any(v[1] for v in kept.values()) and any(v[3] for v in kept.values())
    assert sum(n for row in kept_months.values() for c, n in row.items() if c.startswith("found_")) == 40
    rows = statistics.rebuild_statistics()
    assert rows == HazardStat.objects.count()
    assert statistics.counters_by_key() == kept
    assert statistics.monthly_counters_by_key() == kept_months


@pytest.fixture
def history(enterprise_a, enterprise_b, staff_user, admin_user):
    """Town A: 3 hazards in the period (2 closed, one of them late; 1 open and overdue, major).
    Town B: 1 closed on time, and one reported long before the period."""
    now = timezone.now()
    a1 = report(enterprise_a, staff_user, at(40, now))
    close(a1, staff_user, admin_user, at(40, now), due_days=10, submit_after=4)  # 4+1 days to close
    a2 = report(enterprise_a, staff_user, at(30, now), source="self_check")
    close(a2, staff_user, admin_user, at(30, now), due_days=3, submit_after=6)  # late, 7 days
    a3 = report(enterprise_a, staff_user, at(20, now), grade="major")
    services.confirm_hazard(
        a3, actor=admin_user, grade="major", treatment="deadline", due_at=at(5, now), now=at(20, now)
    )
    b1 = report(enterprise_b, staff_user, at(35, now))
    close(b1, staff_user, admin_user, at(35, now), due_days=10, submit_after=2)  # 3 days
    report(enterprise_b, staff_user, at(400, now))
    return now


def period(now):
    return {"start": timezone.localdate(at(60, now)), "end": timezone.localdate(now)}


def by_key(result):
    return {row.key: row for row in result.rows}


def test_summary_by_town_for_the_county(history, staff_user):
    result = statistics.summary(staff_user, group_by="town", **period(history))
    rows = by_key(result)
    assert set(rows) == {TOWN_A, TOWN_B}
    a, b = rows[TOWN_A], rows[TOWN_B]
    assert (a.found, a.closed, a.closed_late, a.overdue_now) == (3, 2, 1, 1)
    assert a.label == "甲镇"
    assert a.closure_rate == pytest.approx(66.7)
    assert a.overdue_rate == pytest.approx(66.7)  # (1 late + 1 overdue) / 3
    assert a.avg_days_to_close == pytest.approx(6.0)  # (5 + 7) / 2
    assert (b.found, b.closed, b.closed_late, b.overdue_now) == (1, 1, 0, 0)
    assert result.total.found == 4 and result.total.closed == 3


def test_summary_groups_by_month_source_grade_and_industry(history, staff_user):
    months = statistics.summary(staff_user, group_by="month", **period(history))
    assert sum(r.found for r in months.rows) == 4
    assert len(months.rows) >= 2 and all(len(r.key) == 7 for r in months.rows)  # every month, YYYY-MM
    sources = by_key(statistics.summary(staff_user, group_by="source", **period(history)))
    assert sources["self_check"].found == 1 and sources["inspection"].found == 3
    grades = by_key(statistics.summary(staff_user, group_by="grade", **period(history)))
    assert grades["major"].found == 1 and grades["major"].overdue_now == 1
    trades = by_key(statistics.summary(staff_user, group_by="industry", **period(history)))
    assert trades["26"].found == 3 and trades["34"].found == 1
    filtered = statistics.summary(staff_user, group_by="town", filters={"grade": "major"}, **period(history))
    assert [r.key for r in filtered.rows] == [TOWN_A] and filtered.total.found == 1


def test_the_long_period_counts_the_old_hazard(history, staff_user):
    result = statistics.summary(
        staff_user,
        group_by="town",
        start=timezone.localdate(at(500, history)),
        end=timezone.localdate(history),
    )
    assert result.total.found == 5


def test_scoping_town_official_enterprise_user_and_village(
    history, town_a_official, enterprise_b_user, county
):
    town = statistics.summary(town_a_official, group_by="town", **period(history))
    assert [r.key for r in town.rows] == [TOWN_A] and town.total.found == 3
    # A filter cannot reach outside the jurisdiction.
    other = statistics.summary(
        town_a_official, group_by="town", filters={"division": TOWN_B}, **period(history)
    )
    assert other.total.found == 0
    own = statistics.summary(enterprise_b_user, group_by="source", **period(history))
    assert own.total.found == 1 and own.total.closed == 1
    # Below a town the figures come from the hazards themselves, and agree with the counters.
    village = statistics.summary(
        town_a_official, group_by="town", filters={"division": "329901001001"}, **period(history)
    )
    assert village.total.found == 3 and village.total.closed_late == 1 and village.total.close_days == 12


def test_statistics_api(history, client_for, staff_user, town_a_official):
    client = client_for(staff_user)
    response = client.get("/api/v1/ledger/statistics", {"group_by": "town", "start": "2020-01-01"})
    assert response.status_code == 200
    data = response.json()
    assert data["group_by"] == "town" and data["total"]["found"] == 5
    assert {
        "found",
        "closed",
        "closure_rate",
        "overdue_now",
        "closed_late",
        "overdue_rate",
        "avg_days_to_close",
    } <= set(data["rows"][0])
    client = client_for(town_a_official)
    assert client.get("/api/v1/ledger/statistics").json()["total"]["found"] == 3


@pytest.mark.parametrize(
    "query, field",
    [
        ({"group_by": "weekday"}, "group_by"),
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"grade": "huge"}, "grade"),
        ({"division": "12345"}, "division"),
        ({"industry": "ZZ"}, "industry"),
    ],
)
def test_statistics_api_rejects_bad_parameters(client_for, staff_user, query, field):
    response = client_for(staff_user).get("/api/v1/ledger/statistics", query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert field in response.json()["fields"]


def test_statistics_page(history, client_for, staff_user, leader):
    client = client_for(staff_user)
    response = client.get("/hazards/statistics/", {"group_by": "town"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "甲镇" in content and 'id="statistics-chart"' in content and "echarts.min.js" in content
    assert client.get("/hazards/statistics/", {"group_by": "weekday"}).status_code == 400
    assert client_for(leader).get("/hazards/statistics/").status_code == 200


def test_statistics_need_the_permission(client, county):
    assert client.get("/hazards/statistics/").status_code == 302
    assert client.get("/api/v1/ledger/statistics").status_code == 401


def test_demo_hazards_on_the_test_county(
    enterprise_a, enterprise_b, enterprise_a_user, staff_user, admin_user
):
    from yingji.demo.hazards import seed_hazards

    now = timezone.now()
    created = seed_hazards(random.Random(3), now, count=60)
    assert created == 60 == Hazard.objects.count()
    statuses = set(Hazard.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.RECTIFYING} <= statuses
    assert Hazard.objects.filter(status=Status.CLOSED).count() > 30
    assert HazardEvent.objects.filter(action="report").count() == 60
    kept = statistics.counters_by_key()
    kept_months = statistics.monthly_counters_by_key()
    statistics.rebuild_statistics()
    assert statistics.counters_by_key() == kept
    assert statistics.monthly_counters_by_key() == kept_months
    # The migration fills the rollup from the daily counters the same way.
    migration = importlib.import_module("yingji.hazards.migrations.0004_hazardstatmonth")
    HazardStatMonth.objects.all().delete()
    migration.fill_from_daily(django_apps, None)
    assert statistics.monthly_counters_by_key() == kept_months
    assert seed_hazards(random.Random(3), now, count=60) == 0  # idempotent
    assert Hazard.objects.count() == 60


def test_whole_months_of_a_period():
    d = datetime.date
    assert statistics._whole_months(d(2026, 1, 1), d(2026, 3, 31)) == (d(2026, 1, 1), d(2026, 3, 1))
    assert statistics._whole_months(d(2026, 1, 2), d(2026, 3, 30)) == (d(2026, 2, 1), d(2026, 2, 1))
    assert statistics._whole_months(d(2025, 12, 15), d(2026, 2, 28)) == (d(2026, 1, 1), d(2026, 2, 1))
    assert statistics._whole_months(d(2026, 2, 1), d(2026, 2, 28)) == (d(2026, 2, 1), d(2026, 2, 1))
    assert statistics._whole_months(d(2026, 1, 2), d(2026, 2, 27)) is None
    assert statistics._whole_months(d(2026, 3, 5), d(2026, 3, 5)) is None


def _figures(result):
    return [(r.key, r.found, r.closed, r.closed_late, r.close_days, r.overdue_now) for r in result.rows], (
        result.total.found,
        result.total.closed,
        result.total.closed_late,
        result.total.close_days,
    )


def test_the_monthly_rollup_gives_the_figures_of_the_hazards_themselves(
    enterprise_a, enterprise_b, staff_user, admin_user, town_a_official, monkeypatch
):
    """Random periods, groupings, filters and users: the summary from the monthly rollup and the
    edge days equals the one computed from the hazards, and the one from the daily counters only."""
    rng = random.Random(11)
    now = timezone.now()
    for i in range(36):
        when = at(rng.uniform(2, 230), now)
        grade = "major" if i % 6 == 0 else "general"
        hazard = report(
            rng.choice([enterprise_a, enterprise_b]),
            staff_user,
            when,
            grade=grade,
            source=rng.choice(["inspection", "self_check", "other", "monitoring"]),
        )
        step = rng.random()
        if step < 0.2:
            continue
        if step < 0.35:  # confirmed as major: the counters move between columns of the same month
            services.confirm_hazard(
                hazard,
                actor=admin_user,
                grade="major",
                treatment="deadline",
                due_at=when + datetime.timedelta(days=rng.randint(1, 4)),
                criteria=MAJOR,
                now=when,
            )
            continue
        if grade == "general":
            close(
                hazard,
                staff_user,
                admin_user,
                when,
                due_days=rng.randint(2, 12),
                submit_after=rng.randint(1, 9),
            )
    assert HazardStatMonth.objects.exists()
    industries = sorted(set(Hazard.objects.values_list("industry", flat=True)))
    today = timezone.localdate(now)
    cases = [
        (timezone.localdate(at(240, now)).replace(day=1), today, "month", {}),  # starts on the 1st
        (datetime.date(today.year - 1, 1, 1), today, "town", {}),
    ]
    for _ in range(30):
        a, b = sorted(rng.sample(range(0, 240), 2))
        start, end = today - datetime.timedelta(days=b), today - datetime.timedelta(days=a)
        if rng.random() < 0.3:
            start = start.replace(day=1)
        filters = {}
        for name, values in (
            ("grade", ["general", "major"]),
            ("source", ["inspection", "self_check", "monitoring"]),
            ("industry", industries),
            ("division", [TOWN_A, TOWN_B]),
        ):
            if rng.random() < 0.3:
                filters[name] = rng.choice(values)
        cases.append((start, end, rng.choice(statistics.GROUP_BY), filters))
    months_used = 0
    for start, end, group_by, filters in cases:
        months_used += statistics._whole_months(start, end) is not None
        for user in (staff_user, town_a_official):
            args = {"start": start, "end": end, "group_by": group_by, "filters": filters, "now": now}
            got = _figures(statistics.summary(user, **args))
            with monkeypatch.context() as m:
                m.setattr(statistics, "_whole_months", lambda start, end: None)
                daily = _figures(statistics.summary(user, **args))
            with monkeypatch.context() as m:
                m.setattr(statistics, "_counted_live", lambda user, filters: True)
                live = _figures(statistics.summary(user, **args))
            assert got == daily == live, (start, end, group_by, filters, user)
    assert months_used > 10
