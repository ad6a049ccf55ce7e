"""python manage.py import_premises FILE --force CODE"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Force
from common.csvutil import import_source
from common.xlsxutil import Sheet
from premises.services import ImportFailed, premises_import


class Command(BaseCommand):
    help = (
        "Import premises from a CSV file or an Excel workbook (.xlsx) into one force, "
        "all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", required=True, help="Force code, e.g. SUF")

    def handle(self, *args, file: Path, force: str, **options):
        force_code = force
        try:
            force = Force.objects.get(code=force_code.upper())
        except Force.DoesNotExist as exc:
            raise CommandError(f"No force has the code {force_code}.") from exc
        try:
            text = import_source(file.read_bytes(), name=file.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            result = premises_import(force=force, user=None, text=text)
        except ImportFailed as exc:
            unit = "sheet row" if isinstance(text, Sheet) else "line"
            for line, reason in exc.result.errors:
                self.stderr.write(f"{unit} {line}: {reason}")
            raise CommandError(
                f"Nothing imported: {len(exc.result.errors)} rows need fixing."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} new and {result.updated} updated premises into {force}."
            )
        )
        if result.towns_created:
            self.stdout.write(f"New towns: {', '.join(result.towns_created)}")
        if result.operators_created:
            self.stdout.write(f"New operators: {', '.join(result.operators_created)}")
