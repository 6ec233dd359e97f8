"""Inspections at scale: the coverage (执法清零) and enforcement statistics pages and API over 100,000
enterprises and 1,000,000 inspection records.

    python benchmarks/bench_inspections.py --db sqlite
    python benchmarks/bench_inspections.py --db postgres

Builds a fresh database (SQLite in a scratch folder, or PostgreSQL `bench_h3_inspections`, dropped at
the end): `yingji migrate`, `YINGJI_DEMO=1 yingji seed demo`, `yingji seed scale --enterprises N`
(default 100,000), then in this process inserts `--inspections` finished inspections in bulk (over 3
years, on random enterprises), findings on about a third of them (5 % major), a rectification order for
each inspection with findings, penalties for a tenth of the orders and a few suspensions; times
`rollup_plans.rebuild_counters()` (the counters the services keep) and runs ANALYZE (VACUUM ANALYZE on
PostgreSQL). Then starts `yingji serve --no-worker` and, one request at a time over keep-alive
connections, as the county admin (demo_admin) and a town official (demo_town), times the coverage page
and API and the statistics page and API for a year, a quarter and a month, by town, industry and
month. Prints a markdown table per case and per kind; exits 1 when any response was not 200.
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
from bench_list import Client, CpuMeter, free_port, login, start_server, stop_server, wait_for_server  # noqa: E402

USERS = ("demo_admin", "demo_town")
PG_NAME = "bench_h3_inspections"
KINDS = ("coverage page", "coverage api", "statistics page", "statistics api")
FINDINGS = ("灭火器压力不足", "安全出口堵塞", "应急照明失效", "配电箱未上锁", "粉尘清扫不及时")


def insert_inspections(n: int, *, now: datetime.datetime, years: float, seed: int, progress=None) -> dict:
    """Bulk rows (no services, no signals): inspections, findings, orders, penalties, suspensions."""
    from django.db import connection

    from yingji.accounts.models import User
    from yingji.demo.services import _row_inserter
    from yingji.inspections.models_checklists import Finding, Inspection
    from yingji.inspections.models_enforcement import PenaltyCase, RectificationOrder, Suspension
    from yingji.registry.models import Enterprise

    rng = random.Random(seed)
    user_id = User.objects.order_by("pk").values_list("pk", flat=True).first()
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "division_id"))
    span = years * 365 * 86400
    insert = _row_inserter(Inspection)
    batch = 5000
    done = 0
    while done < n:
        size = min(batch, n - done)
        rows = []
        for _ in range(size):
            enterprise_id, division_id = enterprises[rng.randrange(len(enterprises))]
            finished = now - datetime.timedelta(seconds=rng.random() * span)
            rows.append(
                {
                    "enterprise_id": enterprise_id,
                    "division_id": division_id,
                    "template_id": None,
                    "kind": "routine",
                    "status": "finished",
                    "started_at": finished - datetime.timedelta(hours=2),
                    "finished_at": finished,
                    "created_by_id": user_id,
                    "summary": "",
                }
            )
        insert(rows)
        done += size
        if progress and (done % (batch * 20) == 0 or done == n):
            progress(done, n)
    facts = {"inspections": n}
    # Findings, orders, penalties, suspensions on a third of the inspections.
    with_findings = []
    generated = Inspection.objects.filter(
        status="finished", finished_at__isnull=False, rectification_order=None
    )
    for pk, enterprise_id, division_id, finished_at in generated.values_list(
        "pk", "enterprise_id", "division_id", "finished_at"
    ).iterator(chunk_size=20000):
        if rng.random() < 0.33:
            with_findings.append((pk, enterprise_id, division_id, finished_at))
    insert_finding = _row_inserter(Finding)
    insert_order = _row_inserter(RectificationOrder)
    findings = 0
    for start in range(0, len(with_findings), batch):
        chunk = with_findings[start : start + batch]
        finding_rows, order_rows = [], []
        for pk, enterprise_id, division_id, finished_at in chunk:
            for _ in range(rng.randint(1, 3)):
                finding_rows.append(
                    {
                        "inspection_id": pk,
                        "item_id": None,
                        "description": rng.choice(FINDINGS),
                        "legal_basis": "",
                        "is_major": rng.random() < 0.05,
                        "deadline": (finished_at + datetime.timedelta(days=30)).date(),
                        "hazard_id": None,
                    }
                )
            order_rows.append(
                {
                    "inspection_id": pk,
                    "enterprise_id": enterprise_id,
                    "division_id": division_id,
                    "deadline": (finished_at + datetime.timedelta(days=30)).date(),
                    "status": "closed",
                    "issued_by_id": user_id,
                    "issued_at": finished_at,
                }
            )
        insert_finding(finding_rows)
        insert_order(order_rows)
        findings += len(finding_rows)
    facts["findings"] = findings
    facts["orders"] = len(with_findings)
    penalties = [row for row in with_findings if rng.random() < 0.1]
    insert_penalty = _row_inserter(PenaltyCase)
    for start in range(0, len(penalties), batch):
        insert_penalty(
            [
                {
                    "enterprise_id": enterprise_id,
                    "division_id": division_id,
                    "amount": rng.choice((5000, 10000, 20000, 50000)),
                    "status": "decided",
                    "payment_status": "paid",
                    "opened_by_id": user_id,
                    "opened_at": finished_at,
                    "decided_by_id": user_id,
                    "decided_at": finished_at + datetime.timedelta(days=20),
                }
                for _pk, enterprise_id, division_id, finished_at in penalties[start : start + batch]
            ]
        )
    facts["penalties"] = len(penalties)
    suspensions = rng.sample(penalties, min(len(penalties), 300))
    _row_inserter(Suspension)(
        [
            {
                "enterprise_id": enterprise_id,
                "division_id": division_id,
                "reason": "停产整顿",
                "legal_basis": "《安全生产法》",
                "status": "lifted",
                "started_at": finished_at + datetime.timedelta(days=21),
                "started_by_id": user_id,
            }
            for _pk, enterprise_id, division_id, finished_at in suspensions
        ]
    )
    facts["suspensions"] = len(suspensions)
    connection.close()
    return facts


def build(db: ScratchDatabase, args) -> dict:
    for key in [k for k in os.environ if k.startswith("YINGJI_")]:
        del os.environ[key]
    os.environ.update(db.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
    import django

    django.setup()
    from django.utils import timezone

    from yingji.inspections.rollup_plans import rebuild_counters

    started = time.perf_counter()
    facts = insert_inspections(
        args.inspections,
        now=timezone.now(),
        years=3,
        seed=args.seed,
        progress=lambda done, n: print(f"    {done:,} / {n:,} inspections", flush=True),
    )
    print(f"  insert: {time.perf_counter() - started:.1f} s  {facts}", flush=True)
    started = time.perf_counter()
    rows = rebuild_counters()
    print(
        f"  rebuild_counters(): {time.perf_counter() - started:.1f} s, {rows:,} enterprise-month rows",
        flush=True,
    )
    from django.db import connection

    connection.close()
    started = time.perf_counter()
    db.analyze()
    print(
        f"  {'VACUUM ANALYZE' if db.kind == 'postgres' else 'ANALYZE'}: {time.perf_counter() - started:.1f} s"
    )
    return facts


def cases_for(user: str) -> list[tuple[str, str, str]]:
    town = "329901003000" if user == "demo_admin" else None
    year = datetime.date.today().year
    last = year - 1
    division = {"division": town} if town else {}
    cases = [
        ("coverage page", "this year, by town", "/inspections/coverage/"),
        (
            "coverage page",
            "last year, Q2, by industry",
            "/inspections/coverage/?" + urlencode({"year": last, "quarter": 2, "group_by": "industry"}),
        ),
        (
            "coverage page",
            "last year, month 3, page 3",
            "/inspections/coverage/?" + urlencode({"year": last, "month": 3, "page": 3}),
        ),
        ("coverage api", "last year", "/api/v1/inspection-plans/coverage?" + urlencode({"year": last})),
        (
            "coverage api",
            "uninspected, last year Q4",
            "/api/v1/inspection-plans/coverage/uninspected?" + urlencode({"year": last, "quarter": 4}),
        ),
        ("statistics page", "last year, by town", "/inspections/statistics/?" + urlencode({"year": last})),
        (
            "statistics page",
            "last year, by month",
            "/inspections/statistics/?" + urlencode({"year": last, "group_by": "month"}),
        ),
        (
            "statistics page",
            "this year, by industry",
            "/inspections/statistics/?" + urlencode({"group_by": "industry"}),
        ),
        (
            "statistics api",
            "last year, by town",
            "/api/v1/inspection-plans/statistics?" + urlencode({"year": last}),
        ),
        (
            "statistics api",
            "last year Q3, by month",
            "/api/v1/inspection-plans/statistics?"
            + urlencode({"year": last, "quarter": 3, "group_by": "month"}),
        ),
    ]
    if town:
        cases += [
            (
                "coverage page",
                "one town, last year",
                "/inspections/coverage/?" + urlencode({"year": last, **division}),
            ),
            (
                "statistics api",
                "one town, by month",
                "/api/v1/inspection-plans/statistics?"
                + urlencode({"year": last, "group_by": "month", **division}),
            ),
        ]
    return cases


def measure(args, port: int, tokens: dict, meter: CpuMeter) -> int:
    host = "127.0.0.1"
    clients = {}
    plan = []
    for user in USERS:
        clients[("api", user)] = Client(host, port, {"Authorization": f"Bearer {tokens[user]}"})
        clients[("page", user)] = login(host, port, user)
        for kind, case, url in cases_for(user):
            plan.append((kind, user, case, url))
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

    for entry in plan:
        one(entry)
    if errors:
        print("The warm-up requests failed:", *errors[:10], sep="\n  ", file=sys.stderr)
        return 1
    times: dict[tuple, list[float]] = defaultdict(list)
    cpus: dict[tuple, list[float]] = defaultdict(list)
    started = time.perf_counter()
    load_before = os.getloadavg()
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
    command = "python benchmarks/bench_inspections.py " + shlex.join(sys.argv[1:])
    print(
        f"# Inspection benchmark ({args.db}, {args.enterprises:,} enterprises, {args.inspections:,} inspections)\n"
    )
    print(f"Command: `{command}`\n")
    print_machine(machine_info(args.db))
    print()
    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        print(f"Building the database ({db.describe()}):", flush=True)
        db.build(args.enterprises, log=lambda s: print(s, flush=True))
        build(db, args)
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
    parser.add_argument("--inspections", type=int, default=1_000_000)
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
