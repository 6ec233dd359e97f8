"""Write an N-row, fully valid enterprise import file (the import template's columns) for benchmarks.

    python benchmarks/gen_enterprise_xlsx.py /tmp/enterprises-30000.xlsx --rows 30000
    python benchmarks/gen_enterprise_xlsx.py /tmp/enterprises.csv --rows 5000 --start 100000

The rows are placed in the villages of the demo county 安澜县 (329901…, from
`yingji.demo.generator.build_divisions()`, which is pure and deterministic). Those divisions must be in
the database the file is imported into: run `YINGJI_DEMO=1 yingji seed demo` first, or pass
`--ensure-divisions` to create just the demo county's divisions in the configured database
(YINGJI_DATA_DIR / YINGJI_DATABASE_URL) before writing the file.

USCCs are "91329901X" + 8 base-31 digits of the row number (+ `--start`) + the check character: unique,
valid, and outside the namespaces of `seed demo` ("MA…") and `seed scale` ("Y…"), so a generated file
imports into a seeded database without "already exists" errors. Use a different `--start` for a second
file into the same database.

Reusable: `sample_rows(n)` yields the rows (lists in the template's column order) and `headers()` the
template's headers; `write_file(path, n)` writes either format.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

AREA = "329901"
BODY_PREFIX = "X"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红")
TRADE = list("恒鑫华宏永金瑞德天嘉盛润汇博创联益中新通亿泰荣丰昌隆源达兴佳凯")
KIND = ["化工", "机械", "纺织", "金属制品", "塑胶", "建材", "电子", "食品", "物流", "家具"]
INDUSTRIES = ["26", "34", "17", "33", "29", "30", "39", "14", "59", "21"]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()


def base31(number: int, width: int) -> str:
    from yingji.core.identifiers import USCC_CHARSET

    digits = []
    for _ in range(width):
        number, rest = divmod(number, 31)
        digits.append(USCC_CHARSET[rest])
    if number:
        raise ValueError("number too large for the width")
    return "".join(reversed(digits))


def make_uscc(number: int) -> str:
    from yingji.core.identifiers import uscc_check_char

    first17 = "91" + AREA + BODY_PREFIX + base31(number, 8)
    return first17 + uscc_check_char(first17)


def villages() -> list:
    from yingji.demo.generator import build_divisions

    return [d for d in build_divisions() if d.level == "village"]


def headers() -> list[str]:
    from yingji.registry.importing import ENTERPRISE_COLUMNS

    return [c.header for c in ENTERPRISE_COLUMNS if c.importable]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def sample_rows(n: int, *, start: int = 0, seed: int = 20260101) -> Iterator[list]:
    """`n` valid rows in the template's column order (Chinese words for choices, 是/否 for flags)."""
    from yingji.registry.importing import ENTERPRISE_COLUMNS, industry_label

    rng = random.Random(seed + start)
    places = villages()
    keys = [c.key for c in ENTERPRISE_COLUMNS if c.importable]
    for number in range(start, start + n):
        village = places[number % len(places)]
        kind = rng.randrange(len(KIND))
        values = {
            "name": f"安澜{rng.choice(TRADE)}{rng.choice(TRADE)}{KIND[kind]}有限公司{number}",
            "uscc": make_uscc(number),
            "industry": industry_label(INDUSTRIES[kind]) if number % 2 else INDUSTRIES[kind],
            "scale": rng.choice(["小型", "微型", "中型", "大型"]),
            "address": f"安澜县{village.name}兴业路{rng.randint(1, 399)}号",
            "longitude": round(village.longitude + rng.uniform(-0.005, 0.005), 6),
            "latitude": round(village.latitude + rng.uniform(-0.005, 0.005), 6),
            "division": village.code,
            "legal_representative": _person(rng),
            "main_person": _person(rng),
            "main_person_phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            "safety_manager": _person(rng),
            "safety_manager_phone": f"0513-8{rng.randint(0, 9999999):07d}",
            "employees": rng.randint(3, 800),
            "hazchem_production": "是" if kind == 0 and rng.random() < 0.5 else "否",
            "hazchem_business": "否",
            "hazchem_use": "是" if kind == 0 else "否",
            "major_hazard_source": "是" if kind == 0 and rng.random() < 0.1 else "否",
            "key_process": "否",
            "dust_explosion": "是" if kind in (5, 9) and rng.random() < 0.3 else "否",
            "ammonia_refrigeration": "是" if kind == 7 and rng.random() < 0.2 else "否",
            "confined_space": rng.choice(["是", "否", ""]),
            "metallurgy": "否",
            "metal_smelting": "否",
            "small_micro": "是",
            "standardization": rng.choice(["无", "三级", "二级"]),
            "liability_insured": rng.choice(["是", "否"]),
            "status": "在营",
        }
        yield [values[key] for key in keys]


def write_file(path: Path, n: int, *, start: int = 0) -> None:
    from yingji.core import tabular
    from yingji.registry.importing import ENTERPRISE_COLUMNS, SHEET_TITLE

    columns = [c for c in ENTERPRISE_COLUMNS if c.importable]
    rows = sample_rows(n, start=start)
    if path.suffix.lower() == ".csv":
        data = tabular.to_csv(columns, rows)
    else:
        data = tabular.to_xlsx(columns, rows, sheet_title=SHEET_TITLE)
    path.write_bytes(data)


def ensure_divisions() -> int:
    from yingji.demo.generator import build_divisions
    from yingji.demo.services import ensure_divisions as create

    return create(build_divisions())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="Output file, .xlsx or .csv.")
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--start", type=int, default=0, help="First row number (changes the USCCs).")
    parser.add_argument(
        "--ensure-divisions",
        action="store_true",
        help="Create the demo county's divisions in the configured database first.",
    )
    args = parser.parse_args()
    setup_django()
    if args.ensure_divisions:
        print(f"divisions created: {ensure_divisions()}")
    started = time.perf_counter()
    write_file(args.path, args.rows, start=args.start)
    print(
        f"wrote {args.rows} rows to {args.path} in {time.perf_counter() - started:.1f} s "
        f"({args.path.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
