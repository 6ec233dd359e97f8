"""Device and point services: tokens, copied scope fields, threshold validation, jurisdiction."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yingji.monitoring import services_config
from yingji.monitoring.models import Device, Point
from yingji.monitoring.tokens import device_for_token, hash_token

POINT = {
    "code": "PT-1",
    "name": "压力 PT-1",
    "kind": "pressure",
    "unit": "MPa",
    "range_low": 0,
    "range_high": 4,
    "high1": 2.5,
    "high2": 3.0,
    "deadband": 0.05,
}


def test_create_device_issues_a_token_shown_once(admin_user, enterprise_a, source_a):
    device, token = services_config.create_device(
        actor=admin_user, enterprise=enterprise_a, source=source_a, code="D-9", name="采集器"
    )
    assert device.division_id == enterprise_a.division_id
    assert device.token_hash == hash_token(token) and token not in device.token_hash
    assert device_for_token(token) == device
    new = services_config.rotate_device_token(device, actor=admin_user)
    assert new != token and device_for_token(token) is None and device_for_token(new) == device


def test_device_outside_jurisdiction_or_of_another_enterprise(
    town_b_official, enterprise_a, enterprise_b_user, admin_user, enterprise_b, source_a, device_a
):
    with pytest.raises(ValidationError) as error:
        services_config.create_device(
            actor=admin_user, enterprise=enterprise_b, source=source_a, code="X", name="x"
        )
    assert "source" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services_config.create_device(actor=enterprise_b_user, enterprise=enterprise_a, code="X", name="x")
    assert "enterprise" in error.value.message_dict
    for user in (town_b_official, enterprise_b_user):
        with pytest.raises((PermissionDenied, ValidationError)):
            services_config.update_device(device_a, actor=user, name="改名")
        with pytest.raises(PermissionDenied):
            services_config.rotate_device_token(device_a, actor=user)
    assert Device.objects.get(pk=device_a.pk).name == "罐区采集器"


def test_leader_cannot_configure(leader, device_a, gas_point):
    with pytest.raises(PermissionDenied):
        services_config.update_device(device_a, actor=leader, name="x")
    with pytest.raises(PermissionDenied):
        services_config.update_point(gas_point, actor=leader, high1=20)
    with pytest.raises(PermissionDenied):
        services_config.delete_point(gas_point, actor=leader)


def test_point_copies_scope_from_its_device(enterprise_a_user, device_a):
    point = services_config.create_point(actor=enterprise_a_user, device=device_a, **POINT)
    assert (point.enterprise_id, point.division_id, point.source_id) == (
        device_a.enterprise_id,
        device_a.division_id,
        device_a.source_id,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"high2": 2.0}, "high2"),
        ({"high1": 5.0}, "high1"),
        ({"deadband": 1.0}, "deadband"),
        ({"low1": 2.8}, "low1"),
        ({"kind": "nonsense"}, "kind"),
        ({"code": ""}, "code"),
    ],
)
def test_bad_points_are_refused_whole(admin_user, device_a, changes, field):
    with pytest.raises(ValidationError) as error:
        services_config.create_point(actor=admin_user, device=device_a, **{**POINT, **changes})
    assert field in error.value.message_dict
    assert not Point.objects.filter(code=POINT["code"]).exists()


def test_update_point_keeps_old_values_on_error(admin_user, level_point):
    with pytest.raises(ValidationError) as error:
        services_config.update_point(level_point, actor=admin_user, high1=11, high2=10)
    assert "high2" in error.value.message_dict
    level_point.refresh_from_db()
    assert (level_point.high1, level_point.high2) == (9.5, 10.5)


def test_duplicate_code_and_unknown_field(admin_user, device_a, gas_point):
    with pytest.raises(ValidationError) as error:
        services_config.create_point(actor=admin_user, device=device_a, **{**POINT, "code": gas_point.code})
    assert error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services_config.update_point(gas_point, actor=admin_user, last_value=3)
    assert "last_value" in error.value.message_dict


def test_phreatic_orange_is_derived(admin_user, device_a):
    point = services_config.create_point(
        actor=admin_user,
        device=device_a,
        code="JR-1",
        name="浸润线",
        kind="phreatic_line",
        unit="m",
        scheme="four_colour",
        direction="low",
        red=4.0,
    )
    assert point.orange == pytest.approx(4.4)


def test_moving_a_device_moves_its_points(admin_user, device_a, gas_point, enterprise_b):
    services_config.update_device(device_a, actor=admin_user, enterprise=enterprise_b, source=None)
    gas_point.refresh_from_db()
    assert gas_point.enterprise_id == enterprise_b.pk and gas_point.division_id == enterprise_b.division_id


def test_delete(admin_user, device_a, gas_point):
    services_config.delete_point(gas_point, actor=admin_user)
    services_config.delete_device(device_a, actor=admin_user)
    assert not Device.objects.filter(pk=device_a.pk).exists()
