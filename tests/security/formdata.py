"""Valid form input for every edit page, as a person would type it: each test changes a little."""

from datetime import timedelta

from django.utils import timezone


def typed_date(day) -> str:
    return day.strftime("%d/%m/%Y")


def typed_time(when) -> str:
    return timezone.localtime(when).strftime("%d/%m/%Y %H:%M")


def premises_post(town, **changes) -> dict:
    return {
        "name": "Orwell Quay Hotel",
        "sector": "hotel",
        "address": "12 Neptune Quay",
        "town": town.pk,
        "postcode": "IP4 1AX",
        "contact_role": "manager",
        **changes,
    }


def visit_post(premises, cadet, **changes) -> dict:
    return {
        "premises": premises.pk,
        "risk_assessment_ref": "RA-2026-0042",
        "visited_at": typed_time(timezone.now() - timedelta(hours=1)),
        "participants": [cadet.pk],
        "indicators": ["pays_cash"],
        "stage_reached": "key_issued",
        "outcome": "completed",
        "police_contact": "none",
        "staff_roles": ["receptionist"],
        "debrief_held": "on",
        "debrief_attendees": ["manager"],
        "debrief_notes": "Manager briefed on the signs.",
        "training_offered": "on",
        "welfare_debrief_done": "on",
        **changes,
    }


def session_post(**changes) -> dict:
    return {
        "status": "scheduled",
        "scheduled_for": typed_time(timezone.now() + timedelta(days=3)),
        "duration_minutes": "60",
        "provider": "police",
        "trainer": "PC Harper",
        "notes": "Reception team of four.",
        **changes,
    }


def notice_post(premises, inspector, **changes) -> dict:
    start = timezone.localdate()
    return {
        "premises": premises.pk,
        "issued_by": inspector.pk,
        "served_on_role": "manager",
        "served_on_business": "Orwell Quay Hotel Ltd",
        "start_date": typed_date(start),
        "expiry_date": typed_date(start + timedelta(days=90)),
        "grounds": "Repeated reports of adults booking rooms with children.",
        "status": "active",
        **changes,
    }


def operation_post(**changes) -> dict:
    return {
        "name": "Makesafe Felixstowe",
        "date": typed_date(timezone.localdate() + timedelta(days=7)),
        "risk_assessment_ref": "RA-2024-19",
        "briefing_notes": "Meet at the station at 18:00.",
        **changes,
    }


def participant_post(**changes) -> dict:
    return {
        "code": "C-201",
        "age_band": "14-15",
        "permission_recorded_on": typed_date(timezone.localdate() - timedelta(days=3)),
        "active": "on",
        **changes,
    }


def scenario_post(**changes) -> dict:
    return {
        "name": "Room for a few hours",
        "sectors": ["hotel"],
        "script": "Two cadets ask for a room for the afternoon and pay cash.",
        "indicators": ["pays_cash", "short_stay"],
        **changes,
    }


PASSPHRASE = "a long enough passphrase for tests"


def user_post(**changes) -> dict:
    return {
        "username": "new.officer",
        "first_name": "Jo",
        "last_name": "Mensah",
        "email": "jo.mensah@makesafe.invalid",
        "rank": "constable",
        "collar_number": "4471",
        "role": "Officer",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
        "is_active": "on",
        **changes,
    }
