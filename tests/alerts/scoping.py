"""Warning objects for the generated scoping walk (tests/test_scoping.py): an issued warning and a
notice (预警提示单) per town of its world, made on first use.

In tests/test_scoping.py: `OBJECTS.update(ALERTS_OBJECTS)` and `API_PARAMS.update(ALERTS_API_PARAMS)`.
A town official of town A must not reach town B's; enterprise users have no warning permission at all
(403); the leader's own are town A's.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from tests.conftest import TOWN_A, TOWN_B

from yingji.alerts import services, services_notices
from yingji.core.models import Division


def _warning(town: str):
    now = timezone.now()
    division = Division.objects.get(code=town)
    warning = services.create_draft(
        actor=None,
        division=division,
        event_type="rainstorm",
        event="暴雨",
        level="blue",
        headline="走查预警",
        onset=now,
        expires=now + datetime.timedelta(days=1),
        areas=[{"area_desc": division.name, "division_codes": [town]}],
    )
    return services.issue(warning, actor=None)


def _notice(town: str):
    return services_notices.issue_notice(
        actor=None,
        division=Division.objects.get(code=town),
        title="走查提示单",
        measures="走查措施",
        feedback_due=timezone.now() + datetime.timedelta(days=1),
        recipient_divisions=[Division.objects.get(code=town)],
    )


def alerts_of(world, which: str) -> dict:
    cache = world.__dict__.setdefault("_alerts_objects", {})
    town = TOWN_A if which == "own" else TOWN_B
    if town not in cache:
        cache[town] = {"alerts.warning": _warning(town), "alerts.notice": _notice(town)}
    return cache[town]


ALERTS_OBJECTS = {
    label: {
        which: (lambda w, which=which, label=label: alerts_of(w, which)[label])
        for which in ("other_town", "other_enterprise", "own")
    }
    for label in ("alerts.warning", "alerts.notice")
}
ALERTS_API_PARAMS = {"warning_id": "alerts.warning"}
