"""Investigation follow-up of accidents: record, units, measures, supervised listing with a deadline
(a past one refused, nothing written), the 回头看 one year after closing, the investigation page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.incidents.test_response_services import accident

from yingji.core.escalation.models import Deadline
from yingji.incidents import services_incidents as services
from yingji.incidents import services_response
from yingji.incidents.models import CorrectiveMeasure, Investigation, ReviewTask, TimelineEntry


@pytest.fixture
def investigation(staff_user):
    return services.open_investigation(accident(staff_user), actor=staff_user, team="县事故调查组")


def test_record_units_measures(investigation, staff_user):
    services.update_investigation(
        investigation, actor=staff_user, cause="违规动火", report_date=datetime.date(2026, 1, 5)
    )
    services.add_responsible_unit(
        investigation, actor=staff_user, name="甲镇化工有限公司", responsibility="主体责任"
    )
    services.add_measure(
        investigation, actor=staff_user, text="动火作业票证管理", due_date=timezone.localdate()
    )
    investigation.refresh_from_db()
    assert investigation.cause == "违规动火" and investigation.units.count() == 1
    assert TimelineEntry.objects.filter(kind="investigation").count() == 4


def test_past_deadlines_refused(investigation, staff_user):
    entries = TimelineEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.supervise(
            investigation, actor=staff_user, due_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert error.value.error_dict["due_at"][0].code == "past"
    investigation.refresh_from_db()
    assert not investigation.supervised and not Deadline.objects.for_object(investigation).exists()
    with pytest.raises(ValidationError) as error:
        services.add_measure(
            investigation,
            actor=staff_user,
            text="x",
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert error.value.error_dict["due_date"][0].code == "past"
    with pytest.raises(ValidationError):
        services.schedule_review(investigation, actor=staff_user, due_at=timezone.now())
    assert not CorrectiveMeasure.objects.exists() and not ReviewTask.objects.exists()
    assert TimelineEntry.objects.count() == entries


def test_supervision_on_the_ladder(investigation, staff_user):
    due = timezone.now() + datetime.timedelta(days=30)
    services.supervise(investigation, actor=staff_user, due_at=due)
    deadline = Deadline.objects.for_object(investigation).open().get()
    assert deadline.due_at == due
    with pytest.raises(ValidationError):
        services.supervise(investigation, actor=staff_user, due_at=due)
    services.lift_supervision(investigation, actor=staff_user)
    assert not Deadline.objects.for_object(investigation).open().exists()


def test_review_a_year_after_closing(investigation, staff_user):
    response = services_response.open_response(investigation.incident, actor=staff_user, match=False)
    services_response.close_response(response, actor=staff_user, outcome="处置完毕")
    review = ReviewTask.objects.get()
    closed = investigation.incident.__class__.objects.get().closed_at
    assert review.due_at == closed + datetime.timedelta(days=services.REVIEW_AFTER_DAYS)
    assert Deadline.objects.for_object(review).open().exists()
    services.complete_review(review, actor=staff_user, findings="整改措施落实到位")
    assert not Deadline.objects.for_object(review).open().exists()


def test_only_accidents(staff_user):
    incident = accident(staff_user)
    incident.kind, incident.subtype = "natural", "flood_drought"
    incident.save()
    with pytest.raises(ValidationError) as error:
        services.open_investigation(incident, actor=staff_user, team="组")
    assert "incident" in error.value.error_dict
    assert not Investigation.objects.exists()


def test_page(client_for, staff_user, town_b_official):
    incident = accident(staff_user)
    url = reverse("incidents:incident_investigation", args=[incident.pk])
    client = client_for(staff_user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "open", "team": "县事故调查组"}).status_code == 302
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {"action": "supervise", "due_at": past})
    assert refused.status_code == 400 and b'data-field="due_at"' in refused.content
    assert not Investigation.objects.get().supervised
    assert client_for(town_b_official).get(url).status_code == 404
