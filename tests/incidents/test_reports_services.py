"""Disaster reports: stages, versions, review up the chain, totals, logic checks, deadlines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A, _user

from yingji.core.models import Deadline, Division
from yingji.incidents import rules_reports as rules
from yingji.incidents import services_reports as services
from yingji.incidents.models_reports import DisasterReport, ReportVersion

NOW = timezone.make_aware(datetime.datetime(2026, 7, 1, 10, 0))


@pytest.fixture
def village_official(county):
    return _user("village_a", "village_official", VILLAGE_A)


@pytest.fixture
def event(staff_user):
    return services.open_event(
        actor=staff_user,
        title="7·1 暴雨洪涝",
        hazard_type="flood",
        started_on=datetime.date(2026, 7, 1),
        division=Division.objects.get(code=COUNTY),
        now=NOW,
    )


def codes(err: ValidationError) -> dict[str, str]:
    return {field: errors[0].code for field, errors in err.error_dict.items()}


def test_opening_an_event_gives_county_and_towns_an_initial_deadline(event):
    reports = list(event.reports.order_by("division_id"))
    assert [r.division_id for r in reports] == [COUNTY, TOWN_A, "329901002000"]
    for report in reports:
        assert Deadline.objects.for_object(report).open().get().due_at == NOW + datetime.timedelta(hours=2)


def test_village_to_town_to_county_with_totals(event, village_official, town_a_official, staff_user):
    village = services.report_for(event, Division.objects.get(code=VILLAGE_A), actor=village_official)
    version = services.submit_report(
        village,
        actor=village_official,
        stage="initial",
        figures={"affected_population": 120, "crop_affected_ha": "10.5", "crop_disaster_ha": "4"},
        now=NOW,
    )
    assert version.number == 1 and version.review_status == "submitted"
    # the next deadline is tomorrow's 09:00 update
    due = Deadline.objects.for_object(village).open().get().due_at
    assert timezone.localtime(due).hour == 9 and due > NOW
    town = DisasterReport.objects.get(event=event, division_id=TOWN_A)
    assert services.totals(town)["count"] == 0
    services.review_version(version, actor=town_a_official, accept=True, now=NOW)
    services.save_figures(town, actor=town_a_official, figures={"affected_population": 100})
    result = services.totals(town)
    assert result["count"] == 1
    assert result["lower"]["affected_population"] == 120
    assert result["lower"]["crop_affected_ha"] == Decimal("10.50")
    assert result["differences"] == {"affected_population": -20}


def test_return_needs_a_reason_and_only_the_level_above_reviews(
    event, village_official, town_a_official, staff_user
):
    village = services.report_for(event, Division.objects.get(code=VILLAGE_A), actor=village_official)
    version = services.submit_report(
        village, actor=village_official, stage="initial", figures={"deaths": 0}, now=NOW
    )
    with pytest.raises(ValidationError) as err:
        services.review_version(version, actor=town_a_official, accept=False, reason=" ")
    assert codes(err.value) == {"reason": "required"}
    with pytest.raises(ValidationError) as err:
        services.review_version(version, actor=staff_user, accept=True)
    assert codes(err.value) == {"report": "not_reviewer"}
    version.refresh_from_db()
    assert version.review_status == "submitted"
    services.review_version(version, actor=town_a_official, accept=False, reason="数据有误", now=NOW)
    village.refresh_from_db()
    assert village.status == "returned"
    # a returned initial can be submitted again as an initial, as a new version
    again = services.submit_report(
        village, actor=village_official, stage="initial", figures={"deaths": 1}, now=NOW
    )
    assert again.number == 2
    assert ReportVersion.objects.get(pk=version.pk).deaths == 0  # the old version is unchanged


def test_final_before_initial_is_refused(event, staff_user):
    event = services.end_event(event, actor=staff_user, ended_on=datetime.date(2026, 7, 1), now=NOW)
    county = DisasterReport.objects.get(event=event, division_id=COUNTY)
    with pytest.raises(ValidationError) as err:
        services.submit_report(county, actor=staff_user, stage="final", figures={"deaths": 1}, now=NOW)
    assert codes(err.value) == {"stage": "no_initial"}
    assert not ReportVersion.objects.exists()
    county.refresh_from_db()
    assert county.deaths is None  # the figures given with the refused submission were not kept


def test_submission_after_accepted_final_is_refused(event, village_official, town_a_official, staff_user):
    village = services.report_for(event, Division.objects.get(code=VILLAGE_A), actor=village_official)
    services.submit_report(village, actor=village_official, stage="initial", figures={"deaths": 0}, now=NOW)
    services.end_event(event, actor=staff_user, ended_on=datetime.date(2026, 7, 1), now=NOW)
    village.refresh_from_db()
    final = services.submit_report(village, actor=village_official, stage="final", now=NOW)
    services.review_version(final, actor=town_a_official, accept=True, now=NOW)
    assert not Deadline.objects.for_object(village).open().exists()
    for stage in ("update", "final"):
        with pytest.raises(ValidationError) as err:
            services.submit_report(village, actor=village_official, stage=stage, now=NOW)
        assert codes(err.value) == {"stage": "final_accepted"}
    with pytest.raises(ValidationError):
        services.save_figures(village, actor=village_official, figures={"deaths": 3})
    assert village.versions.count() == 2


def test_negative_and_inconsistent_figures_are_field_errors(event, staff_user):
    county = DisasterReport.objects.get(event=event, division_id=COUNTY)
    with pytest.raises(ValidationError) as err:
        services.submit_report(
            county,
            actor=staff_user,
            stage="initial",
            now=NOW,
            figures={
                "deaths": -1,
                "crop_affected_ha": "5",
                "crop_disaster_ha": "6",
                "direct_loss": "100",
                "loss_agriculture": "60",
                "loss_household": "30",
            },
        )
    assert set(err.value.message_dict) == {"deaths", "crop_disaster_ha", "direct_loss"}
    assert not ReportVersion.objects.exists()
    county.refresh_from_db()
    assert county.deaths is None


def test_check_figures_rules():
    assert rules.check_figures({"crop_disaster_ha": Decimal(3), "crop_failed_ha": Decimal(4)}) == {
        "crop_failed_ha": rules.check_figures({"crop_disaster_ha": Decimal(3), "crop_failed_ha": Decimal(4)})[
            "crop_failed_ha"
        ]
    }
    ok = {"direct_loss": Decimal("100.00"), "loss_agriculture": Decimal("60"), "loss_other": Decimal("40")}
    assert rules.check_figures(ok) == {}
    assert rules.check_figures({"direct_loss": Decimal(5)}) == {}


def test_village_official_cannot_fill_other_village(event, village_official):
    with pytest.raises(ValidationError) as err:
        services.report_for(event, Division.objects.get(code="329901002001"), actor=village_official)
    assert codes(err.value) == {"division": "out_of_scope"}
    assert not DisasterReport.objects.filter(division_id="329901002001").exists()


def test_deadline_rules():
    assert rules.next_update_due(NOW).date() == datetime.date(2026, 7, 2)
    early = NOW.replace(hour=7)
    assert rules.next_update_due(early) == early.replace(hour=9)
    assert rules.final_due(
        datetime.date(2026, 7, 1), timezone.get_current_timezone()
    ).date() == datetime.date(2026, 7, 16)


def test_heal_gives_a_village_report_its_deadline(event, village_official):
    village = services.report_for(event, Division.objects.get(code=VILLAGE_A), actor=village_official)
    assert not Deadline.objects.for_object(village).open().exists()
    assert services.heal_deadlines(now=NOW) == 1
    assert Deadline.objects.for_object(village).open().get().due_at == NOW + datetime.timedelta(hours=2)
    assert services.heal_deadlines(now=NOW) == 0
