import pytest

from yingji.risk import services


@pytest.fixture
def unit_a(enterprise_a, staff_user):
    return services.create_unit(actor=staff_user, enterprise=enterprise_a, name="罐区")


@pytest.fixture
def unit_b(enterprise_b, staff_user):
    return services.create_unit(actor=staff_user, enterprise=enterprise_b, name="机加工车间")


@pytest.fixture
def point_a(unit_a, staff_user):
    """D = 3 × 6 × 7 = 126: general under the default mapping."""
    point = services.create_point(
        actor=staff_user,
        unit=unit_a,
        name="储罐区装卸作业",
        kind="activity",
        hazard_factors="静电积聚\n管道泄漏",
        consequences="火灾、爆炸",
        method="lec",
        lec_l="3",
        lec_e="6",
        lec_c="7",
    )
    services.create_measure(
        actor=staff_user,
        point=point,
        measure_type="engineering",
        control_level="workshop",
        description="装卸区设置静电接地报警装置",
        responsible_person="王工",
        responsible_phone="13800001111",
    )
    services.create_measure(
        actor=staff_user,
        point=point,
        measure_type="emergency",
        control_level="team",
        description="泄漏时立即关闭紧急切断阀并疏散人员",
        responsible_person="赵班长",
    )
    return point


@pytest.fixture
def point_b(unit_b, staff_user):
    """R = 4 × 5 = 20: major under the default mapping."""
    return services.create_point(
        actor=staff_user, unit=unit_b, name="乙镇冲压作业", kind="equipment", method="ls", ls_l=4, ls_s=5
    )


@pytest.fixture
def post_a(point_a, staff_user, enterprise_a):
    return services.create_post(
        actor=staff_user,
        enterprise=enterprise_a,
        name="装卸工",
        duties="遵守装卸操作规程\n检查静电接地",
        operating_steps="连接静电接地夹\n确认阀门状态\n开始装卸",
        emergency_steps="关闭紧急切断阀\n报告班长\n撤离至上风向",
        risk_points=[point_a],
    )
