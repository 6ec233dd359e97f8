"""Queries per enterprise list request at page sizes 25, 50, 100 (and 500 for the API).

    python benchmarks/bench_query_count.py --enterprises 2000
    python benchmarks/bench_query_count.py --db postgres --enterprises 100000 --verbose

Builds a fresh scratch database (migrate, `seed demo`, `seed scale`), then, in this process, requests
the list page (full page and the HTMX partial, logged in with a session) and the API (bearer token)
with Django's test client inside `CaptureQueriesContext`, for the county admin and a town official.
Prints the number of SQL queries per request; exits 1 if it grows with the page size.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ScratchDatabase, ensure_venv, machine_info, print_machine  # noqa: E402

PAGE_SIZES = (25, 50, 100)
API_PAGE_SIZES = (25, 50, 100, 500)
FILTERS = "status=operating&industry=26&sort=-updated_at"


def count_queries(args) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yingji.accounts.models import User
    from yingji.accounts.services import create_token

    requests = []  # (label, size, url, headers)
    for size in PAGE_SIZES:
        requests.append(("page", size, f"/enterprises/?per_page={size}", {}))
        requests.append(("page, filtered", size, f"/enterprises/?per_page={size}&{FILTERS}", {}))
        requests.append(
            ("page, HTMX partial", size, f"/enterprises/?per_page={size}&page=2", {"HX-Request": "true"})
        )
    for size in API_PAGE_SIZES:
        requests.append(("API", size, f"/api/v1/enterprises?page_size={size}", {"bearer": True}))
        requests.append(
            ("API, filtered", size, f"/api/v1/enterprises?page_size={size}&{FILTERS}", {"bearer": True})
        )

    grows = False
    for username in ("demo_admin", "demo_town"):
        user = User.objects.get(username=username)
        session = Client()
        session.force_login(user)
        bearer = Client(headers={"Authorization": f"Bearer {create_token(user, name='bench')}"})
        counts: dict[str, dict[int, int]] = {}
        for label, size, url, spec in requests:
            client = bearer if spec.get("bearer") else session
            headers = {k: v for k, v in spec.items() if k != "bearer"}
            client.get(url, headers=headers)  # warm caches (permissions, templates)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, headers=headers)
            if response.status_code != 200:
                print(f"{url} answered {response.status_code}", file=sys.stderr)
                return 1
            counts.setdefault(label, {})[size] = len(ctx.captured_queries)
            if args.verbose and size == 50:
                print(f"\n{username} {label} ({url}):")
                for query in ctx.captured_queries:
                    print(f"  {query['sql'][:160]}")
        print(f"\n### {username}\n")
        print("| request | " + " | ".join(f"size {s}" for s in API_PAGE_SIZES) + " |")
        print("|---|" + "---:|" * len(API_PAGE_SIZES))
        for label, by_size in counts.items():
            cells = [str(by_size[s]) if s in by_size else "" for s in API_PAGE_SIZES]
            print(f"| {label} | " + " | ".join(cells) + " |")
            grows |= len(set(by_size.values())) > 1
    print()
    print(
        "The query count grows with the page size."
        if grows
        else "The query count does not grow with page size."
    )
    return 1 if grows else 0


def main() -> int:
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--enterprises", type=int, default=2000, help="generated enterprises (default 2000)")
    parser.add_argument("--verbose", action="store_true", help="print the queries of the size-50 requests")
    args = parser.parse_args()
    print(f"# Queries per list request ({args.db}, {args.enterprises} generated enterprises)\n")
    print(f"Command: `python benchmarks/bench_query_count.py {shlex.join(sys.argv[1:])}`\n")
    print_machine(machine_info(args.db))
    with ScratchDatabase(args.db) as db:
        db.build(args.enterprises, log=lambda s: None)
        (db.folder / "static").mkdir(exist_ok=True)  # no collectstatic here; keeps WhiteNoise quiet
        os.environ.update(db.env)
        for key in [k for k in os.environ if k.startswith("YINGJI_") and k not in db.env]:
            del os.environ[key]
        try:
            return count_queries(args)
        finally:
            from django.db import connections

            connections.close_all()  # let the PostgreSQL database be dropped


if __name__ == "__main__":
    sys.exit(main())
