"""Alarm-quality figures on a constructed set of alarms."""

from __future__ import annotations

import datetime

from tests.conftest import COUNTY, TOWN_B, _user

from yingji.monitoring import quality
from yingji.monitoring.models import Alarm

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def alarm(point, seconds, condition="high", **extra):
    return Alarm.objects.create(
        point=point,
        device_id=point.device_id if point else extra.pop("device_id", None),
        enterprise_id=extra.pop("enterprise_id", None) or point.enterprise_id,
        source_id=point.source_id if point else None,
        division_id=extra.pop("division_id", None) or point.division_id,
        condition=condition,
        raised_at=at(seconds),
        is_open=False,
        state="cleared",
        **extra,
    )


def test_quality_figures(gas_point, level_point, duty_officer, staff_user):
    _user("duty2", "duty_officer", TOWN_B)  # a second duty officer in the county
    # a chattering gas point: 3 activations within 40 s, then 8 more spread over 5 minutes → a flood
    for s in (0, 20, 40):
        alarm(gas_point, s)
    for i in range(8):
        alarm(level_point, 60 + i * 30, condition="low")
    # a quiet hour later, one alarm
    alarm(gas_point, 3600)
    figures = quality.alarm_quality(staff_user, start=T0, end=at(7200))
    assert figures["alarms"] == 12
    assert figures["duty_officers"] == 2
    # 12 alarms over 12 ten-minute periods, 2 officers
    assert (
        figures["per_10_min_per_officer"] == 0.5 and figures["band"] == "target" and figures["within_target"]
    )
    assert figures["peak_10_min"] == 11
    assert len(figures["floods"]) == 1 and figures["floods"][0]["count"] == 11
    assert [(c["point_id"], c["condition"], c["activations"]) for c in figures["chattering"]] == [
        (gas_point.pk, "high", 4)
    ]
    assert [(b["point_id"], b["count"]) for b in figures["bad_actors"]] == [
        (level_point.pk, 8),
        (gas_point.pk, 4),
    ]
    assert figures["bad_actors"][0]["point"] == level_point.name


def test_alarms_while_offline_are_not_counted(gas_point, device_a, duty_officer):
    Alarm.objects.create(
        device=device_a,
        enterprise_id=device_a.enterprise_id,
        division_id=device_a.division_id,
        condition="offline",
        raised_at=at(100),
        cleared_at=at(1000),
        is_open=False,
        state="cleared",
    )
    alarm(gas_point, 500)  # suppressed: the device was offline
    alarm(gas_point, 1500)
    figures = quality.alarm_quality(Alarm.objects.all(), start=T0, end=at(3600))
    assert figures["alarms"] == 2  # the offline alarm itself and the one after the return
    assert figures["duty_officers"] == 1


def test_scope_and_at_least_one_officer(gas_point, enterprise_b_user):
    alarm(gas_point, 0)
    figures = quality.alarm_quality(enterprise_b_user, start=T0, end=at(600))
    assert figures["alarms"] == 0 and figures["duty_officers"] == 1 and figures["per_10_min_per_officer"] == 0
    assert _user("d", "duty_officer", COUNTY)
