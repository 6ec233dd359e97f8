"""Use cases that change enterprises. Views, the API and imports all come through here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import audit
from yingji.registry.models import Enterprise

EDITABLE_FIELDS = [
    "name",
    "uscc",
    "industry",
    "scale",
    "division",
    "address",
    "longitude",
    "latitude",
    "legal_representative",
    "main_person",
    "main_person_phone",
    "safety_manager",
    "safety_manager_phone",
    "employees",
    "hazchem_production",
    "hazchem_business",
    "hazchem_use",
    "major_hazard_source",
    "key_process",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "metallurgy",
    "metal_smelting",
    "small_micro",
    "standardization",
    "liability_insured",
    "status",
]


def check_in_scope(enterprise: Enterprise, actor) -> None:
    """An actor may only place an enterprise inside their own jurisdiction."""
    prefix = actor.scope_prefix
    if prefix is None or not enterprise.division_id or not enterprise.division_id.startswith(prefix):
        raise ValidationError({"division": _("This division is outside your jurisdiction.")})


def _save(enterprise: Enterprise, actor) -> Enterprise:
    enterprise.uscc = (enterprise.uscc or "").strip().upper()
    enterprise.full_clean()
    check_in_scope(enterprise, actor)
    with audit.acting_as(actor, audit.current_actor().ip):
        enterprise.save()
    return enterprise


@transaction.atomic
def create_enterprise(*, actor, **fields) -> Enterprise:
    return _save(Enterprise(**fields), actor)


@transaction.atomic
def update_enterprise(enterprise: Enterprise, *, actor, **fields) -> Enterprise:
    if actor.is_enterprise_user and "division" in fields and fields["division"] != enterprise.division:
        raise ValidationError({"division": _("An enterprise user cannot move the enterprise.")})
    for name, value in fields.items():
        setattr(enterprise, name, value)
    return _save(enterprise, actor)


@transaction.atomic
def delete_enterprise(enterprise: Enterprise, *, actor) -> None:
    if enterprise.users.exists():
        raise ValidationError(_("The enterprise still has user accounts; remove them first."))
    with audit.acting_as(actor, audit.current_actor().ip):
        enterprise.delete()
