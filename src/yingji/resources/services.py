"""Changes to emergency resources, one function per action (actor keyword-only, atomic, validated),
and the nearest-resource search.

Stock never goes negative: an issue is one conditional `UPDATE ... SET quantity = quantity - q WHERE
quantity >= q` (PostgreSQL re-checks the condition after a concurrent writer commits), with a CHECK
constraint behind it.
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.resources import rules
from yingji.resources.models import (
    Equipment,
    Expert,
    Shelter,
    Stock,
    StockMovement,
    SupplyCategory,
    SupplyItem,
    Team,
    TeamMember,
    Warehouse,
)

CATALOGUE_CSV = Path(__file__).parent / "data" / "supply_catalogue.csv"
MODELS: dict[str, Any] = {
    "team": Team,
    "warehouse": Warehouse,
    "shelter": Shelter,
    "expert": Expert,
    "equipment": Equipment,
}
START_RADIUS_KM = 3.0
STAFF_ROLES = ("bureau_admin", "bureau_staff", "town_official", "village_official")


# --- catalogue -------------------------------------------------------------------------------------


def load_catalogue(path: Path = CATALOGUE_CSV) -> int:
    """Create the shipped supply categories and items that are missing (by code); returns how many
    items were added. Existing rows are left as the bureau edited them."""
    with transaction.atomic(), path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        categories: dict[str, SupplyCategory] = {c.code: c for c in SupplyCategory.objects.all()}
        missing = {}
        for row in rows:
            if row["category_code"] not in categories and row["category_code"] not in missing:
                missing[row["category_code"]] = SupplyCategory(
                    code=row["category_code"], name=row["category_name"], order=int(row["category_order"])
                )
        # Shipped data: bulk writes (no per-row audit records), like the division list.
        SupplyCategory.objects.bulk_create(missing.values())
        categories = {c.code: c for c in SupplyCategory.objects.all()}
        known = set(SupplyItem.objects.values_list("code", flat=True))
        new_items = [
            SupplyItem(
                category=categories[row["category_code"]],
                code=row["item_code"],
                name=row["item_name"],
                unit=row["unit"],
                spec=row["spec"],
                shelf_life_days=int(row["shelf_life_days"]) if row["shelf_life_days"] else None,
            )
            for row in rows
            if row["item_code"] not in known
        ]
        SupplyItem.objects.bulk_create(new_items)
        added = len(new_items)
    return added


def save_catalogue_item(*, actor, item: SupplyItem) -> SupplyItem:
    """Add or change a supply item of the catalogue (shared by every division)."""
    with transaction.atomic():
        item.full_clean()
        item.save()
    return item


def delete_catalogue_item(*, actor, item: SupplyItem) -> None:
    with transaction.atomic():
        if item.stocks.exists():
            raise ValidationError(_("Warehouses hold this item; it cannot be removed from the catalogue."))
        item.delete()


# --- generic create / update / delete --------------------------------------------------------------


def _division_code(obj) -> str | None:
    if isinstance(obj, TeamMember):
        return obj.team.division_id if obj.team_id else None
    if isinstance(obj, Stock | StockMovement):
        return obj.warehouse.division_id if obj.warehouse_id else None
    return getattr(obj, "division_id", None)


def check_scope(actor, obj) -> None:
    """ValidationError unless `obj` lies inside the actor's jurisdiction (None actor: the command line)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "is_enterprise_user", False):
        owner = getattr(obj, "enterprise_id", None)
        if owner is None or owner != actor.enterprise_id:
            raise ValidationError(
                {
                    "division": ValidationError(
                        _("This is outside your jurisdiction."), code="outside_jurisdiction"
                    )
                }
            )
        return
    prefix = actor.scope_prefix
    code = _division_code(obj)
    if prefix is None or (code is not None and not code.startswith(prefix)):
        raise ValidationError(
            {
                "division": ValidationError(
                    _("This is outside your jurisdiction."), code="outside_jurisdiction"
                )
            }
        )


