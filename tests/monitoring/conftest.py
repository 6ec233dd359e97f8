"""A major hazard source of enterprise A with one device and two points (combustible gas, tank level),
and a duty officer of the county. Shared by every monitoring test module."""

from __future__ import annotations

import pytest
from tests.conftest import COUNTY, _user

from yingji.monitoring.models import Device, Point
from yingji.registry.models import MajorHazardSource


@pytest.fixture
def source_a(enterprise_a):
    return MajorHazardSource.objects.create(
        enterprise=enterprise_a,
        division=enterprise_a.division,
        name="罐区",
        category="hazchem",
        kind="storage",
        is_major=True,
        grade=3,
    )


@pytest.fixture
def device_a(source_a):
    return Device.objects.create(
        enterprise=source_a.enterprise,
        source=source_a,
        division=source_a.division,
        code="DEV-A-1",
        name="罐区采集器",
        sampling_period_s=10,
    )


@pytest.fixture
def gas_point(device_a):
    return Point.objects.create(
        device=device_a,
        enterprise=device_a.enterprise,
        source=device_a.source,
        division=device_a.division,
        code="GT-101",
        name="可燃气体 GT-101",
        kind="combustible_gas",
        unit="%LEL",
        range_low=0,
        range_high=100,
        high1=25,
        high2=50,
        deadband=2,
    )


@pytest.fixture
def level_point(device_a):
    return Point.objects.create(
        device=device_a,
        enterprise=device_a.enterprise,
        source=device_a.source,
        division=device_a.division,
        code="LT-201",
        name="储罐液位 LT-201",
        kind="level",
        unit="m",
        range_low=0,
        range_high=12,
        high1=9.5,
        high2=10.5,
        low1=1.0,
        low2=0.5,
        deadband=0.2,
        on_delay_s=30,
    )


@pytest.fixture
def duty_officer(county):
    return _user("duty", "duty_officer", COUNTY)
