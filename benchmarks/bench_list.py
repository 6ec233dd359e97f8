"""Enterprise list API and list page at scale, through a real server and a real HTTP client.

    python benchmarks/bench_list.py --db sqlite --enterprises 100000 --requests 200
    python benchmarks/bench_list.py --db postgres --enterprises 100000 --requests 200

Builds a fresh database (SQLite in a scratch folder, or PostgreSQL database `yingji_bench`, dropped at
the end), runs `yingji migrate`, `YINGJI_DEMO=1 yingji seed demo`, `yingji seed scale --enterprises N`,
creates bearer tokens, starts `yingji serve --no-worker` (gunicorn) and times a mix of filtered,
paginated requests with keep-alive connections: the API with a bearer token and the list page with a
session cookie (logged in through the real login form), as the county admin (demo_admin, every
enterprise) and a town official (demo_town, one town). Prints a markdown table; exits 1 when any
response was not 200. Timing is wall-clock from sending the request to reading the whole body.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, ScratchDatabase, ensure_venv, machine_info, print_machine, summary, venv_python  # noqa: E402

PASSWORD = "Yingji@2026"
USERS = ("demo_admin", "demo_town")
PAGE_SIZE = 50


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar; reconnects once if the server closed it."""

    def __init__(self, host: str, port: int, headers: dict | None = None):
        self.host, self.port = host, port
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes, float]:
        """(status, headers, body, milliseconds) of one request."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self._connect()
            try:
                started = time.perf_counter()
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                elapsed = (time.perf_counter() - started) * 1000
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
                http.client.BadStatusLine,
            ):
                # The server closed an idle keep-alive connection: open a new one and retry once.
                self.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    for name, morsel in SimpleCookie(value).items():
                        self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, dict(response.getheaders()), payload, elapsed
        raise AssertionError("unreachable")


class CpuMeter:
    """CPU time the server side spent on a request: gunicorn (its session) plus PostgreSQL backends.

    Reads /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU) for every process in the server's
    session and every `postgres: ... <db>` backend. Unlike wall-clock latency this hardly depends on
    what else the shared machine is running, so it shows what latency would be on an idle machine.
    """

    def __init__(self, session_id: int, pg_database: str | None):
        self.session_id = session_id
        self.pg_marker = f" {pg_database} ".encode() if pg_database else None
        self.available = Path("/proc/self/schedstat").exists()

    def snapshot(self) -> dict[int, int]:
        if not self.available:
            return {}
        result = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                comm_end = stat.rindex(b")")
                session = int(stat[comm_end + 2 :].split()[3])
                ours = session == self.session_id
                if not ours and self.pg_marker and stat[stat.index(b"(") + 1 : comm_end] == b"postgres":
                    with open(f"/proc/{name}/cmdline", "rb") as f:
                        ours = self.pg_marker in f.read()
                if ours:
                    total = 0
                    for tid in os.listdir(f"/proc/{name}/task"):
                        with open(f"/proc/{name}/task/{tid}/schedstat", "rb") as f:
                            total += int(f.read().split()[0])
                    result[int(name)] = total
            except (OSError, ValueError, IndexError):
                continue  # the process ended meanwhile
        return result

    @staticmethod
    def delta_ms(before: dict[int, int], after: dict[int, int]) -> float:
        return sum(ns - before.get(pid, 0) for pid, ns in after.items()) / 1e6


def wait_for_server(host: str, port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited early with code {server.returncode}.")
        try:
            with socket.create_connection((host, port), timeout=1):
                pass
            status, *_ = Client(host, port).request("GET", "/accounts/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"The server did not answer on {host}:{port} within {timeout:.0f} s.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(host: str, port: int, username: str) -> Client:
    """A client holding a session cookie, logged in by POSTing the login form with its CSRF token."""
    client = Client(host, port)
    status, _, body, _ = client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise SystemExit(f"The login page did not give a CSRF token (HTTP {status}).")
    status, headers, _, _ = client.request(
        "POST",
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": PASSWORD,
            "next": "",
        },
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"Logging in as {username} failed (HTTP {status}).")
    status, _, _, _ = client.request("GET", "/enterprises/")
    if status != 200:
        raise SystemExit(f"The list page answered {status} to {username} right after logging in.")
    return client


def api_json(client: Client, path: str) -> dict:
    status, _, body, _ = client.request("GET", path)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
    return json.loads(body)


def cases_for(client: Client, username: str) -> list[tuple[str, dict]]:
    """The request mix for one user: (case name, query parameters), paging included."""
    first = api_json(client, "/api/v1/enterprises?page_size=1")
    total = first["count"]
    some_division = first["items"][0]["division"]  # a village code inside the user's jurisdiction
    if username == "demo_admin":
        division = some_division[:9] + "000"  # a town of the county
        deep = 1000
    else:
        division = some_division  # a village of the town
        deep = max(1, total // PAGE_SIZE // 2)
    return [
        ("first page", {"page": 1}),
        ("status=operating", {"status": "operating", "page": 2}),
        ("industry=26", {"industry": "26", "page": 3}),
        (f"division={division}", {"division": division, "page": 1}),
        ("q=化工 (name fragment)", {"q": "化工", "page": 1}),
        ("q=金威 (rare fragment)", {"q": "金威", "page": 1}),
        ("flag=dust_explosion", {"flag": "dust_explosion", "page": 1}),
        ("sort=-updated_at", {"sort": "-updated_at", "page": 5}),
        (f"deep page={deep}", {"page": deep}),
        (
            "combined",
            {"status": "operating", "industry": "26", "division": division, "sort": "-updated_at", "page": 2},
        ),
    ]


def url_for(kind: str, params: dict) -> str:
    params = dict(params)
    if kind == "api":
        params["page_size"] = PAGE_SIZE
        return "/api/v1/enterprises?" + urlencode(params)
    params["per_page"] = PAGE_SIZE
    return "/enterprises/?" + urlencode(params)


def start_server(db: ScratchDatabase, port: int, web_workers: int | None) -> subprocess.Popen:
    args = [
        venv_python(),
        "-m",
        "yingji.cli",
        "serve",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if web_workers:
        args += ["--web-workers", str(web_workers)]
    log = open(db.folder / "server.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        args, env=db.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # `yingji serve` passes it on to gunicorn
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run(args) -> int:
    info = machine_info(args.db)
    command = "python benchmarks/bench_list.py " + shlex.join(sys.argv[1:])
    label = f" — {args.label}" if args.label else ""
    print(f"# Enterprise list benchmark ({args.db}, {args.enterprises} generated enterprises){label}\n")
    print(f"Command: `{command}`\n")
    print_machine(info)
    print()
    with ScratchDatabase(args.db, keep=args.keep) as db:
        print(f"Building the database ({db.describe()}):", flush=True)
        db.build(args.enterprises, log=lambda s: print(s, flush=True))
        total = db.enterprise_count()
        print(f"  enterprises in the database: {total}")
        analyze = args.analyze == "yes" or (args.analyze == "auto" and args.db == "postgres")
        if analyze:
            # PostgreSQL's autovacuum would vacuum and analyze the new rows within a minute; the test
            # server may run with autovacuum off, so do it here. SQLite never gathers statistics itself.
            db.analyze()
        done = ("VACUUM ANALYZE" if args.db == "postgres" else "ANALYZE") if analyze else "no"
        print(f"  planner statistics after seeding: {done}")
        tokens = {u: db.yingji("token", "create", u).stdout.strip().splitlines()[-1] for u in USERS}

        port = args.port or free_port()
        server = start_server(db, port, args.web_workers)
        try:
            wait_for_server("127.0.0.1", port, server)
            workers = args.web_workers or int(os.environ.get("YINGJI_WEB_WORKERS", "3"))
            print(
                f"  server: gunicorn via `yingji serve --no-worker`, {workers} workers x 4 threads, "
                f"port {port}",
                flush=True,
            )
            meter = CpuMeter(server.pid, db.pg_name if args.db == "postgres" else None)
            return measure(args, port, tokens, meter)
        finally:
            stop_server(server)
            if args.keep:
                print(f"(server log: {db.folder / 'server.log'})", file=sys.stderr)


def wait_until_quiet(max_load: float, timeout: float) -> None:
    """Wait (up to `timeout` s) until the 1-minute load average is at most `max_load`."""
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        time.sleep(10)
    print(f"  load average before measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def measure(args, port: int, tokens: dict, meter: CpuMeter) -> int:
    host = "127.0.0.1"
    clients = {}
    plan: list[tuple[str, str, str, str]] = []  # (kind, user, case, url)
    for user in USERS:
        clients[("api", user)] = Client(host, port, {"Authorization": f"Bearer {tokens[user]}"})
        clients[("page", user)] = login(host, port, user)
        for case, params in cases_for(clients[("api", user)], user):
            for kind in ("api", "page"):
                plan.append((kind, user, case, url_for(kind, params)))

    rng = random.Random(args.seed)
    per_kind = {"api": [p for p in plan if p[0] == "api"], "page": [p for p in plan if p[0] == "page"]}
    # Every (kind, user, case) equally often; API and page requests interleaved in a random order.
    schedule = []
    for entries in per_kind.values():
        reps = -(-args.requests // len(entries))
        schedule += (entries * reps)[: args.requests]
    rng.shuffle(schedule)
    warmup = [per_kind[k][i % len(per_kind[k])] for i in range(args.warmup) for k in ("api", "page")]

    errors: list[str] = []

    def one(entry) -> tuple[float, float] | None:
        kind, user, case, url = entry
        before = meter.snapshot()
        status, _, body, ms = clients[(kind, user)].request("GET", url)
        cpu = meter.delta_ms(before, meter.snapshot())
        if status != 200:
            errors.append(f"{status} {kind} {user} {url}: {body[:200]!r}")
            return None
        return ms, cpu

    for entry in warmup:
        one(entry)
    if errors:
        print("The warm-up requests failed:", *errors[:5], sep="\n  ", file=sys.stderr)
        return 1
    if args.wait_quiet:
        wait_until_quiet(args.max_load, args.wait_quiet)
    load_before = os.getloadavg()
    times: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    cpus: dict[tuple[str, str, str], list[float]] = defaultdict(list)
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
        f"  load average before / after measuring: {load_before[0]:.2f} / {load_after[0]:.2f} "
        f"(1 min; {os.cpu_count()} cores)\n"
    )
    print(
        f"{len(schedule)} measured requests ({args.requests} API + {args.requests} page, "
        f"after {len(warmup)} warm-up requests), one at a time, in {wall:.1f} s; page size {PAGE_SIZE}."
    )
    print(
        "Latency: wall clock at the client. Server CPU: CPU time of gunicorn"
        f"{' and the PostgreSQL backends' if meter.pg_marker else ''} for the request.\n"
    )
    print("| kind | user | case | n | median ms | p95 ms | max ms | server CPU median ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for kind, user, case, _url in plan:
        s = summary(times[(kind, user, case)])
        c = summary(cpus[(kind, user, case)])
        print(
            f"| {kind} | {user} | {case} | {s['count']} | {s['median']:.1f} | {s['p95']:.1f} "
            f"| {s['max']:.1f} | {c['median']:.1f} |"
        )
    print()
    print("| kind | user | n | median ms | p95 ms | max ms | server CPU median ms | server CPU p95 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    overall = {}
    for kind in ("api", "page"):
        for user in (*USERS, "all"):
            picked = [key for key in times if key[0] == kind and user in (key[1], "all")]
            s = summary([ms for key in picked for ms in times[key]])
            c = summary([ms for key in picked for ms in cpus[key]])
            if user == "all":
                overall[kind] = (s, c)
            label = "**all**" if user == "all" else user
            print(
                f"| {kind} | {label} | {s['count']} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} "
                f"| {c['median']:.1f} | {c['p95']:.1f} |"
            )
    print()
    target = args.target_ms
    for kind in ("api", "page"):
        s, c = overall[kind]
        verdict = "meets" if s["p95"] <= target else "MISSES"
        print(
            f"Overall p95 {kind}: {s['p95']:.1f} ms ({verdict} the {target:.0f} ms target); "
            f"server CPU p95 {c['p95']:.1f} ms"
        )
    print(flush=True)
    if errors:
        print(f"\n{len(errors)} requests did not answer 200:", file=sys.stderr)
        for line in errors[:20]:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--enterprises", type=int, default=100_000, help="generated enterprises (default 100000)"
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per kind (API, page)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up requests per kind (default 10)")
    parser.add_argument(
        "--web-workers", type=int, default=None, help="gunicorn workers (default: yingji serve's, 3)"
    )
    parser.add_argument("--port", type=int, default=None, help="server port (default: a free one)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the request order")
    parser.add_argument("--target-ms", type=float, default=150.0, help="the p95 target (default 150)")
    parser.add_argument(
        "--analyze",
        choices=["auto", "yes", "no"],
        default="auto",
        help="gather planner statistics after seeding (auto: VACUUM ANALYZE on PostgreSQL only, as "
        "autovacuum would; SQLite has no automatic ANALYZE)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for the load average to drop to --max-load first",
    )
    parser.add_argument("--max-load", type=float, default=1.0, help="see --wait-quiet (default 1.0)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and server log")
    parser.add_argument("--label", default="", help="a name for this run, printed in the heading")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
