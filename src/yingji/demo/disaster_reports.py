"""Demo disaster reports: a rainstorm flood event opened in the demo county yesterday, with initial
reports from a few villages (accepted by their town) and one returned, the towns' own figures, and
the county's initial report.

`seed_disaster_reports(rng, now)` goes through the services; idempotent: does nothing when the county
already has an event.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model

from yingji.core.models import Division
from yingji.incidents import services_reports as services
from yingji.incidents.models_reports import DisasterEvent

COUNTY = "329901000000"


def seed_disaster_reports(rng: random.Random, now: datetime.datetime) -> int:
    county = Division.objects.filter(code=COUNTY).first()
    if county is None or DisasterEvent.objects.filter(division=county).exists():
        return 0
    staff = get_user_model().objects.filter(username="demo_staff").first()
    opened = now - datetime.timedelta(hours=20)
    event = services.open_event(
        actor=staff,
        title="强降雨洪涝灾害",
        hazard_type="flood",
        started_on=opened.date(),
        division=county,
        now=opened,
    )
    count = 1
    towns = list(Division.objects.filter(parent=county).order_by("code")[:3])
    for t, town in enumerate(towns):
        town_totals = 0
        for v, village in enumerate(Division.objects.filter(parent=town).order_by("code")[:3]):
            report = services.report_for(event, village, actor=None)
            affected = rng.randint(20, 400)
            crops = rng.randint(5, 80)
            version = services.submit_report(
                report,
                actor=None,
                stage="initial",
                now=opened + datetime.timedelta(hours=1),
                figures={
                    "affected_population": affected,
                    "deaths": 0,
                    "missing": 0,
                    "relocated": affected // 4,
                    "needing_aid": affected // 10,
                    "general_households": rng.randint(0, 6),
                    "general_rooms": rng.randint(0, 15),
                    "crop_affected_ha": crops,
                    "crop_disaster_ha": crops // 2,
                    "crop_failed_ha": crops // 8,
                    "direct_loss": 30,
                    "loss_agriculture": 20,
                    "loss_infrastructure": 10,
                },
            )
            count += 1
            if t == 1 and v == 0:
                services.review_version(
                    version,
                    actor=None,
                    accept=False,
                    reason="成灾面积需复核",
                    now=opened + datetime.timedelta(hours=2),
                )
            else:
                services.review_version(
                    version, actor=None, accept=True, now=opened + datetime.timedelta(hours=2)
                )
                town_totals += affected
        town_report = event.reports.get(division=town)
        services.submit_report(
            town_report,
            actor=None,
            stage="initial",
            now=opened + datetime.timedelta(hours=2),
            figures={"affected_population": town_totals, "deaths": 0, "missing": 0},
        )
        count += 1
    return count
