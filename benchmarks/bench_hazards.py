"""Hidden dangers at scale: the list, the ledger and the statistics over 1,000,000 hazards.

    python benchmarks/bench_hazards.py --db sqlite
    python benchmarks/bench_hazards.py --db postgres

Builds a fresh database (SQLite in a scratch folder, or PostgreSQL `bench_h2_hazards`, dropped at the
end): `yingji migrate`, `YINGJI_DEMO=1 yingji seed demo`, `yingji seed scale --enterprises N` (default
100,000), then in this process inserts `--hazards` generated hidden dangers in bulk
(`benchmarks/gen_hazards.py`: reported over 3 years, ~5-8 % open, many of those overdue, ~3 % major),
times `rebuild_statistics()` and runs ANALYZE (VACUUM ANALYZE on PostgreSQL). Then starts
`yingji serve --no-worker` and, one request at a time over keep-alive connections, as the county admin
(demo_admin: every hazard) and a town official (demo_town: one town), times the hazard list API and page
with filters (status, town, overdue, grade), the ledger page and API, and the statistics page and API.
Prints a markdown table per case and per kind; exits 1 when any response was not 200.
"""

from __future__ import annotations

import argparse
import datetime
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
from bench_list import (  # noqa: E402
    Client,
    CpuMeter,
    free_port,
    login,
    start_server,
    stop_server,
    wait_for_server,
)

USERS = ("demo_admin", "demo_town")
PG_NAME = "bench_h2_hazards"
KINDS = ("list api", "list page", "ledger page", "ledger api", "statistics page", "statistics api")


