"""Each delivery attempt leaves a row: the history behind a delivery's last error."""

import pytest

from yingji.messaging import services
from yingji.messaging.models import Delivery, DeliveryAttempt, Message

NOTICE = {"subject": "Flood warning", "text": "Move to the shelter at the school."}


@pytest.fixture
def person(town_a_official):
    town_a_official.phone = "13800001111"
    town_a_official.save()
    return town_a_official


@pytest.fixture
def gateway(http_server, settings):
    settings.SMS_GATEWAY_URL = http_server.url + "/sms/send"
    settings.SMS_GATEWAY_METHOD = "POST"
    settings.SMS_BODY_FORMAT = "json"
    settings.SMS_BODY_TEMPLATE = '{"mobile": "{phone}", "content": "{text}"}'
    settings.SMS_SUCCESS_PATH = "result.code"
    settings.SMS_SUCCESS_VALUE = "OK"
    return http_server


def history(delivery):
    return list(delivery.attempt_log.values_list("number", "outcome", "permanent"))


def test_a_retried_then_sent_delivery_keeps_every_attempt(
    django_capture_on_commit_callbacks, gateway, person
):
    gateway.answer((503, "down"), (500, "busy"), (200, '{"result": {"code": "OK"}}'))
    with django_capture_on_commit_callbacks(execute=True):
        [message] = services.send([person], "notice", NOTICE, ["sms"])
    delivery = Delivery.objects.get(message=message)
    services.process_due_deliveries(delivery.next_attempt_at)
    delivery.refresh_from_db()
    services.process_due_deliveries(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.last_error == ""
    assert history(delivery) == [(1, "temporary", False), (2, "temporary", False), (3, "sent", False)]
    errors = list(delivery.attempt_log.values_list("error", flat=True))
    assert "503" in errors[0] and "500" in errors[1] and errors[2] == ""
    times = list(delivery.attempt_log.values_list("attempted_at", flat=True))
    assert times == sorted(times)


def test_a_permanent_failure_is_one_attempt_marked_permanent(
    django_capture_on_commit_callbacks, gateway, person
):
    gateway.answer((400, '{"error": "bad sign"}'))
    with django_capture_on_commit_callbacks(execute=True):
        [message] = services.send([person], "notice", NOTICE, ["sms"])
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == "failed"
    assert history(delivery) == [(1, "permanent", True)]


def test_an_inapp_delivery_records_its_one_attempt(django_capture_on_commit_callbacks, person):
    with django_capture_on_commit_callbacks(execute=True):
        [message] = services.send([person], "notice", NOTICE, ["inapp"])
    assert history(Delivery.objects.get(message=message)) == [(1, "sent", False)]


def test_a_delivery_not_claimed_records_nothing(person):
    services.send([person], "notice", NOTICE, ["inapp"])  # no commit: the worker has not run
    delivery = Delivery.objects.get()
    assert services.claim(delivery.pk) is True
    assert services.attempt(delivery.pk) is None  # someone else holds it
    assert not DeliveryAttempt.objects.exists()


def test_send_to_many_people_and_addresses_at_once(person, staff_user, leader, settings):
    settings.MESSAGING_DIGEST_THRESHOLD = 2
    messages = services.send(
        [person, staff_user, ("webhook", "https://robot.example/hook"), person, person],
        "notice",
        NOTICE,
        ["inapp", "sms"],
    )
    assert len(messages) == 5 and all(m.pk for m in messages)
    assert messages[2].recipient_id is None
    assert Message.objects.filter(recipient=person).count() == 3
    # The third message to the same person within the window is held for the digest (SMS only).
    sms = list(Delivery.objects.filter(message__recipient=person, channel="sms").order_by("pk"))
    assert [d.status for d in sms] == ["queued", "queued", "digested"]
    assert Delivery.objects.get(message__recipient=staff_user, channel="sms").status == "failed"  # no phone
    assert Delivery.objects.get(message=messages[2]).channel == "webhook"
    assert services.send([], "notice", NOTICE) == []


def test_sends_in_one_transaction_reach_the_worker_as_one_task(
    django_capture_on_commit_callbacks, person, staff_user
):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        first = services.send([person], "notice", NOTICE, ["inapp"])
        try:
            with transaction.atomic():
                services.send([staff_user], "notice", NOTICE, ["inapp"])
                raise RuntimeError("this part is rolled back")
        except RuntimeError:
            pass
        last = services.send([staff_user], "notice", NOTICE, ["inapp"])
    assert len(callbacks) == 1
    assert set(callbacks[0].ids) >= {first[0].pk, last[0].pk}
    callbacks[0]()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert Delivery.objects.count() == 2
