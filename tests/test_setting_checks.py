"""Malformed deadline settings are caught by the system checks (so `yingji serve` refuses to start)."""

from yingji.alerts.checks import check_call_ack_minutes
from yingji.monitoring.checks import check_alarm_ack_minutes


def test_the_shipped_settings_pass():
    assert check_alarm_ack_minutes() == [] and check_call_ack_minutes() == []


def test_malformed_settings_are_named(settings):
    settings.ALARM_ACK_MINUTES = "4:5,red:10"
    settings.CALL_ACK_MINUTES = "red=five"
    [alarm] = check_alarm_ack_minutes()
    [call] = check_call_ack_minutes()
    assert alarm.id == "yingji.E101" and "YINGJI_ALARM_ACK_MINUTES" in alarm.msg
    assert call.id == "yingji.E102" and "YINGJI_CALL_ACK_MINUTES" in call.msg