def build_hazards(db: ScratchDatabase, args) -> dict:
    """Insert the hazards and rebuild the counters in this process; return facts for the report."""
    for key in [k for k in os.environ if k.startswith("YINGJI_")]:
        del os.environ[key]
    os.environ.update(db.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from gen_hazards import insert_hazards

    from yingji.hazards import rules
    from yingji.hazards.models import Hazard, HazardStat, Status
    from yingji.hazards.statistics import rebuild_statistics

    now = timezone.now()
    facts = {}
    started = time.perf_counter()
    insert_hazards(
        args.hazards,
        now=now,
        years=3,
        seed=args.seed,
        progress=lambda done, n: print(f"    {done:,} / {n:,} hazards", flush=True),
    )
    facts["insert"] = time.perf_counter() - started
    print(f"  insert {args.hazards:,} hazards: {facts['insert']:.1f} s", flush=True)
    started = time.perf_counter()
    facts["stat rows"] = rebuild_statistics()
    facts["rebuild"] = time.perf_counter() - started
    print(
        f"  rebuild_statistics(): {facts['rebuild']:.1f} s, {facts['stat rows']:,} counter rows", flush=True
    )
    facts["open"] = Hazard.objects.filter(status__in=Status.open_values()).count()
    facts["overdue"] = Hazard.objects.filter(rules.overdue_q(timezone.now())).count()
    facts["major"] = Hazard.objects.filter(grade="major").count()
    facts["stat rows check"] = HazardStat.objects.count()
    print(
        f"  open {facts['open']:,} ({100 * facts['open'] / max(args.hazards, 1):.1f} %), "
        f"overdue {facts['overdue']:,}, major {facts['major']:,}",
        flush=True,
    )
    connection.close()
    started = time.perf_counter()
    db.analyze()
    print(
        f"  {'VACUUM ANALYZE' if db.kind == 'postgres' else 'ANALYZE'}: {time.perf_counter() - started:.1f} s"
    )
    return facts


def cases_for(user: str) -> list[tuple[str, str, str]]:
    """(kind, case, url) for one user."""
    # The county admin filters by 临港镇 (a chemicals town); the town official sees only their own town.
    town = "329901003000" if user == "demo_admin" else None
    today = datetime.date.today()
    three_years = (today - datetime.timedelta(days=3 * 365)).isoformat()
    division = {"division": town} if town else {}
    list_cases = [
        ("first page", {}),
        ("status=rectifying", {"status": "rectifying"}),
        ("overdue=yes", {"overdue": "yes"}),
        ("grade=major", {"grade": "major"}),
        ("combined", {"status": "rectifying", "grade": "general", "overdue": "yes", **division}),
    ]
    if town:
        list_cases.append((f"division={town}", division))
    cases = []
    for name, params in list_cases:
        cases.append(("list api", name, "/api/v1/hazards?" + urlencode({**params, "page_size": 50})))
        cases.append(("list page", name, "/hazards/?" + urlencode({**params, "per_page": 50})))
    cases += [
        ("ledger page", "all open", "/hazards/ledger/"),
        ("ledger page", "overdue=yes", "/hazards/ledger/?overdue=yes"),
        ("ledger page", "age=181+, page 3", "/hazards/ledger/?" + urlencode({"age": "181+", "page": 3})),
        ("ledger api", "summary", "/api/v1/ledger/summary"),
        ("ledger api", "summary grade=major", "/api/v1/ledger/summary?grade=major"),
        ("statistics page", "by month, 12 months", "/hazards/statistics/"),
        (
            "statistics page",
            "by town, 3 years",
            "/hazards/statistics/?" + urlencode({"group_by": "town", "start": three_years}),
        ),
        (
            "statistics page",
            "by industry, 3 years",
            "/hazards/statistics/?" + urlencode({"group_by": "industry", "start": three_years}),
        ),
        (
            "statistics api",
            "by month, 3 years",
            "/api/v1/ledger/statistics?" + urlencode({"group_by": "month", "start": three_years}),
        ),
        ("statistics api", "by source, 12 months", "/api/v1/ledger/statistics?group_by=source"),
        (
            "statistics api",
            "by grade, major, 3 years",
            "/api/v1/ledger/statistics?"
            + urlencode({"group_by": "grade", "grade": "major", "start": three_years}),
        ),
    ]
    if town:
        cases.append(
            (
                "statistics api",
                "by month, one town",
                "/api/v1/ledger/statistics?" + urlencode({"division": town}),
            )
        )
    return cases


def measure(args, port: int, tokens: dict, meter: CpuMeter) -> int:
    host = "127.0.0.1"
    clients = {}
    plan = []  # (kind, user, case, url)
    for user in USERS:
        clients[("api", user)] = Client(host, port, {"Authorization": f"Bearer {tokens[user]}"})
        clients[("page", user)] = login(host, port, user)
        for kind, case, url in cases_for(user):
            plan.append((kind, user, case, url))
    skipped = set()
    for kind in ("list api", "list page"):
        probe = next(p for p in plan if p[0] == kind)
        client = clients[("api" if kind.endswith("api") else "page", probe[1])]
        status, *_ = client.request("GET", probe[3])
        if status == 404:
            skipped.add(kind)
            print(f"  {kind}: not available yet (404), skipped")
    plan = [p for p in plan if p[0] not in skipped]

    rng = random.Random(args.seed)
    schedule = [p for p in plan for _ in range(args.repeat)]
    rng.shuffle(schedule)
    errors: list[str] = []

    def one(entry):
        kind, user, case, url = entry
        client = clients[("api" if kind.endswith("api") else "page", user)]
        before = meter.snapshot()
        status, _, body, ms = client.request("GET", url)
        cpu = meter.delta_ms(before, meter.snapshot())
        if status != 200:
            errors.append(f"{status} {kind} {user} {url}: {body[:200]!r}")
            return None
        return ms, cpu

    for entry in plan:  # warm-up: each once
        one(entry)
    if errors:
        print("The warm-up requests failed:", *errors[:10], sep="\n  ", file=sys.stderr)
        return 1
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
    print("| kind | user | case | n | median ms | p95 ms | max ms | server CPU median ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for kind, user, case, _url in plan:
        s, c = summary(times[(kind, user, case)]), summary(cpus[(kind, user, case)])
        print(
            f"| {kind} | {user} | {case} | {s['count']} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} "
            f"| {c['median']:.1f} |"
        )
    print()
    print("| kind | n | median ms | p95 ms | max ms | server CPU p95 ms | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for kind in KINDS:
        if kind in skipped:
            continue
        picked = [key for key in times if key[0] == kind]
        s = summary([ms for key in picked for ms in times[key]])
        c = summary([ms for key in picked for ms in cpus[key]])
        verdict = "meets" if s["p95"] <= args.target_ms else "MISSES"
        print(
            f"| {kind} | {s['count']} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} | {c['p95']:.1f} "
            f"| {verdict} {args.target_ms:.0f} ms |"
        )
    print(flush=True)
    if errors:
        print(f"\n{len(errors)} requests did not answer 200:", file=sys.stderr)
        for line in errors[:20]:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


def run(args) -> int:
    command = "python benchmarks/bench_hazards.py " + shlex.join(sys.argv[1:])
    print(
        f"# Hidden-danger benchmark ({args.db}, {args.enterprises:,} enterprises, {args.hazards:,} hazards)\n"
    )
    print(f"Command: `{command}`\n")
    print_machine(machine_info(args.db))
    print()
    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Building the database ({db.describe()}):", flush=True)
        db.build(args.enterprises, log=lambda s: print(s, flush=True))
        build_hazards(db, args)
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
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=12, help="measured requests per case and user")
    parser.add_argument("--web-workers", type=int, default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database name (default {PG_NAME})")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and server log")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
