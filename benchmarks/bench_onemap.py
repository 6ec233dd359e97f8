"""The one map's layer endpoint with 100,000 enterprises in the viewport, through a real server.

    python benchmarks/bench_onemap.py --db sqlite
    python benchmarks/bench_onemap.py --db postgres

Builds a fresh database (SQLite in a scratch folder, or PostgreSQL `bench_h8_onemap`, dropped at the
end): `yingji migrate`, `YINGJI_DEMO=1 yingji seed demo`, `yingji seed scale --enterprises N` (default
100,000, all inside the demo county's box), then gives every generated enterprise a risk level
(risk.EnterpriseRisk, one INSERT … SELECT: 5 % major, 10 % significant, 25 % general, 30 % low, the rest
not assessed) and runs ANALYZE. Starts `yingji serve --no-worker` and, one request at a time over a
keep-alive connection with a bearer token, as the county admin (demo_admin: every enterprise) and a
town official (demo_town: one town), times

    GET /api/v1/map/layers/enterprises?bbox=w,s,e,n&zoom=z

for a 1400 × 900 px viewport centred on the county at zooms 9 … 16 (at 9 – 11 the whole county, so all
100,000 points, are in the viewport: grid clusters; at 15 – 16 a few hundred points), plus random
viewports at zooms 12 and 14, the layer list with counts (/api/v1/map/layers) and the radius tool
(/api/v1/map/within, 1 km and 5 km). Prints a markdown table per case and per kind with p50/p95;
exits 1 when any response was not 200.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shlex
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine, summary  # noqa: E402
from bench_list import Client, CpuMeter, free_port, start_server, stop_server, wait_for_server  # noqa: E402

USERS = ("demo_admin", "demo_town")
PG_NAME = "bench_h8_onemap"
CENTRE = (120.9, 32.05)  # the demo county (generator.COUNTY_BOX = 120.6, 31.8 – 121.2, 32.3)
VIEWPORT = (1400, 900)
KINDS = ("layer, whole county (clusters)", "layer, zoomed in", "layer list", "within")

RISK_SQL = """
INSERT INTO risk_enterpriserisk (enterprise_id, level, major, significant, general, low, updated_at)
SELECT e.id,
       CASE WHEN e.id % 20 = 0 THEN 'major'
            WHEN e.id % 20 IN (1, 2) THEN 'significant'
            WHEN e.id % 20 IN (3, 4, 5, 6, 7) THEN 'general'
            WHEN e.id % 20 IN (8, 9, 10, 11, 12, 13) THEN 'low'
            ELSE '' END,
       0, 0, 0, 0, CURRENT_TIMESTAMP
FROM registry_enterprise e
WHERE NOT EXISTS (SELECT 1 FROM risk_enterpriserisk r WHERE r.enterprise_id = e.id)
"""


def add_risk_levels(db: ScratchDatabase) -> int:
    if db.kind == "sqlite":
        import sqlite3

        with sqlite3.connect(db.folder / "yingji.sqlite3") as conn:
            return conn.execute(RISK_SQL).rowcount
    import psycopg

    with psycopg.connect(db.env["YINGJI_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(RISK_SQL).rowcount


def viewport(lng: float, lat: float, zoom: int) -> str:
    """The bbox a VIEWPORT-sized Leaflet map centred on (lng, lat) shows at `zoom` (Web Mercator)."""
    scale = 256 * 2**zoom
    x = (lng + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def unproject(px: float, py: float) -> tuple[float, float]:
        lon = px / scale * 360 - 180
        lat_rad = math.atan(math.sinh(math.pi * (1 - 2 * py / scale)))
        return lon, math.degrees(lat_rad)

    west, north = unproject(x - VIEWPORT[0] / 2, y - VIEWPORT[1] / 2)
    east, south = unproject(x + VIEWPORT[0] / 2, y + VIEWPORT[1] / 2)
    return ",".join(f"{v:.5f}" for v in (max(west, -180), max(south, -90), min(east, 180), min(north, 90)))


def cases(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, case, url)."""
    result = []
    for zoom in range(9, 17):
        kind = "layer, whole county (clusters)" if zoom <= 11 else "layer, zoomed in"
        url = "/api/v1/map/layers/enterprises?" + urlencode({"bbox": viewport(*CENTRE, zoom), "zoom": zoom})
        result.append((kind, f"zoom {zoom}, county centre", url))
    for zoom in (12, 14):
        for i in range(3):
            lng, lat = rng.uniform(120.65, 121.15), rng.uniform(31.85, 32.25)
            url = "/api/v1/map/layers/enterprises?" + urlencode(
                {"bbox": viewport(lng, lat, zoom), "zoom": zoom}
            )
            result.append(("layer, zoomed in", f"zoom {zoom}, random view {i + 1}", url))
    result.append(("layer list", "counts of every layer", "/api/v1/map/layers"))
    for radius in (1000, 5000):
        url = "/api/v1/map/within?" + urlencode({"lat": CENTRE[1], "lon": CENTRE[0], "radius_m": radius})
        result.append(("within", f"radius {radius} m", url))
    return result


