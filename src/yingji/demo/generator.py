"""The demo jurisdiction, generated: a fictional county (安澜县, 示范市) with its towns and enterprises.

Pure and deterministic: everything comes from a seeded `random.Random`, nothing touches the database,
so the same seed gives the same county on every machine and a rerun can match rows by their keys
(division code, USCC, username). `yingji.demo.services` turns these plain values into rows.

Every name here is made up from word lists; any likeness to a real company or person is chance.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from yingji.core.identifiers import USCC_CHARSET, uscc_check_char

SEED = 20260101

PROVINCE = ("320000000000", "江苏省")
CITY = ("329900000000", "示范市")
COUNTY = ("329901000000", "安澜县")
COUNTY_SHORT = "安澜"
# (min longitude, min latitude, max longitude, max latitude) of the demo county.
COUNTY_BOX = (120.6, 31.8, 121.2, 32.3)
# A second, synthetic county for `seed scale --towns/--villages`, just west of the demo county.
SCALE_COUNTY = ("329902000000", "示范新区")
SCALE_COUNTY_BOX = (120.0, 31.8, 120.6, 32.3)

DEMO_PASSWORD = "Yingji@2026"
N_DEMO_ENTERPRISES = 900

# Twelve towns: (name, industrial weight, industries this town is known for, boost).
# The grid is 4 columns x 3 rows; towns 1 and 2 (the county seat's streets) take the middle cells.
TOWNS = [
    ("澜城街道", 0.5, ("61", "62", "52", "51", "47"), 4.0),
    ("东澜街道", 0.8, ("51", "52", "59", "62"), 2.5),
    ("临港镇", 2.6, ("26", "25", "27", "28", "59", "51"), 6.0),
    ("青枫镇", 1.0, ("13", "14", "20", "21"), 2.5),
    ("白鹭镇", 0.6, ("13", "14", "61", "62"), 2.0),
    ("柳溪镇", 0.8, ("17", "18", "22"), 2.5),
    ("金沙镇", 2.2, ("17", "18", "29"), 3.0),
    ("云桥镇", 1.0, ("30", "29", "22"), 2.5),
    ("石湾镇", 2.0, ("31", "32", "33"), 4.0),
    ("桃源镇", 0.6, ("13", "20", "21"), 2.0),
    ("望潮镇", 0.8, ("59", "13", "14"), 2.5),
    ("新澜镇", 2.4, ("34", "35", "38", "39", "36"), 3.0),
]
TOWN_CELLS = [(1, 1), (2, 1), (3, 0), (0, 2), (1, 2), (2, 2), (3, 1), (3, 2), (0, 0), (0, 1), (1, 0), (2, 0)]

# fmt: off
# GB/T 4754-2017 divisions a manufacturing county is made of, with how common each is.
INDUSTRY_WEIGHTS = {
    "13": 35, "14": 15, "17": 55, "18": 40, "20": 25, "21": 25, "22": 25, "23": 10, "24": 10,
    "25": 3, "26": 55, "27": 8, "28": 8, "29": 55, "30": 40, "31": 12, "32": 15, "33": 80,
    "34": 70, "35": 50, "36": 15, "38": 45, "39": 15, "42": 6,
    "44": 5, "45": 6, "46": 3, "47": 15, "48": 10,
    "51": 50, "52": 30, "59": 30, "61": 20, "62": 25,
}
MANUFACTURING = {code for code in INDUSTRY_WEIGHTS if 13 <= int(code) <= 43}
HAZCHEM_PRODUCTION_RATE = {"26": 0.6, "25": 0.9, "27": 0.4, "28": 0.3}
DUST_INDUSTRIES = {"13", "14", "20", "21", "22", "24", "31", "32", "33"}
AMMONIA_INDUSTRIES = {"13", "14", "59"}
METALLURGY_INDUSTRIES = {"31", "32"}


def _words(text: str) -> list[str]:
    return text.split()


INDUSTRY_WORDS = {
    "13": _words("粮油 饲料 米业 农副产品 食品"),
    "14": _words("食品 调味品 乳业 糕点食品"),
    "17": _words("纺织 织造 印染 纱线 家纺"),
    "18": _words("服饰 制衣 服装 针织服饰"),
    "20": _words("木业 竹木制品 板材"),
    "21": _words("家具 家居 办公家具"),
    "22": _words("纸业 包装材料 纸制品 彩印包装"),
    "23": _words("印务 印刷"),
    "24": _words("文体用品 工艺品 玩具"),
    "25": _words("石化 能源化工"),
    "26": _words("精细化工 化工 化学 新材料 涂料 化学品"),
    "27": _words("药业 制药 生物医药"),
    "28": _words("化纤 化学纤维"),
    "29": _words("塑胶 橡塑 塑料制品 橡胶制品"),
    "30": _words("建材 新型建材 玻璃制品 陶瓷 混凝土"),
    "31": _words("钢铁 特钢 钢材"),
    "32": _words("铝业 铜业 有色金属 合金材料"),
    "33": _words("金属制品 五金 钢结构 紧固件 不锈钢制品"),
    "34": _words("机械 泵业 阀门 通用设备 轴承"),
    "35": _words("专用设备 智能装备 机械制造 环保设备"),
    "36": _words("汽车零部件 汽车配件"),
    "38": _words("电气 电器 电缆 电机 照明电器"),
    "39": _words("电子 电子科技 光电"),
    "42": _words("再生资源 资源利用"),
    "44": _words("热电 新能源 电力"),
    "45": _words("燃气 天然气"),
    "46": _words("水务 供水"),
    "47": _words("建设 建筑工程 建工"),
    "48": _words("路桥工程 市政工程 水利工程"),
    "51": _words("贸易 商贸 物资 供应链管理"),
    "52": _words("商贸 超市 百货"),
    "59": _words("仓储 物流 仓储物流"),
    "61": _words("酒店 宾馆 酒店管理"),
    "62": _words("餐饮 餐饮管理 食府"),
}
HAZCHEM_TRADE_WORDS = _words("化工贸易 化学品贸易 化工物资 危险化学品经营")
FUEL_RETAIL_WORDS = _words("石油销售 加油站 能源销售")
COLD_STORAGE_WORDS = _words("冷链物流 冷藏 冷冻食品")

# Two-character trade names (字号) are drawn as one character from each list.
TRADE_FIRST = list("恒鑫华宏永金瑞德天嘉盛润汇博创联益中新通亿泰荣丰昌隆源达兴佳凯")
TRADE_SECOND = list("泰源盛达昌兴隆丰顺发利祥安和信成宇邦诚辉鼎威福通洋豪美景升驰")
# Village names: first syllable + second syllable + 村/社区.
VILLAGE_FIRST = list("东西南北新大小前后上下长永红金银白青黄石沙河湖桥塘港庄湾")
VILLAGE_SECOND = list("桥港河湾塘庄园圩浜泾墩坝埭巷溪里口店林岗集湖洲")
ROAD_WORDS = _words(
    "兴业路 创业路 工业大道 澜江路 港城路 人民路 建设路 解放路 学府路 纬一路 纬二路 纬三路 经一路 "
    "经二路 经三路 滨河路 环城路 通港大道 富民路 振兴路 开发大道 园区路 长江路 沿江公路 幸福路 迎宾大道"
)

# Surnames repeated roughly by how common they are (with the Jiangsu favourites 顾, 陆, 沈, 缪, 季).
SURNAMES = (
    "王" * 8 + "李" * 7 + "张" * 7 + "刘" * 6 + "陈" * 6 + "杨" * 4 + "黄" * 3 + "赵" * 3 + "吴" * 3
    + "周" * 3 + "徐" * 4 + "孙" * 3 + "朱" * 3 + "马" * 2 + "胡" * 2 + "郭" * 2 + "林" * 2 + "何" * 2
    + "高" * 2 + "沈" * 3 + "顾" * 3 + "陆" * 3 + "钱" * 2 + "蒋" * 2 + "缪" + "季" + "丁" * 2 + "范"
    + "葛" + "严" + "姚" * 2 + "邵" + "曹" * 2 + "冯" + "许" * 2 + "陶" + "唐" * 2 + "潘" + "袁" + "蔡" * 2
)
GIVEN_MALE = _words(
    "建国 建华 建军 志强 志刚 志明 国平 国华 国强 海峰 海涛 海军 卫东 卫国 明华 文斌 文杰 晓东 晓峰 "
    "立新 立军 振华 振宇 永强 永刚 德明 德华 俊杰 浩然 宇航 子轩 晨阳 家豪 庆丰 金龙 学军 红兵 春生 "
    "伟 军 勇 强 磊 斌 涛 杰 峰 辉 鹏 超 刚 平 东 亮 健"
)
GIVEN_FEMALE = _words(
    "秀英 桂英 丽华 丽娟 玉兰 海燕 红梅 春梅 晓燕 晓丽 雪梅 静怡 慧敏 婷婷 佳怡 欣怡 雨婷 梦洁 亚男 "
    "美玲 玉珍 文静 艳红 凤英 金凤 丽 静 敏 燕 芳 娟 霞 婷 琴 洁 颖 萍 红"
)
MOBILE_PREFIXES = _words(
    "133 135 136 137 138 139 150 151 152 155 157 158 159 177 180 181 182 187 188 189 199"
)
# fmt: on

SCALES = ["large", "medium", "small", "micro"]
SCALE_WEIGHTS = {"default": (1.5, 8, 38, 52.5), "hazchem": (6, 20, 50, 24), "utility": (20, 40, 35, 5)}
# Employee ranges by scale: manufacturing/construction/utilities vs trade and services.
EMPLOYEES_INDUSTRIAL = {"large": (1000, 3000), "medium": (300, 999), "small": (20, 299), "micro": (3, 19)}
EMPLOYEES_SERVICES = {"large": (300, 800), "medium": (100, 299), "small": (10, 99), "micro": (2, 9)}


@dataclass
class DivisionSpec:
    code: str
    name: str
    level: str
    parent_code: str | None
    longitude: float | None = None
    latitude: float | None = None
    outline: dict | None = None


@dataclass
class UserSpec:
    username: str
    role: str
    division_code: str
    full_name: str
    phone: str
    enterprise_uscc: str | None = None


@dataclass
class DemoCounty:
    divisions: list[DivisionSpec]
    enterprises: list[dict]
    users: list[UserSpec] = field(default_factory=list)


# --- small makers -------------------------------------------------------------------------------


def person_name(rng: random.Random, male_share: float = 0.75) -> str:
    given = rng.choice(GIVEN_MALE if rng.random() < male_share else GIVEN_FEMALE)
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def uscc(area6: str, body9: str) -> str:
    """A USCC of a company (registration department 9, category 1) registered in `area6`."""
    first17 = "91" + area6 + body9
    return first17 + uscc_check_char(first17)


def base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        chars.append(USCC_CHARSET[digit])
    if number:
        raise ValueError("number too large for the width")
    return "".join(reversed(chars))


def from_base31(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 31 + USCC_CHARSET.index(ch)
    return value


# Demo enterprises take bodies starting "MA" (like newly registered companies); scale data takes
# "Y" + an 8-character base-31 counter, so the two never collide and scale numbering can continue.
SCALE_BODY_PREFIX = "Y"


def scale_uscc(area6: str, number: int) -> str:
    return uscc(area6, SCALE_BODY_PREFIX + base31(number, 8))


def _round(value: float) -> float:
    return round(value, 6)


# --- geography ----------------------------------------------------------------------------------


class Grid:
    """A box cut into cols x rows cells whose shared edges wiggle a little, so the cells tile it."""

    def __init__(self, rng: random.Random, box: tuple[float, float, float, float], cols: int, rows: int):
        self.box, self.cols, self.rows = box, cols, rows
        x0, y0, x1, y1 = box
        self.dx, self.dy = (x1 - x0) / cols, (y1 - y0) / rows
        self.vertex: dict[tuple[int, int], tuple[float, float]] = {}
        for i in range(cols + 1):
            for j in range(rows + 1):
                x, y = x0 + i * self.dx, y0 + j * self.dy
                if 0 < i < cols:
                    x += rng.uniform(-0.2, 0.2) * self.dx
                if 0 < j < rows:
                    y += rng.uniform(-0.2, 0.2) * self.dy
                self.vertex[i, j] = (x, y)
        # Two wiggle points on every edge, computed once so neighbouring cells share them.
        self.edge_points: dict[tuple[tuple[int, int], tuple[int, int]], list[tuple[float, float]]] = {}
        for i in range(cols + 1):
            for j in range(rows + 1):
                if i < cols:
                    self._make_edge(rng, (i, j), (i + 1, j))
                if j < rows:
                    self._make_edge(rng, (i, j), (i, j + 1))

    def _make_edge(self, rng, a, b):
        (ax, ay), (bx, by) = self.vertex[a], self.vertex[b]
        horizontal = a[1] == b[1]
        size = self.dy if horizontal else self.dx
        if horizontal and a[1] == 0 or not horizontal and a[0] == 0:
            low, high = 0.0, 0.08  # on the outer edge, wiggle inwards only (stay in the box)
        elif horizontal and a[1] == self.rows or not horizontal and a[0] == self.cols:
            low, high = -0.08, 0.0
        else:
            low, high = -0.1, 0.1
        points = []
        for t in (1 / 3, 2 / 3):
            x, y = ax + (bx - ax) * t, ay + (by - ay) * t
            offset = rng.uniform(low, high) * size
            points.append((x, y + offset) if horizontal else (x + offset, y))
        self.edge_points[a, b] = points

    def _path(self, a, b) -> list[tuple[float, float]]:
        """Points from vertex a up to (not including) vertex b."""
        if (a, b) in self.edge_points:
            return [self.vertex[a], *self.edge_points[a, b]]
        return [self.vertex[a], *reversed(self.edge_points[b, a])]

    @staticmethod
    def _polygon(ring: list[tuple[float, float]]) -> dict:
        coords = [[_round(x), _round(y)] for x, y in ring]
        return {"type": "Polygon", "coordinates": [[*coords, coords[0]]]}

    def cell_outline(self, i: int, j: int) -> dict:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]  # counter-clockwise
        ring = []
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            ring += self._path(a, b)
        return self._polygon(ring)

    def outline(self) -> dict:
        c, r = self.cols, self.rows
        loop = (
            [(i, 0) for i in range(c)]
            + [(c, j) for j in range(r)]
            + [(i, r) for i in range(c, 0, -1)]
            + [(0, j) for j in range(r, 0, -1)]
        )
        ring = []
        for a, b in zip(loop, loop[1:] + loop[:1], strict=True):
            ring += self._path(a, b)
        return self._polygon(ring)

    def point_in_cell(self, i: int, j: int, u: float, v: float) -> tuple[float, float]:
        """Bilinear position (u, v in 0..1) inside the cell's four corners."""
        (x00, y00), (x10, y10) = self.vertex[i, j], self.vertex[i + 1, j]
        (x01, y01), (x11, y11) = self.vertex[i, j + 1], self.vertex[i + 1, j + 1]
        x = (1 - u) * (1 - v) * x00 + u * (1 - v) * x10 + (1 - u) * v * x01 + u * v * x11
        y = (1 - u) * (1 - v) * y00 + u * (1 - v) * y10 + (1 - u) * v * y01 + u * v * y11
        return x, y


