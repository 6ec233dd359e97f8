"""Startup checks: a malformed setting stops `yingji serve` with its name, instead of failing when the
first warning is issued."""

from django.conf import settings
from django.core import checks

from yingji.alerts import rules_calls


@checks.register(checks.Tags.compatibility)
def check_call_ack_minutes(app_configs=None, **kwargs):
    try:
        rules_calls.parse_ack_minutes(settings.CALL_ACK_MINUTES)
    except ValueError as error:
        return [
            checks.Error(
                f"YINGJI_CALL_ACK_MINUTES is malformed: {error}",
                hint='Give level=minutes pairs, e.g. "red=5,orange=15,yellow=30,blue=60".',
                id="yingji.E102",
            )
        ]
    return []
