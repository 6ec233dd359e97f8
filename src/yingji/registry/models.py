from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.identifiers import mask_phone
from yingji.core.scoping import Scope, ScopedQuerySet
from yingji.registry import industries
from yingji.registry.validators import validate_latitude, validate_longitude, validate_phone, validate_uscc


class Scale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class StandardizationLevel(models.TextChoices):
    NONE = "none", _("Not graded")
    LEVEL1 = "level1", _("Level 1")
    LEVEL2 = "level2", _("Level 2")
    LEVEL3 = "level3", _("Level 3")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# Supervision flags (监管类别): field name -> label. One boolean column each, so every flag filters.
SUPERVISION_FLAGS = {
    "hazchem_production": _("Hazardous chemicals: production"),
    "hazchem_business": _("Hazardous chemicals: trading"),
    "hazchem_use": _("Hazardous chemicals: use"),
    "major_hazard_source": _("Major hazard source"),
    "key_process": _("Key supervised process"),
    "dust_explosion": _("Combustible dust"),
    "ammonia_refrigeration": _("Ammonia refrigeration"),
    "confined_space": _("Confined spaces"),
    "metallurgy": _("Metallurgy"),
    "metal_smelting": _("Metal smelting"),
    "small_micro": _("Small or micro enterprise"),
}


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    industry = models.CharField(
        _("industry"),
        max_length=4,
        choices=industries.CHOICES,
        db_index=True,
        help_text=_("GB/T 4754-2017 industry category."),
    )
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.SMALL)
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    division = models.ForeignKey(
        "core.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="enterprises"
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    main_person = models.CharField(_("main responsible person"), max_length=50, blank=True)
    main_person_phone = models.CharField(
        _("main responsible person's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    safety_manager = models.CharField(_("safety manager"), max_length=50, blank=True)
    safety_manager_phone = models.CharField(
        _("safety manager's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    hazchem_production = models.BooleanField(SUPERVISION_FLAGS["hazchem_production"], default=False)
    hazchem_business = models.BooleanField(SUPERVISION_FLAGS["hazchem_business"], default=False)
    hazchem_use = models.BooleanField(SUPERVISION_FLAGS["hazchem_use"], default=False)
    major_hazard_source = models.BooleanField(SUPERVISION_FLAGS["major_hazard_source"], default=False)
    key_process = models.BooleanField(SUPERVISION_FLAGS["key_process"], default=False)
    dust_explosion = models.BooleanField(SUPERVISION_FLAGS["dust_explosion"], default=False)
    ammonia_refrigeration = models.BooleanField(SUPERVISION_FLAGS["ammonia_refrigeration"], default=False)
    confined_space = models.BooleanField(SUPERVISION_FLAGS["confined_space"], default=False)
    metallurgy = models.BooleanField(SUPERVISION_FLAGS["metallurgy"], default=False)
    metal_smelting = models.BooleanField(SUPERVISION_FLAGS["metal_smelting"], default=False)
    small_micro = models.BooleanField(SUPERVISION_FLAGS["small_micro"], default=False)

    standardization = models.CharField(
        _("standardization level"),
        max_length=10,
        choices=StandardizationLevel.choices,
        default=StandardizationLevel.NONE,
    )
    liability_insured = models.BooleanField(_("work-safety liability insurance"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(division="division", enterprise="pk")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [
            ("import_enterprise", "Can import enterprises"),
            ("export_enterprise", "Can export enterprises"),
        ]
        indexes = [
            models.Index(fields=["division", "name"], name="ent_division_name_idx"),
            # The default order (name, id) with every column the scope and ?q= test, so pages walk
            # the index and skipped or non-matching rows are never read (docs/benchmarks.md).
            models.Index(fields=["name", "id", "division", "address", "uscc"], name="ent_list_idx"),
            # status=… in the default order, and its COUNT(*) from the index alone.
            models.Index(fields=["status", "name", "id", "division"], name="ent_status_name_idx"),
            models.Index(fields=["updated_at"], name="ent_updated_idx"),  # sort=-updated_at
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def flags(self) -> list[str]:
        return [str(label) for name, label in SUPERVISION_FLAGS.items() if getattr(self, name)]

    @property
    def masked_main_person_phone(self) -> str:
        return mask_phone(self.main_person_phone)

    @property
    def masked_safety_manager_phone(self) -> str:
        return mask_phone(self.safety_manager_phone)

    @property
    def has_location(self) -> bool:
        return self.longitude is not None and self.latitude is not None


from yingji.registry.models_sources import *  # noqa: E402, F401, F403
