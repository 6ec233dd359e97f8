"""Classification (key/general with reasons), plan generation, months, groups and publication."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.conftest import COUNTY, VILLAGE_A, make_uscc
from tests.inspections.scoping_plans import finished_inspection, make_inspector

from yingji.core.models import Division
from yingji.inspections import rules_plans
from yingji.inspections import services_plans as services
from yingji.inspections.models_plans import ClassificationConfig, InspectionPlan, InspectorGroup, PlanEntry
from yingji.registry.models import Enterprise
from yingji.risk.models import EnterpriseRisk


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


@pytest.fixture
def county_division(county):
    return Division.objects.get(code=COUNTY)


@pytest.fixture
def inspectors(county):
    return [make_inspector(f"insp{n}", COUNTY) for n in range(4)]


def test_classification_reasons(admin_user, county_division, enterprise_a, enterprise_b):
    config = services.config_for(county_division)
    assert config.pk is None  # the shipped defaults
    classes = services.classify_enterprises(Enterprise.objects.all(), config, 2026)
    assert classes[enterprise_a.pk] == ("key", ["flag:hazchem_production"])
    assert classes[enterprise_b.pk] == ("general", [])
    EnterpriseRisk.objects.create(enterprise=enterprise_b, level="major")
    classes = services.classify_enterprises(Enterprise.objects.all(), config, 2026)
    assert classes[enterprise_b.pk] == ("key", ["risk:major"])
    # The admin takes the risk factor out and counts industry 34 instead.
    config = services.save_config(
        actor=admin_user, division=county_division, flags=[], risk_levels=[], industries=["34"]
    )
    classes = services.classify_enterprises(Enterprise.objects.all(), config, 2026)
    assert classes[enterprise_a.pk] == ("general", [])
    assert classes[enterprise_b.pk] == ("key", ["industry:34"])


def test_findings_last_year_make_an_enterprise_key(admin_user, county_division, enterprise_b):
    services.save_config(actor=admin_user, division=county_division, findings_last_year=2)
    at = timezone.make_aware(datetime.datetime(2025, 5, 3, 10))
    finished_inspection(enterprise_b, at, user=admin_user, findings=2)
    classes = services.classify_enterprises(
        Enterprise.objects.filter(pk=enterprise_b.pk), services.config_for(county_division), 2026
    )
    assert classes[enterprise_b.pk] == ("key", ["findings:2"])


def test_bad_config_is_refused(admin_user, county_division):
    with pytest.raises(ValidationError) as caught:
        services.save_config(actor=admin_user, division=county_division, flags=["nonsense"])
    assert _code(caught.value, "flags") == "invalid_choice"
    with pytest.raises(ValidationError) as caught:
        services.save_config(actor=admin_user, division=county_division, key_per_year=13)
    assert "key_per_year" in caught.value.error_dict
    assert not ClassificationConfig.objects.exists()


def test_generate_plan_frequencies_and_groups(
    admin_user, county_division, enterprise_a, enterprise_b, inspectors
):
    plan = services.create_plan(
        actor=admin_user, division=county_division, year=2026, groups=[inspectors[:2], inspectors[2:]]
    )
    assert plan.status == "draft"
    a = list(PlanEntry.objects.filter(plan=plan, enterprise=enterprise_a).order_by("month"))
    b = list(PlanEntry.objects.filter(plan=plan, enterprise=enterprise_b))
    assert len(a) == 2 and a[1].month - a[0].month == 6 and a[0].enterprise_class == "key"
    assert a[0].reasons == ["flag:hazchem_production"]
    assert len(b) == 1 and b[0].enterprise_class == "general"
    assert {e.group_id for e in [*a, *b]} == set(plan.groups.values_list("id", flat=True))
    plan = services.publish_plan(actor=admin_user, plan=plan)
    assert plan.status == "published"
    with pytest.raises(ValidationError) as caught:
        services.add_entry(actor=admin_user, plan=plan, enterprise=enterprise_b, month=5)
    assert _code(caught.value, "status") == "published"


def test_general_share_samples(admin_user, county_division, enterprise_b):
    for n in range(3, 23):
        Enterprise.objects.create(name=f"企业{n}", uscc=make_uscc(n), industry="34", division_id=VILLAGE_A)
    services.save_config(actor=admin_user, division=county_division, general_share=25)
    plan = services.create_plan(actor=admin_user, division=county_division, year=2026)
    assert plan.entries.count() == 6  # 25 % of 21, rounded up
    again = rules_plans.sampled(list(Enterprise.objects.values_list("id", flat=True)), 25, seed=1)
    assert again == rules_plans.sampled(list(Enterprise.objects.values_list("id", flat=True)), 25, seed=1)


def test_month_outside_1_to_12_is_refused(admin_user, county_division, enterprise_b):
    plan = services.create_plan(actor=admin_user, division=county_division, year=2026, generate=False)
    for month in (0, 13, -1):
        with pytest.raises(ValidationError) as caught:
            services.add_entry(actor=admin_user, plan=plan, enterprise=enterprise_b, month=month)
        assert _code(caught.value, "month") == "invalid_month"
    assert not PlanEntry.objects.exists()
    entry = services.add_entry(actor=admin_user, plan=plan, enterprise=enterprise_b, month=4)
    with pytest.raises(ValidationError) as caught:
        services.update_entry(actor=admin_user, entry=entry, month=13)
    assert _code(caught.value, "month") == "invalid_month"
    entry.refresh_from_db()
    assert entry.month == 4


def test_group_needs_two_inspectors(admin_user, county_division, inspectors):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(actor=admin_user, division=county_division, year=2026, groups=[inspectors[:1]])
    assert _code(caught.value, "members") == "too_few"
    assert not InspectionPlan.objects.exists()
    plan = services.create_plan(actor=admin_user, division=county_division, year=2026, generate=False)
    with pytest.raises(ValidationError) as caught:
        services.add_group(actor=admin_user, plan=plan, name="一组", members=[inspectors[0], inspectors[0]])
    assert _code(caught.value, "members") == "too_few"
    with pytest.raises(ValidationError) as caught:
        services.add_group(actor=admin_user, plan=plan, name="一组", members=[inspectors[0], admin_user])
    assert _code(caught.value, "members") == "invalid_choice"
    assert not InspectorGroup.objects.exists()


def test_one_plan_per_division_and_year(admin_user, county_division):
    services.create_plan(actor=admin_user, division=county_division, year=2026, generate=False)
    with pytest.raises(ValidationError) as caught:
        services.create_plan(actor=admin_user, division=county_division, year=2026)
    assert _code(caught.value, "year") == "unique"
    assert InspectionPlan.objects.count() == 1
