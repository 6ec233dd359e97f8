from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.tables import Column

CHECKLIST_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("code", _("Code")),
    Column("version", _("Version")),
    Column("topic", _("Topic")),
    Column("status", _("Status")),
    Column("item_count", _("Items"), sortable=False),
    Column("owner", _("Owner"), sortable=False),
]

INSPECTION_COLUMNS = [
    Column("started_at", _("Started"), link=True),
    Column("enterprise.name", _("Enterprise"), sort_key="enterprise__name"),
    Column("division.name", _("Division"), sort_key="division"),
    Column("kind", _("Kind")),
    Column("template", _("Checklist"), sortable=False),
    Column("status", _("Status")),
    Column("finding_count", pgettext_lazy("inspection", "Findings"), sortable=False),
]

CHECKIN_COLUMNS = [
    Column("at", _("Time")),
    Column("enterprise.name", _("Enterprise"), sort_key="enterprise__name"),
    Column("user", _("User"), sortable=False),
    Column("purpose", _("Purpose"), sortable=False),
    Column("distance_label", _("Distance"), sort_key="distance_m"),
    Column("far_label", _("Far from the enterprise"), sortable=False),
]
