"""The one map's API and page: layers by permission and scope, points and clusters, cards, the
radius/polygon query, and bad input (400 invalid_data naming the field, nothing written)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from tests.conftest import COUNTY, TOWN_A, TOWN_B

from yingji.core.models import AuditLog, Division
from yingji.dashboard import rules_onemap
from yingji.hazards.models import Hazard
from yingji.registry.models import Enterprise, MajorHazardSource
from yingji.risk.models import EnterpriseRisk

BOX = {
    "type": "Polygon",
    "coordinates": [[[120.8, 31.9], [121.1, 31.9], [121.1, 32.2], [120.8, 32.2], [120.8, 31.9]]],
}
TOWN_A_BOX = {
    "type": "Polygon",
    "coordinates": [[[120.8, 31.9], [120.95, 31.9], [120.95, 32.2], [120.8, 32.2], [120.8, 31.9]]],
}


@pytest.fixture
def mapped(county, enterprise_a, enterprise_b):
    """Enterprise A (major risk) with a grade-1 source and an open alarm; enterprise B with an open major
    hidden danger; an issued warning over town A's outline."""
    from tests.alerts.scoping import _warning
    from tests.monitoring.scoping import alarm_of

    EnterpriseRisk.objects.create(enterprise=enterprise_a, level="major", major=1)
    EnterpriseRisk.objects.create(enterprise=enterprise_b, level="low", low=2)
    MajorHazardSource.objects.create(
        enterprise=enterprise_a, division_id=enterprise_a.division_id, name="罐区", is_major=True, grade=1
    )
    MajorHazardSource.objects.create(
        enterprise=enterprise_a, division_id=enterprise_a.division_id, name="仓库", is_major=False
    )
    alarm_of(enterprise_a)
    for enterprise, grade, status in (
        (enterprise_b, "major", "reported"),
        (enterprise_a, "general", "reported"),
        (enterprise_a, "major", "closed"),
    ):
        Hazard.objects.create(
            enterprise=enterprise,
            division_id=enterprise.division_id,
            title=f"{grade}-{status}",
            source="inspection",
            grade=grade,
            status=status,
            reported_at=timezone.now(),
        )
    Division.objects.filter(code=COUNTY).update(outline=BOX)
    Division.objects.filter(code=TOWN_A).update(outline=TOWN_A_BOX)
    _warning(TOWN_A)
    return {"a": enterprise_a, "b": enterprise_b}


def layer(client, key, **params):
    return client.get(f"/api/v1/map/layers/{key}", params)


def test_layers_lists_what_the_user_may_see_with_counts(client_for, admin_user, mapped):
    body = client_for(admin_user).get("/api/v1/map/layers").json()
    counts = {row["key"]: row["count"] for row in body["layers"]}
    assert counts["enterprises"] == 2
    assert counts["sources"] == 2  # the major ones only (罐区 and the alarm's 走查尾矿库), not 仓库
    assert counts["hazards"] == 1  # open and major only
    assert counts["alarms"] == 1
    assert counts["warnings"] == 1
    enterprises = next(row for row in body["layers"] if row["key"] == "enterprises")
    assert [row["key"] for row in enterprises["legend"]] == ["major", "significant", "general", "low", "none"]


def test_town_official_counts_only_their_town(client_for, town_a_official, mapped):
    counts = {
        row["key"]: row["count"]
        for row in client_for(town_a_official).get("/api/v1/map/layers").json()["layers"]
    }
    assert counts["enterprises"] == 1 and counts["hazards"] == 0 and counts["alarms"] == 1


def test_enterprise_user_sees_only_their_layers_and_enterprise(client_for, enterprise_b_user, mapped):
    client = client_for(enterprise_b_user)
    keys = {row["key"] for row in client.get("/api/v1/map/layers").json()["layers"]}
    assert "warnings" not in keys  # no warning permission
    assert layer(client, "warnings").status_code == 403
    points = layer(client, "enterprises").json()["points"]
    assert [p[0] for p in points] == [mapped["b"].pk]


