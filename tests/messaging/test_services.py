"""send() and the worker: after commit only, one send per delivery, storms become digests."""

import datetime

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from yingji.messaging import services
from yingji.messaging.models import Delivery, Message

NOTICE = {"subject": "Drill at 3pm", "text": "Everyone to the yard."}


@pytest.fixture
def person(town_a_official):
    town_a_official.email = "town.a@bureau.example"
    town_a_official.save()
    return town_a_official


def test_nothing_is_sent_before_the_transaction_commits(
    django_capture_on_commit_callbacks, smtp_server, person
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.send([person], "notice", NOTICE, ["email"])
        assert Delivery.objects.get().status == "queued"
    assert smtp_server.emails == [] and len(callbacks) == 1
    callbacks[0]()
    assert [e["subject"] for e in smtp_server.emails] == ["Drill at 3pm"]
    assert Delivery.objects.get().status == "sent"


def test_a_rollback_sends_nothing_and_leaves_no_rows(django_capture_on_commit_callbacks, smtp_server, person):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.send([person], "notice", NOTICE, ["inapp", "email"])
        raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert not Message.objects.exists() and not Delivery.objects.exists()
    assert smtp_server.emails == []


def test_a_delivery_is_claimed_once_even_when_two_workers_try(person):
    now = timezone.now()
    services.send([person], "notice", NOTICE, ["email"], now=now)  # no commit: nothing ran yet
    delivery = Delivery.objects.get()
    assert services.claim(delivery.pk, now) is True
    assert services.claim(delivery.pk, now) is False
    assert services.attempt(delivery.pk, now) is None, "the second worker does not send"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)


def test_a_claim_left_by_a_crashed_worker_is_taken_over_after_the_lease(
    smtp_server, person, django_capture_on_commit_callbacks
):
    now = timezone.now()
    services.send([person], "notice", NOTICE, ["email"], now=now)
    delivery = Delivery.objects.get()
    assert services.claim(delivery.pk, now)  # ...and the worker dies
    assert services.process_due_deliveries(now + datetime.timedelta(minutes=5)) == 0
    assert services.process_due_deliveries(now + datetime.timedelta(minutes=11)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp_server.emails) == 1


def test_a_storm_to_one_person_becomes_a_few_emails_and_one_digest(
    django_capture_on_commit_callbacks, smtp_server, person, settings
):
    settings.MESSAGING_DIGEST_THRESHOLD = 5
    settings.MESSAGING_DIGEST_WINDOW = 600
    start = timezone.now() - datetime.timedelta(hours=1)  # the storm is over; the worker runs now
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            context = {"subject": f"Alarm {n}", "text": "Gas concentration high."}
            services.send(
                [person], "notice", context, ["inapp", "email"], now=start + datetime.timedelta(seconds=3 * n)
            )
    assert len(smtp_server.emails) == 5
    assert Delivery.objects.filter(channel="email", status="digested").count() == 15
    assert Delivery.objects.filter(channel="inapp", status="sent").count() == 20, "the inbox gets every one"

    services.process_due_deliveries(start + datetime.timedelta(seconds=599))
    assert len(smtp_server.emails) == 5, "the digest waits for the window"
    services.process_due_deliveries(start + datetime.timedelta(seconds=15 + 600))
    assert len(smtp_server.emails) == 6
    digest = smtp_server.emails[-1]
    assert "15" in digest["subject"]
    assert "Alarm 5" in digest["body"] and "Alarm 19" in digest["body"]
    assert Delivery.objects.filter(digest__isnull=False).count() == 15

    services.process_due_deliveries(start + datetime.timedelta(seconds=1300))
    assert len(smtp_server.emails) == 6, "a digest goes out once"
    assert services.unread_count(person) == 20, "the digest itself is not an inbox entry"


def test_a_digest_is_flushed_once_even_when_two_workers_flush(person, settings):
    settings.MESSAGING_DIGEST_THRESHOLD = 1
    start = timezone.now()
    for n in range(3):
        services.send([person], "notice", NOTICE, ["email"], now=start + datetime.timedelta(seconds=n))
    later = start + datetime.timedelta(hours=1)
    assert len(services.flush_digests(later)) == 1
    assert services.flush_digests(later) == []
    assert Message.objects.filter(template="digest").count() == 1


def test_recipients_may_be_users_and_plain_addresses(person):
    messages = services.send(
        [person, ("webhook", "http://127.0.0.1:9/hook"), services.Address("sms", "13800002222")],
        "notice",
        NOTICE,
    )
    assert [m.recipient for m in messages] == [person, None, None]
    channels = [sorted(m.deliveries.values_list("channel", flat=True)) for m in messages]
    assert channels == [["email", "inapp"], ["webhook"], ["sms"]]


def test_unknown_templates_and_recipients_are_refused(person):
    with pytest.raises(TemplateDoesNotExist):
        services.send([person], "no_such_template", {})
    with pytest.raises(TypeError):
        services.send(["someone"], "notice", NOTICE)
    with pytest.raises(ValueError):
        services.send([("inapp", "x")], "notice", NOTICE)
    assert not Message.objects.exists()
