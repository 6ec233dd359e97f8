"""The one map (一图): the registry of layers and their queries.

Each layer reads its model through `Model.objects.for_user(user)` only and is offered only to users
holding the layer's view permission. Layers of apps whose models do not exist (yet) are left out.

A point layer answers a viewport (`bbox`, `zoom`) with either every point (at most
`rules_onemap.POINT_LIMIT`, one query) or, above that, server-side grid clusters computed by the
database in one grouped query (`COUNT`, mean position and the worst colour per cell), so the browser
never receives 100,000 markers. The warnings layer answers the areas of active warnings as GeoJSON
(CAP polygons and circles, else the outlines of the divisions they name).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from yingji.core.models import Division
from yingji.dashboard import rules_onemap as rules

# Four colours (red / orange / yellow / blue) and a few others, as in static/yingji/map.js.
RED, ORANGE, YELLOW, BLUE, GREY = "#d63939", "#f76707", "#f59f00", "#206bc4", "#94a3b8"
GREEN, TEAL, PURPLE, AZURE, PINK = "#2fb344", "#0ca678", "#ae3ec9", "#4299e1", "#d6336c"
WITHIN_LIMIT = 200  # items listed per layer by the radius/polygon tool (nearest first)


class _Cell(Func):
    """floor(expression) as an integer: the grid cell index (the argument is never negative)."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(FLOOR(%(expressions)s) AS BIGINT)", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite's CAST truncates toward zero: floor for the non-negative values the grid makes.
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra)


def _display(obj, name: str):
    """(label, value) of a model field for a card, or None when the model has no such field or it is empty."""
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    value = getattr(obj, name, None)
    if value is None or value == "":
        return None
    if getattr(model_field, "choices", None):
        value = getattr(obj, f"get_{name}_display")()
    elif isinstance(value, bool):
        value = _("Yes") if value else _("No")
    elif isinstance(value, datetime.datetime):
        value = date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    elif isinstance(value, datetime.date):
        value = date_format(value, "SHORT_DATE_FORMAT")
    return str(model_field.verbose_name), str(value)


