"""The enterprise's risk level follows its highest point; the map reads it without a query per row."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import make_uscc

from yingji.registry.models import Enterprise
from yingji.risk import services
from yingji.risk.models import EnterpriseRisk


def level_of(enterprise):
    risk = EnterpriseRisk.objects.filter(enterprise=enterprise).first()
    return risk.level if risk else ""


def ls(unit, actor, l, s, name):  # noqa: E741
    return services.create_point(actor=actor, unit=unit, name=name, kind="place", method="ls", ls_l=l, ls_s=s)


def test_level_follows_the_highest_point_through_create_update_and_delete(staff_user, unit_a):
    enterprise = unit_a.enterprise
    assert level_of(enterprise) == ""
    low = ls(unit_a, staff_user, 1, 2, "低")
    assert level_of(enterprise) == "low"
    high = ls(unit_a, staff_user, 3, 5, "较大")  # R = 15
    assert level_of(enterprise) == "significant"
    risk = EnterpriseRisk.objects.get(enterprise=enterprise)
    assert risk.counts == {"low": 1, "general": 0, "significant": 1, "major": 0}
    services.update_point(high, actor=staff_user, ls_l=5, ls_s=5)
    assert level_of(enterprise) == "major"
    services.update_point(high, actor=staff_user, ls_l=2, ls_s=5)  # R = 10
    assert level_of(enterprise) == "general"
    services.delete_point(high, actor=staff_user)
    assert level_of(enterprise) == "low"
    services.delete_point(low, actor=staff_user)
    assert level_of(enterprise) == ""
    assert EnterpriseRisk.objects.get(enterprise=enterprise).total == 0


def test_deleting_a_unit_clears_its_points_from_the_level(staff_user, unit_a):
    ls(unit_a, staff_user, 5, 5, "重大")
    assert level_of(unit_a.enterprise) == "major"
    services.delete_unit(unit_a, actor=staff_user)
    assert level_of(unit_a.enterprise) == ""


def test_a_rejected_update_leaves_the_level_alone(staff_user, point_a):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_point(point_a, actor=staff_user, lec_l="4")
    assert level_of(point_a.unit.enterprise) == "general"


def test_points_json_carries_the_level_without_a_query_per_enterprise(
    client_for, staff_user, county, point_a, point_b
):
    client = client_for(staff_user)
    url = reverse("registry:enterprise_points")
    data = client.get(url).json()
    levels = {row[0]: row[4] for row in data["points"]}
    assert levels[point_a.unit.enterprise_id] == "general"
    assert levels[point_b.unit.enterprise_id] == "major"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        Enterprise.objects.create(
            name=f"地图企业{n}",
            uscc=make_uscc(100 + n),
            industry="26",
            division_id="329901001001",
            longitude=120.9 + n / 1000,
            latitude=32.0,
        )
    with CaptureQueriesContext(connection) as many:
        data = client.get(url).json()
    assert len(data["points"]) == 22
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum(1 for row in data["points"] if row[4] is None) == 20


def test_dashboard_counts_by_town_and_industry(client_for, staff_user, point_a, point_b):
    response = client_for(staff_user).get(reverse("dashboard:home"))
    assert response.status_code == 200
    by_town = {row["code"]: row for row in response.context["risk_by_division"]}
    assert by_town["329901001000"]["general"] == 1 and by_town["329901002000"]["major"] == 1
    by_industry = {row["code"]: row for row in response.context["risk_by_industry"]}
    assert by_industry["26"]["general"] == 1 and by_industry["34"]["major"] == 1
    assert response.context["risk"]["major"] == 1


def test_enterprise_page_shows_its_points_by_colour(client_for, enterprise_a_user, point_a):
    response = client_for(enterprise_a_user).get(
        reverse("registry:enterprise_detail", args=[point_a.unit.enterprise_id])
    )
    content = response.content.decode()
    assert 'id="enterprise-risk-points"' in content and point_a.name in content
    assert 'id="enterprise-risk-level"' in content and "yj-risk-general" in content
