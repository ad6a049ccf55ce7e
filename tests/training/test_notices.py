"""s.116 notices: each legal rule refused in the form and in the database; register; requests."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from training.models import GuestInfoRequest, Notice, add_months

from ..factories import (
    GuestInfoRequestFactory,
    NoticeFactory,
    PremisesFactory,
    UserFactory,
)


def notice_data(premises, issuer, **changes):
    data = {
        "premises": premises.pk,
        "issued_by": issuer.pk,
        "served_on_role": "manager",
        "served_on_business": "Cornhill Lodge Ltd",
        "start_date": "31/01/2026",
        "expiry_date": "31/07/2026",
        "grounds": "Two reports of adults booking rooms by the hour with girls in school uniform.",
        "status": "active",
    }
    return {**data, **changes}


def create(client, data):
    return client.post(reverse("training:notice_create"), data)


def errors(response, field):
    return response.context["form"].errors.get(field, [])


# -- Recording a notice -----------------------------------------------------------------------


def test_a_sergeant_records_a_notice_signed_by_an_inspector(
    sergeant_client, sergeant, inspector, premises
):
    response = create(sergeant_client, notice_data(premises, inspector, force=999, version=7))
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == notice.get_absolute_url()
    assert (notice.premises, notice.issued_by, notice.created_by) == (premises, inspector, sergeant)
    assert (notice.force, notice.version, notice.status) == (premises.force, 1, "active")
    assert (notice.start_date, notice.expiry_date) == (date(2026, 1, 31), date(2026, 7, 31))


def test_the_premises_page_offers_a_notice_only_for_hotels_and_bnbs(sergeant_client, town):
    hotel = PremisesFactory(town=town, sector="hotel")
    pub = PremisesFactory(town=town, sector="licensed")
    link = reverse("training:notice_create") + "?premises="
    assert link + str(hotel.pk) in sergeant_client.get(hotel.get_absolute_url()).content.decode()
    assert link not in sergeant_client.get(pub.get_absolute_url()).content.decode()
    response = sergeant_client.get(reverse("training:notice_create"), {"premises": hotel.pk})
    assert response.context["form"]["premises"].value() == str(hotel.pk)


@pytest.mark.parametrize(
    "sector, label",
    [
        ("licensed", "licensed premises (pub, bar, club)"),
        ("taxi", "taxi or private hire"),
        ("takeaway", "takeaway / fast food"),
        ("other", "other"),
    ],
)
def test_a_notice_on_premises_that_are_not_a_hotel_or_bnb_is_refused(
    sergeant_client, inspector, town, sector, label
):
    pub = PremisesFactory(town=town, sector=sector)
    response = create(sergeant_client, notice_data(pub, inspector))
    assert errors(response, "premises") == [
        f"s.116 notices apply only to hotels, B&Bs and guest houses; these premises are {label}."
    ]
    assert escape("s.116 notices apply only to hotels, B&Bs") in response.content.decode()
    assert not Notice.objects.exists()


def test_a_notice_on_a_bnb_is_accepted(sergeant_client, inspector, town):
    bnb = PremisesFactory(town=town, sector="bnb")
    assert create(sergeant_client, notice_data(bnb, inspector)).status_code == 302


@pytest.mark.parametrize("sector", ["licensed", "taxi", "takeaway", "other"])
def test_the_database_refuses_a_notice_on_premises_that_are_not_a_hotel_or_bnb(
    inspector, town, sector
):
    premises = PremisesFactory(town=town, sector=sector)
    with pytest.raises(IntegrityError, match="notice_premises_sector"):
        NoticeFactory(premises=premises, issued_by=inspector)


@pytest.mark.parametrize(
    "rank, label",
    [("constable", "constable"), ("sergeant", "sergeant"), ("staff", "police staff")],
)
def test_a_notice_issued_below_inspector_rank_is_refused(
    sergeant_client, force, premises, rank, label
):
    issuer = UserFactory(force=force, rank=rank, first_name="Lee", last_name="Cole")
    response = create(sergeant_client, notice_data(premises, issuer))
    assert errors(response, "issued_by") == [
        f"An s.116 notice is issued by an inspector or above; {issuer} is a {label}."
    ]
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "rank", ["inspector", "chief_inspector", "superintendent", "chief_superintendent"]
)
def test_inspectors_and_above_may_issue_a_notice(sergeant_client, force, premises, rank):
    issuer = UserFactory(force=force, rank=rank)
    assert create(sergeant_client, notice_data(premises, issuer)).status_code == 302


@pytest.mark.parametrize("rank", ["constable", "sergeant", "staff"])
def test_the_database_refuses_a_notice_issued_below_inspector_rank(force, premises, rank):
    with pytest.raises(IntegrityError, match="notice_issuer_rank"):
        NoticeFactory(premises=premises, issued_by=UserFactory(force=force, rank=rank))


def test_the_database_refuses_an_issuer_of_another_force(premises, other_force):
    inspector = UserFactory(force=other_force, rank="inspector")
    with pytest.raises(IntegrityError, match="notice_issuer_force"):
        NoticeFactory(premises=premises, issued_by=inspector)


def test_the_form_offers_no_issuer_of_another_force(sergeant_client, premises, other_force):
    theirs = UserFactory(force=other_force, rank="inspector")
    response = create(sergeant_client, notice_data(premises, theirs))
    assert errors(response, "issued_by")
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "start, expiry, latest",
    [
        ("31/01/2026", "01/08/2026", "31 Jul 2026"),
        ("31/08/2026", "01/03/2027", "28 Feb 2027"),
        ("31/08/2027", "01/03/2028", "29 Feb 2028"),
        ("15/03/2026", "16/09/2026", "15 Sep 2026"),
        ("15/03/2026", "15/03/2027", "15 Sep 2026"),
    ],
)
def test_a_notice_longer_than_six_months_is_refused(
    sergeant_client, inspector, premises, start, expiry, latest
):
    response = create(
        sergeant_client,
        notice_data(premises, inspector, start_date=start, expiry_date=expiry),
    )
    assert errors(response, "expiry_date") == [
        f"A notice lasts at most 6 months: expire it on or before {latest}."
    ]
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "start, expiry",
    [
        ("31/01/2026", "31/07/2026"),
        ("31/08/2026", "28/02/2027"),
        ("31/08/2027", "29/02/2028"),
        ("15/03/2026", "15/09/2026"),
        ("15/03/2026", "16/03/2026"),
    ],
)
def test_a_notice_of_up_to_six_months_is_accepted(
    sergeant_client, inspector, premises, start, expiry
):
    response = create(
        sergeant_client,
        notice_data(premises, inspector, start_date=start, expiry_date=expiry),
    )
    assert response.status_code == 302


@pytest.mark.parametrize("expiry", ["31/01/2026", "30/01/2026"])
def test_a_notice_must_expire_after_it_starts(sergeant_client, inspector, premises, expiry):
    response = create(sergeant_client, notice_data(premises, inspector, expiry_date=expiry))
    assert errors(response, "expiry_date") == ["The expiry date must be after the start date."]


@pytest.mark.parametrize(
    "start", [date(2026, 1, 31), date(2026, 8, 31), date(2027, 8, 31), date(2026, 3, 15)]
)
def test_the_database_allows_six_months_and_not_a_day_more(inspector, premises, start):
    latest = add_months(start, 6)
    NoticeFactory(premises=premises, issued_by=inspector, start_date=start, expiry_date=latest)
    with pytest.raises(IntegrityError, match="notice_at_most_six_months"):
        NoticeFactory(
            premises=premises,
            issued_by=inspector,
            start_date=start,
            expiry_date=latest + timedelta(days=1),
        )


def test_the_database_refuses_an_expiry_before_the_start(inspector, premises):
    with pytest.raises(IntegrityError, match="notice_expiry_after_start"):
        NoticeFactory(
            premises=premises,
            issued_by=inspector,
            start_date=date(2026, 1, 31),
            expiry_date=date(2026, 1, 31),
        )


def test_an_edit_is_checked_against_the_same_rules(sergeant_client, inspector, premises):
    notice = NoticeFactory(premises=premises, issued_by=inspector, start_date=date(2026, 1, 31))
    url = reverse("training:notice_edit", args=[notice.pk])
    data = notice_data(premises, inspector, expiry_date="01/08/2026", expected_version=1)
    response = sergeant_client.post(url, data)
    assert errors(response, "expiry_date")
    data.update(expiry_date="31/07/2026", status="withdrawn")
    assert sergeant_client.post(url, data).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.version) == ("withdrawn", 2)


# -- Guest information requests ---------------------------------------------------------------


@pytest.fixture
def notice(premises, inspector):
    return NoticeFactory(
        premises=premises,
        issued_by=inspector,
        start_date=date(2026, 1, 31),
        expiry_date=date(2026, 7, 31),
    )


def request_data(**changes):
    data = {
        "made_on": "02/02/2026",
        "period_start": "31/01/2026",
        "period_end": "01/02/2026",
        "due_on": "09/02/2026",
        "complied": "pending",
    }
    return {**data, **changes}


def test_a_guest_information_request_is_recorded_under_the_notice(
    sergeant_client, sergeant, notice
):
    url = reverse("training:request_create", args=[notice.pk])
    response = sergeant_client.post(url, request_data(period_end="31/07/2026", notice=999))
    assert response.status_code == 302
    assert response["Location"] == notice.get_absolute_url()
    request = GuestInfoRequest.objects.get()
    assert (request.notice, request.made_by) == (notice, sergeant)
    assert (request.period_start, request.period_end) == (date(2026, 1, 31), date(2026, 7, 31))
    page = sergeant_client.get(notice.get_absolute_url()).content.decode()
    assert "31 Jan 2026 – 31 Jul 2026" in page
    assert "Awaiting reply" in page


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"period_start": "30/01/2026"}, "period_start"),
        ({"period_end": "01/08/2026"}, "period_end"),
    ],
)
def test_a_request_period_outside_the_notices_life_is_refused(
    sergeant_client, notice, changes, field
):
    response = sergeant_client.post(
        reverse("training:request_create", args=[notice.pk]), request_data(**changes)
    )
    assert errors(response, field) == [
        "The period must fall within the notice's life (31 Jan 2026 to 31 Jul 2026)."
    ]
    assert not GuestInfoRequest.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"made_on": "01/08/2026", "due_on": "08/08/2026"},
            "made_on",
            "A request can only be made while the notice is in force (31 Jan 2026 to 31 Jul 2026).",
        ),
        (
            {"due_on": "01/02/2026"},
            "due_on",
            "The date due cannot be before the date the request was made.",
        ),
        (
            {"period_start": "10/02/2026", "period_end": "09/02/2026"},
            "period_end",
            "The period must end on or after its start.",
        ),
    ],
)
def test_other_request_dates_are_checked(sergeant_client, notice, changes, field, message):
    response = sergeant_client.post(
        reverse("training:request_create", args=[notice.pk]), request_data(**changes)
    )
    assert errors(response, field) == [message]
    assert not GuestInfoRequest.objects.exists()


@pytest.mark.parametrize(
    "start, end",
    [(date(2026, 1, 30), date(2026, 2, 5)), (date(2026, 7, 1), date(2026, 8, 1))],
)
def test_the_database_refuses_a_request_period_outside_the_notices_life(notice, start, end):
    with pytest.raises(IntegrityError, match="request_period_within_notice"):
        GuestInfoRequestFactory(notice=notice, period_start=start, period_end=end)


def test_the_database_accepts_a_request_covering_the_whole_life(notice):
    GuestInfoRequestFactory(
        notice=notice, period_start=notice.start_date, period_end=notice.expiry_date
    )


def test_a_request_is_edited_to_record_compliance(sergeant_client, notice):
    guest_request = GuestInfoRequestFactory(notice=notice)
    url = reverse("training:request_edit", args=[guest_request.pk])
    assert sergeant_client.get(url).status_code == 200
    data = request_data(
        made_on=f"{guest_request.made_on:%d/%m/%Y}",
        period_start=f"{guest_request.period_start:%d/%m/%Y}",
        period_end=f"{guest_request.period_end:%d/%m/%Y}",
        due_on=f"{guest_request.due_on:%d/%m/%Y}",
        complied="late",
        expected_version=1,
    )
    assert sergeant_client.post(url, data).status_code == 302
    guest_request.refresh_from_db()
    assert guest_request.complied == "late"


# -- Register and timeline --------------------------------------------------------------------


@pytest.fixture
def register(town, inspector):
    today = timezone.localdate()

    def notice(name, start, expiry, **extra):
        premises = PremisesFactory(town=town, name=name)
        return NoticeFactory(
            premises=premises,
            issued_by=inspector,
            start_date=today + timedelta(days=start),
            expiry_date=today + timedelta(days=expiry),
            **extra,
        )

    return {
        "in force": notice("In Force Hotel", -20, 100),
        "expiring": notice("Expiring Hotel", -150, 10),
        "expires today": notice("Last Day Hotel", -150, 0),
        "expired": notice("Expired Hotel", -170, -1),
        "withdrawn": notice("Withdrawn Hotel", -20, 100, status="withdrawn"),
        "future": notice("Future Hotel", 5, 100),
    }


def register_rows(client, **query):
    response = client.get(reverse("training:notice_list"), query)
    assert response.status_code == 200
    return {n.premises.name: n for n in response.context["page"]}


def test_the_register_shows_the_notices_in_force_today(officer_client, register):
    assert set(register_rows(officer_client)) == {
        "In Force Hotel",
        "Expiring Hotel",
        "Last Day Hotel",
    }


def test_the_register_marks_the_notices_expiring_within_30_days(officer_client, register):
    page = officer_client.get(reverse("training:notice_list")).content.decode()
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>")[2:]}
    assert "Expiring</span>" in rows["Expiring Hotel"]
    assert "Expiring</span>" in rows["Last Day Hotel"]
    assert "Expiring</span>" not in rows["In Force Hotel"]


def test_the_whole_register_shows_every_notice_with_its_status(officer_client, register):
    rows = register_rows(officer_client, show="all")
    assert len(rows) == 6
    statuses = {name: n.get_effective_status_display() for name, n in rows.items()}
    assert statuses["Expired Hotel"] == "Expired"
    assert statuses["Withdrawn Hotel"] == "Withdrawn"
    assert statuses["In Force Hotel"] == "Active"


def test_an_expired_notice_takes_no_new_requests(sergeant_client, register):
    expired = register["expired"]
    page = sergeant_client.get(expired.get_absolute_url()).content.decode()
    assert reverse("training:request_create", args=[expired.pk]) not in page
    current = register["in force"]
    page = sergeant_client.get(current.get_absolute_url()).content.decode()
    assert reverse("training:request_create", args=[current.pk]) in page


def test_notices_appear_on_the_premises_timeline(officer_client, register):
    notice = register["expired"]
    page = officer_client.get(notice.premises.get_absolute_url()).content.decode()
    assert f'href="{notice.get_absolute_url()}"' in page
    assert "s.116 notice" in page
    assert f"{notice.start_date:%-d %b %Y} to {notice.expiry_date:%-d %b %Y} · Expired" in page
