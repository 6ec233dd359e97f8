"""Disaster report objects for the generated scoping walk (tests/test_scoping.py): a disaster event
of the enterprise's town, the reports of the town and of the enterprise's village, and a submitted
version of the village, made on first use. Disaster reports have no enterprise: "other_enterprise"
uses town B like "other_town" (enterprise users have no permission on them at all).

In tests/test_scoping.py: `OBJECTS.update(REPORTS_OBJECTS)` and `API_PARAMS.update(REPORTS_API_PARAMS)`
(the pages use `pk` only).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from yingji.core.models import Division
from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion


def event_of(enterprise) -> DisasterEvent:
    village = Division.objects.get(code=enterprise.division_id)
    town = village.parent
    event, created = DisasterEvent.objects.get_or_create(
        division=town,
        title=f"走查灾害过程 {town.code}",
        defaults={
            "hazard_type": "flood",
            "started_on": datetime.date(2026, 7, 1),
            "opened_at": timezone.now(),
        },
    )
    if created:
        DisasterReport.objects.create(event=event, division=town)
        report = DisasterReport.objects.create(event=event, division=village, deaths=0)
        ReportVersion.objects.create(
            report=report, number=1, stage="initial", deaths=0, submitted_at=timezone.now()
        )
    return event


def _each(make):
    return {
        "other_town": lambda w: make(w.enterprise_b),
        "other_enterprise": lambda w: make(w.enterprise_b),
        "own": lambda w: make(w.enterprise_a),
    }


def _village_report(enterprise) -> DisasterReport:
    return event_of(enterprise).reports.get(division_id=enterprise.division_id)


REPORTS_OBJECTS = {
    "incidents.disasterevent": _each(event_of),
    "incidents.disasterreport": _each(_village_report),
    "incidents.reportversion": _each(lambda e: _village_report(e).versions.get()),
}
REPORTS_API_PARAMS = {
    "disaster_event_id": "incidents.disasterevent",
    "disaster_report_id": "incidents.disasterreport",
    "report_version_id": "incidents.reportversion",
}
