"""The warning list's columns (the level and status cells are drawn as colour badges)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

WARNING_COLUMNS = [
    Column("level", _("Level")),
    Column("headline", _("Headline"), link=True),
    Column("event_type", _("Event type"), sortable=False),
    Column("source", _("Source"), sortable=False),
    Column("division.name", _("Jurisdiction"), sortable=False),
    Column("status", _("Status")),
    Column("onset", _("Onset")),
    Column("expires", _("Expires")),
]
# Tabler colour names of the four levels and of the states.
LEVEL_COLOURS = {"blue": "blue", "yellow": "yellow", "orange": "orange", "red": "red"}
STATUS_COLOURS = {
    "draft": "secondary",
    "approved": "cyan",
    "issued": "green",
    "updated": "teal",
    "cancelled": "dark",
    "expired": "muted",
}
