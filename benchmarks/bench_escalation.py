"""The periodic escalation pass over N open deadlines (default 1,000,000), each with one step due.

    python benchmarks/bench_escalation.py --n 1000000
    python benchmarks/bench_escalation.py --n 1000000 --db postgres --pg-name bench_h6_escalation
    python benchmarks/bench_escalation.py --n 0 --hazards 5000      # the real hidden-danger handler

Builds a fresh database (SQLite in a scratch folder, or the PostgreSQL database `--pg-name`, default
`yingji_bench_escalation`, dropped first), runs `yingji migrate`, then in this process creates N open
deadlines on the default ladder (records of a model without handlers, so each step is only recorded),
due 12-13 hours after `now` (so the T−1 day reminder, and only it, is due), and times
`run_escalation_pass(now)`. With `--hazards H` it also creates H confirmed hidden dangers (ten per
enterprise, two users each) whose reminder runs the real handler. Checks that exactly one event per
deadline was written and that a second pass at the same `now` fires nothing (its time is printed
too). Exits 1 when a count is wrong. Prints the CPU seconds of this process and of its PostgreSQL
backend, which other work on a shared machine disturbs less than the wall time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine  # noqa: E402


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="open deadlines (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per transaction in the pass")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--hazards",
        type=int,
        default=0,
        help="besides the N plain deadlines, this many hidden dangers whose reminder runs the real "
        "handler (loads the hazard, finds the enterprise's users, queues in-app messages)",
    )
    parser.add_argument(
        "--pg-name", default="yingji_bench_escalation", help="PostgreSQL database name (dropped first)"
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
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Count

        from yingji.core.escalation import rules
        from yingji.core.escalation import services as escalation
        from yingji.core.escalation.models import Deadline, EscalationEvent
        from yingji.core.models import Division

        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        ladder = escalation.default_ladder()
        _ids, steps = escalation._Ladders().get(ladder.pk)
        content_type = ContentType.objects.get_for_model(Division)

        started = time.perf_counter()
        if args.db == "postgres":
            # One INSERT ... SELECT: the same rows as the bulk_create below, 10x faster to make.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO core_deadline (content_type_id, object_id, due_at, ladder_id, state, "
                    "next_step_index, next_step_at, created_at) "
                    "SELECT %s, i::text, d, %s, 'open', 0, d + %s, %s FROM ("
                    "  SELECT i, %s + make_interval(hours => 12, secs => i %% 3600) AS d"
                    "  FROM generate_series(0, %s - 1) AS i) AS g",
                    [content_type.pk, ladder.pk, steps[0].delta, now, now, args.n],
                )
        else:
            chunk = 50_000
            for first in range(0, args.n, chunk):
                rows = []
                for i in range(first, min(first + chunk, args.n)):
                    due = now + datetime.timedelta(hours=12, seconds=i % 3600)
                    rows.append(
                        Deadline(
                            content_type=content_type,
                            object_id=str(i),
                            due_at=due,
                            ladder=ladder,
                            next_step_index=0,
                            next_step_at=rules.next_step_at(steps, due, 0),
                        )
                    )
                Deadline.objects.bulk_create(rows, batch_size=2000)
        print(f"  create {args.n:,} deadlines: {time.perf_counter() - started:.1f} s")
        if args.hazards:
            started = time.perf_counter()
            make_hazards(args.hazards, now, ladder, steps)
            print(
                f"  create {args.hazards:,} hidden dangers on the ladder: {time.perf_counter() - started:.1f} s"
            )
        db.analyze()
        total = args.n + args.hazards

        backend = backend_pid(args.db)
        cpu = (time.process_time(), server_cpu(backend))
        started = time.perf_counter()
        # The periodic task's pass: it records the fired steps; their handlers run afterwards, timed apart.
        fired = escalation.run_escalation_pass(now=now, batch=args.batch, handle=False)
        first_pass = time.perf_counter() - started
        client_cpu, db_cpu = time.process_time() - cpu[0], server_cpu(backend) - cpu[1]
        events = EscalationEvent.objects.count()
        started = time.perf_counter()
        handled = escalation.process_escalation_events()
        handling = time.perf_counter() - started
        pending = EscalationEvent.objects.filter(handled_at__isnull=True).count()
        handled_again = escalation.process_escalation_events()

        started = time.perf_counter()
        again = escalation.run_escalation_pass(now=now, batch=args.batch)
        second_pass = time.perf_counter() - started
        events_after = EscalationEvent.objects.count()

        print()
        print_machine(machine_info(args.db))
        print()
        print(
            "| database | open deadlines | batch | first pass (s) | steps fired | second pass (s) | fired again |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| {args.db} | {total:,} | {args.batch} | {first_pass:.1f} | {fired:,} | {second_pass:.2f} | {again} |"
        )
        if args.hazards:
            from yingji.messaging.models import Message

            outcomes = dict(
                EscalationEvent.objects.filter(outcome__startswith="notified")
                .values_list("outcome")
                .annotate(n=Count("pk"))
                .order_by()
            )
            print(
                f"hidden dangers: {args.hazards:,}; outcomes {outcomes}; messages {Message.objects.count():,}"
            )
        print(
            f"handlers run after the pass: {handled:,} steps in {handling:.1f} s"
            f" ({1000 * handling / max(handled, 1):.2f} ms each); pending after: {pending}; run again: {handled_again}"
        )
        # CPU seconds of this process and of its PostgreSQL backend: less sensitive than the wall
        # time to other work on a shared machine (I/O waits are in neither).
        print(f"first pass CPU: client {client_cpu:.1f} s" + (f", server {db_cpu:.1f} s" if backend else ""))
        ok = (
            fired == total
            and events == total
            and again == 0
            and events_after == total
            and pending == 0
            and handled_again == 0
        )
        if not ok:
            print(f"FAILED: fired {fired}, events {events}, second pass {again}, events after {events_after}")
        return 0 if ok else 1


def backend_pid(kind: str) -> int | None:
    if kind != "postgres":
        return None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def server_cpu(pid: int | None) -> float:
    """utime + stime of a local PostgreSQL backend, in seconds (0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_hazards(count: int, now, ladder, steps) -> None:
    """`count` confirmed general hidden dangers (ten per enterprise), each with a deadline."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.accounts.models import User
    from yingji.core.escalation.models import Deadline
    from yingji.core.identifiers import uscc_check_char
    from yingji.core.models import Division
    from yingji.hazards.models import Hazard
    from yingji.registry.models import Enterprise

    town = Division.objects.filter(level="town").order_by("code").first()
    # Ten hidden dangers per enterprise, two users each, and one town official over them all.
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"Bench Co. {i}",
            uscc=f"91320000MA{i:07d}" + uscc_check_char(f"91320000MA{i:07d}"),
            industry="26",
            division=town,
        )
        for i in range(max(count // 10, 1))
    )
    User.objects.bulk_create(
        User(username=f"bench{e.pk}-{i}", role="enterprise_user", division=town, enterprise=e)
        for e in enterprises
        for i in range(2)
    )
    User.objects.create(username="bench_town", role="town_official", division=town)
    hazard_type = ContentType.objects.get_for_model(Hazard)
    for first in range(0, count, 10_000):
        size = min(10_000, count - first)
        dues = [now + datetime.timedelta(hours=12, seconds=(first + i) % 3600) for i in range(size)]
        hazards = Hazard.objects.bulk_create(
            Hazard(
                enterprise=enterprises[(first + i) % len(enterprises)],
                division=town,
                title=f"Hazard {first + i}",
                source="self_check",
                status="confirmed",
                due_at=dues[i],
                reported_at=now,
                confirmed_at=now,
            )
            for i in range(size)
        )
        Deadline.objects.bulk_create(
            Deadline(
                content_type=hazard_type,
                object_id=str(hazard.pk),
                due_at=due,
                ladder=ladder,
                next_step_index=0,
                next_step_at=due + steps[0].delta,
            )
            for hazard, due in zip(hazards, dues, strict=True)
        )


if __name__ == "__main__":
    raise SystemExit(main())
