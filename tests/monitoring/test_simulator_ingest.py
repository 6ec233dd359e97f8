"""The simulator against the real ingest: its payloads are accepted, `yingji simulate --in-process
--backfill` stores readings, and the demo seed builds devices, points, tokens and history."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tests.conftest import remove_audit_rows

from yingji.demo.monitoring import seed_monitoring
from yingji.monitoring import ingest, rules_config, simulator
from yingji.monitoring.ingest import ingest_message
from yingji.monitoring.models import Device, Point, Reading, ReadingMinute
from yingji.monitoring.tokens import hash_token
from yingji.registry.models import MajorHazardSource


@pytest.fixture(autouse=True)
def _fresh_directory():
    """The ingest caches device and point ids per code; each test has its own rows."""
    ingest.directory.clear()
    yield
    ingest.directory.clear()


@pytest.mark.django_db
def test_simulated_payloads_pass_the_ingest(gas_point, level_point):
    now = timezone.now().replace(microsecond=0)
    specs = simulator.specs_from_database()
    assert [s.code for s in specs] == ["DEV-A-1"]
    sim = simulator.Simulator(specs, seed=5, start=now - datetime.timedelta(minutes=10))
    payloads = sim.advance(now)
    for payload in payloads:
        result = ingest_message(
            json.dumps(payload).encode(), channel="simulator", device_code=payload["device"], now=now
        )
        assert result.rejected == 0, result.reasons
        assert result.accepted == len(payload["readings"])
    assert Reading.objects.filter(point=gas_point).count() == 60
    assert Reading.objects.filter(point=level_point).count() == 60


@pytest.mark.django_db
def test_the_command_backfills_in_process(gas_point, level_point):
    call_command("simulate", "--in-process", "--backfill", "--duration", "300", "--tick", "60", "--seed", "3")
    assert Reading.objects.filter(point=gas_point).count() == 30
    assert ReadingMinute.objects.filter(point=level_point).count() >= 5
    device = Device.objects.get(pk=gas_point.device_id)
    assert device.last_seen_at is not None


@pytest.mark.django_db
def test_the_command_refuses_bad_options(gas_point):
    with pytest.raises(CommandError):
        call_command("simulate", "--in-process", "--backfill")  # no duration
    with pytest.raises(CommandError):
        call_command("simulate", "--in-process", "--rate-scale", "0", "--backfill", "--duration", "10")
    with pytest.raises(CommandError):
        call_command(
            "simulate", "--http", "http://127.0.0.1:9", "--backfill", "--duration", "10"
        )  # no token file


@pytest.mark.django_db
def test_the_command_needs_devices(db):
    with pytest.raises(CommandError):
        call_command("simulate", "--in-process", "--backfill", "--duration", "10")


@pytest.fixture
def demo_sources(enterprise_a, enterprise_b):
    def source(enterprise, name, category, kind=""):
        return MajorHazardSource.objects.create(
            enterprise=enterprise,
            division=enterprise.division,
            name=name,
            category=category,
            kind=kind,
            is_major=True,
            grade=3,
        )

    return [
        source(enterprise_a, "罐区", "hazchem", "storage"),
        source(enterprise_a, "合成装置", "hazchem", "production"),
        source(enterprise_b, "尾矿库", "tailings"),
        source(enterprise_b, "露天矿", "mine"),
    ]


@pytest.mark.django_db
def test_seed_monitoring_builds_devices_points_tokens_and_history(demo_sources, tmp_path, county):
    now = timezone.now().replace(microsecond=0)
    token_file = tmp_path / "tokens.json"
    county_code = demo_sources[0].division_id[:6]
    created = seed_monitoring(now, county=county_code, history_hours=0.5, token_file=token_file)
    assert created == 4
    devices = Device.objects.filter(source__in=demo_sources)
    assert devices.count() == 4
    tokens = json.loads(token_file.read_text())
    for device in devices:
        assert device.token_hash == hash_token(tokens[device.code])
        assert device.points.exists()
    for point in Point.objects.filter(device__in=devices):
        values = {
            f: getattr(point, f)
            for f in (
                "range_low",
                "range_high",
                "scheme",
                "direction",
                "deadband",
                *rules_config.THRESHOLD_FIELDS,
            )
        }
        assert rules_config.threshold_errors(values) == {}, point.code
    pond = Point.objects.filter(source=demo_sources[2])
    assert set(pond.exclude(rollup_item="").values_list("rollup_item", flat=True)) == {
        "坝体位移",
        "浸润线",
        "库水位",
        "干滩长度",
    }
    assert pond.filter(scheme="four_colour", kind="phreatic_line", direction="low").count() == 4
    gas = Point.objects.filter(kind="combustible_gas").first()
    assert (gas.high1, gas.high2) == (25.0, 50.0)
    # Half an hour of history: 180 readings of a 10 s point, 30 of a 60 s one.
    assert Reading.objects.filter(point=gas).count() == 180
    assert Reading.objects.filter(point=pond.get(code="PL-1")).count() == 30
    assert (
        seed_monitoring(now, county=county_code, history_hours=0.5, token_file=token_file) == 0
    )  # idempotent


@pytest.fixture
def served(transactional_db):
    """A live server's thread sees committed rows only; the audit rows the fixtures wrote are removed
    before pytest-django's flush (the trail's triggers refuse to delete recent rows)."""
    yield
    remove_audit_rows()


@pytest.fixture
def tokened_device(served, gas_point, level_point):
    """The shared device with a token (its hash stored), for the HTTP path."""
    from yingji.monitoring.tokens import new_token

    token, token_hash = new_token()
    Device.objects.filter(pk=gas_point.device_id).update(token_hash=token_hash)
    return token


def test_the_command_posts_to_the_http_endpoint(live_server, tokened_device, tmp_path):
    token_file = tmp_path / "tokens.json"
    token_file.write_text(json.dumps({"DEV-A-1": tokened_device, "OTHER": "x"}))
    call_command(
        "simulate", "--http", live_server.url, "--token-file", str(token_file),
        "--backfill", "--duration", "120", "--tick", "60",
    )  # fmt: skip
    assert Reading.objects.filter(point__device__code="DEV-A-1").count() == 24  # 2 points × 12


def test_a_wrong_token_stores_nothing(live_server, tokened_device, tmp_path):
    token_file = tmp_path / "tokens.json"
    token_file.write_text(json.dumps({"DEV-A-1": "not-the-token"}))
    call_command(
        "simulate", "--http", live_server.url, "--token-file", str(token_file),
        "--backfill", "--duration", "60",
    )  # fmt: skip
    assert not Reading.objects.exists()
