"""Demo online supervision (非现场执法) for the demo county (安澜县 329901): a closed roll-call of the
危化 enterprises from yesterday (most answered, some late, some not), an open one started ten minutes
ago, a dozen video spot-checks over the last week, cleaning schedules for up to 15 粉尘涉爆 enterprises
with a week of check-ins (a few late or missed) and their daily results.

`seed_supervision(rng, now)` goes through the services where a person would (roll-calls, answers,
video checks); check-ins are written in bulk with their times in the past (the service refuses a
cleaning recorded more than a day later), then `compute_dust_day` runs for each day.
Idempotent: does nothing when the county already has a roll-call.
"""

from __future__ import annotations

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from yingji.monitoring import services_supervision as services
from yingji.monitoring.models import DustCheckin, DustSchedule, RollCall, RollCallTarget
from yingji.registry.models import Enterprise

COUNTY = "329901000000"
AREAS = ["抛光车间", "打磨工位", "除尘器周边", "粉料仓库"]
WINDOWS = [["08:00-09:00", "16:00-17:00"], ["10:00-11:00"], ["07:30-08:30", "13:00-14:00", "18:00-19:00"]]


def _photo() -> ContentFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 180, 170)).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def _roll_calls(rng: random.Random, now: datetime.datetime, duty) -> int:
    hazchem = ["hazchem_production", "hazchem_business", "hazchem_use"]
    yesterday = now - datetime.timedelta(days=1, hours=2)
    done = services.start_roll_call(
        actor=duty, title="危化企业夜间值班点名", minutes=10, late_minutes=20, flags=hazchem, now=yesterday
    )
    for target in RollCallTarget.objects.filter(roll_call=done).order_by("pk"):
        roll = rng.random()
        if roll < 0.8:
            delay = datetime.timedelta(seconds=rng.randrange(20, 9 * 60))
        elif roll < 0.9:
            delay = datetime.timedelta(minutes=rng.randrange(11, 25))
        else:
            continue
        services._take(
            target.pk, done.closes_at, done.deadline_at, rng.choice(["app", "sms"]), yesterday + delay
        )
    services.close_due_roll_calls(now=now)
    live = services.start_roll_call(
        actor=duty, title="重大危险源企业值班点名", minutes=30, flags=["major_hazard_source", *hazchem],
        now=now - datetime.timedelta(minutes=10),
    )  # fmt: skip
    for target in RollCallTarget.objects.filter(roll_call=live).order_by("pk")[: live.target_count // 2]:
        services._take(
            target.pk, live.closes_at, live.deadline_at, "sms", now - datetime.timedelta(minutes=5)
        )
    return done.target_count + live.target_count


def _video_checks(rng: random.Random, now: datetime.datetime, officer, enterprises: list) -> int:
    results = ["normal"] * 7 + ["off_post", "asleep", "offline"]
    count = 0
    for enterprise in rng.sample(enterprises, min(12, len(enterprises))):
        result = rng.choice(results)
        services.record_video_check(
            actor=officer,
            enterprise=enterprise,
            result=result,
            note="" if result == "normal" else "视频抽查发现异常",
            checked_at=now - datetime.timedelta(hours=rng.randrange(1, 24 * 7)),
            now=now,
        )
        count += 1
    return count


def _dust(rng: random.Random, now: datetime.datetime) -> int:
    enterprises = list(
        Enterprise.objects.filter(division__code__startswith=COUNTY[:6], dust_explosion=True)[:15]
    )
    if not enterprises:
        return 0
    users = get_user_model().objects
    recorder = users.filter(enterprise__in=enterprises).first() or users.get(username="demo_staff")
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    schedules, checkins = [], []
    for enterprise in enterprises:
        for area in rng.sample(AREAS, 2):
            schedules.append(
                DustSchedule(
                    enterprise=enterprise,
                    division_id=enterprise.division_id,
                    area=area,
                    windows=rng.choice(WINDOWS),
                )
            )
    DustSchedule.objects.bulk_create(schedules)
    DustSchedule.objects.filter(pk__in=[s.pk for s in schedules]).update(
        created_at=now - datetime.timedelta(days=8)
    )
    from yingji.core.uploads import private_storage

    stored = private_storage().save("supervision/dust/demo.jpg", _photo())  # one file for every demo row
    for back in range(7, -1, -1):
        day = today - datetime.timedelta(days=back)
        for schedule in schedules:
            for window in schedule.windows:
                start = datetime.datetime.combine(day, datetime.time.fromisoformat(window[:5]), tzinfo=tz)
                roll = rng.random()
                if roll < 0.07:
                    continue  # missed
                offset = rng.randrange(5, 50) if roll < 0.93 else rng.randrange(75, 150)  # late
                done_at = start + datetime.timedelta(minutes=offset)
                if done_at > now:
                    continue
                checkin = DustCheckin(
                    schedule=schedule, enterprise_id=schedule.enterprise_id, division_id=schedule.division_id,
                    done_at=done_at, recorded_at=done_at, recorded_by=recorder, photo_type="image/jpeg",
                )  # fmt: skip
                checkin.photo.name = stored
                checkins.append(checkin)
    DustCheckin.objects.bulk_create(checkins, batch_size=1000)
    for back in range(7, -1, -1):
        services.compute_dust_day(today - datetime.timedelta(days=back), now=now)
    return len(schedules) + len(checkins)


def seed_supervision(rng: random.Random, now: datetime.datetime) -> int:
    if RollCall.objects.filter(division__code__startswith=COUNTY[:6]).exists():
        return 0
    users = get_user_model().objects
    duty = users.filter(username="demo_duty").first()
    inspector = users.filter(username="demo_inspector").first() or duty
    if duty is None:
        return 0
    enterprises = list(
        Enterprise.objects.filter(division__code__startswith=COUNTY[:6], status="operating")[:400]
    )
    count = 0
    try:
        count += _roll_calls(rng, now, duty)
    except Exception as error:  # an empty pool (no 危化 enterprise) is no reason to stop the demo
        if "pool" not in getattr(error, "message_dict", {}):
            raise
    count += _video_checks(rng, now, inspector, enterprises)
    count += _dust(rng, now)
    return count
