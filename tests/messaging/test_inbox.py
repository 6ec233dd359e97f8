"""The inbox pages, the bell and /api/v1/inbox: each person sees and marks only their own messages."""

import pytest

from yingji.messaging import services
from yingji.messaging.models import Message


@pytest.fixture
def messages(town_a_official, town_b_official):
    mine = services.send(
        [town_a_official], "notice", {"subject": "Check the dam", "text": "Today."}, ["inapp"]
    )
    mine += services.send(
        [town_a_official], "notice", {"subject": "Report due", "text": "Friday."}, ["inapp"]
    )
    theirs = services.send(
        [town_b_official], "notice", {"subject": "Other town secret", "text": "."}, ["inapp"]
    )
    return mine, theirs[0]


def test_the_inbox_lists_my_messages_with_the_unread_count(client_for, town_a_official, messages):
    html = client_for(town_a_official).get("/inbox/").content.decode()
    assert "Check the dam" in html and "Report due" in html
    assert "Other town secret" not in html
    assert 'id="unread-count"' in html and ">2 " in html


def test_the_bell_shows_the_unread_count(client_for, town_a_official, messages):
    client = client_for(town_a_official)
    assert 'id="inbox-unread"' in client.get("/inbox/bell/").content.decode()
    assert ">2</span>" in client.get("/inbox/bell/").content.decode()
    assert 'id="inbox-bell"' in client.get("/inbox/").content.decode()


def test_mark_read_and_mark_all_read(client_for, town_a_official, messages):
    client = client_for(town_a_official)
    mine, _theirs = messages
    response = client.post(f"/inbox/{mine[0].pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert services.unread_count(town_a_official) == 1
    assert client.get(f"/inbox/{mine[1].pk}/read/").status_code == 405
    client.post("/inbox/read/", {"next": "/inbox/?unread=1"})
    assert services.unread_count(town_a_official) == 0
    assert "inbox-unread" not in client.get("/inbox/bell/").content.decode()


def test_another_users_message_is_not_found(client_for, town_a_official, messages):
    client = client_for(town_a_official)
    _mine, theirs = messages
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/inbox/{theirs.pk}/read").status_code == 404
    client.post("/inbox/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_api(client_for, town_a_official, messages):
    client = client_for(town_a_official)
    mine, _theirs = messages
    data = client.get("/api/v1/inbox").json()
    assert (data["count"], data["unread"]) == (2, 2)
    assert [m["subject"] for m in data["items"]] == ["Report due", "Check the dam"]
    response = client.post(f"/api/v1/inbox/{mine[0].pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.get("/api/v1/inbox", {"unread": "true"}).json()["count"] == 1
    assert Message.objects.get(pk=mine[0].pk).read_at is not None


def test_the_inbox_needs_a_login(client):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/api/v1/inbox").status_code == 401
