import datetime

from yingji.messaging import rules


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    delays = [rules.retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_retries_stop_at_the_maximum():
    assert rules.may_retry(4, 5) and not rules.may_retry(5, 5)


def test_a_storm_is_held_after_the_threshold():
    assert not rules.should_hold(4, 5)
    assert rules.should_hold(5, 5)
    assert not rules.should_hold(100, 0), "threshold 0 turns the digest off"


def test_a_digest_is_due_once_the_oldest_held_message_waited_a_window():
    now = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    window = datetime.timedelta(minutes=10)
    assert rules.digest_due(now - window, now, window)
    assert not rules.digest_due(now - window + datetime.timedelta(seconds=1), now, window)


def test_the_sms_success_rule_reads_a_json_path():
    assert rules.gateway_accepted(200, b"", "", "")
    assert not rules.gateway_accepted(500, b"", "", "")
    assert rules.gateway_accepted(200, b'{"result": {"code": "OK"}}', "result.code", "OK")
    assert rules.gateway_accepted(200, b'{"result": [{"code": 0}]}', "result.0.code", "0")
    assert rules.gateway_accepted(200, b'{"ok": true}', "ok", "true")
    assert not rules.gateway_accepted(200, b'{"result": {"code": "FAIL"}}', "result.code", "OK")
    assert not rules.gateway_accepted(200, b"not json", "result.code", "OK")
    assert not rules.gateway_accepted(200, b"{}", "result.code", "OK")


def test_server_errors_and_throttling_are_temporary_other_client_errors_permanent():
    assert rules.http_error_is_temporary(500) and rules.http_error_is_temporary(429)
    assert not rules.http_error_is_temporary(400) and not rules.http_error_is_temporary(404)


def test_placeholders_are_filled_inside_json_values():
    template = {"to": "{phone}", "content": {"text": "{text}"}, "n": 1}
    filled = rules.fill_placeholders(template, {"phone": "13800000000", "text": 'say "hi"'})
    assert filled == {"to": "13800000000", "content": {"text": 'say "hi"'}, "n": 1}
