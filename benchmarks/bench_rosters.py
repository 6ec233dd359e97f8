"""Evacuation rosters at Nantong's scale: a red warning for a whole county with 13,460 people to move.

    python benchmarks/bench_rosters.py --db sqlite
    python benchmarks/bench_rosters.py --db postgres

Builds a fresh database (`yingji migrate`), one synthetic county (20 towns x 30 villages) with 13,460
people on the rosters and one trigger (any warning, orange and up, the county), then measures inside
Django (wall clock):

1. `services_rosters.start_round()` for the issued red warning: one status row per person (the same
   call `services.issue` makes at its end).
2. the roll-ups the round page shows (totals, by town, by village), repeated: median and p95.
3. 1,000 marks through `services_rosters.mark()` one after the other (each its own transaction).
4. the roster import of a 13,460-row xlsx (checked only: dry run) and the export of all rows.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, ScratchDatabase, ensure_venv, machine_info, print_machine, summary, venv_python  # noqa: E402

COUNTY = "329901000000"
TOWNS, VILLAGES = 20, 30
PEOPLE = 13_460
ROLLUP_REPEATS = 30
MARKS = 1000


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def _county():
    from yingji.core.models import Division

    province, _ = Division.objects.get_or_create(
        code="320000000000", defaults={"name": "江苏省", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="329900000000", defaults={"name": "示范市", "level": "city", "parent": province}
    )
    county = Division.objects.create(code=COUNTY, name="安澜县", level="county", parent=city)
    villages = []
    for t in range(1, TOWNS + 1):
        town = Division.objects.create(code=f"329901{t:03d}000", name=f"镇{t}", level="town", parent=county)
        villages += [
            Division(code=f"329901{t:03d}{200 + v:03d}", name=f"镇{t}村{v}", level="village", parent=town)
            for v in range(1, VILLAGES + 1)
        ]
    Division.objects.bulk_create(villages)
    return county, villages


def inner_run() -> dict:
    import datetime
    from unittest import mock

    from django.utils import timezone

    from yingji.accounts import services as account_services
    from yingji.alerts import importing_rosters, services, services_rosters
    from yingji.alerts.models import Evacuee, RoundTrigger, TransferStatus

    county, villages = _county()
    people = [
        Evacuee(
            division=villages[n % len(villages)],
            name=f"人员{n}",
            phone=f"138{n:08d}",
            category="elderly_alone",
            custodian_name=f"包保{n % 2000}",
            custodian_phone=f"139{n % 2000:08d}",
        )
        for n in range(PEOPLE)
    ]
    Evacuee.objects.bulk_create(people, batch_size=2000)
    RoundTrigger.objects.create(division=county, min_level="orange")
    staff = account_services.create_user(
        username="bench_staff", role="bureau_staff", division=county, password="Bench@pass1"
    )
    approver = account_services.create_user(
        username="bench_duty", role="duty_officer", division=county, password="Bench@pass1"
    )
    now = timezone.now()
    warning = services.create_draft(
        actor=staff,
        division=county,
        event_type="rainstorm",
        event="暴雨",
        level="red",
        headline="暴雨红色预警",
        onset=now,
        expires=now + datetime.timedelta(days=1),
        areas=[{"area_desc": "全县", "division_codes": [COUNTY]}],
    )
    warning = services.approve(warning, actor=approver, now=now)
    # issue without its own round, to time the round alone
    with mock.patch.object(services_rosters, "start_round", lambda *a, **k: None):
        warning = services.issue(warning, actor=staff, now=now)
    round_, start_ms = _timed(lambda: services_rosters.start_round(warning, actor=staff, now=now))
    assert round_ is not None and round_.people == PEOPLE, round_

    rollups = []
    for _ in range(ROLLUP_REPEATS):
        _, ms = _timed(
            lambda: (
                services_rosters.totals(round_),
                services_rosters.rollup(round_, "town"),
                services_rosters.rollup(round_, "village"),
            )
        )
        rollups.append(ms)

    statuses = list(TransferStatus.objects.filter(round=round_).order_by("pk")[:MARKS])
    _, marks_ms = _timed(
        lambda: [services_rosters.mark(s, actor=staff, status="moved", now=now) for s in statuses]
    )
    (content, _ct, _name), export_ms = _timed(
        lambda: importing_rosters.export_roster(Evacuee.objects.all(), "xlsx", reveal_phones=True)
    )
    # The same people again would be duplicates: check a copy with other names (dry run, all rows).
    from openpyxl import load_workbook

    book = load_workbook(filename=io.BytesIO(content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        row[2].value = f"新{row[2].value}"
    buffer = io.BytesIO()
    book.save(buffer)
    report, import_ms = _timed(
        lambda: importing_rosters.import_roster(buffer.getvalue(), "bench.xlsx", actor=staff, dry_run=True)
    )
    assert report.ok, report.errors[:5]
    return {
        "people": round_.people,
        "start_round_ms": start_ms,
        "rollup": summary(rollups),
        "marks": MARKS,
        "marks_ms": marks_ms,
        "export_ms": export_ms,
        "import_dry_run_ms": import_ms,
        "import_rows": report.created,
    }


def run(args) -> int:
    info = machine_info(args.db)
    print(f"# bench_rosters --db {args.db}\n")
    print_machine(info)
    with ScratchDatabase(args.db, keep=args.keep) as db:
        db.yingji("migrate", "--no-input", "-v", "0")
        result = subprocess.run(
            [venv_python(), __file__, "--inner"], env=db.env, cwd=REPO, text=True, capture_output=True
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            return 1
        data = json.loads(result.stdout.strip().splitlines()[-1])
    rollup = data["rollup"]
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| start_round: {data['people']:,} status rows | {data['start_round_ms']:.0f} ms |")
    print(
        f"| round page roll-ups (totals + towns + villages), median / p95 | "
        f"{rollup['median']:.0f} / {rollup['p95']:.0f} ms |"
    )
    print(f"| {data['marks']:,} marks one by one | {data['marks_ms']:.0f} ms "
          f"({data['marks_ms'] / data['marks']:.1f} ms each) |")  # fmt: skip
    print(f"| export {data['people']:,} rows (xlsx) | {data['export_ms']:.0f} ms |")
    print(
        f"| import check of {data['import_rows']:,} rows (xlsx, dry run) | {data['import_dry_run_ms']:.0f} ms |"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
        django.setup()
        print(json.dumps(inner_run(), default=str))
        return 0
    ensure_venv()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
