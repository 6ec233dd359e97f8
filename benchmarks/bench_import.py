"""Import 30,000 enterprises from one xlsx with `yingji import enterprises`, every check on.

    python benchmarks/bench_import.py --rows 30000
    python benchmarks/bench_import.py --rows 30000 --db postgres --repeat 3

For each repetition: a fresh database (SQLite in a scratch folder, or PostgreSQL database
`yingji_bench`), `yingji migrate`, `YINGJI_DEMO=1 yingji seed demo` (the demo county 安澜县, whose
villages the rows are placed in), then times the whole command, wall clock from start to exit
(Python start-up, reading the xlsx, every check, the write):

    yingji import enterprises FILE --dry-run --as demo_admin --no-progress
    yingji import enterprises FILE --as demo_admin --no-progress

and checks that the dry run changed nothing and the import added exactly --rows enterprises. The file
comes from benchmarks/gen_enterprise_xlsx.py. Exits 1 when an import fails or a count is wrong.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, ScratchDatabase, ensure_venv, machine_info, print_machine, summary, venv_python  # noqa: E402


def timed(args: list[str], env: dict, log: Path) -> dict:
    """Run a command; its wall-clock seconds, CPU seconds, peak memory (MB) and exit code."""
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "code": process.returncode,
        "output": log.read_text(),
    }


def generate(path: Path, rows: int, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [venv_python(), str(REPO / "benchmarks" / "gen_enterprise_xlsx.py"), str(path), "--rows", str(rows)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started


def tail(text: str, lines: int = 6) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=30_000, help="rows in the xlsx (default 30000)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions, each on a fresh database")
    parser.add_argument(
        "--as",
        dest="username",
        default="demo_admin",
        help="import as this user (default demo_admin, the county admin); '' for none",
    )
    parser.add_argument("--target", type=float, default=60.0, help="target seconds (default 60)")
    parser.add_argument("--keep", action="store_true", help="keep the last scratch database")
    args = parser.parse_args()

    print(f"# Enterprise import benchmark ({args.db}, {args.rows} rows)\n")
    print(f"Command: `python benchmarks/bench_import.py {shlex.join(sys.argv[1:])}`\n")
    print_machine(machine_info(args.db))
    print()
    workdir = Path(tempfile.mkdtemp(prefix="yingji-bench-import-"))
    xlsx = workdir / f"enterprises-{args.rows}.xlsx"
    as_user = ["--as", args.username] if args.username else []
    results: dict[str, list[dict]] = {"dry run": [], "import": []}
    failed = False
    for n in range(1, args.repeat + 1):
        with ScratchDatabase(args.db, keep=args.keep and n == args.repeat) as db:
            print(f"Run {n}: building the database ({db.describe()})", flush=True)
            db.build(0, log=lambda s: print(s, flush=True))
            if not xlsx.exists():
                seconds = generate(xlsx, args.rows, db.env)
                print(
                    f"  generated {xlsx.name}: {xlsx.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s "
                    f"(benchmarks/gen_enterprise_xlsx.py, not timed below)"
                )
            before = db.enterprise_count()
            command = [
                venv_python(),
                "-m",
                "yingji.cli",
                "import",
                "enterprises",
                str(xlsx),
                *as_user,
                "--no-progress",
            ]
            for label, extra, expected in (
                ("dry run", ["--dry-run"], before),
                ("import", [], before + args.rows),
            ):
                result = timed(command + extra, db.env, workdir / f"{label.replace(' ', '-')}-{n}.log")
                after = db.enterprise_count()
                ok = result["code"] == 0 and after == expected
                failed |= not ok
                results[label].append(result)
                print(
                    f"  {label}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, "
                    f"{result['rss_mb']:.0f} MB peak; exit {result['code']}; enterprises {before} -> {after} "
                    f"(expected {expected}) {'OK' if ok else 'WRONG'}"
                )
                print(tail(result["output"]), flush=True)
        print()

    print("| step | runs | median s | max s | CPU s (median) | peak MB | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, runs in results.items():
        wall = summary([r["wall"] for r in runs])
        cpu = summary([r["cpu"] for r in runs])
        rss = max(r["rss_mb"] for r in runs)
        verdict = "meets" if wall["max"] <= args.target else "MISSES"
        print(
            f"| `import enterprises{' --dry-run' if label == 'dry run' else ''}` ({args.rows} rows) "
            f"| {wall['count']} | {wall['median']:.1f} | {wall['max']:.1f} | {cpu['median']:.1f} | {rss:.0f} "
            f"| ≤ {args.target:.0f} s: {verdict} |"
        )
    print(f"\nLoad average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
