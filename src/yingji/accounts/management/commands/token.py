"""`yingji token create USERNAME [--name N] [--days D]`: print a new bearer token for the API."""

from django.core.management.base import BaseCommand, CommandError

from yingji.accounts import services
from yingji.accounts.models import User


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME` prints a new bearer token (shown only once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument("--days", type=int, default=None, help="days until it expires (0: never)")

    def handle(self, *args, action, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        self.stdout.write(services.create_token(user, name=name, days=days))
