"""iCalendar (RFC 5545) files for training sessions, so they land in Outlook. Times are UTC.

The icalendar library writes the file: escaping, line folding at 75 octets, CRLF line ends.
"""

from datetime import UTC, timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from .models import TrainingSession

PRODUCT = "-//Makesafe//Training sessions//EN"


def event(session: TrainingSession, stamp) -> Event:
    premises = session.premises
    end = session.scheduled_for + timedelta(minutes=session.duration_minutes)
    address = ", ".join(line.strip() for line in premises.address.splitlines() if line.strip())
    description = (
        f"Makesafe training ({session.get_provider_display()}) at {premises.name}, "
        f"reference {premises.reference}. Status: {session.get_status_display()}."
    )
    if session.trainer:
        description += f" Trainer: {session.trainer}."
    entry = Event()
    entry.add("uid", f"makesafe-training-{session.pk}@makesafe")
    entry.add("dtstamp", stamp.astimezone(UTC))
    entry.add("dtstart", session.scheduled_for.astimezone(UTC))
    entry.add("dtend", end.astimezone(UTC))
    entry.add("summary", f"Makesafe training: {premises.name}")
    entry.add("location", f"{premises.name}, {address}, {premises.town.name} {premises.postcode}")
    entry.add("description", description)
    cancelled = session.status == TrainingSession.Status.CANCELLED
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("sequence", session.version)
    return entry


def calendar(sessions) -> bytes:
    """A VCALENDAR with one event per session that has a time."""
    stamp = timezone.now()
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODUCT)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for session in sessions:
        if session.scheduled_for:
            cal.add_component(event(session, stamp))
    return cal.to_ical()
