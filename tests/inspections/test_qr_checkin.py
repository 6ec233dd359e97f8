"""QR check-in: the poster, the signed token, the scan page by role, distance flags, bad inputs."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image
from tests.conftest import COUNTY, _user

from yingji.inspections import qr, services_checklists
from yingji.inspections.models_checklists import CheckIn, ChecklistTemplate, Inspection
from yingji.inspections.rules_inspections import check_in_distance


@pytest.fixture
def inspector(county):
    return _user("insp", "inspector", COUNTY)


@pytest.fixture
def template(county):
    services_checklists.load_shipped_templates()
    return ChecklistTemplate.objects.get(code="hazchem")


def scan_url(enterprise):
    return reverse("inspections:qr_scan", args=[qr.token_for(enterprise)])


def test_token_is_signed_and_not_the_primary_key(enterprise_a):
    token = qr.token_for(enterprise_a)
    assert str(enterprise_a.pk) not in token.split(":")[0] or len(token) > 30
    assert qr.enterprise_for_token(token) == enterprise_a
    assert qr.token_for(enterprise_a) == token  # stable
    assert qr.enterprise_for_token(token[:-2] + "xx") is None
    assert qr.enterprise_for_token("1") is None


def test_distance_rule():
    assert check_in_distance(120.9, 32.0, None, None) == (None, False)
    near, far = check_in_distance(120.9, 32.0, 120.901, 32.0, threshold_m=500)
    assert 90 < near < 100 and not far
    distance, far = check_in_distance(120.9, 32.0, 120.95, 32.0, threshold_m=500)
    assert distance > 4000 and far


def test_poster_html_png_pdf(client_for, staff_user, enterprise_a):
    client = client_for(staff_user)
    url = reverse("inspections:qr_poster", args=[enterprise_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"<svg" in page.content and qr.token_for(enterprise_a).encode() in page.content
    png = client.get(url + "?format=png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == qr.A4_PX
    pdf = client.get(url + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_poster_without_font_is_a_clear_error(client_for, staff_user, enterprise_a, monkeypatch):
    def no_font():
        raise qr.PosterError("no font")

    monkeypatch.setattr(qr, "find_cjk_font", no_font)
    response = client_for(staff_user).get(
        reverse("inspections:qr_poster", args=[enterprise_a.pk]) + "?format=png"
    )
    assert response.status_code == 503 and b'data-reason="no_font"' in response.content


def test_poster_of_another_jurisdiction_is_404(client_for, town_b_official, enterprise_a):
    response = client_for(town_b_official).get(reverse("inspections:qr_poster", args=[enterprise_a.pk]))
    assert response.status_code == 404


def test_inspector_scan_starts_an_inspection_and_flags_a_far_check_in(
    client_for, inspector, enterprise_a, template
):
    client = client_for(inspector)
    page = client.get(scan_url(enterprise_a))
    assert page.status_code == 200 and b'data-purpose="inspection"' in page.content
    response = client.post(
        scan_url(enterprise_a),
        {
            "template": template.pk,
            "kind": "routine",
            "latitude": "32.0",
            "longitude": "120.95",
            "accuracy": "20",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection_run", args=[inspection.pk])
    check_in = CheckIn.objects.get()
    assert (
        check_in.user == inspector and check_in.purpose == "inspection" and check_in.inspection == inspection
    )
    assert check_in.is_far and check_in.distance_m > 4000
    assert inspection.template == template and list(inspection.inspectors.all()) == [inspector]


def test_refused_location_is_recorded_as_unknown(client_for, inspector, enterprise_a, template):
    client_for(inspector).post(
        scan_url(enterprise_a), {"template": template.pk, "latitude": "", "longitude": ""}
    )
    check_in = CheckIn.objects.get()
    assert check_in.latitude is None and check_in.distance_m is None and not check_in.is_far


def test_enterprise_user_scan_leads_to_self_check(client_for, enterprise_a_user, enterprise_a):
    client = client_for(enterprise_a_user)
    response = client.post(scan_url(enterprise_a), {"latitude": "32.0", "longitude": "120.9001"})
    assert response.status_code == 302 and response["Location"] == reverse("hazards:checktask_list")
    check_in = CheckIn.objects.get()
    assert check_in.purpose == "self_check" and not check_in.is_far
    assert not Inspection.objects.exists()


def test_public_scan_goes_to_the_report_page(client, enterprise_a):
    assert client.get(scan_url(enterprise_a)).status_code == 200
    response = client.post(scan_url(enterprise_a), {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("public:report_form"))
    check_in = CheckIn.objects.get()
    assert check_in.user is None and check_in.purpose == "public_report"


def test_closed_enterprise_shows_an_error_and_records_nothing(client_for, inspector, enterprise_a, template):
    url = scan_url(enterprise_a)
    enterprise_a.status = "closed"
    enterprise_a.save()
    client = client_for(inspector)
    page = client.get(url)
    assert page.status_code == 410 and b'data-reason="closed"' in page.content
    response = client.post(url, {"template": template.pk, "latitude": "32.0", "longitude": "120.9"})
    assert response.status_code == 410
    assert not CheckIn.objects.exists() and not Inspection.objects.exists()


def test_forged_token_records_nothing(client, db):
    response = client.post(reverse("inspections:qr_scan", args=["abc:def"]), {})
    assert response.status_code == 404 and b'data-reason="unknown"' in response.content
    assert not CheckIn.objects.exists()


def test_bad_coordinates_record_nothing(client_for, inspector, enterprise_a, template):
    response = client_for(inspector).post(
        scan_url(enterprise_a), {"template": template.pk, "latitude": "999", "longitude": "120.9"}
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists() and not Inspection.objects.exists()


def test_check_in_list_and_api(client_for, leader, enterprise_a, client):
    client.post(scan_url(enterprise_a), {"latitude": "32.0", "longitude": "120.9"})
    viewer = client_for(leader)
    assert viewer.get(reverse("inspections:checkin_list")).status_code == 200
    body = viewer.get("/api/v1/inspections/check-ins").json()
    assert body["count"] == 1 and body["items"][0]["distance_m"] == 0
