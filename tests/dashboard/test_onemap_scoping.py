"""Every layer of the one map, its cards and the radius tool cut to the user's scope."""

from __future__ import annotations

import pytest
from tests.conftest import make_uscc
from tests.dashboard.scoping_onemap import map_items_of

from yingji.dashboard import onemap
from yingji.registry.models import Enterprise

POINT_LAYERS = ["enterprises", "sources", "hazards", "alarms"]


@pytest.fixture
def three(county, enterprise_a, enterprise_b):
    neighbour = Enterprise.objects.create(
        name="甲村邻居纺织有限公司",
        uscc=make_uscc(3),
        industry="17",
        division_id=enterprise_a.division_id,
        longitude=120.91,
        latitude=32.01,
    )
    for enterprise in (enterprise_a, enterprise_b, neighbour):
        map_items_of(enterprise)
    return enterprise_a, enterprise_b, neighbour


def names(client, key) -> set[str]:
    return {p[4] for p in client.get(f"/api/v1/map/layers/{key}").json()["points"]}


def enterprise_of_point(layer_key, pk):
    model = onemap.get_layer(layer_key).model()
    obj = model.objects.get(pk=pk)
    return obj if layer_key == "enterprises" else obj.enterprise


@pytest.mark.parametrize("key", POINT_LAYERS)
def test_town_official_sees_only_town_a_on_every_layer(client_for, town_a_official, three, key):
    a, b, neighbour = three
    client = client_for(town_a_official)
    points = client.get(f"/api/v1/map/layers/{key}").json()["points"]
    owners = {enterprise_of_point(key, p[0]).pk for p in points}
    assert owners == {a.pk, neighbour.pk}
    assert b.pk not in owners


@pytest.mark.parametrize("key", POINT_LAYERS)
def test_enterprise_user_sees_only_their_own_on_every_layer(client_for, enterprise_a_user, three, key):
    a, _b, _neighbour = three
    points = client_for(enterprise_a_user).get(f"/api/v1/map/layers/{key}").json()["points"]
    assert points and {enterprise_of_point(key, p[0]).pk for p in points} == {a.pk}


@pytest.mark.parametrize("key", POINT_LAYERS)
def test_cards_of_others_are_404(client_for, town_a_official, enterprise_a_user, three, key, admin_user):
    a, b, neighbour = three
    admin = client_for(admin_user)
    by_owner = {
        enterprise_of_point(key, p[0]).pk: p[0]
        for p in admin.get(f"/api/v1/map/layers/{key}").json()["points"]
    }
    town = client_for(town_a_official)
    assert town.get("/api/v1/map/card", {"layer": key, "id": by_owner[b.pk]}).status_code == 404
    assert town.get("/api/v1/map/card", {"layer": key, "id": by_owner[a.pk]}).status_code == 200
    own = client_for(enterprise_a_user)
    assert own.get("/api/v1/map/card", {"layer": key, "id": by_owner[neighbour.pk]}).status_code == 404


def test_the_radius_tool_lists_only_what_the_user_may_see(client_for, enterprise_a_user, three):
    a, _b, _neighbour = three
    body = (
        client_for(enterprise_a_user)
        .get("/api/v1/map/within", {"lat": 32.05, "lon": 120.95, "radius_m": 50000})
        .json()
    )
    for group in body["layers"]:
        for item in group["items"]:
            assert enterprise_of_point(group["layer"], item["id"]).pk == a.pk


def test_a_user_without_a_layers_permission_gets_403(client_for, enterprise_a_user, three):
    assert client_for(enterprise_a_user).get("/api/v1/map/layers/warnings").status_code == 403