@dataclass(frozen=True)
class PointLayer:
    key: str
    label: Any  # lazy translation
    model_label: str  # "app_label.ModelName"
    permission: str
    detail_url: str  # URL name taking the pk
    lng: Any  # field path or expression
    lat: Any
    name: Any  # field path or expression: the marker's title
    colour: Any = None  # expression or field path giving the colour key; None = one colour
    colours: tuple[tuple[str, str, Any], ...] = ()  # (key, hex colour, label), worst first
    default_colour: str = RED
    filters: Callable[[], Q] | None = None
    card_fields: tuple[str, ...] = ()
    card_extra: Callable[[Any], list[tuple[str, str]]] | None = None
    select_related: tuple[str, ...] = ()
    # Clusters rank on this raw field when given (cheaper than the colour expression); values outside
    # the colour keys rank as the last colour.
    rank_field: str | None = None
    kind: str = field(default="points", init=False)

    def model(self):
        try:
            return apps.get_model(self.model_label)
        except (LookupError, ValueError):
            return None

    def available_to(self, user) -> bool:
        model = self.model()
        return model is not None and user.has_perm(self.permission)

    def scoped(self, user):
        model = self.model()
        queryset = model.objects.for_user(user)
        if self.filters is not None:
            queryset = queryset.filter(self.filters())
        return queryset

    def located(self, user):
        """The scoped rows that have a position, annotated `_lng`, `_lat`, `_key`, `_name`."""
        lng = F(self.lng) if isinstance(self.lng, str) else self.lng
        lat = F(self.lat) if isinstance(self.lat, str) else self.lat
        colour = self.colour
        key = (
            Value("", output_field=CharField())
            if colour is None
            else F(colour)
            if isinstance(colour, str)
            else colour
        )
        name = F(self.name) if isinstance(self.name, str) else self.name
        return (
            self.scoped(user)
            .annotate(_lng=lng, _lat=lat, _key=key, _name=name)
            .filter(_lng__isnull=False, _lat__isnull=False)
            .order_by()
        )

    def in_box(self, queryset, box: rules.BBox):
        if box == rules.WORLD:
            return queryset
        return queryset.filter(
            _lng__gte=box.west, _lng__lte=box.east, _lat__gte=box.south, _lat__lte=box.north
        )

    def rank(self):
        """The colour key's rank (0 = worst), for the worst colour of a cluster."""
        if not self.colours:
            return Value(0)
        if self.rank_field:
            last = len(self.colours) - 1
            ranks = [
                When(**{self.rank_field: k}, then=Value(i))
                for i, (k, _c, _l) in enumerate(self.colours[:last])
            ]
            return Case(*ranks, default=Value(last), output_field=IntegerField())
        whens = [When(_key=k, then=Value(i)) for i, (k, _c, _l) in enumerate(self.colours)]
        return Case(*whens, default=Value(len(self.colours)), output_field=IntegerField())

    def colour_of(self, key: str | None) -> str:
        for k, colour, _label in self.colours:
            if k == key:
                return colour
        return self.default_colour

    def legend(self) -> list[dict]:
        return [{"key": k, "colour": c, "label": str(label)} for k, c, label in self.colours]

    def count(self, user) -> int:
        return self.located(user).count()

    def data(self, user, box: rules.BBox, zoom: int) -> dict:
        """Points (one query) or, above POINT_LIMIT in the viewport, grid clusters (one more query)."""
        queryset = self.in_box(self.located(user), box)
        rows = list(queryset.values_list("pk", "_lng", "_lat", "_key", "_name")[: rules.POINT_LIMIT + 1])
        if len(rows) <= rules.POINT_LIMIT:
            return {
                "layer": self.key,
                "mode": "points",
                "total": len(rows),
                "points": [
                    [pk, round(x, 6), round(y, 6), key or "", str(name or "")] for pk, x, y, key, name in rows
                ],
            }
        middle = 0.0 if box == rules.WORLD else (box.south + box.north) / 2
        size = rules.cell_size(zoom, middle)
        cell_x = _Cell((F("_lng") + Value(180.0)) / Value(size[0], output_field=FloatField()))
        cell_y = _Cell((F("_lat") + Value(90.0)) / Value(size[1], output_field=FloatField()))
        # One integer per cell (x * 2^26 + y; y < 2^26 at every zoom): one sort key for the GROUP BY.
        cell = ExpressionWrapper(cell_x * Value(2**26) + cell_y, output_field=BigIntegerField())
        grouped = (
            queryset.values(cell=cell)
            .annotate(n=Count("pk"), mx=Avg("_lng"), my=Avg("_lat"), worst=Min(self.rank()))
            .values_list("mx", "my", "n", "worst")
        )
        keys = [k for k, _c, _l in self.colours]
        clusters = []
        total = 0
        for x, y, n, worst in grouped:
            total += n
            key = keys[worst] if worst is not None and worst < len(keys) else ""
            clusters.append([round(x, 6), round(y, 6), n, key])
        return {
            "layer": self.key,
            "mode": "clusters",
            "total": total,
            "cell": list(size),
            "clusters": clusters,
        }

    def card(self, user, pk: int) -> dict | None:
        obj = self.scoped(user).select_related(*self.select_related).filter(pk=pk).first()
        if obj is None:
            return None
        figures = [pair for pair in (_display(obj, name) for name in self.card_fields) if pair]
        if self.card_extra is not None:
            figures = self.card_extra(obj) + figures
        return {
            "layer": self.key,
            "id": obj.pk,
            "name": str(obj),
            "url": detail_url(self.detail_url, obj.pk),
            "figures": [{"label": label, "value": value} for label, value in figures],
        }

    def within(self, user, shape) -> dict:
        centre = shape.centre
        candidates = self.in_box(self.located(user), shape.bbox()).values_list(
            "pk", "_lng", "_lat", "_key", "_name"
        )
        items = [
            {
                "id": pk,
                "name": str(name or ""),
                "lng": round(x, 6),
                "lat": round(y, 6),
                "key": key or "",
                "distance_m": rules.distance_from(centre, x, y),
            }
            for pk, x, y, key, name in candidates.iterator(chunk_size=2000)
            if shape.contains(x, y)
        ]
        items.sort(key=lambda item: (item["distance_m"], item["id"]))
        for item in items[:WITHIN_LIMIT]:
            item["url"] = detail_url(self.detail_url, item["id"])
        return {
            "layer": self.key,
            "label": str(self.label),
            "count": len(items),
            "items": items[:WITHIN_LIMIT],
        }


