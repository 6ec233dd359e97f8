"""叫应 at Nantong's scale: a red warning for a whole county calling 13,460 people.

    python benchmarks/bench_calls.py --db sqlite
    python benchmarks/bench_calls.py --db postgres

Builds a fresh database (`yingji migrate`), one synthetic county (20 towns x 30 villages) with 13,460
call-list entries (A roles, plus B roles that are not called in the first round), then measures:

1. issue → targets resolved and first-round messages queued: `services.issue()` of the approved red
   warning (it writes the CAP message and, in the same transaction, the calls, one personalised message
   each and its SMS + voice deliveries, and the attempt rows). Target ≤ 2 s.
2. acknowledgements through the HTTP endpoint (`POST /api/v1/alerts/calls/ack/<token>`, no login)
   against `yingji serve --no-worker` (gunicorn): first as fast as N keep-alive clients can (the
   capacity), then paced at --rate per second for --seconds; then every row is counted: each 200 is an
   acknowledged call in the database (no loss), and nothing else was acknowledged. Target 1,000/s.
3. the live board (`/alerts/warnings/<pk>/board/`, session of the county staff) for that warning,
   repeated GETs: median and p95. Target ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, ScratchDatabase, ensure_venv, machine_info, print_machine, summary, venv_python  # noqa: E402
from bench_list import PASSWORD, free_port, login, start_server, stop_server, wait_for_server  # noqa: E402

COUNTY = "329901000000"
TOWNS, VILLAGES = 20, 30
TARGETS = 13_460


# --- inside Django (run as a subprocess with the scratch database's environment) ----------------------


def inner_setup(folder: Path) -> dict:
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from yingji.accounts import services as account_services
    from yingji.alerts import services
    from yingji.alerts.models import Call, CallListEntry
    from yingji.core.models import Division
    from yingji.messaging.models import Delivery, Message

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
        for v in range(1, VILLAGES + 1):
            villages.append(
                Division(code=f"329901{t:03d}{200 + v:03d}", name=f"镇{t}村{v}", level="village", parent=town)
            )
    Division.objects.bulk_create(towns + villages)
    entries = [
        CallListEntry(
            division=county, tier="county_hq", name="县指挥长", phone="13900000000", channels=["sms", "voice"]
        )
    ]
    serial = 1
    division_cycle = [(d, "town_leader") for d in towns] + [(d, "village") for d in villages]
    tiers = ["village", "informant", "works", "custodian"]
    while len(entries) < TARGETS:
        division, tier = division_cycle[serial % len(division_cycle)]
        if division.level == "village":
            tier = tiers[(serial // len(division_cycle)) % len(tiers)]
        entries.append(
            CallListEntry(
                division=division,
                tier=tier,
                name=f"责任人{serial}",
                phone=f"13{serial:09d}",
                channels=["sms", "voice"],
            )
        )
        serial += 1
    for index, village in enumerate(villages):  # B roles: called only when A does not answer
        entries.append(
            CallListEntry(
                division=village, tier="village", role="B", name=f"B{index}", phone=f"15{index:09d}"
            )
        )
    CallListEntry.objects.bulk_create(entries, batch_size=2000)
    staff = account_services.create_user(
        username="bench_staff", role="bureau_staff", division=county, password=PASSWORD, full_name="staff"
    )
    duty = account_services.create_user(
        username="bench_duty", role="duty_officer", division=county, password=PASSWORD, full_name="duty"
    )
    now = timezone.now()
    warning = services.create_draft(
        actor=staff,
        areas=[{"area_desc": "全县", "division_codes": [COUNTY]}],
        division=county,
        event_type="rainstorm",
        event="暴雨",
        level="red",
        headline="示范县暴雨红色预警",
        description="未来3小时全县降雨量将达100毫米以上。",
        expires=now + datetime.timedelta(hours=24),
    )
    warning = services.approve(warning, actor=duty, now=now)
    reverse("alerts:call_board", args=[warning.pk])  # a serving process has its URL table loaded already
    started = time.perf_counter()
    services.issue(warning, actor=duty)
    issue_seconds = time.perf_counter() - started
    calls = Call.objects.filter(warning=warning)
    rows = list(calls.order_by("pk").values_list("token", "phone", "code"))
    (folder / "tokens.json").write_text(json.dumps([token for token, _phone, _code in rows]))
    (folder / "calls.json").write_text(json.dumps(rows))
    return {
        "warning": warning.pk,
        "issue_seconds": issue_seconds,
        "calls": calls.count(),
        "messages": Message.objects.filter(template="warning_call").count(),
        "deliveries": Delivery.objects.filter(message__template="warning_call").count(),
    }


def inner_count(warning_id: int, folder: Path) -> dict:
    from yingji.alerts.models import Call

    calls = Call.objects.filter(warning_id=warning_id)
    answered = set(json.loads((folder / "answered.json").read_text()))
    acknowledged = set(calls.filter(status="acknowledged").values_list("token", flat=True))
    missing = sorted(answered - acknowledged)
    return {
        "acknowledged": len(acknowledged),
        "calls": calls.count(),
        "answered_not_acknowledged": list(
            calls.filter(token__in=missing[:20]).values("token", "status", "step")
        ),
        "acknowledged_not_answered": len(acknowledged - answered),
    }


def inner(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    django.setup()
    if args.inner == "setup":
        print(json.dumps(inner_setup(Path(args.folder))))
    else:
        print(json.dumps(inner_count(args.warning, Path(args.folder)), default=str))


def run_inner(db: ScratchDatabase, *extra: str) -> dict:
    env = dict(db.env, YINGJI_CALL_VOICE_URL="http://127.0.0.1:9/voice")
    result = subprocess.run(
        [venv_python(), __file__, *extra, "--folder", str(db.folder)],
        env=env,
        cwd=REPO,
        text=True,
        capture_output=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the inner step {extra} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- HTTP load ---------------------------------------------------------------------------------------


def post_acks(port: int, tokens: list[str], clients: int, rate: float | None) -> dict:
    """POST every token's acknowledgement with `clients` keep-alive connections; paced when `rate`."""
    statuses: dict[int, int] = {}
    answered: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()
    slices = [tokens[i::clients] for i in range(clients)]

    def work(index: int, chunk: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local: dict[int, int] = {}
        mine: list[str] = []
        for position, token in enumerate(chunk):
            if rate:
                due = started + (position * clients + index) / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            for attempt in (1, 2):
                try:
                    conn.request("POST", f"/api/v1/alerts/calls/ack/{token}", body=b"{}",
                                 headers={"Content-Type": "application/json"})  # fmt: skip
                    response = conn.getresponse()
                    response.read()
                    local[response.status] = local.get(response.status, 0) + 1
                    if response.status == 200:
                        mine.append(token)
                    break
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if attempt == 2:
                        local[0] = local.get(0, 0) + 1
        conn.close()
        with lock:
            answered.extend(mine)
            for status, count in local.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=work, args=(i, chunk)) for i, chunk in enumerate(slices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "sent": len(tokens),
        "seconds": elapsed,
        "per_second": len(tokens) / elapsed,
        "statuses": statuses,
        "answered": answered,
    }