def _unique_names(
    rng: random.Random, count: int, first: list[str], second: list[str], taken: set[str]
) -> list[str]:
    names = []
    pool = [a + b for a in first for b in second if a != b and a + b not in taken]
    rng.shuffle(pool)
    for stem in pool[:count]:
        names.append(stem)
        taken.add(stem)
    n = 1
    while len(names) < count:  # only for very large synthetic counties
        stem = f"第{n}"
        if stem not in taken:
            names.append(stem)
            taken.add(stem)
        n += 1
    return names


def _village_codes(town_code: str, communities: int, villages: int) -> list[str]:
    """Statistical convention: 社区 (residents' committees) 001.., 村 (villagers' committees) 201.."""
    if communities + villages > 999:
        raise ValueError("at most 999 villages per town")
    if villages > 799:
        return [town_code[:9] + f"{n:03d}" for n in range(1, communities + villages + 1)]
    return [town_code[:9] + f"{n:03d}" for n in range(1, communities + 1)] + [
        town_code[:9] + f"{n:03d}" for n in range(201, 201 + villages)
    ]


def _villages_for_town(
    rng, grid: Grid, cell, town: DivisionSpec, count: int, communities: int, taken: set[str]
) -> list[DivisionSpec]:
    stems = _unique_names(rng, count, VILLAGE_FIRST, VILLAGE_SECOND, taken)
    codes = _village_codes(town.code, communities, count - communities)
    # Spread villages over a jittered sub-grid of the town's cell so they do not clump.
    side = math.ceil(math.sqrt(count))
    slots = [(a, b) for a in range(side) for b in range(side)]
    rng.shuffle(slots)
    result = []
    for n, (code, stem) in enumerate(zip(codes, stems, strict=True)):
        a, b = slots[n]
        u = 0.15 + 0.7 * (a + rng.uniform(0.2, 0.8)) / side
        v = 0.15 + 0.7 * (b + rng.uniform(0.2, 0.8)) / side
        lng, lat = grid.point_in_cell(*cell, u, v)
        name = stem + ("社区" if n < communities else "村")
        result.append(DivisionSpec(code, name, "village", town.code, _round(lng), _round(lat)))
    return result


