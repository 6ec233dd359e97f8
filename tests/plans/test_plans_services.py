"""Emergency plans: registry, review cycle, matching an incident, drills."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A

from yingji.core.models import Deadline
from yingji.hazards.models import Hazard
from yingji.plans import rules, services
from yingji.plans.models import Drill, EmergencyPlan, PlanAttachment, PlanLevel


def make_plan(actor, **overrides):
    fields = {
        "title": "县生产安全事故应急预案",
        "owner_kind": "government",
        "division_id": COUNTY,
        "level": "county",
        "plan_type": "special",
        "incident_types": ["accident"],
        "owner": "县应急管理局",
        "status": "in_force",
        "approved_at": datetime.date(2025, 1, 10),
    }
    fields.update(overrides)
    if "enterprise" in overrides:
        fields.pop("division_id")
    return services.create_plan(actor=actor, **fields)


def add_levels(plan, actor):
    services.save_level(
        plan, actor=actor, code="I", name="一级", min_deaths=3, accident_grades=["larger", "major"]
    )
    services.save_level(plan, actor=actor, code="IV", name="四级", min_deaths=1, min_serious_injuries=3)


def incident(**kw):
    base = {
        "kind": "accident",
        "subtype": "hazchem",
        "grade": "general",
        "deaths": 0,
        "serious_injuries": 0,
        "direct_loss_yuan": Decimal(0),
        "division_id": VILLAGE_A,
        "enterprise_id": None,
    }
    base.update(kw)
    return SimpleNamespace(**base)


def test_review_is_three_years_after_approval_with_a_core_deadline(staff_user):
    plan = make_plan(staff_user)
    assert plan.next_review == datetime.date(2028, 1, 10)
    deadline = Deadline.objects.for_object(plan).open().get()
    assert deadline.due_at.date() == datetime.date(2028, 1, 10)
    services.record_review(plan, actor=staff_user, reviewed_on=datetime.date(2026, 3, 1))
    plan.refresh_from_db()
    assert plan.next_review == datetime.date(2029, 3, 1)
    assert Deadline.objects.for_object(plan).open().get().due_at.date() == datetime.date(2029, 3, 1)


def test_overdue_review_is_flagged(staff_user):
    plan = make_plan(staff_user, approved_at=datetime.date(2020, 5, 1))
    assert services.review_state(plan, datetime.date(2026, 1, 1)) == "overdue"
    assert services.review_state(plan, datetime.date(2023, 4, 20)) == "due_soon"


def test_filing_number_without_date_is_refused(staff_user):
    with pytest.raises(ValidationError) as err:
        make_plan(staff_user, filing_number="备-2025-01")
    assert "filed_at" in err.value.message_dict
    assert not EmergencyPlan.objects.exists()


def test_town_official_cannot_create_county_plan(town_a_official):
    with pytest.raises(ValidationError) as err:
        make_plan(town_a_official)
    assert "division" in err.value.message_dict
    assert not EmergencyPlan.objects.exists()


def test_match_plans_best_first(staff_user, enterprise_a):
    county_plan = make_plan(staff_user)
    add_levels(county_plan, staff_user)
    town_plan = make_plan(staff_user, title="甲镇", division_id=TOWN_A, level="town", plan_type="general")
    add_levels(town_plan, staff_user)
    other_town = make_plan(staff_user, title="乙镇", division_id=TOWN_B, level="town")
    add_levels(other_town, staff_user)
    ent_plan = make_plan(
        staff_user,
        title="企业现场处置方案",
        owner_kind="enterprise",
        enterprise=enterprise_a,
        level="enterprise",
        plan_type="onsite",
    )
    add_levels(ent_plan, staff_user)
    natural = make_plan(staff_user, title="防汛", incident_types=["natural"])
    add_levels(natural, staff_user)

    assert services.match_plans(incident(deaths=0)) == []
    found = services.match_plans(incident(deaths=1, enterprise_id=enterprise_a.pk))
    assert [(p.pk, lv.code) for p, lv, _r in found] == [
        (ent_plan.pk, "IV"),
        (town_plan.pk, "IV"),
        (county_plan.pk, "IV"),
    ]
    assert "deaths" in found[0][2]
    found = services.match_plans(incident(deaths=3, grade="larger"))
    assert [(p.pk, lv.code) for p, lv, _r in found] == [(town_plan.pk, "I"), (county_plan.pk, "I")]


def test_boundary_is_inclusive():
    level = rules.LevelFacts(code="IV", min_direct_loss_yuan=Decimal("1000000"))
    assert rules.level_reasons(level, rules.IncidentFacts(direct_loss_yuan=Decimal("1000000")))
    assert not rules.level_reasons(level, rules.IncidentFacts(direct_loss_yuan=Decimal("999999.99")))


def test_duplicate_level_code_is_refused(staff_user):
    plan = make_plan(staff_user)
    add_levels(plan, staff_user)
    with pytest.raises(ValidationError) as err:
        services.save_level(plan, actor=staff_user, code="I", name="again")
    assert "code" in err.value.message_dict
    assert PlanLevel.objects.filter(plan=plan).count() == 2


def test_attachment_type_is_checked(staff_user):
    plan = make_plan(staff_user)
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as err:
        services.add_attachment(plan, actor=staff_user, upload=fake)
    assert "file" in err.value.message_dict
    assert not PlanAttachment.objects.exists()
    good = SimpleUploadedFile("预案.pdf", b"%PDF-1.4 hello", content_type="application/pdf")
    attachment = services.add_attachment(plan, actor=staff_user, upload=good)
    assert attachment.size == 14 and attachment.content_type == "application/pdf"


def test_enterprise_drill_problem_becomes_hazard_once(enterprise_a_user, enterprise_a):
    plan = make_plan(
        enterprise_a_user,
        owner_kind="enterprise",
        enterprise=enterprise_a,
        level="enterprise",
        plan_type="onsite",
    )
    drill = services.save_drill(
        actor=enterprise_a_user,
        plan=plan,
        held_on=datetime.date(2026, 5, 1),
        kind="tabletop",
        participant_count=12,
        problems=["应急物资不足"],
    )
    problem = drill.problems.get()
    hazard = services.problem_to_hazard(problem, actor=enterprise_a_user)
    assert hazard.enterprise_id == enterprise_a.pk
    with pytest.raises(ValidationError) as err:
        services.problem_to_hazard(problem, actor=enterprise_a_user)
    assert "hazard" in err.value.message_dict
    assert Hazard.objects.count() == 1


def test_government_drill_problem_does_not_become_hazard(staff_user):
    plan = make_plan(staff_user)
    drill = services.save_drill(
        actor=staff_user,
        plan=plan,
        held_on=datetime.date(2026, 5, 1),
        kind="full_scale",
        problems=["通信中断"],
    )
    with pytest.raises(ValidationError) as err:
        services.problem_to_hazard(drill.problems.get(), actor=staff_user)
    assert "drill" in err.value.message_dict
    assert not Hazard.objects.exists()
    assert Drill.objects.count() == 1


def test_review_reminders(staff_user):
    plan = make_plan(staff_user, approved_at=datetime.date(2023, 6, 1))
    assert services.send_review_reminders(today=plan.next_review - datetime.timedelta(days=30)) == 1
    assert services.send_review_reminders(today=plan.next_review - datetime.timedelta(days=29)) == 0
