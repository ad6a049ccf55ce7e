"""iCalendar (RFC 5545) files for training sessions, so they land in Outlook. Times are UTC."""

from datetime import UTC, timedelta

from django.utils import timezone

from .models import TrainingSession


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        end = min(start + (75 if not parts else 74), len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start = end
    return "\r\n ".join(parts)


def _utc(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event(session: TrainingSession, stamp) -> list[str]:
    premises = session.premises
    end = session.scheduled_for + timedelta(minutes=session.duration_minutes)
    address = ", ".join(line.strip() for line in premises.address.splitlines() if line.strip())
    where = f"{premises.name}, {address}, {premises.town.name} {premises.postcode}"
    description = (
        f"Makesafe training ({session.get_provider_display()}) at {premises.name}, "
        f"reference {premises.reference}. Status: {session.get_status_display()}."
    )
    if session.trainer:
        description += f" Trainer: {session.trainer}."
    return [
        "BEGIN:VEVENT",
        f"UID:makesafe-training-{session.pk}@makesafe",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(session.scheduled_for)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape('Makesafe training: ' + premises.name)}",
        f"LOCATION:{_escape(where)}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:" + ("CANCELLED" if session.status == "cancelled" else "CONFIRMED"),
        f"SEQUENCE:{session.version}",
        "END:VEVENT",
    ]


def calendar(sessions) -> str:
    """A VCALENDAR with one event per session that has a time."""
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Makesafe//Training sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for session in sessions:
        if session.scheduled_for:
            lines.extend(event(session, stamp))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
