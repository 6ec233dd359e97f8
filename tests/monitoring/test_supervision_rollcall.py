"""Roll-calls (值班值守点名): starting, answering (app, API, SMS), closing, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yingji.messaging.models import Delivery, Message
from yingji.monitoring import rules_supervision as rules
from yingji.monitoring import services_supervision as services
from yingji.monitoring.models import RollCall, RollCallTarget

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))


@pytest.fixture
def roll_call(duty_officer, enterprise_a, enterprise_b, enterprise_a_user):
    return services.start_roll_call(actor=duty_officer, title="点名", minutes=10, late_minutes=5, now=NOW)


def test_start_calls_the_pool_and_queues_messages(roll_call, enterprise_a, enterprise_b):
    targets = RollCallTarget.objects.filter(roll_call=roll_call)
    assert {t.enterprise_id for t in targets} == {enterprise_a.pk, enterprise_b.pk}
    assert roll_call.target_count == 2 and roll_call.status == "open"
    assert roll_call.deadline_at == NOW + datetime.timedelta(minutes=10)
    assert targets.get(enterprise=enterprise_a).phone == "13812341234"
    sms = Delivery.objects.filter(channel="sms").values_list("address", flat=True)
    assert set(sms) == {"13812341234", "13987654321"}
    inapp = Message.objects.filter(recipient__isnull=False).values_list("recipient__username", flat=True)
    assert list(inapp) == ["ent_a"]
    assert roll_call.code in Message.objects.first().body


def test_pool_by_flags_takes_only_hazchem(duty_officer, enterprise_a, enterprise_b):
    call = services.start_roll_call(
        actor=duty_officer, minutes=5, flags=["hazchem_production", "hazchem_use"], now=NOW
    )
    assert list(call.targets.values_list("enterprise_id", flat=True)) == [enterprise_a.pk]


def test_pool_by_industry_and_division(duty_officer, enterprise_a, enterprise_b):
    call = services.start_roll_call(actor=duty_officer, minutes=5, industries=["C34"], now=NOW)
    assert list(call.targets.values_list("enterprise_id", flat=True)) == [enterprise_b.pk]
    call = services.start_roll_call(actor=duty_officer, minutes=5, division="329901001000", now=NOW)
    assert list(call.targets.values_list("enterprise_id", flat=True)) == [enterprise_a.pk]


@pytest.mark.parametrize("minutes", [0, -5, "x", None])
def test_minutes_must_be_positive(duty_officer, enterprise_a, minutes):
    with pytest.raises(ValidationError) as error:
        services.start_roll_call(actor=duty_officer, minutes=minutes, now=NOW)
    assert "minutes" in error.value.message_dict
    assert not RollCall.objects.exists() and not Message.objects.exists()


def test_empty_pool_is_refused(duty_officer, enterprise_a):
    with pytest.raises(ValidationError) as error:
        services.start_roll_call(actor=duty_officer, minutes=5, flags=["dust_explosion"], now=NOW)
    assert "pool" in error.value.message_dict
    assert error.value.error_dict["pool"][0].code == "empty_pool"
    assert not RollCall.objects.exists() and not Message.objects.exists()


def test_unknown_flag_is_refused(duty_officer, enterprise_a):
    with pytest.raises(ValidationError) as error:
        services.start_roll_call(actor=duty_officer, minutes=5, flags=["nonsense"], now=NOW)
    assert "flags" in error.value.message_dict
    assert not RollCall.objects.exists()


def test_answer_in_time_then_duplicate_keeps_first(roll_call, enterprise_a_user):
    first = services.answer_roll_call(
        roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=3)
    )
    again = services.answer_roll_call(
        roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=4)
    )
    assert first.status == again.status == "answered"
    assert again.answered_at == NOW + datetime.timedelta(minutes=3)
    assert again.method == "app" and again.answered_by == enterprise_a_user


def test_answer_after_deadline_is_late(roll_call, enterprise_a_user):
    target = services.answer_roll_call(
        roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=12)
    )
    assert target.status == "late"


def test_answer_after_close_is_refused_and_changes_nothing(roll_call, enterprise_a_user, duty_officer):
    services.close_roll_call(roll_call, actor=duty_officer, now=NOW + datetime.timedelta(minutes=2))
    with pytest.raises(rules.SupervisionError) as error:
        services.answer_roll_call(roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=3))
    assert error.value.code == "rollcall_closed" and error.value.status == 409
    target = RollCallTarget.objects.get(roll_call=roll_call, enterprise=enterprise_a_user.enterprise)
    assert target.status == "no_answer" and target.answered_at is None


def test_answer_after_closes_at_is_refused_before_the_task_runs(roll_call, enterprise_a_user):
    with pytest.raises(rules.SupervisionError) as error:
        services.answer_roll_call(
            roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=16)
        )
    assert error.value.code == "rollcall_closed"
    assert RollCallTarget.objects.filter(status="pending").count() == 2


def test_answer_by_someone_not_targeted(duty_officer, enterprise_a, enterprise_b, enterprise_b_user):
    call = services.start_roll_call(actor=duty_officer, minutes=5, flags=["hazchem_production"], now=NOW)
    with pytest.raises(rules.SupervisionError) as error:
        services.answer_roll_call(call, actor=enterprise_b_user, now=NOW)
    assert error.value.code == "not_targeted" and error.value.status == 403
    assert not RollCallTarget.objects.exclude(status="pending").exists()


def test_sms_answer_by_code_and_phone(roll_call, enterprise_b):
    target = services.answer_sms("+86 139-8765-4321", f"收到 {roll_call.code}", now=NOW)
    assert target.enterprise_id == enterprise_b.pk and target.status == "answered" and target.method == "sms"


def test_sms_from_a_phone_not_called(roll_call):
    with pytest.raises(rules.SupervisionError) as error:
        services.answer_sms("13700000000", roll_call.code, now=NOW)
    assert error.value.code == "not_targeted"
    with pytest.raises(rules.SupervisionError) as error:
        services.answer_sms("13812341234", "000000" if roll_call.code != "000000" else "111111", now=NOW)
    assert error.value.code == "unknown_code"
    assert not RollCallTarget.objects.exclude(status="pending").exists()


def test_periodic_close_fixes_results(roll_call, enterprise_a_user):
    services.answer_roll_call(roll_call, actor=enterprise_a_user, now=NOW + datetime.timedelta(minutes=1))
    assert services.close_due_roll_calls(now=NOW + datetime.timedelta(minutes=14)) == 0
    assert services.close_due_roll_calls(now=NOW + datetime.timedelta(minutes=16)) == 1
    assert services.close_due_roll_calls(now=NOW + datetime.timedelta(minutes=17)) == 0
    roll_call.refresh_from_db()
    assert roll_call.status == "closed" and roll_call.closed_by is None
    assert services.roll_call_counts(roll_call) == {"pending": 0, "answered": 1, "late": 0, "no_answer": 1}


def test_town_official_cannot_start(town_a_official, enterprise_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_roll_call(actor=town_a_official, minutes=5, now=NOW)
    assert not RollCall.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_and_close_lose_nothing(duty_officer, enterprise_a, enterprise_b):
    """PostgreSQL: answers racing each other and the closing keep one first time; none is lost."""
    from tests.conftest import remove_audit_rows

    try:
        _race(duty_officer)
    finally:
        remove_audit_rows()  # the users' audit rows would stop the flush of a transactional test


def _race(duty_officer):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    call = services.start_roll_call(actor=duty_officer, minutes=10)
    phones = ["13812341234", "13987654321"] * 4

    def answer(phone):
        try:
            return services.answer_sms(phone, call.code).status
        except rules.SupervisionError as error:
            return error.code
        finally:
            connection.close()

    def close():
        try:
            services.close_roll_call(call, actor=duty_officer)
        finally:
            connection.close()
        return "closed"

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(
            pool.map(lambda job: job() if callable(job) else answer(job), [*phones[:4], close, *phones[4:]])
        )
    targets = {t.phone: t for t in RollCallTarget.objects.filter(roll_call=call)}
    for phone in ("13812341234", "13987654321"):
        took = [r for p, r in zip([*phones[:4], None, *phones[4:]], results, strict=True) if p == phone]
        if "answered" in took:
            assert targets[phone].status == "answered" and targets[phone].answered_at is not None
        else:
            assert set(took) == {"rollcall_closed"} and targets[phone].status == "no_answer"
    assert RollCallTarget.objects.filter(roll_call=call, status="pending").count() == 0