def measure(args, port: int, tokens: dict, meter: CpuMeter) -> int:
    host = "127.0.0.1"
    rng = random.Random(args.seed)
    plan = [(kind, user, case, url) for user in USERS for kind, case, url in cases(rng)]
    clients = {user: Client(host, port, {"Authorization": f"Bearer {tokens[user]}"}) for user in USERS}
    errors: list[str] = []
    shapes: dict[tuple, str] = {}

    def one(entry):
        kind, user, case, url = entry
        before = meter.snapshot()
        status, _, body, ms = clients[user].request("GET", url)
        cpu = meter.delta_ms(before, meter.snapshot())
        if status != 200:
            errors.append(f"{status} {kind} {user} {url}: {body[:200]!r}")
            return None
        if entry[:3] not in shapes and kind.startswith("layer,"):
            data = json.loads(body)
            items = len(data.get("clusters") or data.get("points") or [])
            shapes[entry[:3]] = f"{data['mode']}: {items:,} of {data['total']:,}, {len(body) / 1024:.0f} KiB"
        return ms, cpu

    for entry in plan:  # warm-up: each once
        one(entry)
    if errors:
        print("The warm-up requests failed:", *errors[:10], sep="\n  ", file=sys.stderr)
        return 1
    schedule = [p for p in plan for _ in range(args.repeat)]
    rng.shuffle(schedule)
    load_before = os.getloadavg()
    times: dict[tuple, list[float]] = defaultdict(list)
    cpus: dict[tuple, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for entry in schedule:
        result = one(entry)
        if result is not None:
            times[entry[:3]].append(result[0])
            cpus[entry[:3]].append(result[1])
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    for client in clients.values():
        client.close()
    print(
        f"\n{len(schedule)} measured requests ({args.repeat} per case, random order, after one warm-up each) "
        f"in {wall:.1f} s; load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f} "
        f"({os.cpu_count()} cores)\n"
    )
    print("| kind | user | case | answer | n | p50 ms | p95 ms | max ms | server CPU p50 ms |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|")
    for kind, user, case, _url in plan:
        s, c = summary(times[(kind, user, case)]), summary(cpus[(kind, user, case)])
        print(
            f"| {kind} | {user} | {case} | {shapes.get((kind, user, case), '')} | {s['count']} "
            f"| {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} | {c['median']:.1f} |"
        )
    print()
    print("| kind | n | p50 ms | p95 ms | max ms | server CPU p95 ms | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind in KINDS:
        picked = [key for key in times if key[0] == kind]
        s = summary([ms for key in picked for ms in times[key]])
        c = summary([ms for key in picked for ms in cpus[key]])
        target = f"{args.target_ms:.0f} ms"
        verdict = (
            ("meets " if s["p95"] <= args.target_ms else "MISSES ") + target
            if kind.startswith("layer,")
            else "-"
        )
        print(
            f"| {kind} | {s['count']} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} | {c['p95']:.1f} "
            f"| {verdict} |"
        )
    print(flush=True)
    if errors:
        print(f"\n{len(errors)} requests did not answer 200:", file=sys.stderr)
        for line in errors[:20]:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


def run(args) -> int:
    command = "python benchmarks/bench_onemap.py " + shlex.join(sys.argv[1:])
    print(f"# One map benchmark ({args.db}, {args.enterprises:,} generated enterprises)\n")
    print(f"Command: `{command}`\n")
    print_machine(machine_info(args.db))
    print()
    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Building the database ({db.describe()}):", flush=True)
        db.build(args.enterprises, log=lambda s: print(s, flush=True))
        started = time.perf_counter()
        added = add_risk_levels(db)
        print(f"  risk levels for {added:,} enterprises: {time.perf_counter() - started:.1f} s", flush=True)
        db.analyze()
        print(f"  enterprises in the database: {db.enterprise_count():,}", flush=True)
        tokens = {u: db.yingji("token", "create", u).stdout.strip().splitlines()[-1] for u in USERS}
        port = args.port or free_port()
        server = start_server(db, port, args.web_workers)
        try:
            wait_for_server("127.0.0.1", port, server)
            print(f"  server: `yingji serve --no-worker` on port {port}", flush=True)
            meter = CpuMeter(server.pid, db.pg_name if args.db == "postgres" else None)
            return measure(args, port, tokens, meter)
        finally:
            stop_server(server)
            if args.keep:
                print(f"(server log: {db.folder / 'server.log'})", file=sys.stderr)


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10, help="measured requests per case and user")
    parser.add_argument("--web-workers", type=int, default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database name (default {PG_NAME})")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and server log")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
