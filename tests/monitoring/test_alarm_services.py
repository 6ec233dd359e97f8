"""The alarm lifecycle (acknowledge, handle, to hazard) with refusals; notifications; escalation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from yingji.core.escalation import services as escalation
from yingji.core.escalation.models import Deadline
from yingji.hazards.models import Hazard
from yingji.messaging.models import Delivery, Message
from yingji.monitoring import evaluation, rules, services
from yingji.monitoring.models import Alarm, AlarmEvent
from yingji.monitoring.telemetry import RawReading
from yingji.registry.models import Custodian

T0 = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def _fresh_cache():
    evaluation.reset()
    yield
    evaluation.reset()


@pytest.fixture
def custodian(source_a, enterprise_a_user):
    return Custodian.objects.create(source=source_a, role="main", name="张三", user=enterprise_a_user)


@pytest.fixture
def alarm(gas_point):
    evaluation.evaluate([RawReading(gas_point.pk, T0, 30.0)], now=T0)
    return Alarm.objects.get(point=gas_point)


def test_acknowledge_then_handle(alarm, duty_officer):
    services.acknowledge_alarm(alarm, actor=duty_officer, note="看到了", now=at(1))
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged" and alarm.is_open and alarm.acknowledged_by == duty_officer
    assert rules.allowed_alarm_actions(alarm, duty_officer) == ["handle", "to_hazard"]
    services.handle_alarm(alarm, actor=duty_officer, disposal="关闭阀门，通风", now=at(5))
    alarm.refresh_from_db()
    assert alarm.state == "handled" and not alarm.is_open and alarm.disposal == "关闭阀门，通风"
    kinds = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "handled"]
    assert not Deadline.objects.for_object(alarm).open().exists()


def test_handle_needs_disposal_notes(alarm, duty_officer):
    with pytest.raises(ValidationError) as error:
        services.handle_alarm(alarm, actor=duty_officer, disposal="  ", now=at(1))
    assert "disposal" in error.value.message_dict
    alarm.refresh_from_db()
    assert alarm.state == "active"


def test_acknowledge_twice_is_refused(alarm, duty_officer):
    services.acknowledge_alarm(alarm, actor=duty_officer, now=at(1))
    with pytest.raises(rules.AlarmError) as error:
        services.acknowledge_alarm(alarm, actor=duty_officer, now=at(2))
    assert error.value.code == "already_acknowledged"


def test_handled_alarm_refuses_everything_but_to_hazard(alarm, duty_officer):
    services.handle_alarm(alarm, actor=duty_officer, disposal="处理完毕", now=at(1))
    for action in (services.acknowledge_alarm, services.handle_alarm):
        with pytest.raises(rules.AlarmError) as error:
            kwargs = {"disposal": "x"} if action is services.handle_alarm else {}
            action(alarm, actor=duty_officer, now=at(2), **kwargs)
        assert error.value.code == "handled"


def test_users_out_of_scope_are_refused(alarm, enterprise_b_user, leader, enterprise_a_user):
    for user in (enterprise_b_user, leader):
        assert rules.allowed_alarm_actions(alarm, user) == []
        with pytest.raises(rules.AlarmError) as error:
            services.acknowledge_alarm(alarm, actor=user, now=at(1))
        assert error.value.code == "forbidden"
    assert "acknowledge" in rules.allowed_alarm_actions(alarm, enterprise_a_user)


def test_town_official_of_another_town_is_refused(alarm, town_b_official):
    with pytest.raises(rules.AlarmError):
        services.acknowledge_alarm(alarm, actor=town_b_official, now=at(1))


def test_cleared_alarm_can_still_be_acknowledged_and_handled(gas_point, duty_officer):
    evaluation.evaluate([RawReading(gas_point.pk, T0, 30.0)], now=T0)
    evaluation.evaluate([RawReading(gas_point.pk, at(1), 5.0)], now=at(1))
    alarm = Alarm.objects.get(point=gas_point)
    assert alarm.state == "cleared"
    services.acknowledge_alarm(alarm, actor=duty_officer, now=at(2))
    alarm.refresh_from_db()
    assert alarm.state == "cleared" and alarm.acknowledged_at == at(2)
    services.handle_alarm(alarm, actor=duty_officer, disposal="传感器校准", now=at(3))


def test_alarm_to_hazard(alarm, duty_officer):
    hazard = services.alarm_to_hazard(alarm, actor=duty_officer, now=at(1))
    assert hazard.source == "monitoring" and hazard.enterprise_id == alarm.enterprise_id
    alarm.refresh_from_db()
    assert alarm.hazard_id == hazard.pk and Hazard.objects.count() == 1
    with pytest.raises(rules.AlarmError) as error:
        services.alarm_to_hazard(alarm, actor=duty_officer, now=at(2))
    assert error.value.code == "already_hazard"


def test_new_alarm_notifies_custodians_and_duty_officers(gas_point, custodian, duty_officer, town_b_official):
    evaluation.evaluate([RawReading(gas_point.pk, T0, 30.0)], now=T0)
    recipients = set(Message.objects.filter(template="alarm_raised").values_list("recipient_id", flat=True))
    assert recipients == {custodian.user_id, duty_officer.pk}
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"inapp"}  # level 1: in-app only
    # a rise in severity notifies again, from orange up by SMS as well
    evaluation.evaluate([RawReading(gas_point.pk, at(1), 60.0)], now=at(1))
    assert Message.objects.filter(template="alarm_raised", context__kind="severity_up").count() == 2
    # a fall or a clear does not
    evaluation.evaluate([RawReading(gas_point.pk, at(2), 5.0)], now=at(2))
    assert Message.objects.filter(template="alarm_raised").count() == 4


def test_duty_officer_of_another_county_is_not_told(gas_point):
    from tests.conftest import _user

    from yingji.core.models import Division

    Division.objects.create(code="329902000000", name="别县", level="county", parent_id="329900000000")
    _user("other_duty", "duty_officer", "329902000000")
    evaluation.evaluate([RawReading(gas_point.pk, T0, 30.0)], now=T0)
    assert not Message.objects.exists()


def test_unacknowledged_alarm_escalates_to_enterprise_then_bureau(
    alarm, custodian, duty_officer, staff_user, enterprise_a_user
):
    deadline = Deadline.objects.for_object(alarm).open().get()
    assert deadline.due_at == at(30)  # severity 1: 30 minutes by default
    Message.objects.all().delete()
    escalation.run_escalation_pass(now=at(29))
    assert not Message.objects.exists()
    escalation.run_escalation_pass(now=at(31))
    told = set(Message.objects.filter(template="alarm_escalation").values_list("recipient_id", flat=True))
    assert told == {enterprise_a_user.pk}  # the custodian is that enterprise user
    escalation.run_escalation_pass(now=at(41))
    told = set(Message.objects.filter(template="alarm_escalation").values_list("recipient_id", flat=True))
    assert {staff_user.pk, duty_officer.pk} <= told
    assert AlarmEvent.objects.filter(alarm=alarm, kind="escalated").count() == 2


def test_acknowledged_alarm_does_not_escalate(alarm, duty_officer, custodian):
    services.acknowledge_alarm(alarm, actor=duty_officer, now=at(1))
    escalation.run_escalation_pass(now=at(60))
    assert not Message.objects.filter(template="alarm_escalation").exists()


def test_ack_minutes_follow_the_setting(gas_point, settings):
    settings.ALARM_ACK_MINUTES = "2:3,1:7"
    evaluation.evaluate([RawReading(gas_point.pk, T0, 60.0)], now=T0)
    alarm = Alarm.objects.get(point=gas_point)
    assert Deadline.objects.for_object(alarm).open().get().due_at == at(3)


def test_severity_rise_brings_the_deadline_forward(gas_point):
    evaluation.evaluate([RawReading(gas_point.pk, T0, 30.0)], now=T0)  # level 1: due in 30 minutes
    alarm = Alarm.objects.get(point=gas_point)
    evaluation.evaluate([RawReading(gas_point.pk, at(1), 60.0)], now=at(1))  # level 2: 15 minutes
    assert Deadline.objects.for_object(alarm).open().get().due_at == at(16)
    evaluation.evaluate([RawReading(gas_point.pk, at(2), 30.0)], now=at(2))  # a fall changes nothing
    assert Deadline.objects.for_object(alarm).open().get().due_at == at(16)
