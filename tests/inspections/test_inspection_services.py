"""Inspections: start, record, findings, finish → hidden dangers; the bad inputs change nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_B, _user, image_file

from yingji.hazards.models import Hazard
from yingji.inspections import services_checklists, services_inspections
from yingji.inspections.models_checklists import (
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionItemResult,
    InspectionPhoto,
)
from yingji.inspections.rules_inspections import InspectionRefused


@pytest.fixture
def inspector(county):
    return _user("insp", "inspector", COUNTY)


@pytest.fixture
def template(county):
    services_checklists.load_shipped_templates()
    return ChecklistTemplate.objects.get(code="confined_space", version=1)


@pytest.fixture
def inspection(inspector, enterprise_a, template):
    return services_inspections.start_inspection(actor=inspector, enterprise=enterprise_a, template=template)


def answer_all(inspection, actor, fail_numbers=()):
    for item in inspection.template.items.all():
        result = "fail" if item.number in fail_numbers else "pass"
        services_inspections.record_result(actor=actor, inspection=inspection, item=item, result=result)


def test_shipped_templates_load_once_with_major_items(county):
    assert services_checklists.load_shipped_templates() == 5
    assert services_checklists.load_shipped_templates() == 0
    codes = set(ChecklistTemplate.objects.values_list("code", flat=True))
    assert codes == {"hazchem", "dust", "confined_space", "industry_general", "small_venue_fire"}
    hazchem = ChecklistTemplate.objects.get(code="hazchem")
    majors = hazchem.items.filter(is_major_criterion=True)
    assert majors.count() == 20
    assert all(i.criterion_id and i.text and i.legal_basis for i in majors)
    dust = ChecklistTemplate.objects.get(code="dust")
    assert dust.items.filter(criterion__code="gongmao-2023-dust-3").exists()


def test_inspector_starts_and_is_on_the_team(inspection, inspector, enterprise_a):
    assert inspection.status == "in_progress"
    assert inspection.division_id == enterprise_a.division_id
    assert list(inspection.inspectors.all()) == [inspector]


def test_finishing_makes_failed_items_hazards_major_for_criteria(inspection, inspector):
    answer_all(inspection, inspector, fail_numbers=(1, 3))
    today = timezone.localdate()
    finding = services_inspections.add_finding(
        actor=inspector,
        inspection=inspection,
        description="未配备应急救援装备",
        legal_basis="《安全生产法》第八十一条",
        deadline=today + datetime.timedelta(days=5),
    )
    services_inspections.finish_inspection(actor=inspector, inspection=inspection, summary="ok")
    inspection.refresh_from_db()
    assert inspection.status == "finished" and inspection.finished_at is not None
    findings = list(inspection.findings.select_related("hazard", "item"))
    assert len(findings) == 3
    assert all(f.hazard is not None for f in findings)
    major = next(f for f in findings if f.item and f.item.number == 1)
    assert major.hazard.grade == "major"
    assert major.hazard.source == "inspection"
    assert major.hazard.status == "confirmed"
    assert list(major.hazard.criteria.values_list("code", flat=True)) == ["gongmao-2023-cs-1"]
    assert timezone.localtime(major.hazard.due_at).date() == today + datetime.timedelta(days=30)
    general = next(f for f in findings if f.item and f.item.number == 3)
    assert general.hazard.grade == "general"
    finding.refresh_from_db()
    assert finding.hazard.description.startswith("未配备应急救援装备")


def test_finishing_with_unanswered_items_is_refused_and_changes_nothing(inspection, inspector):
    first = inspection.template.items.order_by("number").first()
    services_inspections.record_result(actor=inspector, inspection=inspection, item=first, result="fail")
    with pytest.raises(ValidationError) as error:
        services_inspections.finish_inspection(actor=inspector, inspection=inspection)
    assert error.value.error_dict["results"][0].code == "unanswered"
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert not Finding.objects.exists() and not Hazard.objects.exists()


def test_someone_not_on_the_team_cannot_record(inspection, staff_user):
    item = inspection.template.items.first()
    with pytest.raises(InspectionRefused) as error:
        services_inspections.record_result(actor=staff_user, inspection=inspection, item=item, result="pass")
    assert error.value.code == "not_inspector"
    with pytest.raises(InspectionRefused):
        services_inspections.finish_inspection(actor=staff_user, inspection=inspection)
    assert not InspectionItemResult.objects.exists()


def test_a_finished_inspection_cannot_be_changed(inspection, inspector):
    answer_all(inspection, inspector)
    services_inspections.finish_inspection(actor=inspector, inspection=inspection)
    item = inspection.template.items.first()
    with pytest.raises(InspectionRefused) as error:
        services_inspections.record_result(actor=inspector, inspection=inspection, item=item, result="fail")
    assert error.value.code == "finished"


def test_photo_is_stored_and_an_invalid_photo_changes_nothing(inspection, inspector):
    item = inspection.template.items.first()
    services_inspections.record_result(
        actor=inspector, inspection=inspection, item=item, result="fail", photos=[image_file()]
    )
    assert InspectionPhoto.objects.count() == 1
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services_inspections.record_result(
            actor=inspector, inspection=inspection, item=item, result="pass", photos=[bad]
        )
    assert "photos" in error.value.error_dict
    assert InspectionItemResult.objects.get().result == "fail"
    assert InspectionPhoto.objects.count() == 1


def test_bad_values_are_refused(inspection, inspector, template):
    item = inspection.template.items.first()
    with pytest.raises(ValidationError) as error:
        services_inspections.record_result(actor=inspector, inspection=inspection, item=item, result="maybe")
    assert "result" in error.value.error_dict
    other = ChecklistTemplate.objects.get(code="dust").items.first()
    with pytest.raises(ValidationError) as error:
        services_inspections.record_result(actor=inspector, inspection=inspection, item=other, result="pass")
    assert "item" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services_inspections.add_finding(
            actor=inspector,
            inspection=inspection,
            description="x",
            is_major=True,
            deadline=timezone.localdate(),
        )
    assert "criterion" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services_inspections.add_finding(
            actor=inspector,
            inspection=inspection,
            description="x",
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "deadline" in error.value.error_dict
    assert not InspectionItemResult.objects.exists() and not Finding.objects.exists()


def test_closed_enterprise_and_other_jurisdiction_cannot_be_inspected(
    county, inspector, enterprise_a, enterprise_b, template
):
    enterprise_a.status = "closed"
    enterprise_a.save()
    with pytest.raises(ValidationError) as error:
        services_inspections.start_inspection(actor=inspector, enterprise=enterprise_a, template=template)
    assert error.value.error_dict["enterprise"][0].code == "closed"
    town_b = _user("insp_b", "inspector", TOWN_B)
    with pytest.raises(ValidationError) as error:
        services_inspections.start_inspection(actor=town_b, enterprise=enterprise_a, template=template)
    assert "enterprise" in error.value.error_dict
    enterprise_a.status = "operating"
    enterprise_a.save()
    with pytest.raises(ValidationError) as error:
        services_inspections.start_inspection(
            actor=inspector, enterprise=enterprise_a, template=template, inspectors=[town_b]
        )
    assert "inspectors" in error.value.error_dict
    assert not Inspection.objects.exists()


def test_draft_template_cannot_be_used(inspector, enterprise_a, template):
    draft = services_checklists.new_version(template, actor=inspector)
    with pytest.raises(ValidationError) as error:
        services_inspections.start_inspection(actor=inspector, enterprise=enterprise_a, template=draft)
    assert "template" in error.value.error_dict
