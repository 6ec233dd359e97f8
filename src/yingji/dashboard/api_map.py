"""The one map's API, mounted at /api/v1/map.

- GET  /layers                      the layers the user may see, with counts and legends
- GET  /layers/<layer>?bbox=w,s,e,n&zoom=z
                                    points `[id, lng, lat, colour key, name]` or, above 2,000 points in
                                    the viewport, grid clusters `[lng, lat, count, worst colour key]`;
                                    the warnings layer answers GeoJSON areas
- GET  /card?layer=&id=             one item's compact card (name, key figures, detail link)
- GET  /within?lat=&lon=&radius_m=  everything inside a circle, by layer, nearest first
- GET  /within?polygon=lng lat,lng lat,...   the same inside a polygon
- POST /within {"polygon": [[lng, lat], ...]}   the same with the polygon in the body

Bad bbox, zoom, radius or polygon: 400 `invalid_data` with the field. One route per layer (not a
`{layer}` parameter), so each layer is its own documented, walked endpoint.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yingji.core.api import ApiError, require_perm
from yingji.dashboard import onemap
from yingji.dashboard import rules_onemap as rules

router = Router(tags=["map"])


@router.get("/layers", url_name="map_layers", summary="The map layers you may see, with counts")
def list_layers(request):
    return {"layers": onemap.summary(request.user)}


def _layer_endpoint(layer):
    def layer_data(request, bbox: str | None = None, zoom: str | None = None):
        require_perm(request, layer.permission)
        box = rules.parse_bbox(bbox)
        level = rules.parse_zoom(zoom)
        return layer.data(request.user, box, level)

    layer_data.__name__ = f"map_layer_{layer.key}"
    return layer_data


for _layer in onemap.all_layers():
    router.get(
        f"/layers/{_layer.key}",
        url_name=f"map_layer_{_layer.key}",
        operation_id=f"map_layer_{_layer.key}",
        summary=f"Map layer: {_layer.key} (points or clusters in a bbox)",
    )(_layer_endpoint(_layer))


@router.get("/card", url_name="map_card", summary="One map item's compact card")
def card(request, layer: str = "", id: str = ""):
    found = onemap.get_layer(layer)
    if found is None:
        raise ApiError(400, "invalid_data", _("The data is not valid."), {"layer": [_("Unknown layer.")]})
    require_perm(request, found.permission)
    if not id.isdigit():
        raise ApiError(400, "invalid_data", _("The data is not valid."), {"id": [_("Give a whole number.")]})
    result = found.card(request.user, int(id))
    if result is None:
        raise ApiError(404, "not_found", _("Not found."))
    return result


def _shape(lat, lon, radius_m, polygon):
    if polygon is not None:
        if isinstance(polygon, str):
            return rules.parse_polygon_text(polygon)
        return rules.parse_polygon(polygon)
    return rules.parse_circle(lat, lon, radius_m)


@router.get("/within", url_name="map_within", summary="Everything inside a circle or polygon, by layer")
def within(
    request,
    lat: str | None = None,
    lon: str | None = None,
    radius_m: str | None = None,
    polygon: str | None = None,
):
    return onemap.within(request.user, _shape(lat, lon, radius_m, polygon))


class WithinIn(Schema):
    polygon: list | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None


@router.post(
    "/within", url_name="map_within_post", summary="Everything inside a polygon (in the body), by layer"
)
def within_post(request, payload: WithinIn):
    if payload.polygon is None and payload.lat is None and payload.lon is None:
        raise ValidationError({"polygon": _("Give a polygon, or lat, lon and radius_m.")})
    as_text = {k: None if v is None else str(v) for k, v in payload.dict().items() if k != "polygon"}
    return onemap.within(
        request.user, _shape(as_text["lat"], as_text["lon"], as_text["radius_m"], payload.polygon)
    )
