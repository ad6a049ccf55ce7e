"""python manage.py send_reminders: the daily reminder emails, run by cron or a systemd timer."""

from django.core.management.base import BaseCommand, CommandError

from training.services import reminders_send


class Command(BaseCommand):
    help = (
        "Email each sergeant the digest of their force's work queue and each person given rows "
        "of it a note, at most once a day each: running it again the same day sends nothing new."
    )

    def handle(self, *args, **options):
        result = reminders_send()
        self.stdout.write(
            f"Sent {result.digests} digest(s) and {result.notes} note(s) of assigned rows; "
            f"{result.already_sent} already sent today."
        )
        if result.failed:
            for failure in result.failed:
                self.stderr.write(f"Not sent: {failure}")
            raise CommandError(
                f"{len(result.failed)} reminder(s) could not be sent; the next run tries again."
            )
