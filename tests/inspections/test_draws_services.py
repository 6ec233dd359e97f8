"""Random draws (双随机): reproducible, conflicts excluded, bad inputs refused with nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A, make_uscc
from tests.inspections.scoping_plans import make_inspector

from yingji.core.models import Division
from yingji.inspections import rules_plans
from yingji.inspections import services_plans as services
from yingji.inspections.models_plans import ConflictOfInterest, DrawResult, RandomDraw
from yingji.registry.models import Enterprise


@pytest.fixture
def pool(county, enterprise_a, enterprise_b):
    for n in range(3, 13):
        Enterprise.objects.create(name=f"企业{n}", uscc=make_uscc(n), industry="34", division_id=VILLAGE_A)
    return Enterprise.objects.filter(status="operating")


@pytest.fixture
def inspectors(county):
    return [make_inspector(f"insp{n}", COUNTY) for n in range(4)]


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


def test_draw_records_everything_and_replays(admin_user, pool, inspectors):
    county = Division.objects.get(code=COUNTY)
    draw = services.run_draw(actor=admin_user, division=county, count=5, seed=12345)
    assert draw.seed == 12345 and draw.drawn_by == admin_user and draw.status == "drawn"
    assert draw.candidate_ids == sorted(pool.values_list("id", flat=True))
    assert draw.inspector_ids == sorted(u.pk for u in inspectors)
    result = services.stored_result(draw)
    assert len(result) == 5 and len({e for e, _t in result}) == 5
    assert all(len(team) == 2 for _e, team in result)
    assert services.verify_draw(draw)
    # The same seed over the same snapshots gives the same result, a different seed (almost surely) not.
    again = rules_plans.draw(
        seed=12345, candidate_ids=draw.candidate_ids, inspector_ids=draw.inspector_ids, count=5
    )
    assert again == result
    other = rules_plans.draw(
        seed=54321, candidate_ids=draw.candidate_ids, inspector_ids=draw.inspector_ids, count=5
    )
    assert other != result


def test_draw_excludes_conflicts_and_previous_inspectors(admin_user, pool, inspectors, enterprise_a):
    county = Division.objects.get(code=COUNTY)
    services.declare_conflict(
        actor=admin_user, inspector=inspectors[0], enterprise=enterprise_a, reason="亲属"
    )
    services.declare_conflict(
        actor=admin_user, inspector=inspectors[1], enterprise=enterprise_a, reason="曾任职"
    )
    for seed in range(5):
        draw = services.run_draw(
            actor=admin_user, division=county, count=12, seed=seed, exclude_previous=False
        )
        team = dict(services.stored_result(draw))[enterprise_a.pk]
        assert set(team) == {inspectors[2].pk, inspectors[3].pk}
        assert [inspectors[0].pk, enterprise_a.pk] in draw.exclusions
    first = services.run_draw(actor=admin_user, division=county, count=3, seed=7)
    second = services.run_draw(actor=admin_user, division=county, count=12, seed=8)
    before = dict(services.stored_result(first))
    after = dict(services.stored_result(second))
    for enterprise_id, team in before.items():
        if enterprise_id != enterprise_a.pk:
            assert not set(team) & set(after[enterprise_id])


def test_empty_pool_is_refused_and_writes_nothing(admin_user, county, inspectors):
    with pytest.raises(ValidationError) as caught:
        services.run_draw(actor=admin_user, division=Division.objects.get(code=COUNTY), count=1)
    assert _code(caught.value, "pool") == "empty_pool"
    assert not RandomDraw.objects.exists() and not DrawResult.objects.exists()


def test_count_above_pool_is_refused(admin_user, pool, inspectors):
    with pytest.raises(ValidationError) as caught:
        services.run_draw(
            actor=admin_user, division=Division.objects.get(code=COUNTY), count=pool.count() + 1
        )
    assert _code(caught.value, "count") == "above_pool"
    assert not RandomDraw.objects.exists()


def test_fewer_than_two_eligible_inspectors_is_refused(admin_user, pool, inspectors, enterprise_a):
    for inspector in inspectors[:3]:
        ConflictOfInterest.objects.create(
            inspector=inspector, enterprise=enterprise_a, reason="x", created_by=admin_user
        )
    with pytest.raises(ValidationError) as caught:
        services.run_draw(actor=admin_user, division=Division.objects.get(code=COUNTY), count=pool.count())
    assert _code(caught.value, "inspectors") == "too_few_inspectors"
    assert not RandomDraw.objects.exists() and not DrawResult.objects.exists()


def test_one_inspector_in_the_division_is_refused(admin_user, pool):
    make_inspector("lonely", TOWN_A)
    with pytest.raises(ValidationError) as caught:
        services.run_draw(actor=admin_user, division=Division.objects.get(code=COUNTY), count=1)
    assert _code(caught.value, "inspectors") == "too_few_inspectors"
    with pytest.raises(ValidationError) as caught:
        services.run_draw(
            actor=admin_user, division=Division.objects.get(code=COUNTY), count=1, per_enterprise=1
        )
    assert _code(caught.value, "per_enterprise") == "too_few"
    assert not RandomDraw.objects.exists()


def test_publish_once(admin_user, pool, inspectors):
    draw = services.run_draw(actor=admin_user, division=Division.objects.get(code=COUNTY), count=2, seed=1)
    draw = services.publish_draw(actor=admin_user, draw=draw)
    assert draw.status == "published" and draw.published_by == admin_user
    with pytest.raises(ValidationError) as caught:
        services.publish_draw(actor=admin_user, draw=draw)
    assert _code(caught.value, "status") == "published"


def test_town_official_cannot_draw_for_the_county(town_a_official, pool, inspectors):
    with pytest.raises(ValidationError) as caught:
        services.run_draw(actor=town_a_official, division=Division.objects.get(code=COUNTY), count=1)
    assert _code(caught.value, "division") == "scope"
    assert not RandomDraw.objects.exists()
