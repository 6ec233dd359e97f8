"""The demo county (`yingji seed demo`) and benchmark data (`yingji seed scale`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.core.identifiers import MOBILE_RE, uscc_problem
from yingji.core.models import AuditLog, Division
from yingji.demo import generator, services
from yingji.registry.models import Enterprise

COUNTY = "329901"
LNG_MIN, LAT_MIN, LNG_MAX, LAT_MAX = generator.COUNTY_BOX


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    return settings


@pytest.fixture
def seeded(demo_mode):
    return services.seed_demo()


def counts() -> dict[str, int]:
    return {
        "divisions": Division.objects.filter(code__startswith=COUNTY).count(),
        "enterprises": Enterprise.objects.count(),
        "users": User.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def test_generator_is_deterministic():
    first, second = generator.build_demo_county(), generator.build_demo_county()
    assert first.enterprises == second.enterprises
    assert [d.code for d in first.divisions] == [d.code for d in second.divisions]


def test_generated_enterprises_have_unique_names_and_valid_contacts():
    county = generator.build_demo_county()
    rows = county.enterprises
    assert len({row["name"] for row in rows}) == len(rows)
    assert all(row["name"].endswith("有限公司") for row in rows)
    assert all(
        MOBILE_RE.match(row["main_person_phone"]) and MOBILE_RE.match(row["safety_manager_phone"])
        for row in rows
    )
    assert all(row["small_micro"] == (row["scale"] in ("small", "micro")) for row in rows)
    producers = [row for row in rows if row["hazchem_production"]]
    assert producers and all(row["industry"] in {"25", "26", "27", "28"} for row in producers)
    assert all(row["industry"] in {"31", "32"} for row in rows if row["metallurgy"])


def test_town_outlines_are_closed_polygons_inside_the_county():
    for division in generator.build_divisions():
        if division.level not in ("county", "town"):
            continue
        ring = division.outline["coordinates"][0]
        assert division.outline["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) >= 5
        assert all(LNG_MIN <= x <= LNG_MAX and LAT_MIN <= y <= LAT_MAX for x, y in ring)


@pytest.mark.django_db
def test_demo_builds_a_county_with_towns_villages_and_enterprises(seeded):
    county = Division.objects.get(code="329901000000")
    assert county.name == "安澜县" and county.parent.parent_id == "320000000000"
    assert county.outline["type"] == "Polygon"
    towns = Division.objects.filter(code__startswith=COUNTY, level="town")
    assert towns.count() >= 10
    assert not towns.filter(outline__isnull=True).exists()
    villages = Division.objects.filter(code__startswith=COUNTY, level="village")
    assert villages.count() >= 100
    for division in [*towns, *villages]:
        assert LNG_MIN <= division.longitude <= LNG_MAX and LAT_MIN <= division.latitude <= LAT_MAX
    enterprises = Enterprise.objects.filter(division__code__startswith=COUNTY)
    assert enterprises.count() >= 800
    assert enterprises.exclude(division__level="village").count() == 0
    for uscc, lng, lat in enterprises.values_list("uscc", "longitude", "latitude"):
        assert uscc_problem(uscc) is None and uscc[2:8] == COUNTY
        assert LNG_MIN <= lng <= LNG_MAX and LAT_MIN <= lat <= LAT_MAX
    assert AuditLog.objects.filter(action="import", object_type="registry.enterprise").count() == 1


@pytest.mark.django_db
def test_demo_enterprises_pass_model_validation(seeded):
    for enterprise in Enterprise.objects.order_by("uscc")[:40]:
        enterprise.full_clean()


@pytest.mark.django_db
def test_demo_has_one_user_per_role_with_the_demo_password(seeded):
    users = User.objects.filter(username__startswith="demo_")
    assert {user.role for user in users} == set(Role.values)
    assert all(user.check_password(generator.DEMO_PASSWORD) for user in users)
    enterprise_user = users.get(role=Role.ENTERPRISE_USER)
    assert enterprise_user.enterprise.division_id.startswith("329901001")
    assert users.get(username="demo_village").division.level == "village"
    assert users.get(username="demo_town2").division_id == "329901002000"
    assert {a["username"] for a in seeded["accounts"]} == set(users.values_list("username", flat=True))


@pytest.mark.django_db
def test_rerunning_the_demo_changes_nothing(seeded):
    before = counts()
    snapshot = list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "updated_at"))
    result = services.seed_demo()
    assert counts() == before  # no new rows anywhere, not even audit records
    assert result["divisions_created"] == result["enterprises_created"] == result["users_created"] == 0
    assert list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "updated_at")) == snapshot


@pytest.mark.django_db
def test_demo_command_prints_the_accounts_on_every_run(demo_mode):
    for _ in range(2):
        out = StringIO()
        call_command("seed", "demo", stdout=out)
        text = out.getvalue()
        assert "demo_admin" in text and "demo_enterprise" in text and generator.DEMO_PASSWORD in text


@pytest.mark.django_db
def test_demo_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="YINGJI_DEMO=1"):
        call_command("seed", "demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not Division.objects.filter(code__startswith=COUNTY).exists()


@pytest.mark.django_db
def test_scale_adds_exactly_n_enterprises_with_unique_usccs(seeded):
    before = Enterprise.objects.count()
    out = StringIO()
    call_command("seed", "scale", "--enterprises", "250", "--batch", "100", stdout=out)
    assert "250/250" in out.getvalue()
    assert services.seed_scale(120) == 120  # a rerun continues the numbering
    assert Enterprise.objects.count() == before + 370
    usccs = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(set(usccs)) == len(usccs)
    assert all(uscc_problem(uscc) is None for uscc in usccs)
    for enterprise in Enterprise.objects.filter(uscc__startswith="91329901Y").order_by("uscc")[:20]:
        enterprise.full_clean()
        assert enterprise.created_at is not None and enterprise.division.level == "village"


@pytest.mark.django_db
def test_scale_needs_no_demo_mode_and_can_build_a_synthetic_county(settings):
    settings.DEMO_MODE = False
    assert services.seed_scale(300, towns=3, villages=5) == 300
    assert Division.objects.filter(code__startswith="329902", level="village").count() == 15
    assert Enterprise.objects.filter(division__code__startswith="329902").count() == 300
    assert not User.objects.exists()


def test_scale_usccs_do_not_collide_with_the_demo():
    demo = {row["uscc"] for row in generator.build_demo_county().enterprises}
    scale = {generator.scale_uscc(COUNTY, n) for n in range(1, 5000)}
    assert len(scale) == 4999 and not demo & scale
    assert generator.from_base31(generator.base31(123_456_789, 8)) == 123_456_789
