from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

RISK_POINT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("unit.enterprise.name", _("Enterprise"), sort_key="enterprise"),
    Column("unit.name", _("Risk unit"), sortable=False),
    Column("kind", _("Kind"), sortable=False),
    Column("method", _("Assessment method"), sortable=False),
    Column("score", _("Score")),
    Column("level_badge", _("Risk level"), sortable=False),
]

RISK_UNIT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
    Column("description", _("Description"), sortable=False),
]

POST_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("enterprise.name", _("Enterprise"), sortable=False),
]