def detail_url(name: str, pk) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


# -- the warnings layer (areas, not points) ---------------------------------------------------------

WARNING_COLOURS = {"red": RED, "orange": ORANGE, "yellow": YELLOW, "blue": BLUE}


@dataclass(frozen=True)
class WarningLayer:
    key: str = "warnings"
    label: Any = gettext_lazy("Active warnings")
    model_label: str = "alerts.Warning"
    permission: str = "alerts.view_warning"
    detail_url: str = "alerts:warning_detail"
    kind: str = "areas"

    def model(self):
        try:
            return apps.get_model(self.model_label)
        except LookupError:
            return None

    def available_to(self, user) -> bool:
        return self.model() is not None and user.has_perm(self.permission)

    def scoped(self, user):
        now = timezone.now()
        return (
            self.model()
            .objects.for_user(user)
            .filter(status__in=("issued", "updated"))
            .filter(Q(expires__isnull=True) | Q(expires__gt=now))
        )

    def legend(self) -> list[dict]:
        from yingji.alerts.models import Level

        return [
            {"key": value, "colour": WARNING_COLOURS[value], "label": str(label)}
            for value, label in reversed(Level.choices)
        ]

    def colour_of(self, key: str | None) -> str:
        return WARNING_COLOURS.get(key or "", BLUE)

    def count(self, user) -> int:
        return self.scoped(user).count()

    def _areas(self, user) -> list[tuple[Any, list[dict]]]:
        """(warning, [GeoJSON geometry or {"circle": [lng, lat, radius_m]}, ...]) per active warning."""
        warnings = list(
            self.scoped(user).order_by("-issued_at", "-id").prefetch_related("areas__divisions")[:200]
        )
        result = []
        for warning in warnings:
            shapes: list[dict] = []
            for area in warning.areas.all():
                drawn = False
                for polygon in area.polygons or []:
                    ring = [[float(p[1]), float(p[0])] for p in polygon if len(p) >= 2]
                    if len(ring) >= 3:
                        shapes.append({"type": "Polygon", "coordinates": [ring]})
                        drawn = True
                for circle in area.circles or []:
                    if len(circle) >= 3:
                        shapes.append(
                            {"circle": [float(circle[1]), float(circle[0]), float(circle[2]) * 1000]}
                        )
                        drawn = True
                if not drawn:
                    shapes += [d.outline for d in area.divisions.all() if d.outline]
            if not shapes and warning.division_id:
                # No area geometry at all: the outline of the warning's own division, when there is one.
                outline = (
                    Division.objects.filter(pk=warning.division_id).values_list("outline", flat=True).first()
                )
                if outline:
                    shapes.append(outline)
            result.append((warning, shapes))
        return result

    def data(self, user, box: rules.BBox, zoom: int) -> dict:
        features = []
        for warning, shapes in self._areas(user):
            properties = {
                "id": warning.pk,
                "name": warning.headline,
                "key": warning.level,
                "colour": self.colour_of(warning.level),
                "url": detail_url(self.detail_url, warning.pk),
            }
            for shape in shapes:
                if "circle" in shape:
                    lng, lat, radius = shape["circle"]
                    geometry = {"type": "Point", "coordinates": [lng, lat]}
                    features.append(
                        {
                            "type": "Feature",
                            "geometry": geometry,
                            "properties": {**properties, "radius_m": radius},
                        }
                    )
                else:
                    features.append({"type": "Feature", "geometry": shape, "properties": properties})
        return {"layer": self.key, "mode": "areas", "total": len(features), "features": features}

    def card(self, user, pk: int) -> dict | None:
        warning = self.scoped(user).filter(pk=pk).first()
        if warning is None:
            return None
        names = ("level", "event", "status", "issued_at", "expires", "sender_name")
        figures = [pair for pair in (_display(warning, name) for name in names) if pair]
        areas = "、".join(warning.areas.values_list("area_desc", flat=True)[:5])
        if areas:
            figures.append((str(_("Areas")), areas))
        return {
            "layer": self.key,
            "id": warning.pk,
            "name": warning.headline,
            "url": detail_url(self.detail_url, warning.pk),
            "figures": [{"label": label, "value": value} for label, value in figures],
        }

    def within(self, user, shape) -> dict:
        """The active warnings whose area covers the tool's centre."""
        lng, lat = shape.centre
        items = []
        for warning, shapes in self._areas(user):
            inside = False
            for geometry in shapes:
                if "circle" in geometry:
                    c_lng, c_lat, radius = geometry["circle"]
                    inside = rules.Circle(c_lng, c_lat, radius).contains(lng, lat)
                else:
                    inside = rules.point_in_geojson(lng, lat, geometry)
                if inside:
                    break
            if inside:
                items.append(
                    {
                        "id": warning.pk,
                        "name": warning.headline,
                        "key": warning.level,
                        "distance_m": 0,
                        "url": detail_url(self.detail_url, warning.pk),
                    }
                )
        return {"layer": self.key, "label": str(self.label), "count": len(items), "items": items}


