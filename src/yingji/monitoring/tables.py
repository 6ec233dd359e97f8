"""Columns of the monitoring lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

DEVICE_COLUMNS = [
    Column("code", _("Device code"), link=True),
    Column("name", _("Name")),
    Column("enterprise.name", _("Enterprise"), sort_key="enterprise__name"),
    Column("source.name", _("Major hazard source"), sortable=False),
    Column("is_online", _("Online")),
    Column("last_seen_at", _("Last data")),
]

POINT_COLUMNS = [
    Column("code", _("Point code"), link=True),
    Column("name", _("Name")),
    Column("kind", _("Kind")),
    Column("device.code", _("Device"), sort_key="device__code"),
    Column("last_value", _("Last value")),
    Column("unit", _("Unit"), sortable=False),
    Column("last_ts", _("Last reading")),
]

# Colours of the severity scale (1 = 一级/蓝 … 4 = 红), for badges and the overview.
SEVERITY_COLOURS = {0: "green", 1: "blue", 2: "yellow", 3: "orange", 4: "red"}
STATE_COLOURS = {"active": "red", "acknowledged": "yellow", "handled": "green", "cleared": "secondary"}
