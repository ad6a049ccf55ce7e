"""`manage.py migrate` as the owner role, then the runtime role's privileges (makesafe/dbroles.py).

With MIGRATION_DATABASE_URL set (the "owner" database alias) migrations run as the owner unless
--database says otherwise; without it, as DATABASE_URL's role, as on a laptop or in CI with one.
"""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

from makesafe.dbroles import OWNER_ALIAS, grant_runtime_privileges


class Command(MigrateCommand):
    help = (
        "Updates the database schema as the owner role (MIGRATION_DATABASE_URL, when set), "
        "then grants the runtime role (DATABASE_URL) its privileges."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        if OWNER_ALIAS in settings.DATABASES:
            parser.set_defaults(database=OWNER_ALIAS)

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options["plan"] or options["prune"] or options["check_unapplied"]:
            return
        role = grant_runtime_privileges(
            owner=connections[options["database"]], runtime=connections[DEFAULT_DB_ALIAS]
        )
        if role and options["verbosity"] >= 1:
            self.stdout.write(f"Granted the runtime role {role} its privileges.")
