"""`yingji cap validate FILE`: check a CAP 1.2 message against the official schema and the rules the
schema cannot express; print every problem with its line; exit 0 when valid, 1 otherwise.
`yingji cap import FILE [--lenient]`: take the message (JSON with the warning's id, identifier, message
type and state after the import; exit 1 with the problems). `yingji cap export ID`: the warning's XML."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yingji.alerts import cap, capio, services
from yingji.alerts.models import Warning


class Command(BaseCommand):
    help = "CAP 1.2 messages: validate FILE, import FILE [--lenient] (- for stdin), export ID."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Check a CAP 1.2 file; exit 1 on any problem.")
        validate.add_argument("file")
        importing = sub.add_parser("import", help="Import a CAP 1.2 message; print the warning as JSON.")
        importing.add_argument("file")
        importing.add_argument(
            "--lenient", action="store_true", help="Take a schema-invalid but readable message."
        )
        export = sub.add_parser("export", help="Print a warning's current CAP 1.2 message.")
        export.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        if action == "export":
            return self.export(options["id"])
        path = options["file"]
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read {path}: {error}").format(path=path, error=error.strerror), returncode=1
            ) from None
        if action == "import":
            return self.import_(path, data, lenient=options["lenient"])
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

    def import_(self, path: str, data: bytes, *, lenient: bool) -> None:
        try:
            warning = services.import_cap(data, lenient=lenient)
        except capio.CapError as error:
            for problem in error.problems():
                self.stdout.write(f"{path}: {problem}")
            raise CommandError(f"{path}: {error.code}: {error.message}", returncode=1) from None
        self.stdout.write(json.dumps(capio.summary(warning), ensure_ascii=False))

    def export(self, pk: int) -> None:
        warning = Warning.objects.filter(pk=pk).first()
        if warning is None or not warning.identifier:
            raise CommandError(_("No issued warning with id {id}.").format(id=pk), returncode=1)
        self.stdout.write(capio.export_cap(warning).decode(), ending="")