def build_divisions(rng: random.Random | None = None) -> list[DivisionSpec]:
    """The demo county: province (if missing), city, county, 12 towns and their villages, parents first."""
    rng = rng or random.Random(SEED)
    grid = Grid(rng, COUNTY_BOX, 4, 3)
    centre = _box_centre(COUNTY_BOX)
    result = [
        DivisionSpec(PROVINCE[0], PROVINCE[1], "province", None),
        DivisionSpec(CITY[0], CITY[1], "city", PROVINCE[0], *centre),
        DivisionSpec(COUNTY[0], COUNTY[1], "county", CITY[0], *centre, outline=grid.outline()),
    ]
    towns, villages = [], []
    taken: set[str] = set()
    for n, ((name, *_), cell) in enumerate(zip(TOWNS, TOWN_CELLS, strict=True), start=1):
        lng, lat = grid.point_in_cell(*cell, 0.5, 0.5)
        town = DivisionSpec(
            f"{COUNTY[0][:6]}{n:03d}000",
            name,
            "town",
            COUNTY[0],
            _round(lng),
            _round(lat),
            outline=grid.cell_outline(*cell),
        )
        towns.append(town)
        count = rng.randint(8, 14)
        # Streets (街道) are mostly urban communities; towns (镇) have a community or two and villages.
        communities = count - rng.randint(0, 2) if name.endswith("街道") else rng.randint(1, 2)
        villages += _villages_for_town(rng, grid, cell, town, count, communities, taken)
    return result + towns + villages


