"""python manage.py create_national_coordinator USERNAME --email EMAIL [--no-password]

Support staff make national coordinators, here or on the support site: no force admin can, as
the role belongs to no force and sees the figures of every force that shares them.
"""

import getpass

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles
from accounts.models import User


class Command(BaseCommand):
    help = "Create a national coordinator: no force, the national figures only, never a record."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="Set no password: the coordinator sets one through 'Forgotten your password?'.",
        )

    def handle(self, *args, username, email, first_name, last_name, no_password, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username} is taken.")
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            force=None,
            national=True,
            rank=User.Rank.STAFF,
        )
        if no_password:
            user.set_unusable_password()
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name=roles.NATIONAL_COORDINATOR))
        self.stdout.write(f"National coordinator {username} created.")
