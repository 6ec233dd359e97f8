"""List columns of plans, draws and conflicts of interest."""

from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

PLAN_COLUMNS = [
    Column("title", _("Title"), sortable=False, link=True),
    Column("year", _("Year")),
    Column("division.name", _("Division"), sort_key="division"),
    Column("status", _("Status")),
    Column("published_at", _("Published"), sortable=False),
]
DRAW_COLUMNS = [
    Column("title", _("Title"), sortable=False, link=True),
    Column("division.name", _("Division"), sort_key="division"),
    Column("count", _("Enterprises drawn"), sortable=False),
    Column("seed", _("Seed"), sortable=False),
    Column("drawn_at", _("Drawn")),
    Column("status", _("Status")),
]
CONFLICT_COLUMNS = [
    Column("inspector", _("Inspector"), sortable=False),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("reason", _("Reason"), sortable=False),
    Column("created_at", _("Declared"), sortable=False),
]
