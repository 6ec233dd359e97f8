"""The rosters API and pages: masked phones, audited reveals, scoping, starting and closing rounds."""

import pytest
from django.urls import reverse
from tests.alerts.test_rosters import JULY_25, issued, person, roster, trigger
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B

from yingji.alerts.models import Evacuee, TransferRound, TransferStatus
from yingji.core.models import AuditLog

pytestmark = pytest.mark.django_db
API = "/api/v1/alerts/rosters"


@pytest.fixture
def villages(county):
    from tests.alerts.test_rosters import VILLAGE_A2

    from yingji.core.models import Division

    Division.objects.create(code=VILLAGE_A2, name="甲二村", level="village", parent_id=TOWN_A)


def test_api_lists_masked_phones_in_scope_and_reveals_with_audit(
    villages, client_for, staff_user, town_b_official
):
    evacuee = person()
    person(VILLAGE_B, "乙0")
    listed = client_for(town_b_official).get(API).json()
    assert [item["name"] for item in listed["items"]] == ["乙0"]
    assert listed["items"][0]["phone"] == "138****5678"
    assert client_for(town_b_official).get(f"{API}/{evacuee.pk}").status_code == 404
    assert client_for(town_b_official).get(f"{API}/{evacuee.pk}?reveal=true").status_code == 404
    revealed = client_for(staff_user).get(f"{API}/{evacuee.pk}?reveal=true").json()
    assert revealed["phone"] == "13812345678" and revealed["custodian_phone"] == "13900001111"
    assert AuditLog.objects.filter(action="reveal", object_id=str(evacuee.pk)).count() == 1


def test_api_create_names_the_bad_fields(county, client_for, town_a_official):
    response = client_for(town_a_official).post(
        API,
        {"division": VILLAGE_B, "name": "", "custodian_name": "李", "phone": "123"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_data"
    assert {"name", "phone"} <= set(response.json()["fields"])
    assert not Evacuee.objects.exists()
    ok = client_for(town_a_official).post(
        API, {"division": VILLAGE_A, "name": "王", "custodian_name": "李"}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["division"] == VILLAGE_A


def test_api_round_lines_and_marks(villages, client_for, staff_user, second_approver, town_a_official):
    roster(villages)
    trigger()
    round_ = TransferRound.objects.get(warning=issued(staff_user, second_approver))
    data = client_for(town_a_official).get(f"{API}/rounds/{round_.pk}").json()
    assert data["totals"]["total"] == 5 and [r["code"] for r in data["by_town"]] == [TOWN_A]
    statuses = client_for(town_a_official).get(f"{API}/rounds/{round_.pk}/statuses").json()
    assert statuses["count"] == 5
    transfer = statuses["items"][0]["id"]
    marked = client_for(town_a_official).post(
        f"{API}/statuses/{transfer}/mark", {"status": "moved"}, content_type="application/json"
    )
    assert marked.status_code == 200 and marked.json()["status"] == "moved"
    again = client_for(town_a_official).post(
        f"{API}/statuses/{transfer}/mark", {"status": "not_home"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert client_for(town_a_official).post(f"{API}/rounds/{round_.pk}/close").status_code == 403
    closed = client_for(staff_user).post(f"{API}/rounds/{round_.pk}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_start_button_starts_a_round_once(villages, client_for, staff_user, second_approver):
    roster(villages)
    warning = issued(staff_user, second_approver)
    page = client_for(staff_user).get(reverse("alerts:transferround_list")).content.decode()
    assert f'data-start="{warning.pk}"' in page
    response = client_for(staff_user).post(reverse("alerts:transferround_start", args=[warning.pk]))
    round_ = TransferRound.objects.get(warning=warning)
    assert response.status_code == 302 and round_.people == 6 and round_.started_by == staff_user
    assert TransferStatus.objects.filter(round=round_).count() == 6
    client_for(staff_user).post(reverse("alerts:transferround_start", args=[warning.pk]))
    assert TransferRound.objects.filter(warning=warning).count() == 1


def test_import_page_reports_errors_and_writes_nothing(villages, client_for, town_a_official):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.alerts.test_rosters import xlsx

    bad = xlsx([(VILLAGE_A, "王", "", "12", "李", "", "")])
    response = client_for(town_a_official).post(
        reverse("alerts:evacuee_import"), {"file": SimpleUploadedFile("r.xlsx", bad)}
    )
    assert response.status_code == 400 and not Evacuee.objects.exists()
    template = client_for(town_a_official).get(reverse("alerts:evacuee_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_round_started_at_is_the_issue_time(villages, staff_user, second_approver):
    roster(villages)
    trigger()
    assert TransferRound.objects.get(warning=issued(staff_user, second_approver)).started_at == JULY_25


def test_pages_render_for_their_roles(villages, client_for, staff_user, town_a_official, leader):
    evacuee = person()
    for user, name, args, status in [
        (town_a_official, "alerts:evacuee_add", [], 200),
        (town_a_official, "alerts:evacuee_detail", [evacuee.pk], 200),
        (town_a_official, "alerts:evacuee_edit", [evacuee.pk], 200),
        (town_a_official, "alerts:evacuee_import", [], 200),
        (staff_user, "alerts:roundtrigger_list", [], 200),
        (staff_user, "alerts:roundtrigger_add", [], 200),
        (leader, "alerts:roundtrigger_add", [], 403),
        (leader, "alerts:evacuee_list", [], 200),
        (leader, "alerts:transferround_list", [], 200),
    ]:
        assert client_for(user).get(reverse(name, args=args)).status_code == status, name


def test_trigger_form_saves_in_scope(villages, client_for, staff_user):
    response = client_for(staff_user).post(
        reverse("alerts:roundtrigger_add"),
        {"division": TOWN_A, "event_type": "typhoon", "min_level": "red", "active": "on"},
    )
    assert response.status_code == 302
    from yingji.alerts.models import RoundTrigger

    assert RoundTrigger.objects.get().division_id == TOWN_A
