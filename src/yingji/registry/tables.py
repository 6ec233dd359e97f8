from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

ENTERPRISE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("uscc", _("Unified social credit code")),
    Column("industry", _("Industry")),
    Column("division.name", _("Division"), sort_key="division"),
    Column("main_person", _("Main responsible person"), sortable=False),
    Column("masked_main_person_phone", _("Phone"), sortable=False),
    Column("employees", _("Employees")),
    Column("status", _("Status")),
]
