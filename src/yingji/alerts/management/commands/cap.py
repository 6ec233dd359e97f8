"""`yingji cap validate FILE`: check a CAP 1.2 message against the official schema and the rules the
schema cannot express; print every problem with its line; exit 0 when valid, 1 otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yingji.alerts import cap


class Command(BaseCommand):
    help = "CAP 1.2 messages: validate FILE (- for stdin)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Check a CAP 1.2 file; exit 1 on any problem.")
        validate.add_argument("file")

    def handle(self, *args, action, **options):
        path = options["file"]
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read {path}: {error}").format(path=path, error=error.strerror), returncode=1
            ) from None
        problems = cap.validate(data)
        for problem in problems:
            self.stdout.write(f"{path}:{problem}")
        if problems:
            raise CommandError(
                _("{path}: {count} problem(s); not a valid CAP 1.2 message.").format(
                    path=path, count=len(problems)
                ),
                returncode=1,
            )
        self.stdout.write(_("{path}: valid CAP 1.2").format(path=path))
