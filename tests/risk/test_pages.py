"""The risk pages: rendered for enterprise users and bureau staff, scoped, bad factors refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yingji.risk.models import ControlMeasure, EnterpriseRisk, Post, RiskPoint, RiskUnit


@pytest.mark.parametrize("persona", ["staff_user", "enterprise_a_user", "town_a_official", "leader"])
def test_pages_render_for_everyone_who_may_see_them(request, client_for, persona, point_a, post_a):
    client = client_for(request.getfixturevalue(persona))
    urls = [
        reverse("risk:riskpoint_list"),
        reverse("risk:riskpoint_list") + "?level=general&method=lec&kind=activity",
        reverse("risk:riskpoint_detail", args=[point_a.pk]),
        reverse("risk:riskunit_list"),
        reverse("risk:riskunit_detail", args=[point_a.unit_id]),
        reverse("risk:post_list"),
        reverse("risk:post_detail", args=[post_a.pk]),
        reverse("registry:enterprise_detail", args=[point_a.unit.enterprise_id]),
        reverse("dashboard:home"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    assert point_a.name in client.get(reverse("risk:riskpoint_list")).content.decode()


def test_point_page_shows_the_computation_and_measures(client_for, staff_user, point_a):
    content = client_for(staff_user).get(reverse("risk:riskpoint_detail", args=[point_a.pk])).content.decode()
    assert "D = L × E × C = 3 × 6 × 7 = 126" in content
    assert "70 &lt; D ≤ 160" in content
    assert "装卸区设置静电接地报警装置" in content and "王工" in content
    assert "yj-risk-general" in content


def test_edit_pages_render_for_editors(client_for, enterprise_a_user, point_a, post_a):
    client = client_for(enterprise_a_user)
    measure = point_a.measures.first()
    for url in [
        reverse("risk:riskpoint_add"),
        reverse("risk:riskpoint_add") + f"?unit={point_a.unit_id}",
        reverse("risk:riskpoint_edit", args=[point_a.pk]),
        reverse("risk:riskpoint_delete", args=[point_a.pk]),
        reverse("risk:riskunit_add"),
        reverse("risk:riskunit_edit", args=[point_a.unit_id]),
        reverse("risk:post_add"),
        reverse("risk:post_edit", args=[post_a.pk]),
        reverse("risk:controlmeasure_edit", args=[measure.pk]),
        reverse("risk:controlmeasure_delete", args=[measure.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_enterprise_user_adds_a_point_to_their_own_unit(client_for, enterprise_a_user, unit_a):
    response = client_for(enterprise_a_user).post(
        reverse("risk:riskpoint_add"),
        {"unit": unit_a.pk, "name": "配电室", "kind": "place", "method": "ls", "ls_l": "3", "ls_s": "4"},
    )
    assert response.status_code == 302
    point = RiskPoint.objects.get(name="配电室")
    assert (point.score, point.level) == (12, "general")
    assert EnterpriseRisk.objects.get(enterprise=unit_a.enterprise).level == "general"


def test_enterprise_user_cannot_add_a_point_to_another_enterprise(client_for, enterprise_a_user, unit_b):
    response = client_for(enterprise_a_user).post(
        reverse("risk:riskpoint_add"),
        {"unit": unit_b.pk, "name": "越权", "kind": "place", "method": "ls", "ls_l": "3", "ls_s": "4"},
    )
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert not RiskPoint.objects.filter(name="越权").exists()


@pytest.mark.parametrize(
    ("field", "value"), [("lec_l", "4"), ("lec_e", "7"), ("lec_c", "abc"), ("lec_c", "")]
)
def test_a_bad_factor_value_is_a_field_error_and_changes_nothing(
    client_for, staff_user, point_a, field, value
):
    data = {
        "name": point_a.name,
        "kind": "activity",
        "method": "lec",
        "lec_l": "3",
        "lec_e": "6",
        "lec_c": "7",
        field: value,
    }
    before = RiskPoint.objects.filter(pk=point_a.pk).values().get()
    response = client_for(staff_user).post(reverse("risk:riskpoint_edit", args=[point_a.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert RiskPoint.objects.filter(pk=point_a.pk).values().get() == before


def test_editing_factors_regrades_the_point_and_the_enterprise(client_for, staff_user, point_a):
    response = client_for(staff_user).post(
        reverse("risk:riskpoint_edit", args=[point_a.pk]),
        {
            "name": point_a.name,
            "kind": "activity",
            "method": "lec",
            "lec_l": "10",
            "lec_e": "6",
            "lec_c": "15",
        },
    )
    assert response.status_code == 302
    point_a.refresh_from_db()
    assert (point_a.score, point_a.level) == (900, "major")
    assert EnterpriseRisk.objects.get(enterprise_id=point_a.unit.enterprise_id).level == "major"


def test_measures_are_added_edited_and_deleted_on_the_point(client_for, enterprise_a_user, point_a):
    client = client_for(enterprise_a_user)
    url = reverse("risk:riskpoint_measure_add", args=[point_a.pk])
    data = {
        "measure_type": "ppe",
        "control_level": "post",
        "description": "佩戴防静电工作服",
        "responsible_person": "钱七",
        "responsible_phone": "",
    }
    assert client.post(url, data).status_code == 302
    measure = ControlMeasure.objects.get(description="佩戴防静电工作服")
    bad = client.post(url, {**data, "measure_type": "magic", "description": "坏的"})
    assert bad.status_code == 400 and "measure_type" in bad.context["measure_form"].errors
    assert not ControlMeasure.objects.filter(description="坏的").exists()
    edit = reverse("risk:controlmeasure_edit", args=[measure.pk])
    assert client.post(edit, {**data, "responsible_person": "孙八"}).status_code == 302
    measure.refresh_from_db()
    assert measure.responsible_person == "孙八"
    assert client.post(reverse("risk:controlmeasure_delete", args=[measure.pk])).status_code == 302
    assert not ControlMeasure.objects.filter(pk=measure.pk).exists()


def test_enterprise_b_cannot_see_or_change_a_points(client_for, enterprise_b_user, point_a, post_a):
    client = client_for(enterprise_b_user)
    assert point_a.name not in client.get(reverse("risk:riskpoint_list")).content.decode()
    for name in ("riskpoint_detail", "riskpoint_edit", "riskpoint_delete", "riskpoint_card"):
        assert client.get(reverse(f"risk:{name}", args=[point_a.pk])).status_code == 404, name
    assert client.get(reverse("risk:post_cards", args=[post_a.pk])).status_code == 404
    assert client.post(reverse("risk:riskpoint_delete", args=[point_a.pk])).status_code == 404
    assert RiskPoint.objects.filter(pk=point_a.pk).exists()


def test_town_b_cannot_see_town_a_points(client_for, town_b_official, point_a, point_b):
    client = client_for(town_b_official)
    listed = client.get(reverse("risk:riskpoint_list")).content.decode()
    assert point_b.name in listed and point_a.name not in listed
    assert client.get(reverse("risk:riskpoint_detail", args=[point_a.pk])).status_code == 404
    assert client.get(reverse("risk:riskunit_detail", args=[point_a.unit_id])).status_code == 404


def test_town_officials_and_leaders_cannot_edit(client_for, town_a_official, leader, point_a):
    for user in (town_a_official, leader):
        client = client_for(user)
        assert client.get(reverse("risk:riskpoint_edit", args=[point_a.pk])).status_code == 403
        assert client.post(reverse("risk:riskpoint_delete", args=[point_a.pk])).status_code == 403
    assert RiskPoint.objects.filter(pk=point_a.pk).exists()


def test_list_filters_by_level_and_town(client_for, staff_user, point_a, point_b):
    client = client_for(staff_user)
    major = client.get(reverse("risk:riskpoint_list"), {"level": "major"}).content.decode()
    assert point_b.name in major and point_a.name not in major
    town_a = client.get(reverse("risk:riskpoint_list"), {"division": "329901001000"}).content.decode()
    assert point_a.name in town_a and point_b.name not in town_a


def test_units_and_posts_are_created_from_the_pages(client_for, enterprise_a_user, enterprise_a, point_a):
    client = client_for(enterprise_a_user)
    response = client.post(reverse("risk:riskunit_add"), {"name": "仓库", "description": ""})
    assert response.status_code == 302
    assert RiskUnit.objects.get(name="仓库").enterprise == enterprise_a
    response = client.post(
        reverse("risk:post_add"),
        {
            "name": "仓管员",
            "duties": "巡查",
            "operating_steps": "",
            "emergency_steps": "",
            "risk_points": [point_a.pk],
        },
    )
    assert response.status_code == 302
    assert list(Post.objects.get(name="仓管员").risk_points.all()) == [point_a]


def test_a_post_cannot_list_another_enterprises_points(staff_user, enterprise_a, point_b):
    from django.core.exceptions import ValidationError

    from yingji.risk import services

    with pytest.raises(ValidationError) as error:
        services.create_post(actor=staff_user, enterprise=enterprise_a, name="混岗", risk_points=[point_b])
    assert "risk_points" in error.value.message_dict
    assert not Post.objects.filter(name="混岗").exists()


def test_admin_sets_the_level_mapping(client_for, admin_user, staff_user):
    from yingji.risk.models import RiskMethodConfig

    url = reverse("risk:riskmethodconfig_list")
    assert client_for(admin_user).get(url).status_code == 200
    good = {"method": "lec", "edge_1": "20", "edge_2": "70", "edge_3": "160", "closed": "right", "note": ""}
    assert client_for(admin_user).post(url, good).status_code == 302
    assert RiskMethodConfig.objects.get(method="lec").bands["edges"] == [20, 70, 160]
    bad = {**good, "edge_1": "200"}
    assert client_for(admin_user).post(url, bad).status_code == 400
    assert RiskMethodConfig.objects.get(method="lec").bands["edges"] == [20, 70, 160]
    assert client_for(staff_user).get(url).status_code == 403
