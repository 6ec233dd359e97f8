"""The whole chain against the real Mosquitto: a device publishes a gas reading above its first
alarm level -> the consumer stores it -> the evaluation raises the alarm -> the duty officer's
message is delivered (in-app)."""

from __future__ import annotations

from tests.monitoring.test_mqtt_ingest import (  # noqa: F401 - fixtures
    Running,
    _fresh_directory,
    broker,
    names,
    publisher,
    readings,
    recent,
    tdb,
    wait_for,
)

from yingji.messaging.models import Delivery
from yingji.monitoring.models import Alarm, Reading


def test_publish_store_alarm_notify(tdb, broker, names, publisher, gas_point, duty_officer):  # noqa: F811
    running = Running(broker, names)
    try:
        publisher.send(readings([3.0, 31.0], recent()))  # 31 %LEL: past the first level (25)
        assert wait_for(lambda: Reading.objects.filter(point=gas_point).count() == 2)
        assert wait_for(lambda: Alarm.objects.filter(point=gas_point, is_open=True).exists())
        alarm = Alarm.objects.get(point=gas_point, is_open=True)
        assert (alarm.condition, alarm.severity, alarm.value) == ("high", 1, 31.0)
        assert wait_for(
            lambda: Delivery.objects.filter(
                message__recipient=duty_officer, channel="inapp", status="sent"
            ).exists()
        )
    finally:
        running.stop()
