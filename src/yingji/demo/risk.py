"""Demo risk data for the demo county (安澜县): risk units, points (LEC and LS, every level, mostly low
and general), control measures and posts, chosen by each enterprise's industry and supervision flags.

`seed_risk(rng)` is idempotent: enterprises that already have a risk unit are left alone. Rows are
bulk-written (one `import` audit record), then each enterprise's level is computed by the risk services.
"""

from __future__ import annotations

import random
import zlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yingji.core import audit
from yingji.core.models import Division
from yingji.demo import generator
from yingji.registry.models import Enterprise
from yingji.risk import rules, services
from yingji.risk.models import ControlMeasure, Post, RiskPoint, RiskUnit

COUNTY_CODE = generator.COUNTY[0]
SHARE_WITH_RISK = 0.7  # of the county's enterprises get units and points
# Point levels: units of the special supervision categories (hazardous chemicals, dust, ammonia,
# confined spaces) carry most significant and major points; ordinary units are mostly low and general.
LEVEL_WEIGHTS = {"low": 55, "general": 38, "significant": 6, "major": 1}
HIGH_LEVEL_WEIGHTS = {"low": 25, "general": 45, "significant": 25, "major": 5}

# (unit, [(point, kind, hazard factors, consequences)])
HAZCHEM_UNITS = [
    (
        "储罐区",
        [
            ("甲醇储罐", "equipment", "储罐泄漏\n静电积聚\n雷击", "火灾、爆炸、中毒"),
            ("储罐区装卸作业", "activity", "装卸管道泄漏\n静电接地失效\n槽车溜车", "火灾、爆炸"),
        ],
    ),
    (
        "生产装置区",
        [
            ("反应釜", "equipment", "超温超压\n搅拌失效\n冷却中断", "爆炸、灼烫"),
            ("动火作业", "activity", "可燃气体未置换\n无人监护", "火灾、爆炸"),
        ],
    ),
    (
        "危化品仓库",
        [
            ("危险化学品仓库", "place", "禁忌物混存\n通风不良\n防爆电气失效", "火灾、中毒"),
        ],
    ),
]
DUST_UNITS = [
    (
        "粉尘作业区",
        [
            ("打磨抛光作业", "activity", "粉尘积聚\n点火源", "粉尘爆炸"),
            ("除尘系统", "equipment", "除尘器未泄爆\n清灰不及时", "粉尘爆炸、火灾"),
        ],
    ),
]
MACHINERY_UNITS = [
    (
        "机加工车间",
        [
            ("冲压作业", "activity", "双手按钮失效\n违章送料", "机械伤害"),
            ("桥式起重机吊装", "equipment", "钢丝绳断股\n限位失效", "起重伤害、物体打击"),
        ],
    ),
]
AMMONIA_UNITS = [
    (
        "制冷机房",
        [
            ("液氨制冷系统", "equipment", "氨泄漏\n安全阀失效", "中毒、爆炸"),
        ],
    ),
]
CONFINED_UNITS = [
    (
        "污水处理站",
        [
            ("污水池清淤（有限空间）", "activity", "硫化氢积聚\n缺氧\n未检测先进入", "中毒、窒息"),
        ],
    ),
]
GENERAL_UNITS = [
    (
        "公用工程",
        [
            ("配电室", "place", "绝缘老化\n带电作业", "触电、火灾"),
            ("叉车作业", "activity", "超速\n视线受阻", "车辆伤害"),
        ],
    ),
    (
        "办公及生活区",
        [
            ("食堂燃气灶具", "equipment", "燃气泄漏\n软管老化", "火灾、爆炸"),
            ("消防通道", "place", "通道堵塞\n疏散指示失效", "人员伤亡扩大"),
        ],
    ),
]

HIGH_RISK_UNITS = {name for name, _points in HAZCHEM_UNITS + DUST_UNITS + AMMONIA_UNITS + CONFINED_UNITS}