# -- the layers -----------------------------------------------------------------------------------


def _enterprise_extra(obj) -> list[tuple[str, str]]:
    from yingji.registry import industries
    from yingji.risk.rules import Level

    risk = obj.risk if hasattr(obj, "risk") else None  # hasattr: no EnterpriseRisk row yet
    level = risk.level if risk is not None else ""
    figures = [(str(_("Risk level")), str(Level(level).label) if level else str(_("Not assessed")))]
    if risk is not None and (risk.major or risk.significant):
        figures.append((str(_("Major / significant risk points")), f"{risk.major} / {risk.significant}"))
    figures.append((str(_("Industry")), industries.NAMES.get(obj.industry, obj.industry)))
    if obj.flags:
        figures.append((str(_("Supervision")), "、".join(obj.flags)))
    return figures


def _source_extra(obj) -> list[tuple[str, str]]:
    figures = [(str(_("Enterprise")), str(obj.enterprise))]
    if obj.grade:
        figures.append((str(_("Grade")), obj.grade_label))
    return figures


def _hazard_extra(obj) -> list[tuple[str, str]]:
    figures = []
    if obj.enterprise_id:
        figures.append((str(_("Enterprise")), str(obj.enterprise)))
    if obj.due_at and obj.due_at < timezone.now():
        figures.append((str(_("Overdue")), _("Yes")))
    return figures


def _alarm_extra(obj) -> list[tuple[str, str]]:
    figures = [(str(_("Enterprise")), str(obj.enterprise))]
    if obj.point_id:
        figures.append((str(_("Monitoring point")), str(obj.point.name)))
    return figures


def _risk_levels():
    from yingji.risk.rules import Level

    return (
        ("major", RED, Level("major").label),
        ("significant", ORANGE, Level("significant").label),
        ("general", YELLOW, Level("general").label),
        ("low", BLUE, Level("low").label),
        ("none", GREY, gettext_lazy("Not assessed")),
    )


def _choice_colours(model_label: str, field_name: str, colours: dict[str, str]) -> tuple:
    """(key, colour, label) for the choices of a field of a model that may not exist yet."""
    try:
        model = apps.get_model(model_label)
        choices = model._meta.get_field(field_name).choices or []
    except (LookupError, FieldDoesNotExist):
        return ()
    return tuple((value, colours.get(value, GREY), label) for value, label in choices if value in colours)


