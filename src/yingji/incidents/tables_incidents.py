"""List columns of incidents and responses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

INCIDENT_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("occurred_at", _("Occurred")),
    Column("kind", _("Type")),
    Column("division.name", _("Place"), sort_key="division"),
    Column("deaths", _("Deaths")),
    Column("grade", _("Grade")),
    Column("status", _("Status")),
]
RESPONSE_COLUMNS = [
    Column("incident.title", _("Incident"), link=True, sortable=False),
    Column("plan.title", _("Plan"), sortable=False),
    Column("level.code", _("Level"), sortable=False),
    Column("opened_at", _("Opened")),
    Column("status", _("Status")),
]
