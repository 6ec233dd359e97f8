"""Major hazard sources through the services: GB 18218 worked examples, regrading, bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yingji.core.models import AuditLog
from yingji.registry import services_sources as services
from yingji.registry.models import MajorHazardSource, SourceChemical


def make(actor, enterprise, chemicals, population=0, name="罐区", kind="storage", **fields):
    return services.create_source(
        actor=actor,
        enterprise=enterprise,
        name=name,
        kind=kind,
        exposed_population=population,
        chemicals=chemicals,
        **fields,
    )


def test_s_exactly_one_is_a_major_source(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "10"}])
    a = source.assessment
    assert a["S"] == "1" and a["S_compared"] == "≥ 1" and source.is_major
    assert a["lines"][0]["matched_row"].startswith("表1 第1项")
    assert a["lines"][0]["beta"] == "2" and a["lines"][0]["beta_from"].startswith("表3")
    # nobody within 500 m: α = 0.5, R = 0.5 × 2 × 1 = 1, grade 4
    assert (a["alpha"], a["R"], a["grade"]) == ("0.5", "1", 4)
    assert source.division_id == enterprise_a.division_id
    enterprise_a.refresh_from_db()
    assert enterprise_a.major_hazard_source is True


def test_r_exactly_100_is_grade_1(admin_user, enterprise_a):
    # 氯: Q = 5, β = 4 (Table 3); ≥ 100 people: α = 2. R = 2 × 4 × 62.5 / 5 = 100.
    source = make(admin_user, enterprise_a, [{"name": "液氯", "quantity_t": "62.5"}], population=100)
    assert source.assessment["R"] == "100" and source.grade == 1
    assert source.r_value == Decimal("100") and source.sum_q_over_q == Decimal("12.5")
    assert "R ≥ 100" in source.assessment["grade_band"]


@pytest.mark.parametrize(
    ("quantity", "grade"), [("31.25", 2), ("31.2499", 3), ("6.25", 3), ("6.2499", 4), ("62.4999", 2)]
)
def test_grade_band_edges(admin_user, enterprise_a, quantity, grade):
    source = make(admin_user, enterprise_a, [{"name": "氯", "quantity_t": quantity}], population=100)
    assert source.is_major and source.grade == grade


@pytest.mark.parametrize(
    ("population", "alpha"),
    [
        (0, "0.5"),
        (1, "1"),
        (29, "1"),
        (30, "1.2"),
        (49, "1.2"),
        (50, "1.5"),
        (99, "1.5"),
        (100, "2"),
        (5000, "2"),
    ],
)
def test_alpha_bands(admin_user, enterprise_a, population, alpha):
    source = make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "20"}], population=population)
    assert source.assessment["alpha"] == alpha
    assert source.assessment["alpha_row"].startswith("表5")


def test_below_one_is_not_major_and_has_no_grade(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "甲醇", "quantity_t": "100", "categories": "W5.3"}])
    assert source.assessment["S"] == "0.2" and not source.is_major
    assert source.grade is None and source.r_value is None and source.assessment["R"] is None
    enterprise_a.refresh_from_db()
    assert enterprise_a.major_hazard_source is False


def test_sum_over_several_chemicals_with_table2_category(admin_user, enterprise_a):
    source = make(
        admin_user,
        enterprise_a,
        [
            {"name": "甲醇", "quantity_t": "250", "categories": ["W5.3"]},  # 0.5, β 1
            {
                "name": "某未列名易燃液体",
                "quantity_t": "5",
                "categories": "W5.1",
            },  # Table 2: Q 10 -> 0.5, β 1.5
        ],
        population=40,
    )
    a = source.assessment
    assert [line["table"] for line in a["lines"]] == ["1", "2"]
    assert a["lines"][1]["matched_row"].startswith("表2 W5.1") and a["lines"][1]["beta_from"] == "表4 W5.1"
    assert a["S"] == "1" and a["sum_beta_q_over_Q"] == "1.25" and a["R"] == "1.5"  # 1.2 × 1.25
    assert source.chemicals.count() == 2
    assert source.chemicals.get(name="甲醇").categories == "W5.3"
    # The unnamed one says it was classified by its categories (not found in Table 1 by that name).
    assert a["lines"][1]["notes"] and not a["lines"][0]["notes"]


def test_changing_chemicals_regrades(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "氯", "quantity_t": "62.5"}], population=100)
    assert source.grade == 1
    services.set_chemicals(source, [{"name": "氯", "quantity_t": "10"}], actor=admin_user)
    source.refresh_from_db()
    assert source.grade == 3 and source.assessment["R"] == "16"
    services.set_chemicals(source, [{"name": "氯", "quantity_t": "1"}], actor=admin_user)
    source.refresh_from_db()
    assert not source.is_major and source.grade is None
    enterprise_a.refresh_from_db()
    assert enterprise_a.major_hazard_source is False
    assert AuditLog.objects.filter(object_type="registry.enterprise", action="update").count() == 2


def test_population_change_alone_regrades(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "氯", "quantity_t": "31.25"}], population=100)
    assert source.grade == 2
    services.update_source(source, actor=admin_user, exposed_population=0)
    source.refresh_from_db()
    assert source.grade == 3 and source.assessment["alpha"] == "0.5"  # R = 0.5 × 4 × 6.25 = 12.5


def test_non_terminating_values_are_rounded_and_flagged(admin_user, enterprise_a):
    source = make(
        admin_user,
        enterprise_a,
        [{"name": "甲醇", "quantity_t": "1000", "categories": "W5.3"}, {"name": "液氨", "quantity_t": "1"}],
        population=30,
    )
    a = source.assessment
    assert a["S"] == "2.1" and a["R"] == "2.64" and a["R_exact"]
    source = make(admin_user, enterprise_a, [{"name": "光气", "quantity_t": "0.1"}], name="光气库")
    # q/Q = 0.1 / 0.3 = 1/3: not major
    assert source.assessment["lines"][0]["q_over_Q"] == "0.333333" and source.assessment["S_exact"] is False


def test_tailings_and_mines_are_registered_directly(admin_user, enterprise_b):
    pond = services.create_source(
        actor=admin_user, enterprise=enterprise_b, name="尾矿库", category="tailings"
    )
    assert pond.is_major and pond.grade is None and pond.kind == ""
    with pytest.raises(ValidationError) as error:
        services.create_source(
            actor=admin_user,
            enterprise=enterprise_b,
            name="矿山",
            category="mine",
            chemicals=[{"name": "液氨", "quantity_t": "1"}],
        )
    assert "chemicals" in error.value.message_dict


def test_delete_clears_the_enterprise_flag(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "10"}])
    services.delete_source(source, actor=admin_user)
    enterprise_a.refresh_from_db()
    assert enterprise_a.major_hazard_source is False and not SourceChemical.objects.exists()


# -- bad input: clear errors keyed by row and field, nothing written -------------------------------


@pytest.mark.parametrize(
    ("chemical", "key"),
    [
        ({"name": "不存在的化学品", "quantity_t": "1"}, "chemicals[1].name"),
        ({"cas": "1234-56-7", "quantity_t": "1"}, "chemicals[1].cas"),
        ({"quantity_t": "1"}, "chemicals[1].name"),
        ({"name": "甲醇", "quantity_t": "1"}, "chemicals[1].categories"),  # Table 1, not a toxic gas: β?
        ({"name": "某物质", "categories": "X9", "quantity_t": "1"}, "chemicals[1].categories"),
        ({"name": "液氨", "quantity_t": "-1"}, "chemicals[1].quantity_t"),
        ({"name": "液氨", "quantity_t": "0"}, "chemicals[1].quantity_t"),
        ({"name": "液氨", "quantity_t": "abc"}, "chemicals[1].quantity_t"),
        ({"name": "液氨", "quantity_t": ""}, "chemicals[1].quantity_t"),
        ({"name": "液氨", "quantity_t": "1.00001"}, "chemicals[1].quantity_t"),
    ],
)
def test_bad_chemical_names_the_row_and_field(admin_user, enterprise_a, chemical, key):
    good = {"name": "液氨", "quantity_t": "10"}
    with pytest.raises(ValidationError) as error:
        make(admin_user, enterprise_a, [good, chemical])
    assert list(error.value.message_dict) == [key]
    assert not MajorHazardSource.objects.exists() and not SourceChemical.objects.exists()


def test_bad_update_keeps_the_old_chemicals_and_result(admin_user, enterprise_a):
    source = make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "10"}])
    with pytest.raises(ValidationError):
        services.set_chemicals(
            source,
            [{"name": "液氨", "quantity_t": "50"}, {"name": "不存在", "quantity_t": "1"}],
            actor=admin_user,
        )
    source.refresh_from_db()
    assert source.assessment["S"] == "1" and [c.quantity_t for c in source.chemicals.all()] == [Decimal("10")]


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"exposed_population": -1}, "exposed_population"),
        ({"kind": ""}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_source_fields(admin_user, enterprise_a, fields, key):
    args = {"population": 0, "kind": "storage", "name": "罐区"}
    args.update({"population" if k == "exposed_population" else k: v for k, v in fields.items()})
    with pytest.raises(ValidationError) as error:
        make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "1"}], **args)
    assert key in error.value.message_dict
    assert not MajorHazardSource.objects.exists()


def test_no_chemicals_for_a_hazchem_unit(admin_user, enterprise_a):
    with pytest.raises(ValidationError) as error:
        make(admin_user, enterprise_a, [])
    assert "chemicals" in error.value.message_dict


def test_duplicate_name_in_one_enterprise(admin_user, enterprise_a, enterprise_b):
    make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "1"}])
    with pytest.raises(ValidationError) as error:
        make(admin_user, enterprise_a, [{"name": "液氨", "quantity_t": "2"}], name=" 罐区 ")
    assert "name" in error.value.message_dict
    make(admin_user, enterprise_b, [{"name": "液氨", "quantity_t": "2"}])  # another enterprise may
    assert MajorHazardSource.objects.count() == 2


def test_enterprise_users_only_touch_their_own(enterprise_a_user, enterprise_a, enterprise_b, admin_user):
    with pytest.raises(ValidationError) as error:
        make(enterprise_a_user, enterprise_b, [{"name": "液氨", "quantity_t": "1"}])
    assert "enterprise" in error.value.message_dict
    other = make(admin_user, enterprise_b, [{"name": "液氨", "quantity_t": "1"}])
    with pytest.raises(ValidationError):
        services.update_source(other, actor=enterprise_a_user, exposed_population=3)
    with pytest.raises(ValidationError):
        services.delete_source(other, actor=enterprise_a_user)
    own = make(enterprise_a_user, enterprise_a, [{"name": "液氨", "quantity_t": "1"}])
    assert own.enterprise == enterprise_a
