from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

EVENT_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("hazard_type", _("Disaster type"), sortable=False),
    Column("division.name", _("Division"), sortable=False),
    Column("started_on", _("Start date")),
    Column("ended_on", _("End date"), sortable=False),
    Column("status", _("Status"), sortable=False),
]
