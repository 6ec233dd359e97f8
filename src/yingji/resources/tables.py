"""List columns of the resources pages."""

from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

TEAM_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("kind", _("Kind")),
    Column("level", _("Level")),
    Column("division.name", _("Division"), sort_key="division"),
    Column("headcount", _("Headcount")),
    Column("status", _("Readiness")),
    Column("contact_name", _("Contact"), sortable=False),
]
WAREHOUSE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("level", _("Reserve level")),
    Column("division.name", _("Division"), sort_key="division"),
    Column("address", _("Address"), sortable=False),
    Column("manager", _("Manager"), sortable=False),
]
STOCK_COLUMNS = [
    Column("warehouse.name", _("Warehouse"), link=True, sort_key="warehouse"),
    Column("item.name", _("Item"), sort_key="item"),
    Column("quantity", _("Quantity")),
    Column("item.unit", _("Unit"), sortable=False),
    Column("minimum", _("Minimum stock"), sortable=False),
    Column("expiry", _("Expiry")),
]
ITEM_COLUMNS = [
    Column("name", _("Name"), link=True, sortable=False),
    Column("code", _("Code"), sortable=False),
    Column("category.name", _("Category"), sortable=False),
    Column("unit", _("Unit"), sortable=False),
    Column("spec", _("Specification"), sortable=False),
]
SHELTER_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("division.name", _("Division"), sort_key="division"),
    Column("capacity", _("Capacity")),
    Column("occupancy", _("Occupancy")),
    Column("is_open", _("Open"), sortable=False),
]
EXPERT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("specialty", _("Specialty")),
    Column("title", _("Title"), sortable=False),
    Column("employer", _("Employer")),
    Column("division.name", _("Division"), sortable=False),
]
EQUIPMENT_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("kind", _("Kind")),
    Column("model", _("Model"), sortable=False),
    Column("owner", _("Owner"), sortable=False),
    Column("division.name", _("Division"), sort_key="division"),
    Column("status", _("Status")),
]
