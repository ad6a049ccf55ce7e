"""python manage.py seed_demo [--allow-production]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import logins, seed


class Command(BaseCommand):
    help = "Load the demo forces, premises and users (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. Demo users have a published password.",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, allow_production=False, quiet_logins=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like a real installation: demo users have a published "
                "password. Use --allow-production if you really mean it."
            )
        counts = seed()
        self.stdout.write(
            f"Demo data: {counts['forces']} forces, {counts['users']} users, "
            f"{counts['premises']} premises and {counts['visits']} visits added "
            "(0 means already there)."
        )
        if not quiet_logins:
            self.stdout.write("Demo logins (username / password):")
            for role, username, password in logins():
                self.stdout.write(f"  {role:<21} {username:<16} {password}")
