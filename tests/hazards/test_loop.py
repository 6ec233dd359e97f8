"""The hidden-danger closed loop through its services: every transition, and every refusal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.conftest import TOWN_A, image_file

from yingji.core.models import Deadline, Division
from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardEvent, HazardStat, Status
from yingji.hazards.rules import Action, TransitionError

MAJOR = ["chem-2017-4"]


def days(n):
    return timezone.now() + datetime.timedelta(days=n)


@pytest.fixture
def major(enterprise_a_user):
    return services.report_hazard(
        actor=enterprise_a_user,
        title="紧急停车系统未投用",
        source="self_check",
        grade="major",
        criteria=MAJOR,
        photos=[image_file()],
    )


def five_in_place():
    return {"measures": "恢复紧急停车系统", "responsible": "王工", "funds": 50000, "contingency": "停车预案"}


def test_major_hazard_runs_the_whole_loop_with_supervised_sign_off(
    major, enterprise_a_user, enterprise_a_manager, staff_user, town_a_official
):
    assert major.status == Status.REPORTED and major.photos.count() == 1
    services.confirm_hazard(
        major, actor=enterprise_a_manager, grade="major", treatment="deadline", due_at=days(30)
    )
    services.list_for_supervision(
        major,
        actor=staff_user,
        level="county",
        authority=Division.objects.get(code="329901000000"),
        unit="安澜县应急管理局",
        due_at=days(40),
        document_no="安应急督〔2026〕1号",
    )
    services.start_rectification(major, actor=enterprise_a_user, **five_in_place())
    services.submit_rectification(major, actor=enterprise_a_user, note="已恢复", photos=[image_file()])
    services.reject_rectification(major, actor=enterprise_a_manager, note="联锁未测试")
    services.submit_rectification(major, actor=enterprise_a_user, note="联锁已测试")
    hazard = services.verify_hazard(major, actor=enterprise_a_manager)
    assert hazard.status == Status.VERIFIED  # supervised: waits for the authority
    with pytest.raises(TransitionError) as refused:
        services.sign_off_hazard(hazard, actor=town_a_official)  # a town is below the county authority
    assert refused.value.code == "not_authority"
    hazard = services.sign_off_hazard(hazard, actor=staff_user)
    assert hazard.status == Status.CLOSED and hazard.rejections == 1 and not hazard.is_supervised
    assert not Deadline.objects.for_object(hazard).open().exists()
    assert list(HazardEvent.objects.filter(hazard=hazard).values_list("action", flat=True)) == [
        "report",
        "confirm",
        "list",
        "start",
        "submit",
        "reject",
        "submit",
        "verify",
        "sign_off",
    ]
    stat = HazardStat.objects.get(town=TOWN_A)
    assert (stat.found, stat.closed, stat.grade) == (1, 1, "major")


def test_rectifier_cannot_verify_their_own_work(major, enterprise_a_user, enterprise_a_manager):
    services.confirm_hazard(
        major, actor=enterprise_a_manager, grade="major", treatment="deadline", due_at=days(30)
    )
    services.start_rectification(major, actor=enterprise_a_user, **five_in_place())
    services.submit_rectification(major, actor=enterprise_a_user, note="done")
    with pytest.raises(TransitionError) as refused:
        services.verify_hazard(major, actor=enterprise_a_user)
    assert refused.value.code == "verifier_is_rectifier"
    assert Hazard.objects.get(pk=major.pk).status == Status.SUBMITTED


def test_forbidden_transition_is_refused_and_changes_nothing(major, enterprise_a_manager):
    with pytest.raises(TransitionError) as refused:
        services.verify_hazard(major, actor=enterprise_a_manager)
    assert refused.value.code == "forbidden_transition"
    assert HazardEvent.objects.filter(hazard=major).count() == 1


def test_major_plan_needs_all_five_in_place(major, enterprise_a_user, enterprise_a_manager):
    services.confirm_hazard(
        major, actor=enterprise_a_manager, grade="major", treatment="deadline", due_at=days(30)
    )
    with pytest.raises(ValidationError) as invalid:
        services.start_rectification(major, actor=enterprise_a_user, measures="x")
    assert set(invalid.value.message_dict) == {"plan_responsible", "plan_funds", "plan_contingency"}
    assert Hazard.objects.get(pk=major.pk).status == Status.CONFIRMED


def test_deadline_in_the_past_is_refused(major, enterprise_a_manager):
    with pytest.raises(ValidationError) as invalid:
        services.confirm_hazard(
            major, actor=enterprise_a_manager, grade="major", treatment="deadline", due_at=days(-1)
        )
    assert "due_at" in invalid.value.message_dict
    assert Hazard.objects.get(pk=major.pk).status == Status.REPORTED


def test_major_without_criterion_is_refused(enterprise_a_user):
    with pytest.raises(ValidationError) as invalid:
        services.report_hazard(actor=enterprise_a_user, title="x", source="self_check", grade="major")
    assert "criteria" in invalid.value.message_dict
    assert not Hazard.objects.exists()


def test_extension_moves_the_deadline_and_is_refused_after_closing(
    enterprise_a_user, enterprise_a_manager, staff_user
):
    hazard = services.report_hazard(actor=enterprise_a_user, title="护栏缺失", source="self_check")
    services.confirm_hazard(
        hazard, actor=enterprise_a_manager, grade="general", treatment="deadline", due_at=days(5)
    )
    services.request_extension(hazard, actor=enterprise_a_user, new_due_at=days(10), reason="等待配件")
    assert Action.DECIDE_EXTENSION not in services.allowed_actions(hazard, enterprise_a_manager)
    services.decide_extension(hazard, actor=staff_user, approve=True)
    hazard.refresh_from_db()
    assert hazard.due_at.date() == days(10).date()
    services.start_rectification(hazard, actor=enterprise_a_user)
    services.submit_rectification(hazard, actor=enterprise_a_user, note="done")
    services.verify_hazard(hazard, actor=enterprise_a_manager)
    with pytest.raises(TransitionError) as refused:
        services.request_extension(hazard, actor=enterprise_a_user, new_due_at=days(20), reason="again")
    assert refused.value.code == "no_open_deadline"


def test_a_file_that_is_not_an_image_is_refused(enterprise_a_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as invalid:
        services.report_hazard(actor=enterprise_a_user, title="x", source="self_check", photos=[fake])
    assert "photos" in invalid.value.message_dict
    assert not Hazard.objects.exists()


def test_a_too_large_image_is_refused(enterprise_a_user, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as invalid:
        services.report_hazard(actor=enterprise_a_user, title="x", source="self_check", photos=[image_file()])
    assert "photos" in invalid.value.message_dict


def test_enterprise_user_cannot_report_for_another_enterprise(enterprise_a_user, enterprise_b):
    with pytest.raises(ValidationError) as invalid:
        services.report_hazard(
            actor=enterprise_a_user, enterprise=enterprise_b, title="x", source="self_check"
        )
    assert "enterprise" in invalid.value.message_dict


def test_leader_may_take_no_action(major, leader):
    assert services.allowed_actions(major, leader) == []


def test_the_transition_table_names_only_real_states():
    from yingji.hazards.rules import TRANSITIONS

    states = {s for pair in TRANSITIONS for s in pair[:1]} | set(TRANSITIONS.values())
    assert states <= set(Status.values)