def test_enterprise_points_carry_the_risk_colour_key(client_for, admin_user, mapped):
    body = layer(client_for(admin_user), "enterprises", bbox="120.5,31.5,121.5,32.5", zoom="11").json()
    assert body["mode"] == "points" and body["total"] == 2
    by_id = {p[0]: p for p in body["points"]}
    assert by_id[mapped["a"].pk][1:4] == [120.9, 32.0, "major"]
    assert by_id[mapped["b"].pk][3] == "low"
    assert by_id[mapped["a"].pk][4] == mapped["a"].name


def test_unassessed_enterprises_are_none(client_for, admin_user, mapped):
    EnterpriseRisk.objects.filter(enterprise=mapped["b"]).delete()
    body = layer(client_for(admin_user), "enterprises").json()
    assert {p[0]: p[3] for p in body["points"]}[mapped["b"].pk] == "none"


def test_bbox_cuts_the_points(client_for, admin_user, mapped):
    body = layer(client_for(admin_user), "enterprises", bbox="120.85,31.95,120.95,32.05", zoom="14").json()
    assert [p[0] for p in body["points"]] == [mapped["a"].pk]


def test_other_point_layers_answer(client_for, admin_user, mapped):
    client = client_for(admin_user)
    sources = layer(client, "sources").json()["points"]
    assert sorted((p[3], p[4]) for p in sources) == [("", "走查尾矿库"), ("1", "罐区")]
    hazards = layer(client, "hazards").json()["points"]
    assert [p[1:3] for p in hazards] == [[121.0, 32.1]]  # at enterprise B
    alarms = layer(client, "alarms").json()["points"]
    assert len(alarms) == 1 and alarms[0][3] == "1"


