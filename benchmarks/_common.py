"""Shared helpers for the benchmark scripts: a scratch database, the `yingji` command, machine facts.

Every benchmark builds its own database in a scratch folder (SQLite) or a throwaway PostgreSQL
database, so it never touches data/ or a developer's database.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "yingji_bench"


def venv_python() -> str:
    """The project's interpreter (.venv), so `python benchmarks/x.py` works from any Python."""
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def ensure_venv() -> None:
    """Re-run this script with the project's interpreter when started with another Python."""
    venv = REPO / ".venv"
    if (venv / "bin" / "python").exists() and Path(sys.prefix).resolve() != venv.resolve():
        target = str(venv / "bin" / "python")
        os.execv(target, [target, *sys.argv])


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 200 values = the 190th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict:
    return {
        "count": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 95),
        "max": max(values) if values else float("nan"),
    }


class ScratchDatabase:
    """A fresh Yingji database: SQLite in a temporary folder, or PostgreSQL database `yingji_bench`.

    Use as a context manager; `env` is the environment for every `yingji` command against it.
    On exit the SQLite folder is removed and the PostgreSQL database dropped (unless keep=True).
    """

    def __init__(
        self, kind: str, *, keep: bool = False, pg_admin_url: str = PG_ADMIN_URL, pg_name: str = PG_BENCH_DB
    ):
        if kind not in ("sqlite", "postgres"):
            raise ValueError(f"unknown database kind {kind!r}")
        self.kind = kind
        self.keep = keep
        self.pg_admin_url = pg_admin_url
        self.pg_name = pg_name
        self._lock = None  # the connection holding the advisory lock (PostgreSQL)
        self.folder = Path(tempfile.mkdtemp(prefix=f"yingji-bench-{kind}-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("YINGJI_")}
        self.env.update({"YINGJI_DATA_DIR": str(self.folder), "YINGJI_LOG_LEVEL": "WARNING"})
        if kind == "postgres":
            base = pg_admin_url.rsplit("/", 1)[0]
            self.env["YINGJI_DATABASE_URL"] = f"{base}/{pg_name}"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> ScratchDatabase:
        if self.kind == "postgres":
            self._lock_pg_name()
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.keep:
                print(f"(kept the scratch data: {self.describe()})", file=sys.stderr)
                return
            if self.kind == "postgres":
                self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            if self._lock is not None:
                self._lock.close()

    def _lock_pg_name(self) -> None:
        """Hold a session advisory lock named after the database for the whole run, so a second
        benchmark started meanwhile stops instead of dropping this run's database under it."""
        import psycopg

        self._lock = psycopg.connect(self.pg_admin_url, autocommit=True)
        key = f"yingji-benchmark:{self.pg_name}"
        if not self._lock.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]:
            self._lock.close()
            self._lock = None
            shutil.rmtree(self.folder, ignore_errors=True)
            raise SystemExit(
                f"Another benchmark is using the PostgreSQL database {self.pg_name}; wait for it to finish."
            )

    def _pg_admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def describe(self) -> str:
        if self.kind == "postgres":
            url = self.env["YINGJI_DATABASE_URL"]
            return f"PostgreSQL database {self.pg_name} ({url}), folder {self.folder}"
        return f"SQLite {self.folder / 'yingji.sqlite3'}"

    # -- commands ----------------------------------------------------------------------------
    def yingji(
        self,
        *args: str,
        demo: bool = False,
        check: bool = True,
        capture: bool = True,
        extra_env: dict | None = None,
    ) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if demo:
            env["YINGJI_DEMO"] = "1"
        env.update(extra_env or {})
        result = subprocess.run(
            [venv_python(), "-m", "yingji.cli", *args],
            env=env,
            cwd=REPO,
            text=True,
            capture_output=capture,
        )
        if check and result.returncode != 0:
            sys.stderr.write(result.stdout or "")
            sys.stderr.write(result.stderr or "")
            raise SystemExit(f"`yingji {' '.join(args)}` failed with exit code {result.returncode}")
        return result

    def build(self, enterprises: int, log=print) -> dict:
        """migrate, seed demo, seed scale --enterprises N; return the seconds each took."""
        timings = {}
        for label, args, demo in (
            ("migrate", ("migrate", "--no-input", "-v", "0"), False),
            ("seed demo", ("seed", "demo"), True),
            ("seed scale", ("seed", "scale", "--enterprises", str(enterprises)), False),
        ):
            if label == "seed scale" and enterprises <= 0:
                continue
            started = time.perf_counter()
            self.yingji(*args, demo=demo)
            timings[label] = time.perf_counter() - started
            log(f"  {label}: {timings[label]:.1f} s")
        return timings

    def analyze(self) -> None:
        """Planner statistics: ANALYZE on SQLite; VACUUM ANALYZE on PostgreSQL (the visibility map lets
        COUNT(*) use index-only scans), i.e. the state autovacuum leaves a table in after a bulk load."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.folder / "yingji.sqlite3") as conn:
                conn.execute("ANALYZE")
            return
        import psycopg

        with psycopg.connect(self.env["YINGJI_DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk insert

    def enterprise_count(self) -> int:
        return int(self.sql_scalar("SELECT COUNT(*) FROM registry_enterprise"))

    def sql_scalar(self, sql: str):
        if self.kind == "sqlite":
            with sqlite3.connect(self.folder / "yingji.sqlite3") as conn:
                return conn.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(self.env["YINGJI_DATABASE_URL"]) as conn:
            return conn.execute(sql).fetchone()[0]


def machine_info(kind: str | None = None) -> dict:
    """Cores, Python, SQLite, PostgreSQL (when used), date, git revision: for docs/benchmarks.md."""
    info = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": subprocess.run([venv_python(), "--version"], capture_output=True, text=True).stdout.strip(),
        "sqlite": subprocess.run(
            [venv_python(), "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "os": platform.platform(),
        "yingji source": subprocess.run(
            [
                venv_python(),
                "-c",
                "import pathlib, yingji; print(pathlib.Path(yingji.__file__).parent.parent)",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout.strip(),
        "git": subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
    }
    with contextlib.suppress(OSError):
        info["load average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if kind == "postgres":
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL) as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - informational only
            info["postgresql"] = f"unknown ({exc})"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_machine(info: dict) -> None:
    for key, value in info.items():
        print(f"- {key}: {value}")
