"""Disaster report pages: open an event, fill with field errors, submit, review from the town."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import COUNTY, VILLAGE_A, _user

from yingji.incidents.models_reports import DisasterEvent, DisasterReport, ReportVersion


@pytest.fixture
def village_official(county):
    return _user("village_a", "village_official", VILLAGE_A)


def test_event_to_village_report_to_town_review(client_for, staff_user, village_official, town_a_official):
    c = client_for(staff_user)
    assert c.get(reverse("incidents:disasterevent_list")).status_code == 200
    assert c.get(reverse("incidents:disasterevent_add")).status_code == 200
    response = c.post(
        reverse("incidents:disasterevent_add"),
        {"title": "雪灾", "hazard_type": "snow", "started_on": "2026-01-02", "division": COUNTY},
    )
    assert response.status_code == 302, response.content
    event = DisasterEvent.objects.get()
    assert c.get(reverse("incidents:disasterevent_detail", args=[event.pk])).status_code == 200
    c.logout()

    v = client_for(village_official)
    response = v.post(reverse("incidents:disasterevent_report", args=[event.pk]))
    report = DisasterReport.objects.get(division_id=VILLAGE_A)
    assert response.status_code == 302
    page = v.get(reverse("incidents:disasterreport_detail", args=[report.pk]))
    assert page.status_code == 200 and b'id="figures-form"' in page.content
    bad = v.post(
        reverse("incidents:disasterreport_submit", args=[report.pk]),
        {
            "stage": "initial",
            "crop_affected_ha": "2",
            "crop_disaster_ha": "1",
            "crop_failed_ha": "1.5",
            "deaths": "-1",
        },
    )
    assert bad.status_code == 400
    assert b'data-field="crop_failed_ha"' in bad.content and b'data-field="deaths"' in bad.content
    assert not ReportVersion.objects.exists()
    bad = v.post(
        reverse("incidents:disasterreport_submit", args=[report.pk]), {"stage": "update", "deaths": "0"}
    )
    assert bad.status_code == 400 and b'data-field="stage"' in bad.content
    ok = v.post(
        reverse("incidents:disasterreport_submit", args=[report.pk]),
        {"stage": "initial", "affected_population": "12"},
    )
    assert ok.status_code == 302
    version = ReportVersion.objects.get()
    v.logout()

    t = client_for(town_a_official)
    town = DisasterReport.objects.get(event=event, division_id="329901001000")
    page = t.get(reverse("incidents:disasterreport_detail", args=[town.pk]))
    assert f'data-review="{version.pk}"'.encode() in page.content
    t.post(reverse("incidents:reportversion_review", args=[version.pk]), {"decision": "return", "reason": ""})
    version.refresh_from_db()
    assert version.review_status == "submitted"  # a return needs a reason
    t.post(reverse("incidents:reportversion_review", args=[version.pk]), {"decision": "accept"})
    version.refresh_from_db()
    assert version.review_status == "accepted"
    page = t.get(reverse("incidents:disasterreport_detail", args=[town.pk]))
    assert b'data-indicator="affected_population"' in page.content
    assert t.get(reverse("incidents:disasterevent_export", args=[event.pk])).status_code == 200
