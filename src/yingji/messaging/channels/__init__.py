"""One module per channel, each with `deliver(delivery) -> None` (see base.py for the contract)."""

from __future__ import annotations

from types import ModuleType


def channel_module(channel: str) -> ModuleType:
    from yingji.messaging.channels import email, inapp, sms, webhook

    modules = {"inapp": inapp, "email": email, "webhook": webhook, "sms": sms}
    return modules[channel]
