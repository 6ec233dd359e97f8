"""`yingji seed demo` loads the demo county; `yingji seed scale --enterprises N` adds benchmark data."""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand

from yingji.demo import services


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Load demo data (`seed demo`, needs YINGJI_DEMO=1) or generated benchmark data (`seed scale`)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser(
            "demo",
            help="The fictional county 安澜县: divisions, enterprises, one account per role. Idempotent.",
        )
        scale = sub.add_parser("scale", help="Add N generated enterprises for benchmarks.")
        scale.add_argument("--enterprises", type=int, required=True, help="How many enterprises to add.")
        scale.add_argument("--towns", type=int, help="Build a synthetic county with this many towns.")
        scale.add_argument("--villages", type=int, help="Villages per town of the synthetic county.")
        scale.add_argument(
            "--county",
            dest="county",
            help="County code (6 digits) to fill; default 329901 (the demo), 329902 with --towns/--villages.",
        )
        scale.add_argument("--batch", type=int, default=5000, help="Rows per transaction (default 5000).")
        scale.add_argument("--seed", type=int, help="Random seed (default: derived from the numbering).")

    def handle(self, *args, what, **options):
        if what == "demo":
            self.seed_demo()
        else:
            self.seed_scale(options)

    def seed_demo(self):
        started = time.monotonic()
        result = services.seed_demo(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo county ready in {:.1f} s: {} divisions, {} enterprises, {} accounts "
                "({} / {} / {} created now).".format(
                    time.monotonic() - started,
                    result["divisions"],
                    result["enterprises"],
                    len(result["accounts"]),
                    result["divisions_created"],
                    result["enterprises_created"],
                    result["users_created"],
                )
            )
        )
        header = ("username", "role", "division", "password")
        rows = [header] + [
            (
                a["username"],
                a["role"],
                a["division"] + (f" / {a['enterprise']}" if a["enterprise"] else ""),
                a["password"],
            )
            for a in result["accounts"]
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write("Demo accounts (demo mode only; never use this password elsewhere):")
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))

    def seed_scale(self, options):
        total = options["enterprises"]
        started = time.monotonic()

        def progress(done: int, of: int) -> None:
            self.stdout.write(f"{done}/{of}")

        created = services.seed_scale(
            total,
            prefix_county=options["county"],
            towns=options["towns"],
            villages=options["villages"],
            batch=options["batch"],
            seed=options["seed"],
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Created {created} enterprises in {time.monotonic() - started:.1f} s.")
        )