def save_resource(*, actor, obj):
    """Create or update a team, member, warehouse, shelter, expert or equipment after full validation."""
    with transaction.atomic():
        check_scope(actor, obj)
        if isinstance(obj, Team) and obj.pk:
            for field in ("duty_a", "duty_b"):
                member = getattr(obj, field)
                if member is not None and member.team_id != obj.pk:
                    raise ValidationError(
                        {field: ValidationError(_("Choose a member of this team."), code="not_member")}
                    )
        if isinstance(obj, Shelter):
            problem = rules.shelter_occupancy_problem(obj.occupancy, obj.capacity, obj.is_open)
            if problem:
                raise ValidationError(
                    {"occupancy": ValidationError(_occupancy_message(problem), code=problem)}
                )
        obj.full_clean()
        obj.save()
        if isinstance(obj, TeamMember):
            _count_members(obj.team_id)
    return obj


def delete_resource(*, actor, obj) -> None:
    with transaction.atomic():
        check_scope(actor, obj)
        if isinstance(obj, Shelter) and obj.occupancy:
            raise ValidationError(_("People are staying in this shelter; record them leaving first."))
        if isinstance(obj, Warehouse) and obj.stocks.filter(quantity__gt=0).exists():
            raise ValidationError(_("The warehouse still holds stock; issue or adjust it to zero first."))
        team_id = obj.team_id if isinstance(obj, TeamMember) else None
        obj.delete()
        if team_id:
            _count_members(team_id)


def _count_members(team_id: int) -> None:
    Team.objects.filter(pk=team_id).update(headcount=TeamMember.objects.filter(team_id=team_id).count())


# --- teams and shelters ----------------------------------------------------------------------------


def set_team_status(*, actor, team: Team, status: str, note: str = "") -> Team:
    """Set a team's readiness (ready | dispatched | on_scene | returning | unavailable)."""
    if status not in rules.TEAM_STATUSES:
        raise ValidationError({"status": ValidationError(_("Unknown status."), code="invalid_choice")})
    with transaction.atomic():
        check_scope(actor, team)
        team.status = status
        team.status_note = (note or "")[:200]
        team.status_changed_at = timezone.now()
        team.save(update_fields=["status", "status_note", "status_changed_at", "updated_at"])
    return team


def _occupancy_message(problem: str) -> str:
    return {
        "negative": _("The occupancy cannot be negative."),
        "shelter_closed": _("The shelter is closed; open it before recording people in it."),
        "above_capacity": _("The occupancy is above the shelter's capacity."),
    }[problem]


def set_shelter_occupancy(*, actor, shelter: Shelter, occupancy: int) -> Shelter:
    """Record how many people are in a shelter; refused above capacity or while it is closed."""
    try:
        occupancy = int(occupancy)
    except (TypeError, ValueError):
        raise ValidationError(
            {"occupancy": ValidationError(_("Enter a whole number."), code="invalid")}
        ) from None
    with transaction.atomic():
        check_scope(actor, shelter)
        current = Shelter.objects.select_for_update().get(pk=shelter.pk)
        problem = rules.shelter_occupancy_problem(occupancy, current.capacity, current.is_open)
        if problem:
            raise ValidationError({"occupancy": ValidationError(_occupancy_message(problem), code=problem)})
        current.occupancy = occupancy
        current.occupancy_updated_at = timezone.now()
        current.save(update_fields=["occupancy", "occupancy_updated_at", "updated_at"])
    shelter.occupancy, shelter.occupancy_updated_at = current.occupancy, current.occupancy_updated_at
    return shelter


def set_shelter_open(*, actor, shelter: Shelter, is_open: bool) -> Shelter:
    """Open or close a shelter; it can be closed only when nobody is in it."""
    with transaction.atomic():
        check_scope(actor, shelter)
        current = Shelter.objects.select_for_update().get(pk=shelter.pk)
        if not is_open and current.occupancy:
            raise ValidationError(
                {
                    "is_open": ValidationError(
                        _("People are staying in this shelter; record them leaving first."), code="occupied"
                    )
                }
            )
        current.is_open = bool(is_open)
        current.save(update_fields=["is_open", "updated_at"])
    shelter.is_open = current.is_open
    return shelter


# --- stock -----------------------------------------------------------------------------------------


def _quantity(value, *, allow_zero: bool = False) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"quantity": ValidationError(_("Enter a number."), code="invalid")}) from None
    if not quantity.is_finite():
        raise ValidationError({"quantity": ValidationError(_("Enter a number."), code="invalid")})
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationError(
            {"quantity": ValidationError(_("The quantity must be greater than zero."), code="not_positive")}
        )
    if quantity != quantity.quantize(Decimal("0.01")) or quantity >= Decimal("1e12"):
        raise ValidationError(
            {
                "quantity": ValidationError(
                    _("Use at most two decimals and fewer than 12 digits."), code="invalid"
                )
            }
        )
    return quantity


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give a reason."), code="required")})
    return reason[:200]