MEASURES = {
    "engineering": [
        "设置可燃气体检测报警装置",
        "安装静电接地及报警装置",
        "设置安全联锁及紧急切断装置",
        "设备设施定期检测检验",
        "安装防护罩及急停按钮",
    ],
    "management": [
        "严格执行特殊作业票证管理",
        "每班巡检并记录",
        "落实设备维护保养制度",
        "作业前进行安全技术交底",
        "建立隐患排查治理台账",
    ],
    "training": ["岗位人员三级安全教育", "每季度开展岗位安全培训", "特种作业人员持证上岗"],
    "ppe": ["佩戴防护手套和护目镜", "穿戴防静电工作服", "配备正压式空气呼吸器"],
    "emergency": [
        "发生泄漏立即关闭紧急切断阀并疏散人员",
        "发现火情立即报警并使用灭火器初期扑救",
        "人员受伤立即拨打120并进行现场急救",
    ],
}
POSTS = {
    "操作工": (
        "遵守岗位安全操作规程\n做好交接班检查\n发现隐患及时报告",
        "穿戴劳动防护用品\n检查设备及安全装置\n按规程启动设备\n作业结束清理现场",
        "立即停机并切断电源\n报告班组长\n按预案疏散至集合点",
    ),
    "安全员": (
        "组织日常安全检查\n监督作业票证落实\n组织安全培训",
        "巡查重点部位\n核查特殊作业票证\n记录并跟踪隐患整改",
        "启动现场处置方案\n组织人员疏散与清点\n拨打119/120并报告企业负责人",
    ),
}


def _combos(method: str) -> dict[str, list[tuple]]:
    """Plausible factor combinations per level under the default mapping."""
    by_level: dict[str, list[tuple]] = {level: [] for level in rules.LEVELS_LOW_TO_HIGH}
    if method == rules.LEC:
        for l_value in ("0.5", "1", "3", "6"):
            for e_value in ("1", "2", "3", "6"):
                for c_value in ("1", "3", "7", "15", "40"):
                    d = Decimal(l_value) * Decimal(e_value) * Decimal(c_value)
                    by_level[rules.LEC_DEFAULT.level_of(d)].append((l_value, e_value, c_value))
    else:
        for likelihood in rules.LS_VALUES:
            for severity in rules.LS_VALUES:
                level = rules.LS_DEFAULT.level_of(Decimal(likelihood * severity))
                by_level[level].append((likelihood, severity))
    return by_level


def _units_for(enterprise: Enterprise) -> list:
    units = []
    if enterprise.hazchem_production or enterprise.hazchem_use or enterprise.hazchem_business:
        units += HAZCHEM_UNITS
    if enterprise.dust_explosion:
        units += DUST_UNITS
    if enterprise.ammonia_refrigeration:
        units += AMMONIA_UNITS
    if enterprise.confined_space:
        units += CONFINED_UNITS
    if enterprise.industry in ("33", "34", "35", "36", "37", "38", "31", "32"):
        units += MACHINERY_UNITS
    return units + GENERAL_UNITS[:1] + (GENERAL_UNITS[1:] if not units else [])


def _point(rng: random.Random, unit: RiskUnit, spec, combos, mappings, now) -> RiskPoint:
    name, kind, factors, consequences = spec
    weights = HIGH_LEVEL_WEIGHTS if unit.name in HIGH_RISK_UNITS else LEVEL_WEIGHTS
    level = rng.choices(list(weights), weights=list(weights.values()))[0]
    method = rules.LEC if rng.random() < 0.6 else rules.LS
    point = RiskPoint(
        unit=unit,
        name=name,
        kind=kind,
        hazard_factors=factors,
        consequences=consequences,
        method=method,
        assessed_at=now,
    )
    if method == rules.LEC:
        l_value, e_value, c_value = rng.choice(combos[method][level])
        result = rules.assess_lec(l_value, e_value, c_value, mapping=mappings[method])
        point.lec_l, point.lec_e, point.lec_c = result.l.value, result.e.value, result.c.value
        point.score, point.level = result.d, result.level
    else:
        likelihood, severity = rng.choice(combos[method][level])
        ls = rules.assess_ls(likelihood, severity, thresholds=mappings[method])
        point.ls_l, point.ls_s, point.score, point.level = ls.l, ls.s, Decimal(ls.r), ls.level
    point.mapping = mappings[method].as_json()
    return point


