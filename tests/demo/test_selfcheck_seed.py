"""Demo self-check data: plans with tasks over the last weeks, some done with a hazard raised, some
missed; rerunning changes nothing."""

import datetime
import random

from yingji.demo.selfcheck import seed_self_checks
from yingji.hazards.models import CheckPlan, CheckResult, CheckTask, Hazard


def test_seed_self_checks_is_realistic_and_idempotent(enterprise_a_user, enterprise_b):
    today = datetime.date(2026, 3, 18)
    created = seed_self_checks(random.Random(7), today)
    assert created == CheckPlan.objects.count() == 7  # 3 each, + 节前 for the enterprise with an account
    assert set(CheckTask.objects.values_list("status", flat=True)) == {"done", "missed", "pending"}
    assert not CheckTask.objects.filter(status="pending", due_on__lt=today).exists()
    for task in CheckTask.objects.filter(status="done"):
        assert task.results.count() == task.plan.items.count()
    raised = CheckResult.objects.filter(hazard__isnull=False)
    assert raised.exists() and all(r.result == "fail" for r in raised)
    assert set(Hazard.objects.values_list("source", flat=True)) == {"self_check"}
    counts = (CheckPlan.objects.count(), CheckTask.objects.count(), Hazard.objects.count())
    assert seed_self_checks(random.Random(7), today) == 0
    assert (CheckPlan.objects.count(), CheckTask.objects.count(), Hazard.objects.count()) == counts
