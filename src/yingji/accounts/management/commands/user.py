"""`yingji user add USERNAME --role ROLE --division CODE [--enterprise USCC] [--password P]`."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yingji.accounts import services
from yingji.accounts.roles import Role
from yingji.core import divisions
from yingji.core.models import Division
from yingji.registry.models import Enterprise


class Command(BaseCommand):
    help = "Manage users: `user add USERNAME --role ROLE --division CODE [--enterprise USCC] [--password P]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a user")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--division", required=True, help="division code (2/4/6/9/12 digits)")
        add.add_argument("--enterprise", help="USCC of the enterprise (enterprise users only)")
        add.add_argument("--password", help="initial password; asked for when omitted")
        add.add_argument("--full-name", default="")
        add.add_argument("--phone", default="")

    def handle(self, *args, action, **options):
        if action == "add":
            self.add(**options)

    def add(self, *, username, role, division, enterprise, password, full_name, phone, **_):
        code = divisions.normalise_code(division)
        place = Division.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"Unknown division code {division!r}.")
        company = None
        if enterprise:
            company = Enterprise.objects.filter(uscc=enterprise.strip().upper()).first()
            if company is None:
                raise CommandError(f"No enterprise with USCC {enterprise!r}.")
        if not password:
            password = getpass.getpass("Password: ")
        try:
            user = services.create_user(
                username=username,
                role=role,
                division=place,
                enterprise=company,
                password=password,
                full_name=full_name,
                phone=phone,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in _messages(error))
            ) from None
        self.stdout.write(
            f"Created user {user.username} ({user.get_role_display()}, {place.name} {place.code})."
        )


def _messages(error: ValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict.items()
    return [("error", error.messages)]
