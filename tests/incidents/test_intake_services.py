"""Incident intake: Art. 3 grading with the deciding rule, re-grading on new numbers (on the
timeline), reporting duties on the minute ladder (1 hour; 续报 within 30 days, 7 for road/fire), and
the bad inputs (negative casualties, outside the jurisdiction, future time) writing nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.conftest import TOWN_B, VILLAGE_A, VILLAGE_B

from yingji.core.escalation.models import Deadline
from yingji.core.models import Division
from yingji.incidents import escalation_actions
from yingji.incidents import services_incidents as services
from yingji.incidents.models import Incident, ReportDuty, TimelineEntry


def report(actor, **overrides):
    fields = {
        "kind": "accident",
        "subtype": "work_safety",
        "title": "甲村厂房坍塌",
        "occurred_at": timezone.now() - datetime.timedelta(minutes=20),
        "division": Division.objects.get(code=VILLAGE_A),
        "channel": "phone_12350",
        "deaths": 0,
    }
    fields.update(overrides)
    return services.report_incident(actor=actor, **fields)


def nothing_written():
    assert Incident.objects.count() == 0
    assert TimelineEntry.objects.count() == 0
    assert ReportDuty.objects.count() == 0
    assert Deadline.objects.count() == 0


def test_three_deaths_is_larger_with_rule(staff_user):
    incident = report(staff_user, deaths=3)
    assert incident.grade == "larger"
    assert len(incident.grade_decided_by) == 1 and "3" in incident.grade_decided_by[0]
    entry = TimelineEntry.objects.get(incident=incident)
    assert entry.kind == "intake" and entry.automatic and entry.actor == staff_user
    duty = ReportDuty.objects.get(incident=incident)
    assert duty.kind == "initial"
    assert duty.due_at == incident.reported_at + datetime.timedelta(minutes=60)
    deadline = Deadline.objects.for_object(duty).get()
    assert deadline.ladder.name == escalation_actions.LADDER_NAME
    assert deadline.next_step_at == duty.due_at - datetime.timedelta(minutes=escalation_actions.REMIND_BEFORE)


@pytest.mark.parametrize(
    "numbers, grade",
    [
        ({"deaths": 2, "serious_injuries": 9, "direct_loss_yuan": "9999999.99"}, "general"),
        ({"serious_injuries": 10}, "larger"),
        ({"deaths": 10}, "major"),
        ({"direct_loss_yuan": "100000000"}, "especially_major"),
    ],
)
def test_grade_boundaries(staff_user, numbers, grade):
    assert report(staff_user, **numbers).grade == grade


def test_non_accident_has_no_grade(staff_user):
    incident = report(staff_user, kind="natural", subtype="flood_drought", deaths=5)
    assert incident.grade == "" and incident.grade_decided_by == []


@pytest.mark.parametrize("field", ["deaths", "missing", "serious_injuries", "trapped", "direct_loss_yuan"])
def test_negative_numbers_write_nothing(staff_user, field):
    with pytest.raises(ValidationError) as error:
        report(staff_user, **{field: -1})
    assert error.value.error_dict[field][0].code == "min_value"
    nothing_written()


def test_outside_jurisdiction_writes_nothing(town_a_official):
    with pytest.raises(ValidationError) as error:
        report(town_a_official, division=Division.objects.get(code=VILLAGE_B))
    assert error.value.error_dict["division"][0].code == "outside_jurisdiction"
    nothing_written()


def test_town_official_reports_in_own_town(town_a_official):
    assert report(town_a_official).division_id == VILLAGE_A


def test_enterprise_user_reports_only_own(enterprise_a_user, enterprise_b):
    incident = report(enterprise_a_user, division=None)
    assert incident.enterprise == enterprise_a_user.enterprise
    assert incident.division_id == VILLAGE_A
    with pytest.raises(ValidationError) as error:
        report(enterprise_a_user, division=None, enterprise=enterprise_b)
    assert error.value.error_dict["enterprise"][0].code == "outside_jurisdiction"
    assert Incident.objects.count() == 1


def test_subtype_must_match_kind(staff_user):
    with pytest.raises(ValidationError) as error:
        report(staff_user, kind="natural", subtype="road_traffic")
    assert "subtype" in error.value.error_dict
    nothing_written()


def test_future_occurrence_refused(staff_user):
    with pytest.raises(ValidationError) as error:
        report(staff_user, occurred_at=timezone.now() + datetime.timedelta(days=1))
    assert "occurred_at" in error.value.error_dict
    nothing_written()


def test_numbers_change_regrades_and_records(staff_user):
    incident = report(staff_user, deaths=3)
    incident = services.update_numbers(incident, actor=staff_user, deaths=10, trapped=2)
    assert incident.grade == "major"
    entry = TimelineEntry.objects.filter(incident=incident, kind="casualties").get()
    assert "10" in entry.text
    continued = ReportDuty.objects.get(incident=incident, kind="continued")
    assert Deadline.objects.for_object(continued).open().exists()
    # A second change while the continued report is still owed adds no second duty.
    services.update_numbers(incident, actor=staff_user, deaths=11)
    assert ReportDuty.objects.filter(incident=incident, kind="continued").count() == 1
    assert TimelineEntry.objects.filter(incident=incident, kind="casualties").count() == 2


def test_negative_update_writes_nothing(staff_user):
    incident = report(staff_user, deaths=3)
    with pytest.raises(ValidationError) as error:
        services.update_numbers(incident, actor=staff_user, deaths=-2)
    assert error.value.error_dict["deaths"][0].code == "min_value"
    incident.refresh_from_db()
    assert incident.deaths == 3 and incident.grade == "larger"
    assert TimelineEntry.objects.filter(incident=incident).count() == 1


@pytest.mark.parametrize(
    "subtype, days, owed",
    [
        ("road_traffic", 6, True),
        ("road_traffic", 8, False),
        ("fire", 8, False),
        ("work_safety", 29, True),
        ("work_safety", 31, False),
    ],
)
def test_continued_report_window(staff_user, subtype, days, owed):
    occurred = timezone.now() - datetime.timedelta(days=days)
    incident = report(staff_user, subtype=subtype, occurred_at=occurred, deaths=1)
    services.update_numbers(incident, actor=staff_user, deaths=2)
    assert ReportDuty.objects.filter(incident=incident, kind="continued").exists() is owed


def test_loss_only_change_owes_no_continued_report(staff_user):
    incident = report(staff_user, deaths=1)
    services.update_numbers(incident, actor=staff_user, direct_loss_yuan="20000000")
    incident.refresh_from_db()
    assert incident.grade == "larger"
    assert not ReportDuty.objects.filter(incident=incident, kind="continued").exists()


def test_completing_a_duty_closes_its_deadline(staff_user):
    incident = report(staff_user)
    duty = ReportDuty.objects.get(incident=incident)
    services.complete_report_duty(duty, actor=staff_user, note="已报市局")
    duty.refresh_from_db()
    assert duty.done_at is not None and duty.done_by == staff_user
    assert not Deadline.objects.for_object(duty).open().exists()
    assert TimelineEntry.objects.filter(incident=incident, kind="report").exists()
    with pytest.raises(ValidationError):
        services.complete_report_duty(duty, actor=staff_user)


def test_overdue_duty_notifies_the_duty_officers(staff_user, admin_user):
    from yingji.core.escalation import services as escalation
    from yingji.messaging.models import Message

    now = timezone.now()
    report(staff_user, deaths=1)
    escalation.run_escalation_pass(now=now + datetime.timedelta(minutes=61))
    assert Message.objects.filter(recipient__in=[staff_user, admin_user]).exists()


def test_other_town_cannot_see(staff_user, town_b_official):
    report(staff_user)
    assert Incident.objects.for_user(town_b_official).count() == 0
    assert TOWN_B