def post_sms_batches(port: int, rows: list[list[str]], clients: int, batch: int) -> dict:
    """The SMS gateway's batched replies (`POST /sms-replies`, `batch` replies a request)."""
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    results: dict[str, int] = {}
    answered: list[str] = []
    lock = threading.Lock()
    started = time.perf_counter()

    def work(mine: list[list[list[str]]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for chunk in mine:
            body = json.dumps(
                {"replies": [{"phone": phone, "text": f"收到 {code}"} for _t, phone, code in chunk]}
            )
            conn.request("POST", "/api/v1/alerts/calls/sms-replies", body=body.encode(),
                         headers={"Content-Type": "application/json"})  # fmt: skip
            response = conn.getresponse()
            payload = response.read()
            with lock:
                if response.status != 200:
                    results[f"HTTP {response.status}"] = results.get(f"HTTP {response.status}", 0) + len(
                        chunk
                    )
                    continue
                for (token, _phone, _code), result in zip(chunk, json.loads(payload)["results"], strict=True):
                    key = result.get("status") or result["code"]
                    results[key] = results.get(key, 0) + 1
                    if key == "acknowledged":
                        answered.append(token)
        conn.close()

    threads = [threading.Thread(target=work, args=(batches[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"sent": len(rows), "seconds": elapsed, "per_second": len(rows) / elapsed, "results": results,
            "answered": answered}  # fmt: skip


def time_board(port: int, warning: int, repeats: int) -> dict:
    client = login("127.0.0.1", port, "bench_staff")
    path = f"/alerts/warnings/{warning}/board/"
    for _ in range(3):  # warm up
        client.request("GET", path)
    times, bad = [], 0
    for index in range(repeats):
        partial = "?partial=1" if index % 2 else ""
        status, _headers, _body, ms = client.request("GET", path + partial)
        bad += status != 200
        times.append(ms)
    return {"bad": bad, **summary(times)}


def run(args) -> int:
    info = machine_info(args.db)
    print(f"# bench_calls --db {args.db}\n")
    print_machine(info)
    failures = 0
    with ScratchDatabase(args.db, keep=args.keep) as db:
        db.yingji("migrate", "--no-input", "-v", "0")
        setup = run_inner(db, "--inner", "setup")
        print(
            f"\n1. issue → {setup['calls']} calls, {setup['messages']} messages, {setup['deliveries']} deliveries "
            f"queued in {setup['issue_seconds']:.2f} s (target ≤ 2 s)"
        )
        failures += setup["issue_seconds"] > 2 or setup["calls"] != TARGETS
        tokens = json.loads((db.folder / "tokens.json").read_text())
        db.analyze()
        port = free_port()
        server = start_server(db, port, args.web_workers)
        try:
            wait_for_server("127.0.0.1", port, server)
            burst = tokens[: args.burst]
            paced = tokens[args.burst : args.burst + int(args.rate * args.seconds)]
            capacity = post_acks(port, burst, args.clients, None)
            print(
                f"2a. {capacity['sent']} acknowledgements as fast as {args.clients} clients go: "
                f"{capacity['per_second']:.0f}/s, statuses {capacity['statuses']}"
            )
            pacedrun = post_acks(port, paced, args.clients, args.rate)
            print(
                f"2b. {pacedrun['sent']} acknowledgements paced at {args.rate:.0f}/s: achieved "
                f"{pacedrun['per_second']:.0f}/s over {pacedrun['seconds']:.1f} s, statuses {pacedrun['statuses']}"
            )
            rows = json.loads((db.folder / "calls.json").read_text())
            sms_rows = rows[args.burst + len(paced) : args.burst + len(paced) + args.sms]
            sms = post_sms_batches(port, sms_rows, args.sms_clients, args.sms_batch)
            print(
                f"2c. {sms['sent']} SMS replies in batches of {args.sms_batch} ({args.sms_clients} clients): "
                f"{sms['per_second']:.0f}/s, results {sms['results']}"
            )
            answered = capacity["answered"] + pacedrun["answered"] + sms["answered"]
            (db.folder / "answered.json").write_text(json.dumps(answered))
            counted = run_inner(db, "--inner", "count", "--warning", str(setup["warning"]))
            if counted["answered_not_acknowledged"] or counted["acknowledged_not_answered"]:
                print(f"    mismatches: {counted['answered_not_acknowledged']}, "
                      f"acknowledged without a 200: {counted['acknowledged_not_answered']}")  # fmt: skip
            ok = len(answered)
            print(f"    rows acknowledged in the database: {counted['acknowledged']} (HTTP 200s: {ok}); "
                  f"loss: {ok - counted['acknowledged']}")  # fmt: skip
            failures += counted["acknowledged"] != ok or ok != len(burst) + len(paced) + len(sms_rows)
            failures += pacedrun["per_second"] < args.rate * 0.95
            board = time_board(port, setup["warning"], args.repeats)
            print(
                f"3. board ({setup['calls']} targets, {counted['acknowledged']} acknowledged): median "
                f"{board['median']:.0f} ms, p95 {board['p95']:.0f} ms, max {board['max']:.0f} ms over "
                f"{board['count']} GETs (target p95 ≤ 300 ms)"
            )
            failures += board["bad"] > 0 or board["p95"] > 300
        finally:
            stop_server(server)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--burst", type=int, default=3000, help="acknowledgements sent as fast as possible")
    parser.add_argument("--rate", type=float, default=1000.0, help="paced acknowledgements per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the paced run lasts")
    parser.add_argument("--sms", type=int, default=5000, help="SMS replies posted in batches")
    parser.add_argument("--sms-batch", type=int, default=200, help="replies per request")
    parser.add_argument("--sms-clients", type=int, default=4, help="concurrent gateway connections")
    parser.add_argument("--repeats", type=int, default=60, help="board GETs")
    parser.add_argument("--web-workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--inner", choices=("setup", "count"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--warning", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args)
        return 0
    ensure_venv()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
