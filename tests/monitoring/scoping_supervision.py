"""Online-supervision objects for the generated scoping walk (tests/test_scoping.py): each enterprise of
the walk's world gets, on first use, a closed roll-call at its village calling only it (no answer), a
video spot-check (asleep), a dust-cleaning schedule with a check-in (with a photo) and a missed window.

In tests/test_scoping.py: `OBJECTS.update(SUPERVISION_OBJECTS)`, `API_PARAMS.update(SUPERVISION_API_PARAMS)`,
and in EXEMPT the SMS gateway's callbacks (no login by design, like 叫应's):
    "api:supervision_sms_reply": "the SMS gateway's roll-call reply callback (gateway token)",
    "api:supervision_sms_replies": "the SMS gateway's batch of roll-call replies (gateway token)",
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from tests.conftest import COUNTY

from yingji.monitoring.models import (
    DustCheckin,
    DustDayResult,
    DustSchedule,
    RollCall,
    RollCallTarget,
    VideoCheck,
)

DAY = datetime.date(2026, 3, 2)


def _officer():
    from yingji.accounts import services as account_services
    from yingji.accounts.models import User
    from yingji.core.models import Division

    return User.objects.filter(username="walk_supervision").first() or account_services.create_user(
        username="walk_supervision",
        role="duty_officer",
        division=Division.objects.get(code=COUNTY),
        password="Walk@pass1",
        full_name="walk",
    )


def roll_call_of(enterprise) -> RollCall:
    title = f"走查点名{enterprise.pk}"
    call = RollCall.objects.filter(title=title).first()
    if call is None:
        now = timezone.now()
        call = RollCall.objects.create(
            division_id=enterprise.division_id, title=title, code=f"{100000 + enterprise.pk}", minutes=5,
            late_minutes=0, started_at=now, started_by=_officer(), deadline_at=now, closes_at=now,
            status="closed", closed_at=now, target_count=1,
        )  # fmt: skip
        RollCallTarget.objects.create(
            roll_call=call, enterprise=enterprise, division_id=enterprise.division_id,
            phone=enterprise.main_person_phone, status="no_answer",
        )  # fmt: skip
    return call


def target_of(enterprise) -> RollCallTarget:
    return roll_call_of(enterprise).targets.get()


def video_check_of(enterprise) -> VideoCheck:
    check = VideoCheck.objects.filter(enterprise=enterprise).first()
    return check or VideoCheck.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, checked_at=timezone.now(),
        checked_by=_officer(), result="asleep", note="走查",
    )  # fmt: skip


def schedule_of(enterprise) -> DustSchedule:
    schedule, _created = DustSchedule.objects.get_or_create(
        enterprise=enterprise, area="走查车间",
        defaults={"division_id": enterprise.division_id, "windows": ["08:00-09:00"]},
    )  # fmt: skip
    return schedule


def checkin_of(enterprise) -> DustCheckin:
    schedule = schedule_of(enterprise)
    checkin = DustCheckin.objects.filter(schedule=schedule).first()
    if checkin is None:
        now = timezone.now()
        checkin = DustCheckin(
            schedule=schedule, enterprise=enterprise, division_id=enterprise.division_id, done_at=now,
            recorded_at=now, recorded_by=_officer(), photo_type="image/png",
        )  # fmt: skip
        checkin.photo.save("p.png", ContentFile(b"x"), save=False)
        checkin.save()
    return checkin


def result_of(enterprise) -> DustDayResult:
    schedule = schedule_of(enterprise)
    result, _created = DustDayResult.objects.get_or_create(
        schedule=schedule, day=DAY, window="08:00-09:00",
        defaults={"enterprise": enterprise, "division_id": enterprise.division_id, "status": "missed"},
    )  # fmt: skip
    return result


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.neighbour),
        "own": lambda w: make(w.enterprise_a),
    }


SUPERVISION_OBJECTS = {
    "monitoring.rollcall": _each(roll_call_of),
    "monitoring.rollcalltarget": _each(target_of),
    "monitoring.videocheck": _each(video_check_of),
    "monitoring.dustschedule": _each(schedule_of),
    "monitoring.dustcheckin": _each(checkin_of),
    "monitoring.dustdayresult": _each(result_of),
}
SUPERVISION_API_PARAMS = {
    "roll_call_id": "monitoring.rollcall",
    "roll_call_target_id": "monitoring.rollcalltarget",
    "video_check_id": "monitoring.videocheck",
    "dust_schedule_id": "monitoring.dustschedule",
    "dust_result_id": "monitoring.dustdayresult",
}
