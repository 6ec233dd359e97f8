"""Emergency resources (一库): teams, warehouses and stock, shelters, experts, equipment.

Every located resource has `latitude`/`longitude` (WGS-84, inside China) with a composite index on
(latitude, longitude): `rules.nearest` prefilters candidates with a bounding box on that index and
computes exact haversine distances in Python for the candidates only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.registry.validators import validate_latitude, validate_longitude, validate_phone

__all__ = [
    "TeamKind",
    "TeamLevel",
    "TeamStatus",
    "Team",
    "TeamMember",
    "WarehouseLevel",
    "Warehouse",
    "SupplyCategory",
    "SupplyItem",
    "Stock",
    "MovementKind",
    "StockMovement",
    "Shelter",
    "ExpertSpecialty",
    "Expert",
    "EquipmentStatus",
    "Equipment",
]


def _lat():
    return models.FloatField(_("latitude"), validators=[validate_latitude])


def _lng():
    return models.FloatField(_("longitude"), validators=[validate_longitude])


def _division():
    return models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )


def _enterprise():
    return models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("For enterprise-owned resources only."),
    )


def _phone(label=None, blank=True):
    return models.CharField(label or _("phone"), max_length=30, blank=blank, validators=[validate_phone])


def _io_permissions(name: str) -> list[tuple[str, str]]:
    return [(f"import_{name}", f"Can import {name}"), (f"export_{name}", f"Can export {name}")]


# --- teams -----------------------------------------------------------------------------------------


class TeamKind(models.TextChoices):
    FIRE_RESCUE = "fire_rescue", _("Comprehensive fire and rescue")
    HAZCHEM = "hazchem", _("Professional: hazardous chemicals")
    MINE = "mine", _("Professional: mine rescue")
    FOREST = "forest", _("Professional: forest fire")
    WATER = "water", _("Professional: water rescue")
    POWER = "power", _("Professional: power")
    MEDICAL = "medical", _("Professional: medical")
    PROFESSIONAL_OTHER = "professional", _("Professional: other")
    SOCIAL = "social", _("Social rescue force")
    ENTERPRISE = "enterprise", _("Enterprise full-time team")


class TeamLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    ENTERPRISE = "enterprise", _("Enterprise")


class TeamStatus(models.TextChoices):
    READY = "ready", _("Ready")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    RETURNING = "returning", _("Returning")
    UNAVAILABLE = "unavailable", _("Unavailable")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=TeamLevel.choices, default=TeamLevel.COUNTY)
    division = _division()
    enterprise = _enterprise()
    address = models.CharField(_("base address"), max_length=200, blank=True)
    latitude = _lat()
    longitude = _lng()
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    status = models.CharField(
        _("readiness"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.READY
    )
    status_note = models.CharField(_("status note"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = _phone(_("contact phone"))
    duty_a = models.ForeignKey(
        "resources.TeamMember",
        verbose_name=_("on duty (A)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duty_b = models.ForeignKey(
        "resources.TeamMember",
        verbose_name=_("backup (B)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")
        permissions = [*_io_permissions("team"), ("set_status_team", "Can set a team's readiness")]
        indexes = [models.Index(fields=["latitude", "longitude"], name="res_team_latlng_idx")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=50, blank=True)
    phone = _phone()
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    certificate = models.CharField(_("certificate"), max_length=100, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    certificate_expiry = models.DateField(_("certificate expiry"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="team__division", enterprise="team__enterprise")

    class Meta:
        ordering = ["team", "name", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return self.name


# --- warehouses and supplies ---------------------------------------------------------------------


class WarehouseLevel(models.TextChoices):
    CITY = "city", _("City reserve")
    COUNTY = "county", _("County reserve")
    TOWN = "town", _("Town reserve")
    VILLAGE = "village", _("Village reserve")
    ENTERPRISE = "enterprise", _("Enterprise reserve")
    AGREEMENT = "agreement", _("Agreement reserve")


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("reserve level"), max_length=12, choices=WarehouseLevel.choices)
    division = _division()
    enterprise = _enterprise()
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = _lat()
    longitude = _lng()
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    manager = models.CharField(_("manager"), max_length=50, blank=True)
    phone = _phone()
    alerted_on = models.DateField(_("stock warning sent"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        permissions = [
            *_io_permissions("warehouse"),
            ("issue_stock", "Can issue stock"),
            ("receive_stock", "Can receive and adjust stock"),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="res_wh_latlng_idx")]

    def __str__(self) -> str:
        return self.name


class SupplyCategory(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("supply category")
        verbose_name_plural = _("supply categories")

    def __str__(self) -> str:
        return self.name


class SupplyItem(models.Model):
    category = models.ForeignKey(
        SupplyCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("unit"), max_length=10)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)

    class Meta:
        ordering = ["category__order", "code"]
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")
        permissions = _io_permissions("supplyitem")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Stock(models.Model):
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="stocks"
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="stocks"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, default=0)
    minimum = models.DecimalField(_("minimum stock"), max_digits=14, decimal_places=2, default=0)
    expiry = models.DateField(_("expiry"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="warehouse__division", enterprise="warehouse__enterprise")

    class Meta:
        ordering = ["warehouse", "item__category__order", "item__code"]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        permissions = _io_permissions("stock")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="res_stock_wh_item_uniq"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="res_stock_qty_nonneg"),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="res_stock_min_nonneg"),
        ]
        indexes = [models.Index(fields=["item", "quantity"], name="res_stock_item_qty_idx")]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.item}"

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum

    def expires_within(self, days: int, today) -> bool:
        import datetime

        return self.expiry is not None and self.expiry <= today + datetime.timedelta(days=days)


class MovementKind(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Issued")
    ADJUST = "adjust", _("Adjusted")


class StockMovement(models.Model):
    stock = models.ForeignKey(
        Stock, verbose_name=_("stock"), on_delete=models.CASCADE, related_name="movements"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="movements"
    )
    item = models.ForeignKey(SupplyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=6, choices=MovementKind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, help_text=_("Signed change of the stock.")
    )
    balance = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="warehouse__division", enterprise="warehouse__enterprise")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"


# --- shelters, experts, equipment ----------------------------------------------------------------


class Shelter(models.Model):
    name = models.CharField(_("name"), max_length=100)
    division = _division()
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = _lat()
    longitude = _lng()
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    facilities = models.CharField(
        _("facilities"), max_length=300, blank=True, help_text=_("E.g. water, power, toilets, medical point.")
    )
    is_open = models.BooleanField(_("open"), default=False)
    occupancy = models.PositiveIntegerField(_("current occupancy"), default=0)
    occupancy_updated_at = models.DateTimeField(_("occupancy updated"), null=True, blank=True)
    manager = models.CharField(_("manager"), max_length=50, blank=True)
    phone = _phone()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        permissions = [
            *_io_permissions("shelter"),
            ("set_occupancy_shelter", "Can update a shelter's occupancy"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occupancy__lte=models.F("capacity")), name="res_shelter_occ_cap"
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"], name="res_shelter_latlng_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.occupancy)


class ExpertSpecialty(models.TextChoices):
    HAZCHEM = "hazchem", _("Hazardous chemicals")
    MINE = "mine", _("Mining")
    FIRE = "fire", _("Fire")
    FLOOD = "flood", _("Flood and drought")
    GEOLOGY = "geology", _("Geological hazards")
    FOREST = "forest", _("Forest fire")
    EARTHQUAKE = "earthquake", _("Earthquake")
    MEDICAL = "medical", _("Medical")
    POWER = "power", _("Power")
    CONSTRUCTION = "construction", _("Construction")
    OTHER = "other", _("Other")


class Expert(models.Model):
    name = models.CharField(_("name"), max_length=50)
    specialty = models.CharField(_("specialty"), max_length=15, choices=ExpertSpecialty.choices)
    title = models.CharField(_("title"), max_length=50, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    phone = _phone(blank=False)
    division = _division()
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        permissions = _io_permissions("expert")
        indexes = [models.Index(fields=["latitude", "longitude"], name="res_expert_latlng_idx")]

    def __str__(self) -> str:
        return self.name


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    IN_USE = "in_use", _("In use")
    MAINTENANCE = "maintenance", _("Under maintenance")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class Equipment(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=50, help_text=_("E.g. excavator, crane, drainage truck, generator truck.")
    )
    model = models.CharField(_("model"), max_length=100, blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment",
    )
    division = _division()
    enterprise = _enterprise()
    address = models.CharField(_("location"), max_length=200, blank=True)
    latitude = _lat()
    longitude = _lng()
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    status = models.CharField(
        _("status"), max_length=15, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE
    )
    contact_phone = _phone(_("contact phone"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="enterprise")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("key equipment")
        verbose_name_plural = _("key equipment")
        permissions = _io_permissions("equipment")
        indexes = [models.Index(fields=["latitude", "longitude"], name="res_equip_latlng_idx")]

    def __str__(self) -> str:
        return self.name
