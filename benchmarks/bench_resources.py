"""Nearest resources: the nearest 10 teams among N (default 100,000), in process and through the API.

    python benchmarks/bench_resources.py --db sqlite
    python benchmarks/bench_resources.py --db postgres --pg-name yingji_bench_resources

Builds a fresh database (SQLite in a scratch folder, or the PostgreSQL database `--pg-name`, dropped
first), runs `yingji migrate`, bulk-creates N rescue teams in the towns of one county: 60 % spread
over a 3°×3° region around the county (a dense province), 40 % over the whole of China. Then times
`services.nearest(kind="team", limit=10)` at random points (half in the dense region, half anywhere in
China) as a superuser (every team) and as a county user (the `for_user` scope filter on top), and the
same through GET /api/v1/resources/nearest with Django's test client (routing, auth, JSON included).
Every answer is checked against a brute-force ranking for the first 20 points. Prints p50/p95 in ms;
exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine, summary  # noqa: E402

CENTRE = (32.0, 119.0)


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="rescue teams (default 100,000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per case (default 200)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--pg-name", default="yingji_bench_resources", help="PostgreSQL database (dropped first)"
    )
    args = parser.parse_args()

    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Database: {db.describe()}")
        started = time.perf_counter()
        db.yingji("migrate", "--no-input", "-v", "0")
        print(f"  migrate: {time.perf_counter() - started:.1f} s")
        for key in [k for k in os.environ if k.startswith("YINGJI_")]:
            del os.environ[key]
        os.environ.update(db.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        from yingji.accounts.models import User
        from yingji.core.models import Division
        from yingji.resources import rules, services
        from yingji.resources.models import Team

        county = Division.objects.filter(level="county", code__startswith="32").order_by("code").first()
        towns = list(Division.objects.filter(parent=county).values_list("code", flat=True)) or [county.code]
        rng = random.Random(2026)
        started = time.perf_counter()
        batch = []
        for i in range(args.n):
            if rng.random() < 0.6:
                lat, lng = CENTRE[0] + rng.uniform(-1.5, 1.5), CENTRE[1] + rng.uniform(-1.5, 1.5)
            else:
                lat, lng = rng.uniform(18.0, 53.0), rng.uniform(74.0, 134.0)
            batch.append(
                Team(
                    name=f"救援队{i}",
                    kind=rng.choice(["fire_rescue", "social", "water", "hazchem"]),
                    level="town",
                    division_id=rng.choice(towns),
                    latitude=lat,
                    longitude=lng,
                )
            )
            if len(batch) == 5000:
                Team.objects.bulk_create(batch)
                batch = []
        Team.objects.bulk_create(batch)
        print(f"  create {args.n:,} teams: {time.perf_counter() - started:.1f} s")
        db.analyze()

        admin = User.objects.create_superuser("bench_admin", "", "Bench@2026x")
        county_user = User.objects.create_user(
            "bench_county", password="Bench@2026x", role="bureau_staff", division=county
        )
        points = []
        for i in range(args.queries):
            if i % 2 == 0:
                points.append((CENTRE[0] + rng.uniform(-1.5, 1.5), CENTRE[1] + rng.uniform(-1.5, 1.5)))
            else:
                points.append((rng.uniform(20.0, 50.0), rng.uniform(80.0, 130.0)))

        everything = list(Team.objects.values_list("pk", "latitude", "longitude"))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        failures = 0
        query_counts = []
        for lat, lng in points[:20]:
            with CaptureQueriesContext(connection) as queries:
                found = services.nearest(user=admin, kind="team", latitude=lat, longitude=lng)
            query_counts.append(len(queries))
            got = [r["object"].pk for r in found]
            expected = [pk for _d, pk in rules.rank(everything, lat, lng, 10)]
            if got != expected:
                failures += 1
                print(f"  MISMATCH at {lat:.4f},{lng:.4f}")

        results = {}
        for label, user in (("superuser (all teams)", admin), ("county user (scoped)", county_user)):
            times = []
            for lat, lng in points:
                started = time.perf_counter()
                services.nearest(user=user, kind="team", latitude=lat, longitude=lng, limit=10)
                times.append((time.perf_counter() - started) * 1000)
            results[f"services.nearest, {label}"] = summary(times)

        client = Client()
        client.force_login(county_user)
        client.get(
            "/api/v1/resources/nearest", {"kind": "team", "lat": 32, "lon": 119}
        )  # warm-up: URL tree, API
        times = []
        for lat, lng in points:
            started = time.perf_counter()
            response = client.get(
                "/api/v1/resources/nearest", {"kind": "team", "lat": lat, "lon": lng, "limit": 10}
            )
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or len(response.json()["items"]) != 10:
                failures += 1
        results["GET /api/v1/resources/nearest, county user"] = summary(times)

        print()
        print_machine(machine_info(args.db))
        print()
        print(f"Nearest 10 of {args.n:,} teams, {args.queries} queries per row (ms):")
        print()
        print("| case | p50 | p95 | max |")
        print("| --- | ---: | ---: | ---: |")
        for label, s in results.items():
            print(f"| {label} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} |")
        print(
            f"\nSQL queries per call (first 20 points): {min(query_counts)}–{max(query_counts)}, "
            f"mean {sum(query_counts) / len(query_counts):.1f} (box queries + one to load the 10 rows)"
        )
        if failures:
            print(f"\n{failures} checks FAILED")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
