"""The periodic escalation pass over N open deadlines (default 1,000,000), each with one step due.

    python benchmarks/bench_escalation.py --n 1000000
    python benchmarks/bench_escalation.py --n 100000 --db postgres

Builds a fresh database (SQLite in a scratch folder, or PostgreSQL `yingji_bench_escalation`), runs
`yingji migrate`, then in this process bulk-creates N open deadlines on the default ladder, due
12-13 hours after `now` (so the T−1 day reminder, and only it, is due), and times
`run_escalation_pass(now)`. Checks that exactly N events were written and that a second pass at the
same `now` fires nothing (its time is printed too). Exits 1 when a count is wrong.
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
    args = parser.parse_args()

    with ScratchDatabase(args.db, keep=args.keep, pg_name="yingji_bench_escalation") as db:
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

        from yingji.core.escalation import rules
        from yingji.core.escalation import services as escalation
        from yingji.core.escalation.models import Deadline, EscalationEvent
        from yingji.core.models import Division

        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        ladder = escalation.default_ladder()
        _ids, steps = escalation._Ladders().get(ladder.pk)
        content_type = ContentType.objects.get_for_model(Division)

        started = time.perf_counter()
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
        db.analyze()

        started = time.perf_counter()
        fired = escalation.run_escalation_pass(now=now, batch=args.batch)
        first_pass = time.perf_counter() - started
        events = EscalationEvent.objects.count()

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
            f"| {args.db} | {args.n:,} | {args.batch} | {first_pass:.1f} | {fired:,} | {second_pass:.2f} | {again} |"
        )
        ok = fired == args.n and events == args.n and again == 0 and events_after == args.n
        if not ok:
            print(f"FAILED: fired {fired}, events {events}, second pass {again}, events after {events_after}")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
