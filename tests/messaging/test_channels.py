"""Each channel against a real local server: SMTP (aiosmtpd) and HTTP (webhook receiver, SMS gateway)."""

import datetime

import pytest
from django.utils import timezone

from yingji.messaging import services
from yingji.messaging.models import Delivery, DeliveryStatus, ErrorKind

NOTICE = {"subject": "Flood warning", "text": "Move to the shelter at the school."}


@pytest.fixture
def person(town_a_official):
    town_a_official.email = "town.a@bureau.example"
    town_a_official.phone = "13800001111"
    town_a_official.save()
    return town_a_official


@pytest.fixture
def sms_gateway(http_server, settings):
    settings.SMS_GATEWAY_URL = http_server.url + "/sms/send"
    settings.SMS_GATEWAY_METHOD = "POST"
    settings.SMS_BODY_FORMAT = "json"
    settings.SMS_BODY_TEMPLATE = '{"mobile": "{phone}", "content": "{text}", "sign": "yingji"}'
    settings.SMS_SUCCESS_PATH = "result.code"
    settings.SMS_SUCCESS_VALUE = "OK"
    http_server.answer((200, '{"result": {"code": "OK"}}'))
    return http_server


def send(capture, recipients, channels, context=NOTICE):
    with capture(execute=True):
        messages = services.send(recipients, "notice", context, channels)
    return messages


def only_delivery(message, channel) -> Delivery:
    return Delivery.objects.get(message=message, channel=channel)


def test_an_email_reaches_the_smtp_server_with_subject_and_body(
    django_capture_on_commit_callbacks, smtp_server, person
):
    [message] = send(django_capture_on_commit_callbacks, [person], ["inapp", "email"])
    [email] = smtp_server.emails
    assert email["to"] == ["town.a@bureau.example"]
    assert email["from"] == "yingji@bureau.example"
    assert email["subject"] == "Flood warning"
    assert "Move to the shelter at the school." in email["body"]
    delivery = only_delivery(message, "email")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert only_delivery(message, "inapp").status == "sent"


def test_a_refused_recipient_is_a_permanent_error(django_capture_on_commit_callbacks, smtp_server, person):
    smtp_server.refuse.add(person.email)
    [message] = send(django_capture_on_commit_callbacks, [person], ["email"])
    delivery = only_delivery(message, "email")
    assert (delivery.status, delivery.error_kind, delivery.attempts) == ("failed", "permanent", 1)
    assert "550" in delivery.last_error
    assert smtp_server.emails == []


def test_an_smtp_server_that_is_down_is_a_temporary_error(
    django_capture_on_commit_callbacks, settings, person
):
    from tests.messaging.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    [message] = send(django_capture_on_commit_callbacks, [person], ["email"])
    delivery = only_delivery(message, "email")
    assert (delivery.status, delivery.error_kind) == ("queued", "temporary")
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)


def test_an_invalid_email_address_fails_permanently_without_trying(
    django_capture_on_commit_callbacks, smtp_server, person
):
    [message] = send(django_capture_on_commit_callbacks, [("email", "not-an-address")], ["email"])
    delivery = only_delivery(message, "email")
    assert (delivery.status, delivery.error_kind) == ("failed", "permanent")
    assert smtp_server.emails == []


def test_a_webhook_gets_the_robot_json(django_capture_on_commit_callbacks, db, http_server):
    robot = http_server.url + "/cgi-bin/webhook/send?key=abc"
    [message] = send(django_capture_on_commit_callbacks, [services.Address("webhook", robot)], None)
    [request] = http_server.requests
    assert (request.method, request.path, request.query) == ("POST", "/cgi-bin/webhook/send", {"key": "abc"})
    assert request.headers["Content-Type"].startswith("application/json")
    payload = request.json()
    assert payload["msgtype"] == "text"
    assert payload["text"]["content"] == "Flood warning\nMove to the shelter at the school."
    assert payload["message_id"] == message.pk
    assert only_delivery(message, "webhook").status == "sent"
    assert message.recipient is None


def test_a_robot_refusal_in_a_200_answer_is_permanent(django_capture_on_commit_callbacks, db, http_server):
    http_server.answer((200, '{"errcode": 93000, "errmsg": "invalid webhook url"}'))
    [message] = send(django_capture_on_commit_callbacks, [("webhook", http_server.url + "/hook")], None)
    delivery = only_delivery(message, "webhook")
    assert (delivery.status, delivery.error_kind) == ("failed", "permanent")
    assert "93000" in delivery.last_error