def build_scale_divisions(
    n_towns: int,
    villages_per_town: int,
    county_code: str = SCALE_COUNTY[0],
    county_name: str = SCALE_COUNTY[1],
    seed: int = SEED,
) -> list[DivisionSpec]:
    """A synthetic county with `n_towns` x `villages_per_town` villages, for benchmarks."""
    if not 1 <= n_towns <= 999 or not 1 <= villages_per_town <= 999:
        raise ValueError("towns and villages per town must be between 1 and 999")
    rng = random.Random(seed + n_towns * 1000 + villages_per_town)
    cols = math.ceil(math.sqrt(n_towns))
    rows = math.ceil(n_towns / cols)
    grid = Grid(rng, SCALE_COUNTY_BOX, cols, rows)
    centre = _box_centre(SCALE_COUNTY_BOX)
    result = [
        DivisionSpec(PROVINCE[0], PROVINCE[1], "province", None),
        DivisionSpec(CITY[0], CITY[1], "city", PROVINCE[0], *_box_centre(COUNTY_BOX)),
        DivisionSpec(county_code, county_name, "county", CITY[0], *centre, outline=grid.outline()),
    ]
    town_stems = _unique_names(rng, n_towns, VILLAGE_FIRST, VILLAGE_SECOND, set())
    villages = []
    for n in range(1, n_towns + 1):
        cell = ((n - 1) % cols, (n - 1) // cols)
        lng, lat = grid.point_in_cell(*cell, 0.5, 0.5)
        town = DivisionSpec(
            f"{county_code[:6]}{n:03d}000",
            town_stems[n - 1] + "镇",
            "town",
            county_code,
            _round(lng),
            _round(lat),
            outline=grid.cell_outline(*cell),
        )
        result.append(town)
        villages += _villages_for_town(
            rng, grid, cell, town, villages_per_town, min(2, villages_per_town), set()
        )
    return result + villages


def _box_centre(box) -> tuple[float, float]:
    return _round((box[0] + box[2]) / 2), _round((box[1] + box[3]) / 2)


# --- enterprises --------------------------------------------------------------------------------


class EnterpriseMaker:
    """Makes one plausible enterprise at a time (a dict of Enterprise field values)."""

    def __init__(
        self,
        rng: random.Random,
        county_short: str = COUNTY_SHORT,
        county_name: str = COUNTY[1],
        box: tuple[float, float, float, float] = COUNTY_BOX,
    ):
        self.rng = rng
        self.county_short, self.county_name, self.box = county_short, county_name, box
        self.base_industries = list(INDUSTRY_WEIGHTS)
        self.base_cum = list(accumulate(INDUSTRY_WEIGHTS.values()))
        self._scale_cum = {key: list(accumulate(weights)) for key, weights in SCALE_WEIGHTS.items()}
        self._town_industry_cum: dict[str, list[float]] = {}

    def industry_for_town(self, town_index: int | None) -> str:
        rng = self.rng
        if town_index is None or town_index >= len(TOWNS):
            return self.base_industries[bisect(self.base_cum, rng.random() * self.base_cum[-1])]
        key = str(town_index)
        if key not in self._town_industry_cum:
            _, _, favoured, boost = TOWNS[town_index]
            weights = [w * (boost if code in favoured else 1.0) for code, w in INDUSTRY_WEIGHTS.items()]
            if TOWNS[town_index][0].endswith("街道"):  # urban streets: little heavy industry
                weights = [
                    w * (0.3 if code in MANUFACTURING else 1.0)
                    for code, w in zip(INDUSTRY_WEIGHTS, weights, strict=True)
                ]
            self._town_industry_cum[key] = list(accumulate(weights))
        cum = self._town_industry_cum[key]
        return self.base_industries[bisect(cum, rng.random() * cum[-1])]

    def make(
        self,
        *,
        uscc_value: str,
        division_code: str,
        town_name: str,
        village_name: str,
        centre: tuple[float | None, float | None],
        town_index: int | None = None,
    ) -> dict:
        rng = self.rng
        industry = self.industry_for_town(town_index)
        flags = self.flags(industry)
        hazchem = flags["hazchem_production"]
        kind = "hazchem" if hazchem else "utility" if industry in {"44", "45", "46"} else "default"
        scale = SCALES[bisect(self._scale_cum[kind], rng.random() * self._scale_cum[kind][-1])]
        flags["small_micro"] = scale in ("small", "micro")
        high_risk = any(
            flags[name]
            for name in (
                "hazchem_production",
                "hazchem_business",
                "hazchem_use",
                "major_hazard_source",
                "key_process",
                "dust_explosion",
                "ammonia_refrigeration",
                "metallurgy",
                "metal_smelting",
            )
        )
        low, high = (
            EMPLOYEES_INDUSTRIAL if industry in MANUFACTURING or industry[0] == "4" else EMPLOYEES_SERVICES
        )[scale]
        legal = person_name(rng)
        main = legal if rng.random() < 0.6 else person_name(rng)
        lng, lat = centre
        if lng is not None and lat is not None:
            x0, y0, x1, y1 = self.box
            lng = _round(min(max(lng + rng.uniform(-0.01, 0.01), x0), x1))
            lat = _round(min(max(lat + rng.uniform(-0.01, 0.01), y0), y1))
        return {
            "name": self.name(industry, flags, town_name, scale),
            "uscc": uscc_value,
            "industry": industry,
            "scale": scale,
            "address": f"{self.county_name}{town_name}{village_name}{self.street_address()}",
            "longitude": lng,
            "latitude": lat,
            "division_id": division_code,
            "legal_representative": legal,
            "main_person": main,
            "main_person_phone": mobile(rng),
            "safety_manager": person_name(rng, 0.65),
            "safety_manager_phone": mobile(rng),
            "employees": rng.randint(low, high),
            **flags,
            "standardization": self.standardization(hazchem or flags["major_hazard_source"]),
            "liability_insured": rng.random() < (0.7 if high_risk else 0.3),
            "status": "operating" if (r := rng.random()) < 0.95 else "suspended" if r < 0.99 else "closed",
        }

    def street_address(self) -> str:
        return f"{self.rng.choice(ROAD_WORDS)}{self.rng.randint(1, 399)}号"

    def flags(self, industry: str) -> dict[str, bool]:
        rng = self.rng
        manufacturing = industry in MANUFACTURING
        production = rng.random() < HAZCHEM_PRODUCTION_RATE.get(industry, 0.0)
        business = (
            industry == "51"
            and rng.random() < 0.4
            or industry == "52"
            and rng.random() < 0.2  # filling stations
            or industry == "45"
            and rng.random() < 0.5  # gas supply
        )
        metallurgy = industry in METALLURGY_INDUSTRIES
        return {
            "hazchem_production": production,
            "hazchem_business": business,
            "hazchem_use": manufacturing and not production and rng.random() < 0.1,
            "major_hazard_source": production and rng.random() < 0.15 or business and rng.random() < 0.05,
            "key_process": production and rng.random() < 0.3,
            "dust_explosion": industry in DUST_INDUSTRIES and rng.random() < 0.25,
            "ammonia_refrigeration": industry in AMMONIA_INDUSTRIES and rng.random() < 0.1,
            "confined_space": manufacturing and rng.random() < 0.3,
            "metallurgy": metallurgy,
            "metal_smelting": metallurgy and rng.random() < 0.5,
            "small_micro": False,
        }

    def standardization(self, hazardous: bool) -> str:
        r = self.rng.random()
        if hazardous:
            return "level2" if r < 0.15 else "level3" if r < 0.65 else "none"
        return "level2" if r < 0.02 else "level3" if r < 0.12 else "none"

    def name(self, industry: str, flags: dict[str, bool], town_name: str, scale: str) -> str:
        rng = self.rng
        if flags["hazchem_business"] and industry == "52":
            word = rng.choice(FUEL_RETAIL_WORDS)
        elif flags["hazchem_business"] and industry == "51":
            word = rng.choice(HAZCHEM_TRADE_WORDS)
        elif flags["ammonia_refrigeration"] and industry == "59":
            word = rng.choice(COLD_STORAGE_WORDS)
        else:
            word = rng.choice(INDUSTRY_WORDS[industry])
        trade = rng.choice(TRADE_FIRST) + rng.choice(TRADE_SECOND)
        r = rng.random()
        town_short = town_name.removesuffix("街道").removesuffix("镇")
        place = (
            self.county_name
            if r < 0.45
            else self.county_short
            if r < 0.7
            else CITY[1]
            if r < 0.8
            else town_short
        )
        suffix = "股份有限公司" if scale in ("large", "medium") and rng.random() < 0.3 else "有限公司"
        return place + trade + word + suffix


def build_enterprises(
    divisions: list[DivisionSpec], count: int = N_DEMO_ENTERPRISES, rng: random.Random | None = None
) -> list[dict]:
    """`count` enterprises spread over the villages, more in industrial towns; names and USCCs unique."""
    rng = rng or random.Random(SEED + 1)
    by_code = {d.code: d for d in divisions}
    towns = [d for d in divisions if d.level == "town"]
    villages_of: dict[str, list[DivisionSpec]] = {t.code: [] for t in towns}
    for d in divisions:
        if d.level == "village":
            villages_of[d.parent_code].append(d)
    town_cum = list(accumulate(TOWNS[n][1] for n in range(len(towns))))
    maker = EnterpriseMaker(rng)
    names: set[str] = set()
    usccs: set[str] = set()
    result = []
    while len(result) < count:
        town_index = bisect(town_cum, rng.random() * town_cum[-1])
        town = towns[town_index]
        village = rng.choice(villages_of[town.code])
        body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(7))
        code = uscc(COUNTY[0][:6], body)
        if code in usccs:
            continue
        row = maker.make(
            uscc_value=code,
            division_code=village.code,
            town_name=town.name,
            village_name=village.name,
            centre=(village.longitude, village.latitude),
            town_index=town_index,
        )
        if row["name"] in names:
            continue
        names.add(row["name"])
        usccs.add(code)
        result.append(row)
    assert all(by_code[row["division_id"]].level == "village" for row in result)
    return result


