"""Startup checks: a malformed setting stops `yingji serve`/`ingest` with its name, instead of failing
at the first alarm."""

from django.conf import settings
from django.core import checks

from yingji.monitoring import rules


@checks.register(checks.Tags.compatibility)
def check_alarm_ack_minutes(app_configs=None, **kwargs):
    try:
        rules.parse_ack_minutes(settings.ALARM_ACK_MINUTES)
    except ValueError as error:
        return [
            checks.Error(
                f"YINGJI_ALARM_ACK_MINUTES is malformed: {error}",
                hint='Give severity:minutes pairs, e.g. "4:5,3:10,2:15,1:30".',
                id="yingji.E101",
            )
        ]
    return []
