"""Targeting: a warning's areas (division tree, polygons, circles) → the people on the call lists whose
level threshold and warning type it meets; enterprises as generated targets; set-based queries."""

# ruff: noqa: F811 - the call_list fixture is imported from tests/alerts/test_calls.py

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.alerts.conftest import JULY_25
from tests.alerts.test_calls import call_list, entry, red_warning  # noqa: F401 - fixtures
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B

from yingji.alerts import rules_targeting, services_calls
from yingji.core.models import Division

pytestmark = pytest.mark.django_db


def names(targets):
    return sorted(t["name"] for t in targets)


def test_level_threshold():
    assert rules_targeting.levels_reaching("red") == ["red", "orange", "yellow", "blue"]
    assert rules_targeting.levels_reaching("blue") == ["blue"]
    assert rules_targeting.meets("orange", "yellow") and not rules_targeting.meets("yellow", "orange")


def test_prefixes_and_ancestors():
    assert rules_targeting.minimal_prefixes(["329901", "329901001", "329902"]) == ["329901", "329902"]
    assert rules_targeting.ancestor_codes(VILLAGE_A, "329901") == [COUNTY, TOWN_A]
    assert rules_targeting.ancestor_codes(TOWN_A, "329901001") == []


def test_point_in_polygon_and_circle():
    square = [[32.0, 120.0], [32.0, 121.0], [33.0, 121.0], [33.0, 120.0], [32.0, 120.0]]
    assert rules_targeting.point_in_polygon(32.5, 120.5, square)
    assert not rules_targeting.point_in_polygon(33.5, 120.5, square)
    assert rules_targeting.point_in_circle(32.0, 120.0, [32.05, 120.0, 6])
    assert not rules_targeting.point_in_circle(32.0, 120.0, [32.1, 120.0, 6])


def test_a_town_reaches_its_villages_and_the_county_leader(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    assert names(services_calls.resolve_targets(warning)) == ["县指挥长", "甲村书记", "甲镇镇长"]


def test_the_level_and_type_thresholds_apply(call_list, staff_user, second_approver):
    yellow = red_warning(staff_user, second_approver, level="yellow")
    assert names(services_calls.resolve_targets(yellow)) == ["甲村书记", "甲镇镇长"]  # the county from orange


def test_a_whole_county_reaches_everyone_on_its_lists(call_list, staff_user, second_approver, enterprise_a):
    warning = red_warning(
        staff_user, second_approver, areas=[{"area_desc": "全县", "division_codes": [COUNTY]}]
    )
    targets = services_calls.resolve_targets(warning)
    assert names(targets) == ["乙村信息员", "乙镇镇长", "县指挥长", "张三", "甲村书记", "甲镇镇长"]
    ent = next(t for t in targets if t["tier"] == "enterprise")
    assert ent["enterprise_id"] == enterprise_a.pk and ent["phone"] == "13812341234"


def test_a_polygon_reaches_the_divisions_whose_centroid_is_inside(call_list, staff_user, second_approver):
    for code, lat, lon in ((TOWN_A, 32.0, 120.9), (VILLAGE_A, 32.01, 120.91), (TOWN_B, 32.5, 121.5),
                           (VILLAGE_B, 32.51, 121.51)):  # fmt: skip
        Division.objects.filter(code=code).update(latitude=lat, longitude=lon)
    polygon = [[32.4, 121.4], [32.4, 121.6], [32.6, 121.6], [32.6, 121.4], [32.4, 121.4]]
    warning = red_warning(
        staff_user, second_approver, areas=[{"area_desc": "乙镇一带", "polygons": [polygon]}]
    )
    assert services_calls.area_divisions(warning) == [TOWN_B, VILLAGE_B]
    assert names(services_calls.resolve_targets(warning)) == ["乙村信息员", "乙镇镇长", "县指挥长"]
    circle = red_warning(
        staff_user, second_approver, areas=[{"area_desc": "甲村周边", "circles": [[32.01, 120.91, 0.5]]}]
    )
    assert services_calls.area_divisions(circle) == [VILLAGE_A]
    assert names(services_calls.resolve_targets(circle)) == ["县指挥长", "甲村书记", "甲镇镇长"]


def test_targeting_is_set_based(call_list, staff_user, second_approver):
    for number in range(200):
        entry(VILLAGE_B, "informant", f"信息员{number}", f"1370000{number:04d}")
    warning = red_warning(
        staff_user, second_approver, areas=[{"area_desc": "全县", "division_codes": [COUNTY]}]
    )
    with CaptureQueriesContext(connection) as queries:
        targets = services_calls.resolve_targets(warning)
    assert len(targets) > 200 and len(queries) <= 6


def test_a_registered_source_adds_targets(call_list, staff_user, second_approver, monkeypatch):
    def custodians(warning, prefixes, codes):
        yield {
            "entry_id": None, "enterprise_id": None, "division_id": VILLAGE_A, "tier": "custodian",
            "name": "包保人", "phone": "13600000000", "user_id": None, "channels": ["sms"], "email": "",
            "webhook_url": "",
        }  # fmt: skip

    monkeypatch.setattr(services_calls, "TARGET_SOURCES", [custodians])
    warning = red_warning(staff_user, second_approver, now=JULY_25)
    assert "包保人" in names(services_calls.resolve_targets(warning))