def _movement(
    stock: Stock, *, kind: str, delta: Decimal, actor, reason: str, reference: str
) -> StockMovement:
    balance = Stock.objects.filter(pk=stock.pk).values_list("quantity", flat=True).get()
    stock.quantity = balance
    return StockMovement.objects.create(
        stock=stock,
        warehouse_id=stock.warehouse_id,
        item_id=stock.item_id,
        kind=kind,
        quantity=delta,
        balance=balance,
        reason=reason,
        reference=(reference or "")[:100],
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
    )


def _find_stock(stock_id=None, warehouse=None, item=None) -> Stock:
    queryset = Stock.objects.select_related("warehouse", "item")
    try:
        if stock_id is not None:
            return queryset.get(pk=stock_id)
        if warehouse is not None and item is not None:
            return queryset.get(warehouse=warehouse, item=item)
    except (Stock.DoesNotExist, ValueError, TypeError):
        pass
    raise ValidationError({"item": ValidationError(_("This warehouse holds no such item."), code="no_stock")})


def issue_stock(
    *,
    actor,
    quantity,
    reason: str,
    reference: str = "",
    stock_id: int | None = None,
    warehouse: Warehouse | None = None,
    item: SupplyItem | None = None,
) -> StockMovement:
    """Issue `quantity` of a stock line (by `stock_id`, or `warehouse` + `item`); refused above stock."""
    amount = _quantity(quantity)
    reason = _reason(reason)
    with transaction.atomic():
        stock = _find_stock(stock_id, warehouse, item)
        check_scope(actor, stock)
        taken = Stock.objects.filter(pk=stock.pk, quantity__gte=amount).update(
            quantity=F("quantity") - amount, updated_at=timezone.now()
        )
        if not taken:
            available = Stock.objects.filter(pk=stock.pk).values_list("quantity", flat=True).get()
            raise ValidationError(
                {
                    "quantity": ValidationError(
                        _("Only {available} {unit} in stock.").format(
                            available=available.normalize(), unit=stock.item.unit
                        ),
                        code="above_stock",
                    )
                }
            )
        return _movement(stock, kind="out", delta=-amount, actor=actor, reason=reason, reference=reference)


