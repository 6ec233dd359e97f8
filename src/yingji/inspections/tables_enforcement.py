from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

ORDER_COLUMNS = [
    Column("enterprise.name", _("Enterprise"), link=True, sort_key="enterprise__name"),
    Column("division.name", _("Division"), sortable=False),
    Column("issued_at", _("Issued")),
    Column("deadline", _("Rectification deadline")),
    Column("status", _("Status")),
]
PENALTY_COLUMNS = [
    Column("enterprise.name", _("Enterprise"), link=True, sort_key="enterprise__name"),
    Column("opened_at", _("Opened")),
    Column("legal_basis", _("Legal basis"), sortable=False),
    Column("amount", _("Fine (yuan)")),
    Column("discretion", _("Discretion level"), sortable=False),
    Column("status", _("Status"), sortable=False),
    Column("payment_status", _("Payment"), sortable=False),
]
LEAD_COLUMNS = [
    Column("enterprise.name", _("Enterprise"), link=True, sort_key="enterprise__name"),
    Column("created_at", _("Created")),
    Column("source", _("Source")),
    Column("summary", _("Summary"), sortable=False),
    Column("status", _("Status")),
]
PATTERN_COLUMNS = [
    Column("division.name", _("Division"), link=True, sortable=False),
    Column("kind", _("Document kind"), sortable=False),
    Column("pattern", _("Pattern"), sortable=False),
    Column("abbr", _("Abbreviation"), sortable=False),
]