def build_layers() -> list:
    """Every layer, in the order of the layer panel. Built on first use (models may be added later)."""

    layers: list = [
        PointLayer(
            key="enterprises",
            label=gettext_lazy("Enterprises by risk colour"),
            model_label="registry.Enterprise",
            permission="registry.view_enterprise",
            detail_url="registry:enterprise_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            colour=Coalesce(NullIf(F("risk__level"), Value("")), Value("none"), output_field=CharField()),
            colours=_risk_levels(),
            rank_field="risk__level",
            card_fields=("address", "employees", "status"),
            card_extra=_enterprise_extra,
            select_related=("risk",),
        ),
        PointLayer(
            key="sources",
            label=gettext_lazy("Major hazard sources"),
            model_label="registry.MajorHazardSource",
            permission="registry.view_majorhazardsource",
            detail_url="registry:source_detail",
            lng=Coalesce("longitude", "enterprise__longitude"),
            lat=Coalesce("latitude", "enterprise__latitude"),
            name="name",
            colour=Coalesce(Cast("grade", CharField(max_length=1)), Value(""), output_field=CharField()),
            colours=(
                ("1", RED, gettext_lazy("Grade 1")),
                ("2", ORANGE, gettext_lazy("Grade 2")),
                ("3", YELLOW, gettext_lazy("Grade 3")),
                ("4", BLUE, gettext_lazy("Grade 4")),
            ),
            default_colour=PURPLE,
            filters=lambda: Q(is_major=True) & ~Q(status="decommissioned"),
            card_fields=("category", "kind", "r_value", "exposed_population", "status"),
            card_extra=_source_extra,
            select_related=("enterprise",),
        ),
        PointLayer(
            key="hazards",
            label=gettext_lazy("Open major hidden dangers"),
            model_label="hazards.Hazard",
            permission="hazards.view_hazard",
            detail_url="hazards:hazard_detail",
            lng="enterprise__longitude",
            lat="enterprise__latitude",
            name="title",
            default_colour=PINK,
            filters=lambda: Q(grade="major") & ~Q(status="closed"),
            card_fields=("status", "due_at", "is_supervised", "reported_at"),
            card_extra=_hazard_extra,
            select_related=("enterprise",),
        ),
        PointLayer(
            key="alarms",
            label=gettext_lazy("Active alarms"),
            model_label="monitoring.Alarm",
            permission="monitoring.view_alarm",
            detail_url="monitoring:alarm_detail",
            lng=Coalesce("source__longitude", "enterprise__longitude"),
            lat=Coalesce("source__latitude", "enterprise__latitude"),
            name=Coalesce("point__name", "enterprise__name"),
            colour=Cast("severity", CharField(max_length=1)),
            colours=(
                ("4", RED, gettext_lazy("Red")),
                ("3", ORANGE, gettext_lazy("Orange")),
                ("2", YELLOW, gettext_lazy("Level 2 / yellow")),
                ("1", BLUE, gettext_lazy("Level 1 / blue")),
            ),
            filters=lambda: Q(is_open=True),
            card_fields=("condition", "state", "value", "threshold", "raised_at", "message"),
            card_extra=_alarm_extra,
            select_related=("enterprise", "point"),
        ),
        WarningLayer(),
        PointLayer(
            key="incidents",
            label=gettext_lazy("Incidents"),
            model_label="incidents.Incident",
            permission="incidents.view_incident",
            detail_url="incidents:incident_detail",
            lng="longitude",
            lat="latitude",
            name="title",
            colour="grade",
            colours=_choice_colours(
                "incidents.Incident",
                "grade",
                {"especially_major": RED, "major": ORANGE, "larger": YELLOW, "general": BLUE},
            ),
            default_colour=PURPLE,
            filters=lambda: ~Q(status="closed"),
            card_fields=(
                "kind",
                "subtype",
                "grade",
                "status",
                "occurred_at",
                "address",
                "deaths",
                "missing",
                "serious_injuries",
                "trapped",
            ),
        ),
        PointLayer(
            key="teams",
            label=gettext_lazy("Rescue teams"),
            model_label="resources.Team",
            permission="resources.view_team",
            detail_url="resources:team_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            colour="status",
            colours=_choice_colours(
                "resources.Team",
                "status",
                {
                    "on_scene": RED,
                    "dispatched": ORANGE,
                    "returning": AZURE,
                    "ready": GREEN,
                    "unavailable": GREY,
                },
            ),
            default_colour=GREEN,
            card_fields=("kind", "level", "status", "headcount", "contact_name", "address"),
        ),
        PointLayer(
            key="warehouses",
            label=gettext_lazy("Warehouses"),
            model_label="resources.Warehouse",
            permission="resources.view_warehouse",
            detail_url="resources:warehouse_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            default_colour=TEAL,
            card_fields=("level", "address", "manager", "area_m2"),
        ),
        PointLayer(
            key="shelters",
            label=gettext_lazy("Shelters"),
            model_label="resources.Shelter",
            permission="resources.view_shelter",
            detail_url="resources:shelter_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            colour=Case(
                When(is_open=True, then=Value("open")), default=Value("closed"), output_field=CharField()
            ),
            colours=(
                ("open", GREEN, pgettext_lazy("shelter", "Open")),
                ("closed", GREY, pgettext_lazy("shelter", "Closed")),
            ),
            card_fields=("capacity", "occupancy", "is_open", "address", "manager"),
        ),
        PointLayer(
            key="experts",
            label=gettext_lazy("Experts"),
            model_label="resources.Expert",
            permission="resources.view_expert",
            detail_url="resources:expert_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            default_colour=PURPLE,
            card_fields=("specialty", "title", "employer"),
        ),
        PointLayer(
            key="equipment",
            label=gettext_lazy("Equipment"),
            model_label="resources.Equipment",
            permission="resources.view_equipment",
            detail_url="resources:equipment_detail",
            lng="longitude",
            lat="latitude",
            name="name",
            colour="status",
            colours=_choice_colours(
                "resources.Equipment",
                "status",
                {"available": GREEN, "in_use": ORANGE, "maintenance": YELLOW, "out_of_service": GREY},
            ),
            default_colour=AZURE,
            card_fields=("kind", "model", "quantity", "status", "owner", "team", "address"),
        ),
    ]
    return [layer for layer in layers if layer.model() is not None and _has_fields(layer)]


