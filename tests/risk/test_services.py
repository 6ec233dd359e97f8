"""Risk units, points and measures through the services: levels from the rules, scoping, per-bureau mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yingji.core.models import AuditLog, Division
from yingji.risk import rules, services
from yingji.risk.models import ControlMeasure, RiskMethodConfig, RiskPoint, RiskUnit

COUNTY = "329901000000"
TOWN_A = "329901001000"
VILLAGE_A = "329901001001"


def lec_point(unit, actor, l="3", e="6", c="7", name="储罐区装卸作业"):  # noqa: E741
    return services.create_point(
        actor=actor,
        unit=unit,
        name=name,
        kind="activity",
        hazard_factors="静电、泄漏",
        consequences="火灾、爆炸",
        method="lec",
        lec_l=l,
        lec_e=e,
        lec_c=c,
    )


def ls_point(unit, actor, l, s, name="配电室"):  # noqa: E741
    return services.create_point(actor=actor, unit=unit, name=name, kind="place", method="ls", ls_l=l, ls_s=s)


@pytest.fixture
def unit_a(enterprise_a, staff_user):
    return services.create_unit(actor=staff_user, enterprise=enterprise_a, name="罐区")


@pytest.fixture
def unit_b(enterprise_b, staff_user):
    return services.create_unit(actor=staff_user, enterprise=enterprise_b, name="机加工车间")


def test_a_point_gets_its_score_and_level_from_the_rules(unit_a, staff_user):
    point = lec_point(unit_a, staff_user)
    point.refresh_from_db()
    assert point.score == Decimal(126)
    assert (point.level, point.colour) == ("general", "yellow")
    assert point.mapping["name"] == "LEC variant A"
    assert point.assessed_by == staff_user and point.assessed_at is not None
    assert (point.ls_l, point.ls_s) == (None, None)


def test_fractional_scores_are_stored_exactly(unit_a, staff_user):
    point = lec_point(unit_a, staff_user, l="0.1", e="0.5", c="1")
    point.refresh_from_db()
    assert point.score == Decimal("0.05") and point.level == "low"


def test_enterprise_level_is_its_highest_point(unit_a, enterprise_a, enterprise_b, staff_user):
    assert services.enterprise_risk_level(enterprise_a) is None
    lec_point(unit_a, staff_user, "1", "1", "1")
    assert services.enterprise_risk_level(enterprise_a) == "low"
    second_unit = services.create_unit(actor=staff_user, enterprise=enterprise_a, name="仓库")
    ls_point(second_unit, staff_user, 3, 5)
    lec_point(unit_a, staff_user, "3", "6", "7", name="动火作业")
    assert services.enterprise_risk_level(enterprise_a) == "significant"
    assert services.enterprise_risk_level(enterprise_b) is None


def test_a_value_outside_the_table_names_the_field_and_saves_nothing(unit_a, staff_user):
    with pytest.raises(ValidationError) as error:
        lec_point(unit_a, staff_user, e="5")
    assert set(error.value.message_dict) == {"lec_e"}
    assert "0.5" in error.value.message_dict["lec_e"][0]
    assert not RiskPoint.objects.exists()


def test_a_missing_factor_is_named(unit_a, staff_user):
    with pytest.raises(ValidationError) as error:
        services.create_point(actor=staff_user, unit=unit_a, name="x", kind="place", method="ls", ls_l=3)
    assert set(error.value.message_dict) == {"ls_s"}


def test_a_rejected_update_changes_nothing(unit_a, staff_user):
    point = lec_point(unit_a, staff_user)
    with pytest.raises(ValidationError) as error:
        services.update_point(point, actor=staff_user, name="新名", lec_c="50")
    assert "lec_c" in error.value.message_dict
    assert (point.name, point.lec_c, point.level) == ("储罐区装卸作业", Decimal(7), "general")
    point.refresh_from_db()
    assert (point.name, point.lec_c, point.score) == ("储罐区装卸作业", Decimal(7), Decimal(126))


def test_an_update_regrades_and_switching_method_clears_the_other_factors(unit_a, staff_user, admin_user):
    point = lec_point(unit_a, staff_user)
    services.update_point(point, actor=admin_user, method="ls", ls_l=5, ls_s=5)
    point.refresh_from_db()
    assert (point.score, point.level, point.lec_l, point.lec_e, point.lec_c) == (
        Decimal(25),
        "major",
        None,
        None,
        None,
    )
    assert point.assessed_by == admin_user


def test_unknown_fields_are_refused(unit_a, staff_user):
    point = lec_point(unit_a, staff_user)
    with pytest.raises(ValidationError) as error:
        services.update_point(point, actor=staff_user, level="low")
    assert "level" in error.value.message_dict


def test_town_official_cannot_see_other_town(unit_a, unit_b, staff_user, town_a_official, town_b_official):
    point_a = lec_point(unit_a, staff_user)
    point_b = ls_point(unit_b, staff_user, 2, 2)
    services.create_measure(
        actor=staff_user,
        point=point_a,
        measure_type="engineering",
        control_level="company",
        description="设置可燃气体报警",
        responsible_person="王五",
        responsible_phone="13812341234",
    )
    assert list(RiskPoint.objects.for_user(town_b_official)) == [point_b]
    assert list(RiskUnit.objects.for_user(town_b_official)) == [unit_b]
    assert not ControlMeasure.objects.for_user(town_b_official).exists()
    assert list(RiskPoint.objects.for_user(town_a_official)) == [point_a]
    assert ControlMeasure.objects.for_user(town_a_official).count() == 1
    assert RiskPoint.objects.for_user(staff_user).count() == 2


def test_enterprise_user_sees_only_their_own_points(unit_a, unit_b, staff_user, enterprise_a_user):
    point_a = lec_point(unit_a, staff_user)
    ls_point(unit_b, staff_user, 2, 2)
    assert list(RiskPoint.objects.for_user(enterprise_a_user)) == [point_a]


def test_town_official_cannot_change_other_towns_risks(unit_a, staff_user, town_b_official):
    point = lec_point(unit_a, staff_user)
    with pytest.raises(ValidationError) as error:
        services.create_point(
            actor=town_b_official, unit=unit_a, name="x", kind="place", method="ls", ls_l=1, ls_s=1
        )
    assert "enterprise" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.update_point(point, actor=town_b_official, name="改名")
    with pytest.raises(ValidationError):
        services.delete_point(point, actor=town_b_official)
    assert RiskPoint.objects.count() == 1


def test_a_bad_phone_for_the_responsible_person_is_refused(unit_a, staff_user):
    point = lec_point(unit_a, staff_user)
    with pytest.raises(ValidationError) as error:
        services.create_measure(
            actor=staff_user,
            point=point,
            measure_type="ppe",
            control_level="post",
            description="佩戴防毒面具",
            responsible_person="赵六",
            responsible_phone="12345",
        )
    assert "responsible_phone" in error.value.message_dict
    assert not ControlMeasure.objects.exists()


def test_changes_are_audited(unit_a, staff_user):
    point = lec_point(unit_a, staff_user)
    services.update_point(point, actor=staff_user, lec_c="15")
    actions = list(
        AuditLog.objects.filter(object_type="risk.riskpoint", object_id=str(point.pk))
        .order_by("id")
        .values_list("action", "username")
    )
    assert actions == [("create", "staff"), ("update", "staff")]


def test_the_nearest_configuration_up_the_tree_applies(county, enterprise_a, admin_user):
    village = Division.objects.get(code=VILLAGE_A)
    assert services.config_for(village, "ls") == rules.LS_DEFAULT
    services.set_method_config(actor=None, division=None, method="ls", bands={"edges": [10, 15, 20]})
    assert services.config_for(village, "ls").edges == (10, 15, 20)
    services.set_method_config(
        actor=admin_user, division=county, method="ls", bands={"edges": [9, 16, 20], "name": "县"}
    )
    assert services.config_for(village, "ls").name == "县"
    services.set_method_config(
        actor=admin_user,
        division=Division.objects.get(code=TOWN_A),
        method="ls",
        bands={"edges": [8, 15, 25]},
    )
    assert services.config_for(village, "ls").edges == (8, 15, 25)
    assert services.config_for(Division.objects.get(code="329901002001"), "ls").name == "县"
    assert services.config_for(village, "lec") == rules.LEC_DEFAULT
    assert services.config_for(None, "ls").edges == (10, 15, 20)


def test_a_point_is_graded_with_its_bureaus_mapping(unit_a, county, admin_user, staff_user):
    services.set_method_config(
        actor=admin_user,
        division=county,
        method="lec",
        bands={"edges": [20, 70, 160], "name": "LEC variant B"},
    )
    point = lec_point(unit_a, staff_user, "10", "6", "3")  # D = 180
    assert point.level == "major" and point.mapping["name"] == "LEC variant B"


def test_a_configuration_is_replaced_not_duplicated(county, admin_user):
    services.set_method_config(
        actor=admin_user, division=county, method="lec", bands={"edges": [20, 70, 160]}
    )
    services.set_method_config(
        actor=admin_user, division=county, method="lec", bands={"edges": [70, 160, 320]}
    )
    assert RiskMethodConfig.objects.get(division=county, method="lec").bands["edges"] == [70, 160, 320]


@pytest.mark.parametrize("bands", [{"edges": [160, 70, 320]}, {"edges": [70, 160, 20000]}, {"edges": [1, 2]}])
def test_a_bad_configuration_is_refused(county, admin_user, bands):
    with pytest.raises(ValidationError) as error:
        services.set_method_config(actor=admin_user, division=county, method="lec", bands=bands)
    assert "bands" in error.value.message_dict
    assert not RiskMethodConfig.objects.exists()


def test_only_the_own_jurisdiction_is_configured(county, town_b_official, enterprise_a_user):
    with pytest.raises(ValidationError):
        services.set_method_config(
            actor=town_b_official,
            division=Division.objects.get(code=TOWN_A),
            method="ls",
            bands={"edges": [9, 15, 20]},
        )
    with pytest.raises(ValidationError):
        services.set_method_config(
            actor=town_b_official, division=None, method="ls", bands={"edges": [9, 15, 20]}
        )
    with pytest.raises(ValidationError):
        services.set_method_config(
            actor=enterprise_a_user,
            division=Division.objects.get(code=VILLAGE_A),
            method="ls",
            bands={"edges": [9, 15, 20]},
        )
    assert not RiskMethodConfig.objects.exists()