def test_an_sms_goes_through_the_gateway_template(django_capture_on_commit_callbacks, sms_gateway, person):
    [message] = send(
        django_capture_on_commit_callbacks, [person], ["sms"], {"subject": 'A "quoted" title', "text": "Go."}
    )
    [request] = sms_gateway.requests
    assert request.path == "/sms/send"
    assert request.json() == {"mobile": "13800001111", "content": 'A "quoted" title\nGo.', "sign": "yingji"}
    assert only_delivery(message, "sms").status == "sent"


def test_an_sms_gateway_by_get_with_form_fields(
    django_capture_on_commit_callbacks, sms_gateway, settings, person
):
    settings.SMS_GATEWAY_METHOD = "GET"
    settings.SMS_BODY_FORMAT = "form"
    settings.SMS_BODY_TEMPLATE = "u=bureau&m={phone}&c={text}"
    settings.SMS_SUCCESS_PATH = ""
    [message] = send(django_capture_on_commit_callbacks, [person], ["sms"])
    [request] = sms_gateway.requests
    assert request.method == "GET"
    assert request.query == {
        "u": "bureau",
        "m": "13800001111",
        "c": "Flood warning\nMove to the shelter at the school.",
    }
    assert only_delivery(message, "sms").status == "sent"


def test_a_gateway_500_is_retried_with_backoff_until_the_maximum(
    django_capture_on_commit_callbacks, sms_gateway, settings, person
):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    sms_gateway.answer((500, "busy"))
    [message] = send(django_capture_on_commit_callbacks, [person], ["sms"])
    delivery = only_delivery(message, "sms")
    assert (delivery.status, delivery.error_kind, delivery.attempts) == ("queued", "temporary", 1)
    first_retry = delivery.next_attempt_at
    assert services.process_due_deliveries(first_retry - datetime.timedelta(seconds=1)) == 0
    assert services.process_due_deliveries(first_retry) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 2)
    assert delivery.next_attempt_at == first_retry + datetime.timedelta(minutes=2)
    services.process_due_deliveries(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_kind, delivery.attempts) == ("failed", "temporary", 3)
    assert "HTTP 500" in delivery.last_error
    assert len(sms_gateway.requests) == 3


def test_a_failing_then_succeeding_gateway_ends_sent_after_two_attempts(
    django_capture_on_commit_callbacks, sms_gateway, person
):
    sms_gateway.answer((503, "down"), (200, '{"result": {"code": "OK"}}'))
    [message] = send(django_capture_on_commit_callbacks, [person], ["sms"])
    delivery = only_delivery(message, "sms")
    services.process_due_deliveries(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert delivery.sent_at is not None


def test_a_gateway_400_is_permanent(django_capture_on_commit_callbacks, sms_gateway, person):
    sms_gateway.answer((400, '{"error": "bad sign"}'))
    [message] = send(django_capture_on_commit_callbacks, [person], ["sms"])
    delivery = only_delivery(message, "sms")
    assert (delivery.status, delivery.error_kind, delivery.attempts) == ("failed", "permanent", 1)
    assert services.process_due_deliveries(timezone.now() + datetime.timedelta(days=1)) == 0


def test_a_gateway_saying_no_in_a_200_answer_is_permanent(
    django_capture_on_commit_callbacks, sms_gateway, person
):
    sms_gateway.answer((200, '{"result": {"code": "MOBILE_ILLEGAL"}}'))
    [message] = send(django_capture_on_commit_callbacks, [person], ["sms"])
    delivery = only_delivery(message, "sms")
    assert (delivery.status, delivery.error_kind) == ("failed", "permanent")
    assert "MOBILE_ILLEGAL" in delivery.last_error


def test_an_invalid_phone_number_is_permanent_and_never_reaches_the_gateway(
    django_capture_on_commit_callbacks, db, sms_gateway
):
    [message] = send(django_capture_on_commit_callbacks, [("sms", "12345")], None)
    assert only_delivery(message, "sms").error_kind == ErrorKind.PERMANENT
    assert sms_gateway.requests == []


def test_a_user_without_an_address_gets_a_failed_delivery_saying_so(
    django_capture_on_commit_callbacks, leader
):
    [message] = send(django_capture_on_commit_callbacks, [leader], ["inapp", "email", "sms"])
    statuses = dict(message.deliveries.values_list("channel", "status"))
    assert statuses == {"inapp": "sent", "email": DeliveryStatus.FAILED, "sms": DeliveryStatus.FAILED}
