"""Period arithmetic of self-check plans (日周月排查) and the rate: pure functions, no database."""

import datetime

import pytest

from yingji.hazards.rules_selfcheck import Period, Rate, current_period, due_date, period_of, periods_between

D = datetime.date


def test_a_daily_period_is_the_day_itself_due_that_day():
    assert period_of("daily", D(2026, 3, 4)) == Period(D(2026, 3, 4), D(2026, 3, 4))


def test_a_weekly_period_is_the_iso_week_due_on_sunday():
    # 2026-01-01 is a Thursday: its ISO week runs Monday 2025-12-29 .. Sunday 2026-01-04.
    assert period_of("weekly", D(2026, 1, 1)) == Period(D(2025, 12, 29), D(2026, 1, 4))
    assert period_of("weekly", D(2026, 1, 4)) == Period(D(2025, 12, 29), D(2026, 1, 4))
    assert period_of("weekly", D(2026, 1, 5)) == Period(D(2026, 1, 5), D(2026, 1, 11))
    start = period_of("weekly", D(2026, 6, 17)).start
    assert start.isocalendar().weekday == 1 and start.isocalendar().week == D(2026, 6, 17).isocalendar().week


@pytest.mark.parametrize(
    "day, due",
    [
        (D(2026, 1, 15), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2028, 2, 10), D(2028, 2, 29)),  # leap year
        (D(2026, 4, 30), D(2026, 4, 30)),
        (D(2026, 12, 31), D(2026, 12, 31)),
    ],
)
def test_a_monthly_period_is_due_on_the_last_day_of_the_month(day, due):
    assert period_of("monthly", day) == Period(day.replace(day=1), due)


def test_a_one_off_check_is_due_on_its_end_date_or_its_start():
    assert due_date("once", D(2026, 9, 25), ends_on=D(2026, 9, 30)) == D(2026, 9, 30)
    assert due_date("once", D(2026, 9, 25)) == D(2026, 9, 25)
    assert current_period("once", D(2026, 9, 25), D(2026, 9, 30), D(2026, 9, 24)) is None
    assert current_period("once", D(2026, 9, 25), D(2026, 9, 30), D(2026, 9, 28)) == Period(
        D(2026, 9, 25), D(2026, 9, 30)
    )
    assert current_period("once", D(2026, 9, 25), D(2026, 9, 30), D(2026, 10, 1)) is None


def test_no_current_period_before_a_plan_starts_or_after_it_ends():
    assert current_period("daily", D(2026, 3, 10), None, D(2026, 3, 9)) is None
    assert current_period("weekly", D(2026, 3, 10), D(2026, 3, 20), D(2026, 3, 21)) is None
    # a weekly plan starting on a Wednesday gets that whole week's task, due on Sunday
    assert current_period("weekly", D(2026, 3, 11), None, D(2026, 3, 11)) == Period(
        D(2026, 3, 9), D(2026, 3, 15)
    )


def test_periods_between_covers_the_range_within_the_plan():
    weeks = periods_between("weekly", D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 1, 31))
    assert [p.start for p in weeks] == [
        D(2025, 12, 29),
        D(2026, 1, 5),
        D(2026, 1, 12),
        D(2026, 1, 19),
        D(2026, 1, 26),
    ]
    assert weeks[-1].due == D(2026, 2, 1)
    days = periods_between("daily", D(2026, 1, 10), D(2026, 1, 12), D(2026, 1, 1), D(2026, 1, 31))
    assert [p.start.day for p in days] == [10, 11, 12]
    months = periods_between("monthly", D(2025, 11, 5), None, D(2026, 1, 1), D(2026, 3, 1))
    assert [p.due for p in months] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert periods_between("once", D(2026, 5, 1), None, D(2026, 1, 1), D(2026, 3, 1)) == []
    with pytest.raises(ValueError):
        periods_between("daily", D(2026, 1, 1), None, D(2026, 2, 1), D(2026, 1, 1))


def test_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        period_of("hourly", D(2026, 1, 1))


def test_rate_counts_missed_and_overdue_against_done():
    assert Rate(done=3, missed=1, overdue=0).rate == 0.75
    assert Rate(done=1, missed=1, overdue=2).percent == 25
    assert Rate().rate is None and Rate().percent is None
    assert Rate(done=2).as_dict() == {"done": 2, "missed": 0, "overdue": 0, "due": 2, "rate": 1.0}
