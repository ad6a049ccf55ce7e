"""Training sessions: scheduling, the allowed status changes, delivery, lists, weeks and .ics."""

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from training.models import TrainingSession
from visits.models import LONDON_TZ, Visit

from ..conftest import through_disclosure
from ..factories import (
    PremisesFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from .conftest import at

STATUSES = TrainingSession.Status.values


def typed(when: datetime | None) -> str:
    """A date and time as a user types it: 18/10/2021 14:00, London time."""
    return timezone.localtime(when, LONDON_TZ).strftime("%d/%m/%Y %H:%M") if when else ""


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), LONDON_TZ)


def edit_data(session, **changes):
    """The change form as the user opened it, with `changes` typed in."""
    data = {
        "status": session.status,
        "scheduled_for": typed(session.scheduled_for),
        "duration_minutes": session.duration_minutes,
        "provider": session.provider,
        "trainer": session.trainer,
        "owner": session.owner_id or "",
        "staff_trained": "" if session.staff_trained is None else session.staff_trained,
        "notes": session.notes,
        "expected_version": session.version,
    }
    return {**data, **changes}


@pytest.fixture
def failed_visit(premises):
    return VisitFactory(premises=premises, visited_at=at(6))


@pytest.fixture
def scheduled(premises, failed_visit, sergeant):
    """A session that was due to happen yesterday afternoon and has not been recorded yet."""
    return TrainingSessionFactory(
        premises=premises, visit=failed_visit, owner=sergeant, scheduled_for=at(1, 14)
    )


# -- Scheduling from the queue ----------------------------------------------------------------


