"""The incident timeline page with 10,000 entries: p50/p95 of the page through Django's test client.

    python benchmarks/bench_timeline.py --db sqlite
    python benchmarks/bench_timeline.py --db postgres --pg-name yingji_bench_timeline

Builds a fresh database (SQLite in a scratch folder, or the PostgreSQL database `--pg-name`, dropped
first), runs `yingji migrate`, creates one accident with N timeline entries (default 10,000, one a
minute, bulk-created) and times GET /incidents/<pk>/timeline/ (50 entries a page: the newest page, a
middle page and the last page), the incident page (its 10 latest entries) and GET
/api/v1/incidents/<pk>/timeline as a county bureau user: routing, session, permission, scope,
template and all. Target: p95 ≤ 300 ms. Prints p50/p95/max in ms; exits 1 when a response is not 200
or a p95 is above the target.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine, summary  # noqa: E402

TARGET_MS = 300.0


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="timeline entries (default 10,000)")
    parser.add_argument("--requests", type=int, default=100, help="requests per case (default 100)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--pg-name", default="yingji_bench_timeline", help="PostgreSQL database (dropped first)"
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
        from django.utils import timezone

        settings.ALLOWED_HOSTS = ["*"]
        from yingji.accounts.models import User
        from yingji.core.models import Division
        from yingji.incidents.models import Incident, TimelineEntry

        county = Division.objects.filter(level="county", code__startswith="32").order_by("code").first()
        village = (
            Division.objects.filter(code__startswith=county.code[:6], level="village")
            .order_by("code")
            .first()
        )
        user = User.objects.create_user(
            "bench_duty", password="Bench@2026x", role="duty_officer", division=county
        )
        now = timezone.now()
        start = now - datetime.timedelta(minutes=args.n + 10)
        incident = Incident.objects.create(
            kind="accident",
            subtype="work_safety",
            title="基准事故",
            occurred_at=start,
            reported_at=start,
            division=village or county,
            deaths=3,
            channel="phone_12350",
            grade="larger",
            status="responding",
        )
        rng = random.Random(2026)
        kinds = ["dispatch", "supply", "note", "casualties", "shelter", "assignment"]
        started = time.perf_counter()
        rows = [
            TimelineEntry(
                incident=incident,
                at=start + datetime.timedelta(minutes=i),
                kind=rng.choice(kinds),
                text=f"第{i}条：救援队伍到达现场，开展搜救，转移群众{rng.randint(1, 50)}人。",
                actor=user,
                automatic=rng.random() < 0.8,
            )
            for i in range(args.n)
        ]
        TimelineEntry.objects.bulk_create(rows, batch_size=2000)
        print(f"  create {args.n:,} entries: {time.perf_counter() - started:.1f} s")
        db.analyze()

        client = Client()
        client.force_login(user)
        pages = -(-args.n // 50)
        cases = {
            "timeline page 1 (newest)": f"/incidents/{incident.pk}/timeline/",
            "timeline middle page": f"/incidents/{incident.pk}/timeline/?page={pages // 2}",
            "timeline last page": f"/incidents/{incident.pk}/timeline/?page={pages}",
            "incident page (10 latest)": f"/incidents/{incident.pk}/",
            "API timeline page 1": f"/api/v1/incidents/{incident.pk}/timeline",
        }
        failures = 0
        results = {}
        for label, url in cases.items():
            client.get(url)  # warm-up (templates, caches)
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    failures += 1
            results[label] = summary(times)
            if results[label]["p95"] > TARGET_MS:
                failures += 1

        print()
        print_machine(machine_info(args.db))
        print()
        print(f"Incident timeline with {args.n:,} entries, {args.requests} requests per row (ms):")
        print()
        print("| case | p50 | p95 | max |")
        print("| --- | ---: | ---: | ---: |")
        for label, s in results.items():
            print(f"| {label} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} |")
        if failures:
            print(f"\n{failures} checks FAILED (non-200 answers or p95 above {TARGET_MS:.0f} ms)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