def _has_fields(layer) -> bool:
    """A layer whose model lacks a field it reads is left out (an app still being written)."""
    if layer.kind != "points":
        return True
    model = layer.model()
    for path in (layer.lng, layer.lat, layer.name, layer.colour):
        if isinstance(path, str):
            try:
                model._meta.get_field(path.split("__")[0])
            except FieldDoesNotExist:
                return False
    return True


_LAYERS: list | None = None


def all_layers() -> list:
    global _LAYERS
    if _LAYERS is None:
        _LAYERS = build_layers()
    return _LAYERS


def layer_keys() -> list[str]:
    return [layer.key for layer in all_layers()]


def get_layer(key: str):
    return next((layer for layer in all_layers() if layer.key == key), None)


def layers_for(user) -> list:
    return [layer for layer in all_layers() if layer.available_to(user)]


def summary(user) -> list[dict]:
    """The layers the user may see, with how many items each has on the map."""
    return [
        {
            "key": layer.key,
            "label": str(layer.label),
            "kind": layer.kind,
            "count": layer.count(user),
            "colour": getattr(layer, "default_colour", BLUE),
            "legend": layer.legend(),
        }
        for layer in layers_for(user)
    ]


def within(user, shape) -> dict:
    """Everything inside a circle or polygon, by layer, nearest to the centre first."""
    lng, lat = shape.centre
    return {
        "centre": [round(lng, 6), round(lat, 6)],
        "layers": [layer.within(user, shape) for layer in layers_for(user)],
    }
