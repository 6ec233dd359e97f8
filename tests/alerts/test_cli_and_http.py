"""`yingji cap import|export`, `POST /api/v1/alerts/cap`, the Atom feed and the upload page."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree
from tests.alerts.conftest import SAMPLES, sample

from yingji.accounts.services import create_token
from yingji.alerts import cap, services
from yingji.alerts.models import CapMessage, Warning

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def imported(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_command_import_chain_and_export(county, capsys):
    call_command("cap", "import", str(SAMPLES / "red_rainstorm_zh.xml"))
    first = imported(capsys)
    assert first["identifier"] == "32990041600000_20260725083000" and first["msg_type"] == "Alert"
    call_command("cap", "import", str(SAMPLES / "update_prefixed.xml"))
    assert imported(capsys)["status"] in ("updated", "expired")  # the sample's expiry is in July 2026
    call_command("cap", "import", str(SAMPLES / "cancel_without_info.xml"))
    last = imported(capsys)
    assert last == {
        "id": first["id"], "identifier": "32990041600000_20260726080000", "msg_type": "Cancel", "status": "cancelled",
    }  # fmt: skip
    call_command("cap", "export", str(first["id"]))
    xml = capsys.readouterr().out.encode()
    assert cap.validate(xml) == [] and b"<msgType>Cancel</msgType>" in xml


def test_command_import_failure_exits_1_with_the_problems(county, capsys):
    with pytest.raises(CommandError) as error:
        call_command("cap", "import", str(SAMPLES / "open_polygon.xml"))
    assert error.value.returncode == 1 and "invalid_cap" in str(error.value)
    assert "open_polygon.xml:" in capsys.readouterr().out
    call_command("cap", "import", "--lenient", str(SAMPLES / "open_polygon.xml"))
    assert imported(capsys)["msg_type"] == "Alert"
    with pytest.raises(CommandError) as error:
        call_command("cap", "import", str(SAMPLES / "update_unknown_reference.xml"))
    assert "unknown_reference" in str(error.value)


def test_command_export_of_an_unknown_id(county):
    with pytest.raises(CommandError) as error:
        call_command("cap", "export", "999")
    assert error.value.returncode == 1


def post_cap(client, data, token=None, query=""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/alerts/cap{query}", data=data, content_type="application/xml", **headers)


def test_api_import_with_a_token(client, staff_user):
    token = create_token(staff_user, name="feeder")
    response = post_cap(client, sample("red_rainstorm_zh.xml"), token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"id", "identifier", "msg_type", "status"} and body["msg_type"] == "Alert"
    bad = post_cap(client, sample("open_polygon.xml"), token)
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cap" and bad.json()["fields"]["xml"]
    assert post_cap(client, sample("open_polygon.xml"), token, "?lenient=1").status_code == 200
    unknown = post_cap(client, sample("update_unknown_reference.xml"), token)
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_reference"
    assert post_cap(client, b"<not xml", token).json()["code"] == "not_xml"


def test_api_import_refuses_readers_and_strangers(client, leader):
    assert post_cap(client, sample("red_rainstorm_zh.xml")).status_code == 401
    assert post_cap(client, sample("red_rainstorm_zh.xml"), create_token(leader)).status_code == 403
    assert Warning.objects.count() == 0


def issued_blue(staff_user):
    from tests.alerts.test_services import JULY_25, draft

    warning = draft(staff_user, level="blue", expires=None)
    return services.issue(warning, actor=staff_user, now=JULY_25)


def test_feed_lists_issued_public_warnings_only(client, staff_user):
    live = issued_blue(staff_user)
    hidden = issued_blue(staff_user)
    Warning.objects.filter(pk=hidden.pk).update(cap_scope="Restricted")
    from tests.alerts.test_services import draft

    draft(staff_user, level="blue")  # a draft: never public
    response = client.get("/cap/feed.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    links = [e.get("href") for e in feed.iter(f"{ATOM}link") if e.getparent().tag == f"{ATOM}entry"]
    assert links == [f"http://testserver/cap/{live.identifier}.xml"]
    message = client.get(f"/cap/{live.identifier}.xml")
    assert message.status_code == 200 and cap.validate(message.content) == []
    assert client.get(f"/cap/{hidden.identifier}.xml").status_code == 404
    assert client.get("/cap/nothing_here.xml").status_code == 404


def test_upload_page(client_for, staff_user, leader, client):
    url = "/alerts/cap/upload/"
    assert client.get(url).status_code == 302  # login first
    page = client_for(staff_user)
    assert page.get(url).status_code == 200
    upload = SimpleUploadedFile("open.xml", sample("open_polygon.xml"), content_type="application/xml")
    refused = page.post(url, {"file": upload})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-code="invalid_cap"' in html and "cap-import-problems" in html
    assert CapMessage.objects.count() == 0
    upload = SimpleUploadedFile("open.xml", sample("open_polygon.xml"), content_type="application/xml")
    taken = page.post(url, {"file": upload, "lenient": "on"})
    assert taken.status_code == 200
    assert re.search(r'id="cap-import-success" data-id="\d+"', taken.content.decode())
    assert "cap-import-warnings" in taken.content.decode()
    page.force_login(leader)
    assert page.get(url).status_code == 403
