"""The demo seed of online supervision: rows made once, nothing the second time."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from tests.conftest import COUNTY, _user

from yingji.demo.supervision import seed_supervision
from yingji.monitoring.models import DustDayResult, RollCall, VideoCheck


def test_seed_is_idempotent(county, enterprise_a, enterprise_b):
    enterprise_b.dust_explosion = True
    enterprise_b.save()
    _user("demo_duty", "duty_officer", COUNTY)
    _user("demo_staff", "bureau_staff", COUNTY)
    now = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=1)
    assert seed_supervision(random.Random(1), now) > 0
    assert RollCall.objects.count() == 2 and VideoCheck.objects.exists() and DustDayResult.objects.exists()
    assert RollCall.objects.filter(status="closed").count() == 1
    assert seed_supervision(random.Random(1), now) == 0
