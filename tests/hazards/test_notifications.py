"""Who hears about each step of the hidden-danger loop: in-app always, SMS for a major hazard, never the actor."""

import datetime

import pytest
from django.utils import timezone
from tests.conftest import COUNTY, _user

from yingji.core.models import Division
from yingji.hazards import notifications, services
from yingji.hazards.models import HazardEvent
from yingji.messaging.models import Delivery, Message

MAJOR = ["chem-2017-4"]


def days(n):
    return timezone.now() + datetime.timedelta(days=n)


@pytest.fixture
def people(
    enterprise_a_user,
    enterprise_a_manager,
    staff_user,
    admin_user,
    town_a_official,
    town_b_official,
    enterprise_b_user,
    leader,
):
    everyone = [
        enterprise_a_user,
        enterprise_a_manager,
        staff_user,
        admin_user,
        town_a_official,
        town_b_official,
        enterprise_b_user,
        leader,
    ]
    for i, user in enumerate(everyone):
        user.phone = f"1380000{i:04d}"
        user.save(update_fields=["phone"])
    return everyone


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (the notification, then messaging's enqueue) as a commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def inbox_of(event_template):
    return set(Message.objects.filter(template=event_template).values_list("recipient__username", flat=True))


def report(run_hooks, actor, grade="major"):
    return run_hooks(
        services.report_hazard,
        actor=actor,
        title="紧急停车系统未投用",
        source="self_check",
        grade=grade,
        criteria=MAJOR if grade == "major" else [],
    )


def test_a_major_report_reaches_the_bureau_and_the_town_over_it_by_sms_too(
    people, run_hooks, enterprise_a_user
):
    report(run_hooks, enterprise_a_user)
    assert inbox_of("hazard_reported") == {"staff", "admin", "town_a"}
    channels = set(
        Delivery.objects.filter(message__template="hazard_reported").values_list("channel", flat=True)
    )
    assert channels == {"inapp", "sms"}
    assert Delivery.objects.filter(message__recipient__username="town_a", channel="sms").count() == 1


def test_a_general_report_is_not_announced(people, run_hooks, enterprise_a_user):
    report(run_hooks, enterprise_a_user, grade="general")
    assert not Message.objects.exists()


def test_an_officer_above_the_county_hears_of_a_major_report(people, run_hooks, enterprise_a_user):
    _user("city_staff", "bureau_staff", "329900000000")
    report(run_hooks, enterprise_a_user)
    assert "city_staff" in inbox_of("hazard_reported")


def test_confirmation_tells_the_enterprise_but_not_the_actor(
    people, run_hooks, enterprise_a_user, enterprise_a_manager
):
    hazard = report(run_hooks, enterprise_a_user, grade="general")
    run_hooks(
        services.confirm_hazard,
        hazard,
        actor=enterprise_a_manager,
        grade="general",
        treatment="deadline",
        due_at=days(10),
    )
    assert inbox_of("hazard_confirmed") == {"ent_a"}
    message = Message.objects.get(template="hazard_confirmed")
    assert message.context["due_at"] and message.context["hazard_id"] == hazard.pk
    # A general hazard: in-app only.
    assert set(message.deliveries.values_list("channel", flat=True)) == {"inapp"}


def _rectifying(run_hooks, hazard, confirmer, rectifier, grade="major"):
    run_hooks(
        services.confirm_hazard, hazard, actor=confirmer, grade=grade, treatment="deadline", due_at=days(30)
    )
    plan = {"measures": "恢复", "responsible": "王工", "funds": 50000, "contingency": "预案"}
    run_hooks(services.start_rectification, hazard, actor=rectifier, **plan)


def test_submit_reaches_the_other_enterprise_users_and_the_verifiers_of_a_major_hazard(
    people, run_hooks, enterprise_a_user, enterprise_a_manager
):
    hazard = report(run_hooks, enterprise_a_user)
    _rectifying(run_hooks, hazard, enterprise_a_manager, enterprise_a_user)
    run_hooks(services.submit_rectification, hazard, actor=enterprise_a_user, note="已恢复")
    assert inbox_of("hazard_submitted") == {"ent_a_mgr", "staff", "admin", "town_a"}


def test_a_rejection_reaches_the_rectifier_with_the_reason(
    people, run_hooks, enterprise_a_user, enterprise_a_manager
):
    hazard = report(run_hooks, enterprise_a_user)
    _rectifying(run_hooks, hazard, enterprise_a_manager, enterprise_a_user)
    run_hooks(services.submit_rectification, hazard, actor=enterprise_a_user, note="已恢复")
    run_hooks(services.reject_rectification, hazard, actor=enterprise_a_manager, note="联锁未测试")
    assert inbox_of("hazard_rejected") == {"ent_a"}
    assert Message.objects.get(template="hazard_rejected").context["note"] == "联锁未测试"


def test_listing_sign_off_and_closing(people, run_hooks, enterprise_a_user, enterprise_a_manager, staff_user):
    hazard = report(run_hooks, enterprise_a_user)
    _rectifying(run_hooks, hazard, enterprise_a_manager, enterprise_a_user)
    run_hooks(
        services.list_for_supervision,
        hazard,
        actor=staff_user,
        level="county",
        authority=Division.objects.get(code=COUNTY),
        unit="安澜县应急管理局",
        due_at=days(40),
    )
    assert inbox_of("hazard_listed") == {"ent_a", "ent_a_mgr", "town_a"}
    run_hooks(services.submit_rectification, hazard, actor=enterprise_a_user, note="已恢复")
    run_hooks(services.verify_hazard, hazard, actor=enterprise_a_manager)
    # Verified but supervised: the officials over it are asked to sign off.
    assert inbox_of("hazard_verified") == {"staff", "admin", "town_a"}
    run_hooks(services.sign_off_hazard, hazard, actor=staff_user)
    assert inbox_of("hazard_closed") == {"ent_a", "ent_a_mgr"}  # the reporter is ent_a


def test_extension_request_and_decision(
    people, run_hooks, enterprise_a_user, enterprise_a_manager, town_a_official
):
    hazard = report(run_hooks, enterprise_a_user, grade="general")
    _rectifying(run_hooks, hazard, enterprise_a_manager, enterprise_a_user, grade="general")
    run_hooks(services.request_extension, hazard, actor=enterprise_a_user, new_due_at=days(60), reason="设备")
    assert inbox_of("hazard_extension_requested") == {"staff", "admin", "town_a"}
    run_hooks(services.decide_extension, hazard, actor=town_a_official, approve=True)
    assert inbox_of("hazard_extension_decided") == {"ent_a"}
    assert Message.objects.get(template="hazard_extension_decided").context["approved"] is True


def test_an_unknown_event_or_action_sends_nothing(people, run_hooks, enterprise_a_user):
    hazard = report(run_hooks, enterprise_a_user, grade="general")
    notifications.event_happened(10**9)
    event = HazardEvent.objects.create(hazard=hazard, action="add_photos", at=timezone.now())
    notifications.event_happened(event.pk)
    assert not Message.objects.exists()


def test_officials_over_follow_the_division_prefix(people, enterprise_a_user, run_hooks):
    hazard = report(run_hooks, enterprise_a_user, grade="general")
    names = {u.username for u in notifications.officials_over(hazard)}
    assert names == {"staff", "admin", "town_a"}
    assert notifications.ancestor_codes("329901001001") == [
        "320000000000",
        "329900000000",
        "329901000000",
        "329901001000",
        "329901001001",
    ]