def test_above_the_point_limit_the_server_answers_grid_clusters(client_for, admin_user, mapped, monkeypatch):
    monkeypatch.setattr(rules_onemap, "POINT_LIMIT", 1)
    client = client_for(admin_user)
    far = layer(client, "enterprises", bbox="100,20,140,40", zoom="4").json()
    assert far["mode"] == "clusters" and far["total"] == 2
    assert far["clusters"] == [[pytest.approx(120.95), pytest.approx(32.05), 2, "major"]]
    near = layer(client, "enterprises", bbox="120.5,31.5,121.5,32.5", zoom="14").json()
    assert near["mode"] == "clusters" and sorted(c[2] for c in near["clusters"]) == [1, 1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "121,31,120,32"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"zoom": "99"}, "zoom"),
        ({"zoom": "x"}, "zoom"),
    ],
)
def test_bad_bbox_or_zoom_is_400_invalid_data_with_the_field(client_for, admin_user, mapped, params, field):
    client = client_for(admin_user)
    before = AuditLog.objects.count()
    response = layer(client, "enterprises", **params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data"
    assert list(response.json()["fields"]) == [field]
    assert AuditLog.objects.count() == before


def test_warning_areas_are_division_outlines_or_polygons(client_for, admin_user, mapped):
    body = layer(client_for(admin_user), "warnings").json()
    assert body["mode"] == "areas"
    [feature] = body["features"]
    assert feature["geometry"] == TOWN_A_BOX and feature["properties"]["key"] == "blue"
    assert feature["properties"]["url"].endswith(f"/{feature['properties']['id']}/")


def test_card_shows_figures_and_the_detail_link(client_for, admin_user, mapped):
    body = (
        client_for(admin_user).get("/api/v1/map/card", {"layer": "enterprises", "id": mapped["a"].pk}).json()
    )
    assert body["name"] == mapped["a"].name
    assert body["url"] == f"/enterprises/{mapped['a'].pk}/"
    assert len(body["figures"]) >= 2


@pytest.mark.parametrize("key", ["sources", "hazards", "alarms", "warnings"])
def test_every_layer_has_cards(client_for, admin_user, mapped, key):
    client = client_for(admin_user)
    data = layer(client, key).json()
    first = data["points"][0][0] if "points" in data else data["features"][0]["properties"]["id"]
    response = client.get("/api/v1/map/card", {"layer": key, "id": first})
    assert response.status_code == 200 and response.json()["url"]


def test_card_of_another_town_is_404(client_for, town_a_official, mapped):
    response = client_for(town_a_official).get(
        "/api/v1/map/card", {"layer": "enterprises", "id": mapped["b"].pk}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [({"layer": "nope", "id": "1"}, "layer"), ({"layer": "enterprises", "id": "x"}, "id")],
)
def test_bad_card_request_names_the_field(client_for, admin_user, mapped, params, field):
    response = client_for(admin_user).get("/api/v1/map/card", params)
    assert response.status_code == 400 and list(response.json()["fields"]) == [field]


def groups(body) -> dict:
    return {group["layer"]: group for group in body["layers"]}


def test_radius_lists_everything_inside_by_layer_nearest_first(client_for, admin_user, mapped):
    body = (
        client_for(admin_user)
        .get("/api/v1/map/within", {"lat": "32.0", "lon": "120.9", "radius_m": "2000"})
        .json()
    )
    found = groups(body)
    assert [i["id"] for i in found["enterprises"]["items"]] == [mapped["a"].pk]
    assert found["enterprises"]["items"][0]["distance_m"] == 0
    assert found["sources"]["count"] == 2 and found["alarms"]["count"] == 1
    assert found["hazards"]["count"] == 0  # enterprise B is ~14 km away
    assert found["warnings"]["count"] == 1  # the centre is inside town A's outline
    wide = groups(
        client_for(admin_user)
        .get("/api/v1/map/within", {"lat": "32.0", "lon": "120.9", "radius_m": "20000"})
        .json()
    )
    items = wide["enterprises"]["items"]
    assert [i["id"] for i in items] == [mapped["a"].pk, mapped["b"].pk]
    assert 14000 < items[1]["distance_m"] < 15000


def test_radius_respects_scope(client_for, town_a_official, mapped):
    body = (
        client_for(town_a_official)
        .get("/api/v1/map/within", {"lat": "32.1", "lon": "121.0", "radius_m": "50000"})
        .json()
    )
    assert [i["id"] for i in groups(body)["enterprises"]["items"]] == [mapped["a"].pk]


def test_polygon_by_query_string_and_by_post(client_for, admin_user, mapped):
    client = client_for(admin_user)
    ring = [[120.85, 31.95], [120.95, 31.95], [120.95, 32.05], [120.85, 32.05]]
    text = ",".join(f"{x} {y}" for x, y in ring)
    by_get = groups(client.get("/api/v1/map/within", {"polygon": text}).json())
    by_post = groups(
        client.post(
            "/api/v1/map/within", json.dumps({"polygon": ring}), content_type="application/json"
        ).json()
    )
    for found in (by_get, by_post):
        assert [i["id"] for i in found["enterprises"]["items"]] == [mapped["a"].pk]
        assert found["enterprises"]["items"][0]["distance_m"] == 0  # the centroid is enterprise A


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "32", "lon": "120.9"}, "radius_m"),
        ({"lat": "32", "lon": "120.9", "radius_m": "999999"}, "radius_m"),
        ({"lat": "x", "lon": "120.9", "radius_m": "100"}, "lat"),
        ({"lat": "32", "lon": "200", "radius_m": "100"}, "lon"),
        ({"polygon": "120 32,121 32"}, "polygon"),
    ],
)
def test_bad_radius_or_polygon_is_400_with_the_field(client_for, admin_user, mapped, params, field):
    response = client_for(admin_user).get("/api/v1/map/within", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_data" and field in response.json()["fields"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "polygon"),
        ({"polygon": [[120, 32], [121, 32]]}, "polygon"),
        ({"polygon": [[120, 32], [121, "y"], [1, 1]]}, "polygon"),
    ],
)
def test_bad_polygon_body_is_400_and_writes_nothing(client_for, admin_user, mapped, payload, field):
    client = client_for(admin_user)
    before = (AuditLog.objects.count(), Enterprise.objects.count())
    response = client.post("/api/v1/map/within", json.dumps(payload), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_data"
    assert field in response.json()["fields"]
    assert (AuditLog.objects.count(), Enterprise.objects.count()) == before


def test_anonymous_gets_401(client, mapped):
    assert client.get("/api/v1/map/layers").status_code == 401
    assert client.get("/api/v1/map/layers/enterprises").status_code == 401
    assert client.get("/map/").status_code == 302


def test_the_page_offers_the_users_layers(client_for, admin_user, enterprise_b_user, mapped):
    response = client_for(admin_user).get("/map/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="onemap"' in content
    for key in ("enterprises", "sources", "hazards", "alarms", "warnings"):
        assert f'id="layer-{key}"' in content
    content = client_for(enterprise_b_user).get("/map/").content.decode()
    assert 'id="layer-enterprises"' in content and 'id="layer-warnings"' not in content


def test_a_town_b_official_sees_town_b_only(client_for, town_b_official, mapped):
    body = layer(client_for(town_b_official), "enterprises").json()
    assert [p[0] for p in body["points"]] == [mapped["b"].pk]
    assert Division.objects.get(code=TOWN_B)


def test_cap_polygons_and_circles_are_drawn_as_given(client_for, admin_user, mapped):
    from yingji.alerts.models import Warning

    warning = Warning.objects.get()
    warning.areas.all().delete()
    warning.areas.create(
        area_desc="沿江",
        polygons=[[[32.0, 120.8], [32.0, 120.9], [32.1, 120.9], [32.0, 120.8]]],
        circles=[[32.1, 121.0, 2.5]],
    )
    client = client_for(admin_user)
    features = layer(client, "warnings").json()["features"]
    geometries = sorted((f["geometry"]["type"], f["properties"].get("radius_m")) for f in features)
    assert geometries == [("Point", 2500.0), ("Polygon", None)]
    polygon = next(f for f in features if f["geometry"]["type"] == "Polygon")
    assert polygon["geometry"]["coordinates"][0][1] == [120.9, 32.0]  # CAP lat,lon -> GeoJSON lng,lat
    inside_circle = client.get(
        "/api/v1/map/within", {"lat": "32.1", "lon": "121.0", "radius_m": "100"}
    ).json()
    assert groups(inside_circle)["warnings"]["count"] == 1
    outside = client.get("/api/v1/map/within", {"lat": "32.15", "lon": "120.85", "radius_m": "100"}).json()
    assert groups(outside)["warnings"]["count"] == 0


def test_expired_and_cancelled_warnings_are_not_on_the_map(client_for, admin_user, mapped):
    from yingji.alerts.models import Warning

    Warning.objects.update(expires=timezone.now() - timezone.timedelta(minutes=1))
    assert layer(client_for(admin_user), "warnings").json()["features"] == []


def test_the_page_passes_a_configured_tile_server_to_the_map(client_for, admin_user, mapped, settings):
    settings.MAP_TILE_URL = "http://tiles.local/{z}/{x}/{y}.png"
    content = client_for(admin_user).get("/map/").content.decode()
    assert 'data-tile-url="http://tiles.local/{z}/{x}/{y}.png"' in content


def test_a_user_with_no_layer_is_refused_the_page(client_for, admin_user, mapped, monkeypatch):
    from yingji.dashboard import onemap

    monkeypatch.setattr(onemap, "layers_for", lambda user: [])
    assert client_for(admin_user).get("/map/").status_code == 403
