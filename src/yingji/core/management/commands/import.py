"""`yingji import enterprises FILE [--dry-run] [--as USERNAME]` and `yingji import divisions ...`.

The same services as the upload pages and the API: every row is checked, then all rows are written or
none; the report lists every problem as row, column, value and message, and the exit code is 1 when
there is any. Without --as the command acts for no user, i.e. for the whole country.

One command name can live in only one app, and `core` imports no app, so entity importers are found
through `IMPORTERS` (dotted paths resolved with importlib when the subcommand runs): adding an entity
means adding a line there, not an import.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yingji.core import audit, division_import

# subcommand -> "module:function(content, filename, *, actor, dry_run, progress) -> ImportReport"
IMPORTERS = {
    "enterprises": "yingji.registry.importing:import_enterprises",
}
# The permission a user named with --as needs for each subcommand.
PERMISSIONS = {
    "enterprises": "registry.import_enterprise",
    "divisions": "core.import_division",
}
PROGRESS_MIN_ROWS = 1000
BAR_WIDTH = 30


class ProgressBar:
    """A one-line text bar on stderr, redrawn every few hundred rows (no extra dependency)."""

    LABELS = {
        "read": gettext_noop("Reading"),
        "parse": gettext_noop("Parsing"),
        "check": gettext_noop("Checking"),
        "write": gettext_noop("Saving"),
    }

    def __init__(self, stream, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if (
            not self.enabled
            or (total and total < PROGRESS_MIN_ROWS)
            or (not total and done < PROGRESS_MIN_ROWS)
        ):
            return
        label = _(self.LABELS.get(stage, stage))
        if total:
            filled = int(BAR_WIDTH * min(done, total) / total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"\r{label:<9} [{bar}] {done:>7}/{total:<7} {time.monotonic() - self.started:6.1f}s"
        else:
            line = f"\r{label:<9} {done:>7} {time.monotonic() - self.started:6.1f}s"
        self.stream.write(line, ending="")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    help = "Import enterprises or divisions from an xlsx/csv file: all rows or none, with a report of every problem."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        enterprises = sub.add_parser(
            "enterprises", help="Enterprises from an xlsx/csv file (see the template)."
        )
        enterprises.add_argument("file", help="The .xlsx or .csv file.")
        divisions = sub.add_parser(
            "divisions",
            help="Villages of a county from the shipped data (--county CODE) or divisions from the bureau's own "
            "xlsx/csv (columns 代码, 名称, optional 上级代码).",
        )
        divisions.add_argument("file", nargs="?", help="The .xlsx or .csv file (omit with --county).")
        divisions.add_argument(
            "--county", help="County code (6 or 12 digits): load its villages from the shipped data."
        )
        for subparser in (enterprises, divisions):
            subparser.add_argument("--dry-run", action="store_true", help="Check everything, save nothing.")
            subparser.add_argument(
                "--as", dest="username", help="Act as this user (their jurisdiction applies)."
            )
            subparser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, what, **options):
        actor = self.actor(options.get("username"))
        if actor is not None and not actor.has_perm(PERMISSIONS[what]):
            raise CommandError(
                _("{username} may not import {what}.").format(username=actor.username, what=what)
            )
        progress = ProgressBar(self.stderr, enabled=not options["no_progress"] and options["verbosity"] > 0)
        started = time.monotonic()
        with audit.acting_as(actor, ""):
            if what == "divisions":
                report = self.divisions(options, actor, progress)
            else:
                content, filename = self.read(options["file"])
                importer = resolve(IMPORTERS[what])
                report = importer(
                    content, filename, actor=actor, dry_run=options["dry_run"], progress=progress
                )
        progress.finish()
        if report.ok:
            self.stdout.write(report.as_text())
            self.stdout.write(_("Done in {seconds:.1f} s.").format(seconds=time.monotonic() - started))
            return
        self.stdout.write(report.as_text())
        raise CommandError(
            _("{count} problems; nothing was imported.").format(count=report.error_count), returncode=1
        )

    def divisions(self, options, actor, progress):
        if options["county"] and options["file"]:
            raise CommandError(_("Give either a file or --county, not both."))
        if options["county"]:
            return division_import.import_county_villages(
                options["county"], actor=actor, dry_run=options["dry_run"]
            )
        if not options["file"]:
            raise CommandError(
                _("Give a file, or --county CODE to load a county's villages from the shipped data.")
            )
        content, filename = self.read(options["file"])
        return division_import.import_divisions(
            content, filename, actor=actor, dry_run=options["dry_run"], progress=progress
        )

    def read(self, name: str) -> tuple[bytes, str]:
        if name == "-":
            return sys.stdin.buffer.read(), "stdin.csv"
        path = Path(name)
        if not path.is_file():
            raise CommandError(_("No such file: {path}").format(path=name))
        return path.read_bytes(), path.name

    def actor(self, username: str | None):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.select_related("division").filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(_("No active user {username}.").format(username=username))
        return user


def resolve(path: str):
    module, _sep, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
