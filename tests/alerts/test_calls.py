"""叫应: the ladder with frozen time (A → redials → B → superior), acknowledgement by each means, the
bad acknowledgements, a loop in superiors, and a worker restarted mid-ladder."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from tests.alerts.conftest import JULY_25
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B

from yingji.alerts import rules_calls, services, services_calls
from yingji.alerts.models import Call, CallAttempt, CallListEntry, CallPolicy
from yingji.core.models import Division
from yingji.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def entry(code, tier, name, phone, **extra):
    return services_calls.save_entry(
        actor=None, division=Division.objects.get(code=code), tier=tier, name=name, phone=phone, **extra
    )


@pytest.fixture
def call_list(county, town_a_official):
    hq = entry(COUNTY, "county_hq", "县指挥长", "13900000001", min_level="orange")
    town_a = entry(TOWN_A, "town_leader", "甲镇镇长", "13900000002", superior=hq)
    entry(TOWN_B, "town_leader", "乙镇镇长", "13900000003", superior=hq)
    village_a = entry(
        VILLAGE_A, "village", "甲村书记", "13900000004", superior=town_a, user=town_a_official,
        channels=["inapp", "sms", "voice"],
    )  # fmt: skip
    village_b_role = entry(VILLAGE_A, "village", "甲村主任", "13900000005", role="B", superior=town_a)
    entry(VILLAGE_B, "informant", "乙村信息员", "13900000006")
    entry(VILLAGE_A, "works", "水库工程责任人", "13900000007", min_level="red", event_type="typhoon")
    return {"hq": hq, "town_a": town_a, "village_a": village_a, "village_a_b": village_b_role}


def red_warning(staff_user, second_approver, areas=None, level="red", now=JULY_25):
    warning = services.create_draft(
        actor=staff_user,
        areas=areas or [{"area_desc": "甲镇", "division_codes": [TOWN_A]}],
        division=Division.objects.get(code=COUNTY),
        event_type="rainstorm",
        event="暴雨",
        level=level,
        headline="安澜县暴雨红色预警",
        description="甲镇未来3小时降雨量将达100毫米以上。",
        expires=now + 24 * HOUR,
    )
    if level in ("red", "orange"):
        warning = services.approve(warning, actor=second_approver, now=now)
    return services.issue(warning, actor=second_approver, now=now)


def root_of(warning, name):
    return Call.objects.get(warning=warning, parent__isnull=True, name=name)


def actions(call):
    return list(CallAttempt.objects.filter(call=call).order_by("step").values_list("action", flat=True))


def test_issue_calls_the_targets_at_once_with_personal_codes(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    roots = Call.objects.filter(warning=warning, parent__isnull=True)
    assert sorted(roots.values_list("name", flat=True)) == ["县指挥长", "甲村书记", "甲镇镇长"]
    assert len({c.code for c in roots}) == 3 and all(len(c.code) == 6 and c.code.isdigit() for c in roots)
    village = root_of(warning, "甲村书记")
    assert village.deadline_at == JULY_25 + 5 * MINUTE and village.redials == 3
    assert village.next_action_at == JULY_25 + 75 * datetime.timedelta(seconds=1)
    message = CallAttempt.objects.get(call=village, step=0).message
    assert village.code in message.subject and village.token in message.body
    channels = set(Delivery.objects.filter(message=message).values_list("channel", flat=True))
    assert channels == {"inapp", "sms"}  # no voice gateway configured: voice skipped


def test_the_full_ladder_a_redials_b_then_the_superior_confirms(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    village = root_of(warning, "甲村书记")
    services_calls.acknowledge_link(root_of(warning, "县指挥长").token, now=JULY_25 + MINUTE)
    services_calls.acknowledge_link(root_of(warning, "甲镇镇长").token, now=JULY_25 + MINUTE)

    assert services_calls.process_due_calls(now=JULY_25 + 4 * MINUTE) == 3  # three redials
    assert actions(village) == ["call", "redial", "redial", "redial"]
    assert services_calls.process_due_calls(now=JULY_25 + 5 * MINUTE) == 1  # the deadline: B
    backup = Call.objects.get(parent=village, kind="backup")
    assert backup.name == "甲村主任" and backup.code != village.code
    assert services_calls.process_due_calls(now=JULY_25 + 9 * MINUTE) == 0
    assert services_calls.process_due_calls(now=JULY_25 + 10 * MINUTE) == 1  # then the superior
    superior = Call.objects.get(parent=village, kind="superior")
    assert superior.name == "甲镇镇长"
    assert actions(village) == ["call", "redial", "redial", "redial", "backup", "superior"]

    services_calls.acknowledge_link(
        superior.token, now=JULY_25 + 11 * MINUTE, feedback={"on_site": True, "evacuated": 12}
    )
    village.refresh_from_db()
    assert (village.status, village.ack_method, village.evacuated, village.on_site) == (
        "confirmed", "superior", 12, True,
    )  # fmt: skip
    assert village.is_late and village.next_action_at is None
    assert Call.objects.get(pk=backup.pk).status == "stopped"
    assert services_calls.process_due_calls(now=JULY_25 + HOUR) == 0
    counts = services_calls.board(warning, now=JULY_25 + HOUR)["total"]
    assert (counts["called"], counts["acknowledged"], counts["late"], counts["unreachable"]) == (3, 3, 1, 0)


def test_b_role_answers_for_a(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    village = root_of(warning, "甲村书记")
    services_calls.process_due_calls(now=JULY_25 + 5 * MINUTE)
    backup = Call.objects.get(parent=village, kind="backup")
    services_calls.acknowledge_sms("+86 139-0000-0005", f"收到 {backup.code}", now=JULY_25 + 6 * MINUTE)
    village.refresh_from_db()
    assert (village.status, village.ack_method) == ("acknowledged", "backup")


def test_nobody_answers_the_target_is_unreachable(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    services_calls.process_due_calls(now=JULY_25 + HOUR)
    village = root_of(warning, "甲村书记")
    hq = root_of(warning, "县指挥长")  # no B role, no superior: straight on to unreachable
    assert actions(hq) == ["call", "redial", "redial", "redial", "backup", "superior", "unreachable"]
    assert village.status == hq.status == "unreachable"
    counts = services_calls.board(warning, now=JULY_25 + HOUR)["total"]
    assert (counts["unreachable"], counts["late"], counts["acknowledged"]) == (3, 3, 0)
    services_calls.record_phone_answer(village, actor=second_approver, now=JULY_25 + HOUR)
    assert Call.objects.get(pk=village.pk).status == "acknowledged"  # a late answer is still recorded


def test_acknowledgement_by_each_means(call_list, staff_user, second_approver, town_a_official):
    warning = red_warning(staff_user, second_approver)
    now = JULY_25 + MINUTE
    village, town, hq = (root_of(warning, n) for n in ("甲村书记", "甲镇镇长", "县指挥长"))
    services_calls.acknowledge_button(village, actor=town_a_official, now=now, feedback={"deployed": True})
    services_calls.acknowledge_sms("13900000002", f"{town.code} 已到岗", now=now)
    services_calls.record_phone_answer(
        hq, actor=second_approver, now=now, feedback={"support_needed": "沙袋"}
    )
    got = {
        c.name: (c.status, c.ack_method) for c in Call.objects.filter(warning=warning, parent__isnull=True)
    }
    assert got == {
        "甲村书记": ("acknowledged", "button"),
        "甲镇镇长": ("acknowledged", "sms"),
        "县指挥长": ("acknowledged", "phone"),
    }
    assert Call.objects.get(pk=hq.pk).ack_recorded_by == second_approver
    assert Call.objects.get(pk=village.pk).deployed is True


def _snapshot(warning):
    return list(
        Call.objects.filter(warning=warning).order_by("pk").values_list("status", "acknowledged_at", "step")
    )


def test_bad_acknowledgements_change_nothing(call_list, staff_user, second_approver, town_b_official):
    warning = red_warning(staff_user, second_approver)
    village, town = root_of(warning, "甲村书记"), root_of(warning, "甲镇镇长")
    now = JULY_25 + MINUTE
    services_calls.acknowledge_sms("13900000004", village.code, now=now)
    before = _snapshot(warning)
    cases = [
        (lambda: services_calls.acknowledge_sms("13900000004", village.code, now=now), "code_used"),
        (lambda: services_calls.acknowledge_link(village.token, now=now), "code_used"),
        (lambda: services_calls.acknowledge_sms("13900000004", town.code, now=now), "wrong_person"),
        (lambda: services_calls.acknowledge_button(town, actor=town_b_official, now=now), "wrong_person"),
        (lambda: services_calls.acknowledge_sms("13900000002", "000000x", now=now), "unknown_code"),
        (lambda: services_calls.acknowledge_sms("13900000002", "好的", now=now), "unknown_code"),
        (lambda: services_calls.acknowledge_link("no-such-token", now=now), "unknown_code"),
        (
            lambda: services_calls.acknowledge_link(town.token, now=now, feedback={"evacuated": -3}),
            "invalid_data",
        ),
    ]
    for attempt, code in cases:
        with pytest.raises(rules_calls.AckError) as error:
            attempt()
        assert error.value.code == code
    assert _snapshot(warning) == before


def test_acknowledging_a_cancelled_warning_is_refused(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    town = root_of(warning, "甲镇镇长")
    services.cancel(warning, actor=second_approver, now=JULY_25 + MINUTE)
    with pytest.raises(rules_calls.AckError) as error:
        services_calls.acknowledge_sms("13900000002", town.code, now=JULY_25 + 2 * MINUTE)
    assert error.value.code == "warning_closed"
    assert services_calls.process_due_calls(now=JULY_25 + HOUR) == 0
    assert set(Call.objects.filter(warning=warning).values_list("status", flat=True)) == {"stopped"}
    with pytest.raises(rules_calls.AckError) as error:
        services_calls.acknowledge_link(town.token, now=JULY_25 + HOUR)
    assert error.value.code == "warning_closed"


def test_a_loop_in_superiors_is_refused(call_list):
    hq, town_a, village = call_list["hq"], call_list["town_a"], call_list["village_a"]
    with pytest.raises(ValidationError) as error:
        services_calls.save_entry(hq, actor=None, superior=village)
    assert "superior" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services_calls.save_entry(town_a, actor=None, superior=town_a)
    assert "superior" in error.value.message_dict
    assert CallListEntry.objects.get(pk=hq.pk).superior_id is None


def test_bad_channels_are_refused(county):
    with pytest.raises(ValidationError) as error:
        entry(COUNTY, "county_hq", "某", "13900000001", channels=["pager"])
    assert "channels" in error.value.message_dict


def test_restart_mid_ladder_loses_nothing_and_repeats_nothing(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    roots = list(Call.objects.filter(warning=warning, parent__isnull=True))
    services_calls.process_due_calls(now=JULY_25 + 3 * MINUTE)  # two redials each, then the worker dies
    assert CallAttempt.objects.filter(call__in=roots).count() == 3 * 3

    # A worker that crashes in the middle of a batch commits nothing of it.
    real = services_calls._run_step
    calls_made = []

    def crash_after_first(*args, **kwargs):
        calls_made.append(1)
        if len(calls_made) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with mock.patch.object(services_calls, "_run_step", crash_after_first), pytest.raises(RuntimeError):
        services_calls.process_due_calls(now=JULY_25 + 4 * MINUTE)
    assert CallAttempt.objects.filter(call__in=roots).count() == 3 * 3
    messages_before = Message.objects.filter(template="warning_call").count()

    # Restarted much later: each missed step runs once, in order.
    services_calls.process_due_calls(now=JULY_25 + 20 * MINUTE)
    services_calls.process_due_calls(now=JULY_25 + 20 * MINUTE)
    for root in roots:
        steps = list(CallAttempt.objects.filter(call=root).order_by("step").values_list("step", "action"))
        assert [s for s, _a in steps] == list(range(len(steps)))
        assert steps[-1][1] == "unreachable"
    village = root_of(warning, "甲村书记")
    assert actions(village) == ["call", "redial", "redial", "redial", "backup", "superior", "unreachable"]
    # messages: one redial per root, plus the B role and the two superiors' calls
    assert Message.objects.filter(template="warning_call").count() == messages_before + 3 + 1 + 2


def test_a_policy_per_area_and_hazard_sets_the_deadline(call_list, staff_user, second_approver):
    CallPolicy.objects.create(
        division_id=TOWN_A, event_type="rainstorm", level="red", ack_minutes=10, redials=1
    )
    warning = red_warning(staff_user, second_approver)
    village, hq = root_of(warning, "甲村书记"), root_of(warning, "县指挥长")
    assert (village.ack_minutes, village.redials) == (10, 1)
    assert (hq.ack_minutes, hq.redials) == (5, 3)


def test_an_update_calls_only_the_new_targets(call_list, staff_user, second_approver):
    warning = red_warning(staff_user, second_approver)
    assert Call.objects.filter(warning=warning, parent__isnull=True).count() == 3
    services.update_warning(
        warning,
        actor=second_approver,
        now=JULY_25 + MINUTE,
        areas=[{"area_desc": "全县", "division_codes": [COUNTY]}],
    )
    names = sorted(Call.objects.filter(warning=warning, parent__isnull=True).values_list("name", flat=True))
    assert names == ["乙村信息员", "乙镇镇长", "县指挥长", "甲村书记", "甲镇镇长"]


def test_the_annual_review_reminder(call_list, staff_user):
    today = datetime.date(2027, 7, 1)
    due = services_calls.entries_due_for_review(today)
    assert due[VILLAGE_A] == 3
    services_calls.mark_reviewed(CallListEntry.objects.filter(division_id=VILLAGE_A), actor=None, today=today)
    assert VILLAGE_A not in services_calls.entries_due_for_review(today)
    assert services_calls.remind_reviews(today=today) >= 1