def test_training_is_scheduled_from_a_queue_row_in_one_step(
    sergeant_client, sergeant, premises, failed_visit
):
    url = reverse("training:session_create")
    response = sergeant_client.get(url, {"premises": premises.pk, "visit": failed_visit.pk})
    assert response.status_code == 200
    assert response.context["form"]["status"].value() == "scheduled"
    assert response.context["form"]["owner"].value() == sergeant.pk
    when = at(-7, 14)
    response = sergeant_client.post(
        url,
        {
            "premises_id": premises.pk,
            "visit_id": failed_visit.pk,
            "back": "/training/queue/",
            "status": "scheduled",
            "scheduled_for": typed(when),
            "duration_minutes": "90",
            "provider": "barnardos",
            "trainer": "Jo Reeve",
            "owner": sergeant.pk,
            "materials": ["posters", "video"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/training/queue/"
    session = TrainingSession.objects.get()
    assert (session.premises, session.visit, session.force) == (
        premises,
        failed_visit,
        premises.force,
    )
    assert (session.status, session.scheduled_for, session.duration_minutes) == (
        "scheduled",
        when,
        90,
    )
    assert (session.owner, session.created_by, session.updated_by) == (sergeant,) * 3
    assert session.materials == ["posters", "video"]
    queue = sergeant_client.get(reverse("training:queue"))
    assert queue.context["rows"] == []


def test_an_offer_needs_no_date(sergeant_client, premises):
    response = sergeant_client.post(
        reverse("training:session_create"),
        {"premises_id": premises.pk, "status": "offered", "duration_minutes": "60"}
        | {"provider": "police"},
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.status, session.scheduled_for, session.visit) == ("offered", None, None)
    assert response["Location"] == session.get_absolute_url()


def test_scheduled_training_needs_a_time(sergeant_client, premises):
    response = sergeant_client.post(
        reverse("training:session_create"),
        {"premises_id": premises.pk, "status": "scheduled", "duration_minutes": "60"}
        | {"provider": "police"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["scheduled_for"] == [
        "Give the date and time of the session."
    ]
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize("status", ["scheduled", "delivered", "no_show"])
def test_the_database_refuses_a_session_that_happened_without_a_time(premises, status):
    with pytest.raises(IntegrityError, match="training_scheduled_needs_time"):
        TrainingSessionFactory(
            premises=premises, status=status, scheduled_for=None, staff_trained=2
        )


def test_a_new_session_cannot_be_scheduled_in_the_past(sergeant_client, premises):
    response = sergeant_client.post(
        reverse("training:session_create"),
        {"premises_id": premises.pk, "status": "scheduled", "scheduled_for": typed(at(2))}
        | {"duration_minutes": "60", "provider": "police"},
    )
    assert response.context["form"].errors["scheduled_for"] == [
        "A newly scheduled session cannot be in the past."
    ]
    assert not TrainingSession.objects.exists()


def test_scheduling_ignores_posted_force_creator_version_and_premises(
    sergeant_client, sergeant, premises, other_town, other_officer
):
    theirs = PremisesFactory(town=other_town)
    response = sergeant_client.post(
        reverse("training:session_create"),
        {
            "premises_id": premises.pk,
            "status": "offered",
            "duration_minutes": "60",
            "provider": "police",
            "force": other_town.force_id,
            "premises": theirs.pk,
            "created_by": other_officer.pk,
            "updated_by": other_officer.pk,
            "version": "99",
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.force, session.premises) == (premises.force, premises)
    assert (session.created_by, session.updated_by, session.version) == (sergeant, sergeant, 1)


# -- Status changes ---------------------------------------------------------------------------


@pytest.mark.parametrize("old", STATUSES)
def test_the_database_allows_exactly_the_workflows_status_changes(premises, old):
    allowed = set()
    for new in STATUSES:
        session = TrainingSessionFactory(
            premises=premises, status=old, scheduled_for=at(1), staff_trained=3
        )
        try:
            with transaction.atomic():
                TrainingSession.objects.filter(pk=session.pk).update(status=new)
        except IntegrityError as error:
            assert "training_status_transition" in str(error)
        else:
            allowed.add(new)
        assert session.can_move_to(new) is (new in allowed)
    assert allowed == {old} | TrainingSession.TRANSITIONS[old]


def test_the_database_refuses_a_delivered_session_going_back_to_offered(premises):
    session = TrainingSessionFactory(premises=premises, delivered=True)
    session.status = "offered"
    with pytest.raises(IntegrityError, match="delivered cannot become offered"):
        session.save()


def test_the_change_form_offers_only_the_allowed_next_statuses(sergeant_client, scheduled):
    response = sergeant_client.get(reverse("training:session_edit", args=[scheduled.pk]))
    choices = [value for value, _ in response.context["form"].fields["status"].widget.choices]
    assert choices == ["scheduled", "delivered", "no_show", "cancelled"]


@pytest.mark.parametrize(
    "old, new",
    [("delivered", "offered"), ("delivered", "scheduled"), ("offered", "no_show")]
    + [("declined", "scheduled"), ("cancelled", "delivered"), ("scheduled", "accepted")],
)
def test_a_status_change_the_workflow_forbids_is_refused_with_a_message(
    sergeant_client, premises, old, new
):
    session = TrainingSessionFactory(
        premises=premises, status=old, scheduled_for=at(1), staff_trained=3
    )
    response = sergeant_client.post(
        reverse("training:session_edit", args=[session.pk]), edit_data(session, status=new)
    )
    assert response.status_code == 200
    old_label = TrainingSession.Status(old).label.lower()
    new_label = TrainingSession.Status(new).label.lower()
    assert response.context["form"].errors["status"] == [
        f"A session that is {old_label} cannot become {new_label}."
    ]
    session.refresh_from_db()
    assert (session.status, session.version) == (old, 1)


@pytest.mark.parametrize(
    "old, new",
    [("offered", "accepted"), ("accepted", "declined"), ("declined", "offered")]
    + [("scheduled", "cancelled"), ("scheduled", "no_show"), ("cancelled", "offered")],
)
def test_a_status_change_the_workflow_allows_is_saved(
    sergeant_client, sergeant, premises, old, new
):
    session = TrainingSessionFactory(premises=premises, status=old, scheduled_for=at(1))
    response = sergeant_client.post(
        reverse("training:session_edit", args=[session.pk]), edit_data(session, status=new)
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.version, session.updated_by) == (new, 2, sergeant)


def test_cancelling_scheduled_training_puts_the_premises_back_in_the_queue(
    sergeant_client, scheduled
):
    sergeant_client.post(
        reverse("training:session_edit", args=[scheduled.pk]),
        edit_data(scheduled, status="cancelled"),
    )
    queue = sergeant_client.get(reverse("training:queue")).content.decode()
    assert "Cornhill Lodge" in queue


def test_a_stale_change_is_refused_and_keeps_the_input(sergeant_client, scheduled):
    url = reverse("training:session_edit", args=[scheduled.pk])
    first = sergeant_client.post(url, edit_data(scheduled, trainer="First"))
    assert first.status_code == 302
    second = sergeant_client.post(url, edit_data(scheduled, trainer="Second"))
    assert second.status_code == 200
    assert "Someone else saved this record" in second.content.decode()
    assert second.context["form"]["trainer"].value() == "Second"
    scheduled.refresh_from_db()
    assert (scheduled.trainer, scheduled.version) == ("First", 2)


# -- Delivery ---------------------------------------------------------------------------------


def deliver_data(session, **changes):
    data = {
        "scheduled_for": typed(session.scheduled_for),
        "staff_trained": "7",
        "trainer": "PC Harper",
        "materials": ["posters", "toolkit"],
        "notes": "Night staff attended too.",
        "expected_version": session.version,
    }
    return {**data, **changes}


def test_recording_delivery_moves_the_premises_to_retest_due(sergeant_client, sergeant, scheduled):
    url = reverse("training:session_deliver", args=[scheduled.pk])
    assert sergeant_client.get(url).status_code == 200
    response = sergeant_client.post(url, deliver_data(scheduled), follow=True)
    assert response.redirect_chain == [(scheduled.get_absolute_url(), 302)]
    assert "Recorded delivery at Cornhill Lodge: a re-test is now due." in (
        response.content.decode()
    )
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.staff_trained, scheduled.version) == ("delivered", 7, 2)
    assert (scheduled.materials, scheduled.updated_by) == (["posters", "toolkit"], sergeant)
    queue = sergeant_client.get(reverse("training:queue"), {"kind": "retest_due"})
    assert [row.premises.name for row in queue.context["rows"]] == ["Cornhill Lodge"]


@pytest.mark.parametrize(
    "staff, message",
    [
        ("", "This field is required."),
        ("0", "Say how many staff were trained (at least 1)."),
        ("-3", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_delivery_needs_a_positive_number_of_staff_trained(
    sergeant_client, scheduled, staff, message
):
    url = reverse("training:session_deliver", args=[scheduled.pk])
    response = sergeant_client.post(url, deliver_data(scheduled, staff_trained=staff))
    assert response.status_code == 200
    assert response.context["form"].errors["staff_trained"] == [message]
    assert f"Staff trained: {message}" in response.content.decode()
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.staff_trained) == ("scheduled", None)


def test_delivery_cannot_be_recorded_in_the_future(sergeant_client, scheduled):
    url = reverse("training:session_deliver", args=[scheduled.pk])
    response = sergeant_client.post(url, deliver_data(scheduled, scheduled_for=typed(at(-1))))
    assert response.context["form"].errors["scheduled_for"] == [
        "Delivery cannot be recorded for a time in the future."
    ]


@pytest.mark.parametrize(
    "status, message",
    [
        ("offered", "This session is offered, so it cannot be recorded as delivered"),
        ("cancelled", "This session is cancelled, so it cannot be recorded as delivered"),
        ("delivered", "Delivery of this session is already recorded."),
    ],
)
def test_only_a_scheduled_session_can_be_recorded_as_delivered(
    sergeant_client, premises, status, message
):
    session = TrainingSessionFactory(
        premises=premises, status=status, scheduled_for=at(1), staff_trained=2
    )
    url = reverse("training:session_deliver", args=[session.pk])
    response = sergeant_client.post(url, deliver_data(session, staff_trained="9"), follow=True)
    assert response.redirect_chain == [(session.get_absolute_url(), 302)]
    assert message in response.content.decode()
    session.refresh_from_db()
    assert (session.status, session.staff_trained) == (status, 2)


def test_the_change_form_also_needs_staff_trained_for_delivery(sergeant_client, scheduled):
    response = sergeant_client.post(
        reverse("training:session_edit", args=[scheduled.pk]),
        edit_data(scheduled, status="delivered"),
    )
    assert response.context["form"].errors["staff_trained"] == [
        "Say how many staff were trained (at least 1)."
    ]
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled"


@pytest.mark.parametrize("staff", [None, 0])
def test_the_database_needs_a_positive_staff_count_on_delivery(scheduled, staff):
    with pytest.raises(IntegrityError, match="training_delivered_needs_staff_trained"):
        TrainingSession.objects.filter(pk=scheduled.pk).update(
            status="delivered", staff_trained=staff
        )


# -- Detail and timeline ----------------------------------------------------------------------


def test_the_detail_page_offers_delivery_change_and_calendar(sergeant_client, scheduled):
    page = sergeant_client.get(scheduled.get_absolute_url()).content.decode()
    assert reverse("training:session_deliver", args=[scheduled.pk]) in page
    assert reverse("training:session_edit", args=[scheduled.pk]) in page
    assert reverse("training:session_ics", args=[scheduled.pk]) in page


def test_a_commander_sees_the_session_but_no_buttons_to_change_it(commander_client, scheduled):
    page = commander_client.get(scheduled.get_absolute_url()).content.decode()
    assert "Cornhill Lodge" in page
    assert reverse("training:session_deliver", args=[scheduled.pk]) not in page
    assert reverse("training:session_edit", args=[scheduled.pk]) not in page


def test_the_premises_timeline_shows_the_chain_from_failure_to_retest(
    officer_client, premises, failed_visit
):
    session = TrainingSessionFactory(
        premises=premises, visit=failed_visit, delivered=True, scheduled_for=at(4)
    )
    VisitFactory(
        premises=premises,
        visited_at=at(1),
        retest_of=failed_visit,
        outcome=Visit.Outcome.REPORTED_TO_POLICE,
        police_contact="101",
    )
    page = officer_client.get(premises.get_absolute_url()).content.decode()
    assert f'href="{session.get_absolute_url()}"' in page
    assert "Training delivered" in page
    assert "6 staff trained" in page
    assert f"→ Training delivered {at(4):%-d %b %Y}" in page
    assert f"→ Re-test {at(1):%-d %b %Y}: <strong>pass</strong>" in page
    # Newest first: the re-test, the training, then the failed visit.
    assert (
        page.index("Re-test of")
        < page.index("Training delivered</a>")
        < page.index(f"Visit {at(6):%-d %b %Y}")
    )


# -- List and week ----------------------------------------------------------------------------


@pytest.fixture
def sessions(force, town):
    felixstowe = TownFactory(force=force, name="Felixstowe")
    return {
        "Ipswich police": TrainingSessionFactory(
            premises=PremisesFactory(town=town, name="Ipswich police"),
            scheduled_for=london(date(2025, 3, 10), 10),
        ),
        "Felixstowe Barnardo's": TrainingSessionFactory(
            premises=PremisesFactory(town=felixstowe, name="Felixstowe Barnardo's"),
            provider="barnardos",
            delivered=True,
            scheduled_for=london(date(2025, 4, 2), 10),
        ),
        "Ipswich council offer": TrainingSessionFactory(
            premises=PremisesFactory(town=town, name="Ipswich council offer"),
            provider="local_authority",
            status="offered",
            scheduled_for=None,
        ),
        "felixstowe": felixstowe,
    }


def listed(client, **filters) -> set[str]:
    response = client.get(reverse("training:session_list"), filters)
    assert response.status_code == 200
    return {s.premises.name for s in response.context["page"]}


def test_the_session_list_shows_every_session_of_the_force(officer_client, sessions):
    assert listed(officer_client) == {
        "Ipswich police",
        "Felixstowe Barnardo's",
        "Ipswich council offer",
    }


def test_the_session_list_filters_by_status_town_provider_and_period(officer_client, sessions):
    assert listed(officer_client, status="delivered") == {"Felixstowe Barnardo's"}
    assert listed(officer_client, town=sessions["felixstowe"].pk) == {"Felixstowe Barnardo's"}
    assert listed(officer_client, provider="local_authority") == {"Ipswich council offer"}
    assert listed(officer_client, period_after="01/03/2025", period_before="10/03/2025") == {
        "Ipswich police"
    }
    assert listed(officer_client, period_after="11/03/2025") == {"Felixstowe Barnardo's"}
    assert listed(officer_client, status="scheduled", town=sessions["felixstowe"].pk) == set()


def test_the_week_view_puts_each_session_on_its_london_day(officer_client, town):
    monday = date(timezone.localdate().year + 1, 7, 6)
    monday -= timedelta(days=monday.weekday())

    def session(name, day, hour, minute=0, **extra):
        premises = PremisesFactory(town=town, name=name)
        when = london(monday + timedelta(days=day), hour, minute)
        return TrainingSessionFactory(premises=premises, scheduled_for=when, **extra)

    session("Wednesday Hotel", 2, 10)
    session("Thursday Inn", 3, 0, 30)  # 23:30 on Wednesday in UTC
    session("Sunday Lodge", 6, 23, 30)
    session("Offered Lodge", 1, 9, status="offered")
    session("Cancelled Inn", 1, 10, status="cancelled")
    session("Next Week Hotel", 7, 0, 30)  # still Sunday in UTC
    session("Last Week Hotel", -1, 23, 30)
    response = officer_client.get(
        reverse("training:session_week"), {"week": (monday + timedelta(days=4)).isoformat()}
    )
    assert response.context["start"] == monday
    days = {
        day.strftime("%A"): [s.premises.name for s in day_sessions]
        for day, day_sessions in response.context["days"]
    }
    assert days == {
        "Monday": [],
        "Tuesday": ["Offered Lodge"],
        "Wednesday": ["Wednesday Hotel"],
        "Thursday": ["Thursday Inn"],
        "Friday": [],
        "Saturday": [],
        "Sunday": ["Sunday Lodge"],
    }
    page = response.content.decode()
    sections = {
        section.split("</h2>")[0].rsplit(">", 1)[-1]: section
        for section in page.split("<section")[1:]
    }
    wednesday = f"Wednesday {monday + timedelta(days=2):%-d %b}"
    thursday = f"Thursday {monday + timedelta(days=3):%-d %b}"
    assert "10:00 Wednesday Hotel" in sections[wednesday]
    assert "00:30 Thursday Inn" in sections[thursday]
    assert "Thursday Inn" not in sections[wednesday]
    assert "Cancelled Inn" not in page
    assert f"?week={monday + timedelta(days=7):%Y-%m-%d}" in page


def test_the_week_view_starts_this_week_when_asked_for_nonsense(officer_client):
    response = officer_client.get(reverse("training:session_week"), {"week": "next tuesday"})
    today = timezone.localdate()
    assert response.context["start"] == today - timedelta(days=today.weekday())


# -- iCalendar --------------------------------------------------------------------------------


def parse_ics(text: str) -> tuple[dict, list[dict]]:
    """A tiny RFC 5545 reader: (calendar properties, one dict of properties per event).

    Checks the framing on the way: CRLF line ends, lines of at most 75 octets, folded lines
    continued after a space, and BEGIN/END pairs that match.
    """
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[tuple[str, dict]] = []
    calendar, events = None, []
    for line in lines:
        name, colon, value = line.partition(":")
        assert colon, line
        name = name.split(";")[0].upper()
        if name == "BEGIN":
            stack.append((value, {}))
        elif name == "END":
            component, properties = stack.pop()
            assert component == value
            if value == "VEVENT":
                events.append(properties)
            elif value == "VCALENDAR":
                calendar = properties
        else:
            stack[-1][1][name] = value
    assert stack == []
    assert calendar is not None
    return calendar, events


def test_the_ics_holds_the_session_time_in_utc(officer_client, town):
    premises = PremisesFactory(
        town=town,
        name="Grand Harbourside Hotel, Spa; and Conference Centre at Neptune Quay Marina",
        address="12 Neptune Quay\nWaterfront",
        postcode="IP4 1AX",
    )
    summer = date(timezone.localdate().year + 1, 7, 15)
    session = TrainingSessionFactory(
        premises=premises, scheduled_for=london(summer, 14), duration_minutes=90
    )
    response = through_disclosure(
        officer_client, reverse("training:session_ics", args=[session.pk])
    )
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="makesafe-training-{session.pk}.ics"'
    )
    calendar, (event,) = parse_ics(response.content.decode())
    assert calendar["VERSION"] == "2.0"
    assert event["DTSTART"] == f"{summer:%Y%m%d}T130000Z"
    assert event["DTEND"] == f"{summer:%Y%m%d}T143000Z"
    assert event["DTSTART"] == session.scheduled_for.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert event["DTSTAMP"].endswith("Z")
    assert event["UID"] == f"makesafe-training-{session.pk}@makesafe"
    assert event["SUMMARY"] == (
        "Makesafe training: Grand Harbourside Hotel\\, Spa\\; and Conference Centre at "
        "Neptune Quay Marina"
    )
    assert event["LOCATION"].startswith("Grand Harbourside Hotel\\, Spa\\; and Conference")
    assert "12 Neptune Quay\\, Waterfront\\, Ipswich IP4 1AX" in event["LOCATION"]


def test_the_ics_parses_back_with_what_outlook_requires(officer_client, town):
    """Read back with the icalendar library the file was written with: VERSION, PRODID and
    METHOD on the calendar; UID, DTSTAMP, DTSTART, DTEND and SUMMARY on the event, the text
    unescaped as it was typed."""
    premises = PremisesFactory(town=town, name="Quay; Lodge, \\ Annexe", address="1 Quay\nSide")
    summer = date(timezone.localdate().year + 1, 7, 15)
    session = TrainingSessionFactory(
        premises=premises, scheduled_for=london(summer, 14), trainer="Jo; Barnardo's"
    )
    response = through_disclosure(
        officer_client, reverse("training:session_ics", args=[session.pk])
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    assert {name: str(calendar[name]) for name in ("VERSION", "PRODID", "METHOD")} == {
        "VERSION": "2.0",
        "PRODID": "-//Makesafe//Training sessions//EN",
        "METHOD": "PUBLISH",
    }
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"makesafe-training-{session.pk}@makesafe"
    assert event.decoded("DTSTART") == session.scheduled_for
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)  # written in UTC
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == "Makesafe training: Quay; Lodge, \\ Annexe"
    assert "1 Quay, Side, Ipswich" in str(event["LOCATION"])
    assert "Trainer: Jo; Barnardo's." in str(event["DESCRIPTION"])


def test_the_ics_of_a_winter_session_is_in_gmt(officer_client, premises):
    winter = date(timezone.localdate().year + 1, 1, 15)
    session = TrainingSessionFactory(premises=premises, scheduled_for=london(winter, 14))
    response = through_disclosure(
        officer_client, reverse("training:session_ics", args=[session.pk])
    )
    _, (event,) = parse_ics(response.content.decode())
    assert event["DTSTART"] == f"{winter:%Y%m%d}T140000Z"


def test_a_session_without_a_time_has_no_ics(officer_client, premises):
    session = TrainingSessionFactory(premises=premises, status="offered", scheduled_for=None)
    response = through_disclosure(
        officer_client, reverse("training:session_ics", args=[session.pk])
    )
    assert response["Location"] == session.get_absolute_url()
    page = officer_client.get(response["Location"]).content.decode()
    assert "This session has no date yet" in page


def test_my_sessions_ics_holds_only_my_upcoming_scheduled_sessions(
    sergeant_client, sergeant, second_sergeant, town
):
    summer = date(timezone.localdate().year + 1, 7, 15)

    def session(name, **extra):
        return TrainingSessionFactory(premises=PremisesFactory(town=town, name=name), **extra)

    mine = session("Mine", owner=sergeant, scheduled_for=london(summer, 14))
    also_mine = session("Also mine", owner=sergeant, scheduled_for=london(summer, 9, 30))
    session("Past", owner=sergeant, scheduled_for=at(2))
    session("Cancelled", owner=sergeant, status="cancelled", scheduled_for=london(summer, 10))
    session("Offered", owner=sergeant, status="offered", scheduled_for=None)
    session("Theirs", owner=second_sergeant, scheduled_for=london(summer, 11))
    session("Nobody's", owner=None, scheduled_for=london(summer, 12))
    response = through_disclosure(sergeant_client, reverse("training:my_sessions_ics"))
    assert response["Content-Disposition"] == 'attachment; filename="makesafe-my-training.ics"'
    _, events = parse_ics(response.content.decode())
    assert [event["UID"] for event in events] == [
        f"makesafe-training-{also_mine.pk}@makesafe",
        f"makesafe-training-{mine.pk}@makesafe",
    ]
    assert events[0]["DTSTART"] == f"{summer:%Y%m%d}T083000Z"
    assert events[1]["DTSTART"] == f"{summer:%Y%m%d}T130000Z"


def test_my_sessions_ics_is_an_empty_calendar_for_an_officer(officer_client, premises):
    TrainingSessionFactory(premises=premises, owner=UserFactory(force=premises.force))
    calendar, events = parse_ics(
        through_disclosure(officer_client, reverse("training:my_sessions_ics")).content.decode()
    )
    assert calendar["PRODID"] == "-//Makesafe//Training sessions//EN"
    assert events == []