def build_users(divisions: list[DivisionSpec], enterprises: list[dict]) -> list[UserSpec]:
    """One demo account per role. The enterprise user's company and the village official's village match."""
    rng = random.Random(SEED + 2)
    county = COUNTY[0]
    town1, town2 = f"{county[:6]}001000", f"{county[:6]}002000"
    in_town1 = [
        e for e in enterprises if e["division_id"].startswith(town1[:9]) and e["status"] == "operating"
    ]
    company = next((e for e in in_town1 if e["industry"] in MANUFACTURING), in_town1[0])
    return [
        UserSpec("demo_admin", "bureau_admin", county, "陈志远", mobile(rng)),
        UserSpec("demo_staff", "bureau_staff", county, "李静怡", mobile(rng)),
        UserSpec("demo_duty", "duty_officer", county, "张伟明", mobile(rng)),
        UserSpec("demo_inspector", "inspector", county, "刘振华", mobile(rng)),
        UserSpec("demo_town", "town_official", town1, "周海燕", mobile(rng)),
        UserSpec("demo_town2", "town_official", town2, "吴国平", mobile(rng)),
        UserSpec("demo_village", "village_official", company["division_id"], "孙立群", mobile(rng)),
        UserSpec(
            "demo_enterprise",
            "enterprise_user",
            company["division_id"],
            company["safety_manager"],
            company["safety_manager_phone"],
            enterprise_uscc=company["uscc"],
        ),
        UserSpec("demo_leader", "leader", county, "赵德明", mobile(rng)),
        # More inspectors, so enforcement plans have groups of two and random draws have a pool.
        UserSpec("demo_inspector2", "inspector", county, "钱建国", mobile(rng)),
        UserSpec("demo_inspector3", "inspector", county, "孙丽华", mobile(rng)),
        UserSpec("demo_inspector4", "inspector", county, "郑永强", mobile(rng)),
    ]


def build_demo_county() -> DemoCounty:
    divisions = build_divisions()
    enterprises = build_enterprises(divisions)
    return DemoCounty(divisions, enterprises, build_users(divisions, enterprises))


def scale_enterprises(
    rng: random.Random,
    villages: list[tuple[str, str, str, float | None, float | None]],
    area6: str,
    first_number: int,
    count: int,
    county_name: str,
    box: tuple[float, float, float, float],
):
    """Yield `count` enterprise dicts numbered from `first_number`, spread evenly over `villages`
    (tuples of code, town name, village name, longitude, latitude)."""
    maker = EnterpriseMaker(rng, county_short=county_name[:2], county_name=county_name, box=box)
    for n in range(first_number, first_number + count):
        code, town_name, village_name, lng, lat = villages[rng.randrange(len(villages))]
        yield maker.make(
            uscc_value=scale_uscc(area6, n),
            division_code=code,
            town_name=town_name,
            village_name=village_name,
            centre=(lng, lat),
        )
