"""The daily reminder emails (`manage.py send_reminders`), delivered to a real SMTP server run in
the test (aiosmtpd): counts of each kind of queue row, once a day, and never a premises name,
cadet code or outcome."""

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from training.models import Reminder
from training.services import reminders_send
from visits.models import Visit

from ..conftest import client_for
from ..factories import (
    NoticeFactory,
    OutcomeLetterFactory,
    ParticipantFactory,
    PremisesFactory,
    QueueAssignmentFactory,
    ReminderFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from .conftest import at

# Words an email must never carry: a visit's outcome or result, whatever the case.
OUTCOME_WORDS = [label for _, label in Visit.Outcome.choices] + ["pass", "passed", "fail", "failed"]


class Inbox:
    """What the test SMTP server received: (envelope recipients, parsed message)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for rcpt, message in self.received if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_settings(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://makesafe.example.police.uk"


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port, and Django's SMTP backend pointed at it."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_settings(settings, controller.port)
    yield received
    controller.stop()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def count(message, label: str) -> int:
    found = re.search(rf"^{re.escape(label)}: (\d+)$", body(message), re.MULTILINE)
    assert found, (label, body(message))
    return int(found.group(1))


@pytest.fixture
def queue_of_each_kind(force, town, other_town, officer):
    """Rows of every kind in Suffolk's queue, and rows near them that the digest must not count.

    Training overdue 1, re-tests due 2, letters to send 3, s.116 notices within 14 days 1."""
    today = timezone.localdate()
    failed_long_ago = PremisesFactory(town=town, name="Cornhill Lodge")
    visit = VisitFactory(premises=failed_long_ago, officer=officer, visited_at=at(40))
    # A cadet with permission in force on the visit's date, so the digest can be shown not to
    # name them.
    cadet = ParticipantFactory(
        force=force, code="C-777", permission_recorded_on=today - timedelta(days=60)
    )
    visit.participants.add(cadet)
    # Failed three days ago: training due, not overdue; its letter is sent.
    failed_lately = PremisesFactory(town=town, name="Quayside Inn")
    OutcomeLetterFactory(visit=VisitFactory(premises=failed_lately, visited_at=at(3)))
    for name in ("Orwell Hotel", "Neptune Quay Rooms"):  # trained, not visited since
        TrainingSessionFactory(premises=PremisesFactory(town=town, name=name), delivered=True)
    for name in ("Salthouse B&B", "Tacket Street Tandoori"):  # passed: letters only
        VisitFactory(
            premises=PremisesFactory(town=town, name=name),
            outcome=Visit.Outcome.REFUSED_CONCERNS,
            visited_at=at(5),
        )
    NoticeFactory(
        premises=PremisesFactory(town=town, name="Station Hotel"),
        start_date=today - timedelta(days=60),
        expiry_date=today + timedelta(days=10),
    )
    NoticeFactory(  # expiring in 20 days: in the queue's 30-day view, not the digest's 14
        premises=PremisesFactory(town=town, name="Great White Horse"),
        start_date=today - timedelta(days=60),
        expiry_date=today + timedelta(days=20),
    )
    # Norfolk's failure counts in Norfolk's digest only.
    VisitFactory(premises=PremisesFactory(town=other_town, name="Wensum Lodge"), visited_at=at(40))
    return {"names": ["Cornhill Lodge", "Quayside Inn", "Orwell Hotel", "Wensum Lodge"]}


def test_the_digest_reaches_the_smtp_server_with_each_kinds_count(
    inbox, sergeant, other_sergeant, queue_of_each_kind, officer, commander
):
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (digest,) = inbox.to(sergeant.email)
    assert digest["Subject"].startswith("Makesafe: 7 rows of the Suffolk Constabulary work queue")
    assert count(digest, "Training overdue") == 1
    assert count(digest, "Re-tests due") == 2
    assert count(digest, "Outcome letters to send") == 3
    assert count(digest, "s.116 notices expiring within 14 days") == 1
    text = body(digest)
    overdue = "/training/queue/?kind=training_due&status=overdue"
    assert f"https://makesafe.example.police.uk{overdue}" in text
    assert "https://makesafe.example.police.uk/accounts/profile/" in text
    (theirs,) = inbox.to(other_sergeant.email)
    assert count(theirs, "Training overdue") == 1
    assert count(theirs, "Outcome letters to send") == 1
    assert count(theirs, "Re-tests due") == 0
    # Only those who work the queue get it.
    assert inbox.to(officer.email) == [] and inbox.to(commander.email) == []


def test_running_twice_a_day_sends_each_digest_once(inbox, sergeant, queue_of_each_kind):
    reminders_send()
    again = reminders_send()
    assert len(inbox.to(sergeant.email)) == 1
    assert again.digests == 0 and again.already_sent == 1
    assert Reminder.objects.filter(recipient=sergeant, kind="digest").count() == 1
    # The next day it comes again.
    reminders_send(now=timezone.now() + timedelta(days=1))
    assert len(inbox.to(sergeant.email)) == 2


def test_the_database_refuses_a_second_reminder_of_a_kind_the_same_day(sergeant):
    sent = ReminderFactory(recipient=sergeant)
    again = ReminderFactory.build(recipient=sergeant, day=sent.day, kind=sent.kind)
    with pytest.raises(IntegrityError, match="reminder_once_a_day"):
        Reminder.objects.bulk_create([again])


def test_the_database_refuses_an_empty_reminder(sergeant):
    with pytest.raises(IntegrityError, match="reminder_counts_something"):
        Reminder.objects.bulk_create([ReminderFactory.build(recipient=sergeant, item_count=0)])


def test_no_email_names_premises_cadets_or_outcomes(
    inbox, sergeant, second_sergeant, other_sergeant, town, queue_of_each_kind
):
    premises = PremisesFactory(town=town, name="Pals Inn")
    QueueAssignmentFactory(subject=premises, owner=second_sergeant, assigned_by=sergeant)
    reminders_send()
    assert len(inbox.received) == 4  # three digests and a note
    names = queue_of_each_kind["names"] + ["Pals Inn"]
    for _, message in inbox.received:
        text = f"{message['Subject']}\n{body(message)}"
        for secret in [*names, "C-777"]:
            assert secret not in text
        for word in OUTCOME_WORDS:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), word


def test_a_person_given_rows_gets_one_note_of_them(inbox, sergeant, second_sergeant, town):
    client = client_for(sergeant)
    for premises in PremisesFactory.create_batch(2, town=town):
        response = client.post(
            reverse("training:assign"),
            {"kind": "training_due", "subject_id": premises.pk, "owner": second_sergeant.pk},
        )
        assert response.status_code == 302
    mine = PremisesFactory(town=town)
    client.post(
        reverse("training:assign"),
        {"kind": "training_due", "subject_id": mine.pk, "owner": sergeant.pk},
    )
    reminders_send()
    reminders_send()
    (note,) = inbox.to(second_sergeant.email)
    assert note["Subject"] == "Makesafe: 2 rows of the work queue assigned to you"
    assert count(note, "Training due") == 2
    link = f"/training/queue/?kind=training_due&owner={second_sergeant.pk}"
    assert link in body(note)
    assert inbox.to(sergeant.email) == []  # rows one takes oneself need no note
    # The next day, nothing new: no note.
    reminders_send(now=timezone.now() + timedelta(days=1))
    assert len(inbox.to(second_sergeant.email)) == 1


def test_rows_given_after_the_days_note_come_in_the_next_days(
    inbox, sergeant, second_sergeant, town
):
    QueueAssignmentFactory(subject=PremisesFactory(town=town), owner=second_sergeant)
    reminders_send()
    later = QueueAssignmentFactory(
        subject=PremisesFactory(town=town), owner=second_sergeant, kind="retest_due"
    )
    reminders_send()  # the same day: already sent
    assert len(inbox.to(second_sergeant.email)) == 1
    reminders_send(now=later.updated_at + timedelta(days=1))
    first, second = inbox.to(second_sergeant.email)
    assert count(first, "Training due") == 1
    assert count(second, "Re-test due") == 1
    assert "Training due" not in body(second)


def test_a_digest_switched_off_is_not_sent_but_notes_are(
    inbox, sergeant, second_sergeant, queue_of_each_kind, town
):
    second_sergeant.wants_digest = False
    second_sergeant.save()
    QueueAssignmentFactory(subject=PremisesFactory(town=town), owner=second_sergeant)
    reminders_send()
    assert len(inbox.to(sergeant.email)) == 1
    (note,) = inbox.to(second_sergeant.email)
    assert "assigned to you" in note["Subject"]


def test_nothing_due_sends_no_digest(inbox, sergeant):
    assert reminders_send().digests == 0
    assert inbox.received == []


def test_the_forces_sender_address_and_name_are_used_as_written(
    inbox, sergeant, force, queue_of_each_kind
):
    force.reminder_from_email = "makesafe@suffolk.police.example"
    force.name = "Suffolk & Norfolk's Joint Unit"  # plain text: nothing HTML-escaped
    force.save()
    reminders_send()
    (digest,) = inbox.to(sergeant.email)
    assert digest["From"] == "makesafe@suffolk.police.example"
    assert "of Suffolk & Norfolk's Joint Unit on" in body(digest)
    assert "rows of the Suffolk & Norfolk's Joint Unit work queue" in digest["Subject"]


def test_a_send_that_fails_is_tried_again_on_the_next_run(settings, sergeant, queue_of_each_kind):
    smtp_settings(settings, free_port())  # nothing listens there
    with pytest.raises(CommandError, match="1 reminder"):
        call_command("send_reminders", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    assert not Reminder.objects.exists()
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_settings(settings, controller.port)
        assert reminders_send().digests == 1
    finally:
        controller.stop()
    assert len(received.to(sergeant.email)) == 1


def test_the_command_reads_in_the_same_number_of_queries_for_few_people_or_many(
    inbox, force, town, queue_of_each_kind
):
    def queries_of_a_run(people: int) -> int:
        Reminder.objects.all().delete()
        for _ in range(people):
            owner = UserFactory(force=force, rank="sergeant", role=roles.SERGEANT)
            QueueAssignmentFactory(subject=PremisesFactory(town=town), owner=owner)
        with CaptureQueriesContext(connection) as captured:
            reminders_send()
        # Reading is fixed; each email adds its own row of the log (with its savepoints).
        return len([q for q in captured if q["sql"].startswith("SELECT")])

    assert queries_of_a_run(1) == queries_of_a_run(5)
