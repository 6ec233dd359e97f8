"""`yingji assess lec --l L --e E --c C [--division CODE]` and `yingji assess ls --l L --s S [...]`.

Prints one JSON object: the score (D or R), the band, the level (major|significant|general|low) and
its colour (red|orange|yellow|blue), under the level mapping configured for the division (or the
shipped default). A value outside the tables: a message on stderr naming the factor and the allowed
values, exit code 1.

`core` imports no app, so each method's module is named in `ASSESSORS` and imported with importlib
(the pattern of `import`): adding a method means adding a line here. A module offers
`HELP[name]`, `add_arguments(parser, name)` and `run(name, options) -> dict` (ValueError on bad input).
"""

from __future__ import annotations

import importlib
import json

from django.core.management.base import BaseCommand, CommandError

# subcommand -> module
ASSESSORS = {
    "lec": "yingji.risk.cli",
    "ls": "yingji.risk.cli",
    "gb18218": "yingji.registry.cli_gb18218",
    "accident": "yingji.incidents.cli",
}


class Command(BaseCommand):
    help = "Assess a risk by a method (lec, ls) and print the score, band, level and colour as JSON."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # No abbreviations: `--s` (LS severity) would otherwise clash with --settings/--skip-checks.
        return super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="method", required=True)
        for name, path in ASSESSORS.items():
            module = importlib.import_module(path)
            module.add_arguments(sub.add_parser(name, help=module.HELP.get(name, "")), name)

    def handle(self, *args, method, **options):
        module = importlib.import_module(ASSESSORS[method])
        try:
            result = module.run(method, options)
        except ValueError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False))