def _measures(rng: random.Random, point: RiskPoint) -> list[ControlMeasure]:
    count = {"major": 4, "significant": 3}.get(point.level, 2)
    types = ["engineering", "management", "training", "ppe"]
    chosen = rng.sample(types, count - 1) + ["emergency"]
    control_level = {"major": "company", "significant": "workshop", "general": "team"}.get(
        point.level, "post"
    )
    return [
        ControlMeasure(
            point=point,
            measure_type=measure_type,
            control_level=control_level,
            description=rng.choice(MEASURES[measure_type]),
            responsible_person=generator.person_name(rng),
            responsible_phone=generator.mobile(rng),
        )
        for measure_type in chosen
    ]


def seed_risk(rng: random.Random) -> int:
    """Give the demo county's enterprises risk units, points, measures and posts; return the number of
    points created (0 when every chosen enterprise already has its risk data)."""
    county = Division.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return 0
    mappings = {method: services.config_for(county, method) for method in (rules.LEC, rules.LS)}
    combos = {method: _combos(method) for method in (rules.LEC, rules.LS)}
    enterprises = list(Enterprise.objects.filter(division__code__startswith=county.prefix).order_by("uscc"))
    # Which enterprises get risk data depends on the USCC only, so a rerun picks the same ones.
    chosen = [e for e in enterprises if zlib.crc32(e.uscc.encode()) % 100 < SHARE_WITH_RISK * 100]
    with_units = set(RiskUnit.objects.filter(enterprise__in=chosen).values_list("enterprise_id", flat=True))
    todo = [e for e in chosen if e.pk not in with_units]
    if not todo:
        return 0
    now = timezone.now()
    with transaction.atomic():
        plan = [(e, unit_name, specs) for e in todo for unit_name, specs in _units_for(e)]
        units = RiskUnit.objects.bulk_create(
            [RiskUnit(enterprise=e, name=unit_name) for e, unit_name, _specs in plan], batch_size=1000
        )
        points = [
            _point(rng, unit, spec, combos, mappings, now)
            for unit, (_e, _name, specs) in zip(units, plan, strict=True)
            for spec in specs
        ]
        points = RiskPoint.objects.bulk_create(points, batch_size=1000)
        ControlMeasure.objects.bulk_create([m for p in points for m in _measures(rng, p)], batch_size=2000)
        by_enterprise: dict[int, list[RiskPoint]] = {}
        for point in points:
            by_enterprise.setdefault(point.unit.enterprise_id, []).append(point)
        posts = []
        for enterprise in todo:
            for name in rng.sample(list(POSTS), rng.randint(1, len(POSTS))):
                duties, steps, emergency = POSTS[name]
                posts.append(
                    Post(
                        enterprise=enterprise,
                        name=name,
                        duties=duties,
                        operating_steps=steps,
                        emergency_steps=emergency,
                    )
                )
        posts = Post.objects.bulk_create(posts, batch_size=1000)
        links = []
        for post in posts:
            own = by_enterprise.get(post.enterprise_id, [])
            for point in rng.sample(own, min(len(own), 3)):
                links.append(Post.risk_points.through(post_id=post.pk, riskpoint_id=point.pk))
        Post.risk_points.through.objects.bulk_create(links, batch_size=2000)
        services.refresh_all_enterprise_risks([e.pk for e in todo])
        audit.record(
            "import",
            object_type="risk.riskpoint",
            note=f"demo seed: {len(units)} risk units, {len(points)} points, {len(posts)} posts",
        )
    return len(points)