def receive_stock(
    *,
    actor,
    warehouse: Warehouse,
    item: SupplyItem,
    quantity,
    reason: str,
    reference: str = "",
    expiry: datetime.date | None = None,
    minimum=None,
) -> StockMovement:
    """Receive `quantity` of `item` into `warehouse` (creating the stock line); `expiry` replaces the
    line's expiry when given (the earliest batch is what matters), `minimum` its minimum stock."""
    amount = _quantity(quantity)
    reason = _reason(reason)
    minimum_value = None
    if minimum not in (None, ""):
        try:
            minimum_value = _quantity(minimum, allow_zero=True)
        except ValidationError:
            raise ValidationError(
                {"minimum": ValidationError(_("Enter a number of zero or more."), code="invalid")}
            ) from None
    if expiry is not None and not isinstance(expiry, datetime.date):
        raise ValidationError(
            {"expiry": ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date")}
        )
    with transaction.atomic():
        check_scope(actor, warehouse)
        stock, _created = Stock.objects.get_or_create(warehouse=warehouse, item=item)
        changes: dict[str, Any] = {"quantity": F("quantity") + amount, "updated_at": timezone.now()}
        if expiry is not None:
            changes["expiry"] = expiry
        if minimum_value is not None:
            changes["minimum"] = minimum_value
        Stock.objects.filter(pk=stock.pk).update(**changes)
        stock.refresh_from_db()
        return _movement(stock, kind="in", delta=amount, actor=actor, reason=reason, reference=reference)


def adjust_stock(*, actor, stock: Stock, quantity, reason: str, reference: str = "") -> StockMovement:
    """Set a stock line to a counted quantity (a stocktake); the movement holds the difference."""
    counted = _quantity(quantity, allow_zero=True)
    reason = _reason(reason)
    with transaction.atomic():
        check_scope(actor, stock)
        current = Stock.objects.select_for_update().get(pk=stock.pk)
        delta = rules.movement_delta("adjust", counted, current.quantity)
        Stock.objects.filter(pk=stock.pk).update(quantity=counted, updated_at=timezone.now())
        return _movement(current, kind="adjust", delta=delta, actor=actor, reason=reason, reference=reference)


def update_stock_settings(*, actor, stock: Stock, minimum, expiry: datetime.date | None) -> Stock:
    """Change a stock line's minimum and expiry (not its quantity: that moves only through movements)."""
    try:
        minimum_value = _quantity(minimum, allow_zero=True)
    except ValidationError:
        raise ValidationError(
            {"minimum": ValidationError(_("Enter a number of zero or more."), code="invalid")}
        ) from None
    with transaction.atomic():
        check_scope(actor, stock)
        Stock.objects.filter(pk=stock.pk).update(
            minimum=minimum_value, expiry=expiry, updated_at=timezone.now()
        )
        stock.refresh_from_db()
    return stock


def flagged_stock(queryset, *, today: datetime.date, days: int = rules.DEFAULT_EXPIRY_DAYS, flag: str = ""):
    """Stock lines below their minimum and/or expiring within `days` (flag: below_minimum | expiring | '')."""
    below = Q(quantity__lt=F("minimum"))
    expiring = Q(expiry__isnull=False, expiry__lte=rules.expiry_limit(today, days), quantity__gt=0)
    if flag == "below_minimum":
        return queryset.filter(below)
    if flag == "expiring":
        return queryset.filter(expiring)
    return queryset.filter(below | expiring)


def _recipients(division_code: str) -> list:
    """Active staff users of the division, else of the nearest division above that has any."""
    from yingji.accounts.models import User
    from yingji.core.divisions import parent_code_of

    code: str | None = division_code
    while code:
        users = list(User.objects.filter(is_active=True, division_id=code, role__in=STAFF_ROLES))
        if users:
            return users
        code = parent_code_of(code)
    return []


def notify_stock_warnings(
    *, today: datetime.date | None = None, days: int = rules.DEFAULT_EXPIRY_DAYS
) -> int:
    """Tell each warehouse's division staff about its stock below minimum or expiring within `days`;
    once per warehouse per day (a conditional update of `alerted_on` claims the day). Returns the
    number of warehouses notified."""
    from yingji.messaging import services as messaging

    today = today or timezone.localdate()
    flagged = flagged_stock(Stock.objects.all(), today=today, days=days)
    warehouse_ids = sorted(set(flagged.values_list("warehouse_id", flat=True)))
    notified = 0
    for warehouse in Warehouse.objects.filter(pk__in=warehouse_ids).filter(
        Q(alerted_on__isnull=True) | Q(alerted_on__lt=today)
    ):
        with transaction.atomic():
            claimed = (
                Warehouse.objects.filter(pk=warehouse.pk)
                .filter(Q(alerted_on__isnull=True) | Q(alerted_on__lt=today))
                .update(alerted_on=today)
            )
            if not claimed:
                continue
            lines = list(flagged.filter(warehouse=warehouse).select_related("item"))
            text_lines = []
            for stock in lines:
                flags = rules.stock_flags(stock.quantity, stock.minimum, stock.expiry, today, days)
                parts = []
                if "below_minimum" in flags:
                    parts.append(
                        _("{quantity} below the minimum {minimum}").format(
                            quantity=stock.quantity.normalize(), minimum=stock.minimum.normalize()
                        )
                    )
                if "expired" in flags or "expiring" in flags:
                    parts.append(_("expires {date}").format(date=stock.expiry))
                text_lines.append(f"{stock.item.name} ({stock.item.unit}): " + "; ".join(parts))
            recipients = _recipients(warehouse.division_id)
            if recipients:
                messaging.send(
                    recipients,
                    "notice",
                    {
                        "subject": _("Stock warning: {warehouse}").format(warehouse=warehouse.name),
                        "text": "\n".join(text_lines),
                    },
                )
            notified += 1
    return notified


# --- nearest ---------------------------------------------------------------------------------------


def nearest(
    *,
    user,
    kind: str,
    latitude,
    longitude,
    limit: int = 10,
    item: SupplyItem | int | None = None,
    min_free: int | None = None,
    status: str | None = None,
) -> list[dict]:
    """The `limit` resources of `kind` the user may see nearest to the point, nearest first:
    [{"object", "distance_km", "eta_minutes"}]. `item`: warehouses holding that supply item;
    `min_free`: open shelters with at least that many free places; `status`: teams/equipment in it.

    A box on the (latitude, longitude) index prefilters candidates; it grows until it holds `limit`
    candidates and the farthest kept one lies inside it, so the answer is exact."""
    errors: dict[str, str] = {}
    if kind not in rules.KINDS:
        errors["kind"] = _("Choose team, warehouse, shelter, expert or equipment.")
    try:
        lat = float(latitude)
        lng = float(longitude)
    except (TypeError, ValueError):
        lat = lng = float("nan")
    for field, code in rules.coordinate_problems(lat, lng).items():
        errors[field] = {
            "required": _("Enter a number."),
            "out_of_range": _("The coordinate is out of range."),
            "outside_china": _("The point lies outside China."),
        }[code]
    if not isinstance(limit, int) or not 1 <= limit <= rules.MAX_LIMIT:
        errors["limit"] = _("Between 1 and {max}.").format(max=rules.MAX_LIMIT)
    if min_free is not None and (not isinstance(min_free, int) or min_free < 0):
        errors["min_free"] = _("Enter a whole number of zero or more.")
    if errors:
        raise ValidationError(errors)

    model = MODELS[kind]
    queryset = model.objects.for_user(user)
    if kind == "warehouse" and item is not None:
        queryset = queryset.filter(stocks__item=item, stocks__quantity__gt=0)
    if kind == "shelter" and min_free is not None:
        queryset = queryset.filter(is_open=True, capacity__gte=F("occupancy") + min_free)
    if status and kind in ("team", "equipment"):
        queryset = queryset.filter(status=status)

    key = (
        kind,
        getattr(user, "pk", None),
        getattr(user, "scope_prefix", None),
        getattr(user, "enterprise_id", None),
        getattr(item, "pk", item),
        min_free,
        status,
        queryset.db,
    )
    box_candidates = _BOX_QUERIES.get(key)
    if box_candidates is None:
        if len(_BOX_QUERIES) >= 512:
            _BOX_QUERIES.clear()
        box_candidates = _BOX_QUERIES[key] = _box_query(queryset)
    radius = START_RADIUS_KM
    while True:
        box = rules.bounding_box(lat, lng, radius)
        ranked = rules.rank(box_candidates(box), lat, lng, limit)
        if rules.search_complete(ranked, limit, radius) or rules.box_covers_china(box):
            break
        radius = rules.next_radius(radius, ranked, limit)

    found = (
        model.objects.select_related("division").defer("division__outline").in_bulk([pk for _d, pk in ranked])
    )
    return [
        {"object": found[pk], "distance_km": round(distance, 3), "eta_minutes": rules.eta_minutes(distance)}
        for distance, pk in ranked
        if pk in found
    ]


_BOX_QUERIES: dict[tuple, Any] = {}  # compiled box queries by kind, user scope and filters
BOX_SENTINELS = (-1001.25, -1002.25, -1003.25, -1004.25)  # impossible coordinates, replaced per box


def _box_query(queryset):
    """A function box -> [(pk, lat, lng)] of the queryset's rows inside the box. The SQL is compiled
    once (the ORM's compilation costs more than the indexed query itself) and run again per box with
    the box's bounds in place of sentinel parameters; no ORDER BY (the ranking is done in Python)."""
    low_lat, high_lat, low_lng, high_lng = BOX_SENTINELS
    query = (
        queryset.filter(
            latitude__gte=low_lat, latitude__lte=high_lat, longitude__gte=low_lng, longitude__lte=high_lng
        )
        .order_by()
        .values_list("pk", "latitude", "longitude")
    )
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # e.g. a user who may see nothing: for_user() gave .none()
        return lambda box: []
    params = list(params)
    if not all(params.count(value) == 1 for value in BOX_SENTINELS):  # never expected: fall back to the ORM

        def run_orm(box: tuple[float, float, float, float]) -> list:
            return list(
                queryset.filter(
                    latitude__gte=box[0], latitude__lte=box[1], longitude__gte=box[2], longitude__lte=box[3]
                )
                .order_by()
                .values_list("pk", "latitude", "longitude")
            )

        return run_orm
    positions = [params.index(value) for value in BOX_SENTINELS]
    connection = connections[query.db]

    def run(box: tuple[float, float, float, float]) -> list:
        values = list(params)
        for position, bound in zip(positions, box, strict=True):
            values[position] = bound
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()

    return run
