"""Roll-call (值班值守点名) to 2,000 enterprises.

    python benchmarks/bench_rollcall.py --db sqlite
    python benchmarks/bench_rollcall.py --db postgres

Builds a fresh database (`yingji migrate`), one synthetic county (20 towns x 10 villages) with 2,000
operating 危化 enterprises (each with a duty phone; one in four with an enterprise account), then:

1. start → targets written and every message queued (`services_supervision.start_roll_call`: the pool
   query, the targets, the in-app and SMS messages with their deliveries, one transaction). Target ≤ 2 s.
2. 2,000 answers through HTTP against `yingji serve --no-worker` (gunicorn): each the SMS gateway's
   callback `POST /api/v1/monitoring/supervision/sms-reply` (phone + text with the code), from
   --clients threads (benchmarks/load_rollcall.py): first all 2,000 as fast as they go (a burst of a
   few seconds, well within the minute), then counted in the database: every 200 is an answered
   target, none lost, nothing else answered. A second roll-call takes 2,000 answers spread over
   --seconds (default 60) as the issue words it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, ScratchDatabase, ensure_venv, machine_info, print_machine, venv_python  # noqa: E402
from bench_list import free_port, start_server, stop_server, wait_for_server  # noqa: E402
from load_rollcall import post_replies  # noqa: E402

COUNTY = "329901000000"
TOWNS, VILLAGES = 20, 10
ENTERPRISES = 2000
PASSWORD = "Bench@pass1"


def uscc(serial: int) -> str:
    from yingji.core.identifiers import uscc_check_char

    first17 = f"91329901MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def inner_setup(folder: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from yingji.accounts import services as account_services
    from yingji.core.models import Division
    from yingji.registry.models import Enterprise

    province, _ = Division.objects.get_or_create(
        code="320000000000", defaults={"name": "江苏省", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="329900000000", defaults={"name": "示范市", "level": "city", "parent": province}
    )
    county = Division.objects.create(code=COUNTY, name="示范县", level="county", parent=city)
    towns, villages = [], []
    for t in range(1, TOWNS + 1):
        town = Division(code=f"329901{t:03d}000", name=f"镇{t}", level="town", parent=county)
        towns.append(town)
        villages += [
            Division(code=f"329901{t:03d}{200 + v:03d}", name=f"镇{t}村{v}", level="village", parent=town)
            for v in range(1, VILLAGES + 1)
        ]
    Division.objects.bulk_create(towns + villages)
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"示范化工{i}有限公司",
                uscc=uscc(i),
                industry="26",
                division=villages[i % len(villages)],
                main_person=f"负责人{i}",
                main_person_phone=f"138{i:08d}",
                safety_manager_phone=f"139{i:08d}",
                hazchem_production=True,
            )
            for i in range(1, ENTERPRISES + 1)
        ],
        batch_size=1000,
    )
    password = make_password(PASSWORD)
    user_model = get_user_model()
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "division_id"))
    user_model.objects.bulk_create(
        [
            user_model(
                username=f"ent{pk}",
                role="enterprise_user",
                division_id=division,
                enterprise_id=pk,
                password=password,
                full_name=f"ent{pk}",
            )  # fmt: skip
            for pk, division in enterprises[::4]
        ],
        batch_size=1000,
    )
    duty = account_services.create_user(
        username="bench_duty", role="duty_officer", division=county, password=PASSWORD, full_name="duty"
    )
    (folder / "duty.json").write_text(json.dumps(duty.pk))
    return {"enterprises": len(enterprises)}


def inner_start(folder: Path) -> dict:
    from django.contrib.auth import get_user_model

    from yingji.messaging.models import Delivery, Message
    from yingji.monitoring import services_supervision as services

    duty = get_user_model().objects.get(pk=json.loads((folder / "duty.json").read_text()))
    before = Message.objects.count(), Delivery.objects.count()
    started = time.perf_counter()
    call = services.start_roll_call(
        actor=duty, title="危化企业值班点名", minutes=10, flags=["hazchem_production"]
    )
    seconds = time.perf_counter() - started
    rows = list(call.targets.order_by("pk").values_list("phone", flat=True))
    (folder / f"replies-{call.pk}.json").write_text(json.dumps([[phone, call.code] for phone in rows]))
    return {
        "roll_call": call.pk,
        "seconds": seconds,
        "targets": len(rows),
        "messages": Message.objects.count() - before[0],
        "deliveries": Delivery.objects.count() - before[1],
        "sms": Delivery.objects.filter(channel="sms", message__context__roll_call=call.pk).count(),
    }


def inner_count(roll_call: int, folder: Path) -> dict:
    from django.db.models import Count

    from yingji.monitoring.models import RollCallTarget

    answered = set(json.loads((folder / f"answered-{roll_call}.json").read_text()))
    targets = RollCallTarget.objects.filter(roll_call_id=roll_call)
    recorded = set(targets.exclude(status="pending").values_list("phone", flat=True))
    return {
        "recorded": len(recorded),
        "targets": targets.count(),
        "answered_not_recorded": len(answered - recorded),
        "recorded_not_answered": len(recorded - answered),
        "statuses": dict(targets.values_list("status").annotate(n=Count("pk")).order_by()),
    }


def inner(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    django.setup()
    folder = Path(args.folder)
    if args.inner == "setup":
        result = inner_setup(folder)
    elif args.inner == "start":
        result = inner_start(folder)
    else:
        result = inner_count(args.roll_call, folder)
    print(json.dumps(result, default=str))


def run_inner(db: ScratchDatabase, *extra: str) -> dict:
    result = subprocess.run(
        [venv_python(), __file__, *extra, "--folder", str(db.folder)],
        env=db.env,
        cwd=REPO,
        text=True,
        capture_output=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the inner step {extra} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def answer_round(db: ScratchDatabase, port: int, clients: int, seconds: float, label: str) -> int:
    start = run_inner(db, "--inner", "start")
    print(
        f"1{label}. start → {start['targets']} targets, {start['messages']} messages, {start['deliveries']} "
        f"deliveries ({start['sms']} SMS) queued in {start['seconds']:.2f} s (target ≤ 2 s)"
    )
    failures = start["seconds"] > 2 or start["targets"] != ENTERPRISES
    replies = json.loads((db.folder / f"replies-{start['roll_call']}.json").read_text())
    load = post_replies(port, replies, clients, seconds)
    (db.folder / f"answered-{start['roll_call']}.json").write_text(json.dumps(load["answered"]))
    counted = run_inner(db, "--inner", "count", "--roll-call", str(start["roll_call"]))
    spread = f"spread over {seconds:.0f} s" if seconds else "as fast as they go"
    print(
        f"2{label}. {load['sent']} SMS answers {spread} ({clients} clients): done in {load['seconds']:.1f} s, "
        f"{load['per_second']:.0f}/s, p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, "
        f"statuses {load['statuses']}"
    )
    ok = len(load["answered"])
    print(
        f"    rows answered in the database: {counted['recorded']} of {counted['targets']} (HTTP 200s: {ok}); "
        f"lost: {counted['answered_not_recorded']}, answered without a 200: {counted['recorded_not_answered']}; "
        f"{counted['statuses']}"
    )
    failures += ok != ENTERPRISES or counted["recorded"] != ok or counted["answered_not_recorded"]
    failures += load["seconds"] > 60 + 5
    return int(failures)


def run(args) -> int:
    info = machine_info(args.db)
    print(f"# bench_rollcall --db {args.db}\n")
    print_machine(info)
    failures = 0
    with ScratchDatabase(args.db, keep=args.keep, pg_name=args.pg_name) as db:
        db.yingji("migrate", "--no-input", "-v", "0")
        setup = run_inner(db, "--inner", "setup")
        print(f"\n{setup['enterprises']} enterprises generated")
        db.analyze()
        port = free_port()
        server = start_server(db, port, args.web_workers)
        try:
            wait_for_server("127.0.0.1", port, server)
            failures += answer_round(db, port, args.clients, 0.0, "a")
            if args.seconds > 0:
                failures += answer_round(db, port, args.clients, args.seconds, "b")
        finally:
            stop_server(server)
    print("\nresult:", "FAIL" if failures else "ok")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--seconds", type=float, default=60.0, help="the paced round's length (0: skip it)")
    parser.add_argument("--web-workers", type=int, default=None)
    parser.add_argument("--pg-name", default="yingji_bench_rollcall", help="the scratch PostgreSQL database")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--inner", choices=("setup", "start", "count"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--roll-call", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args)
        return 0
    ensure_venv()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
