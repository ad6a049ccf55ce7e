"""The press summary: aggregates only, figures from fewer than 3 premises suppressed, worded like
the seed article."""

from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reports import reports
from reports.reports import Filters

from ..conftest import through_disclosure
from ..factories import OperationFactory, ParticipantFactory, PremisesFactory, TownFactory
from .conftest import london, tables

SEED_SENTENCE = (
    "Eight hotels were visited, five in Ipswich and three in Bury St Edmunds; "
    "six failed to identify the scenario."
)
SEPTEMBER_2021_HOTELS = {"date_from": "2021-09-01", "date_to": "2021-09-30", "sector": "hotel"}

# Words that identify premises or cadets: none may reach the press office.
SECRETS = [
    "Zephyrine Palace",
    "Quillon Arms",
    "Marrowgate",
    "SUF-H-7731",
    "SUF-L-8842",
    "SUF-H-9953",
    "Obsidian Leisure",
    "Vantablack Taverns",
    "C-987",
    "C-654",
]


@pytest.fixture
def distinctive(force, town, log):
    """Three Ipswich and two Felixstowe premises with names no figure could contain."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    cadets = [
        ParticipantFactory(force=force, code=code, permission_recorded_on=date(2025, 9, 1))
        for code in ("C-987", "C-654")
    ]
    operation = OperationFactory(force=force, name="Makesafe October")
    places = [
        PremisesFactory(
            town=town, name="Zephyrine Palace", reference="SUF-H-7731", operator="Obsidian Leisure"
        ),
        PremisesFactory(
            town=town,
            name="Quillon Arms",
            reference="SUF-L-8842",
            sector="licensed",
            operator="Vantablack Taverns",
        ),
        PremisesFactory(town=town, name="Marrowgate", reference="SUF-H-9953"),
        PremisesFactory(town=felixstowe, name="Felixstowe Lodge", reference="SUF-H-0101"),
        PremisesFactory(town=felixstowe, name="Sea View", reference="SUF-H-0102"),
    ]
    outcomes = ["completed", "reported_to_police", "challenged", "completed", "refused_concerns"]
    for n, (place, outcome) in enumerate(zip(places, outcomes, strict=True)):
        visit = log(place, london(date(2025, 10, 4), 19, n * 5), outcome, operation=operation)
        visit.participants.add(cadets[n % 2])
    return {"date_from": "2025-10-01", "date_to": "2025-10-31"}


def press_page(client, query):
    response = client.get(reverse("reports:press"), query)
    assert response.status_code == 200
    return response


def press_text(client, query) -> str:
    response = through_disclosure(client, reverse("reports:press_text"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content.decode()


@pytest.mark.parametrize(
    "query", [{}, {"sector": "hotel"}, {"town": "Ipswich"}, {"operation": "Makesafe October"}]
)
def test_the_press_summary_names_no_premises_reference_operator_or_cadet(
    commander_client, distinctive, query
):
    query = {**distinctive, **query}
    page = press_page(commander_client, query)
    html = page.content.decode()
    # The page itself: the summary, its tables and the filters (which list towns and
    # operations, never premises).
    text = press_text(commander_client, query)
    for secret in SECRETS:
        assert secret not in html, secret
        assert secret not in text, secret


def test_the_press_text_reads_like_the_article_and_suppresses_small_towns(
    commander_client, distinctive
):
    text = press_text(commander_client, distinctive)
    lines = text.splitlines()
    assert lines[0] == "Operation Makesafe: Suffolk Constabulary"
    assert lines[1] == "1 October 2025 to 31 October 2025"
    # Felixstowe's two premises are not published; Ipswich's three would give them away by
    # subtraction from the total of five, so they are withheld too, in the words as well.
    assert lines[3] == (
        "Five premises were visited; three failed to identify the scenario. "
        "Staff reported their concerns to the police on one occasion."
    )
    assert "  Felixstowe: fewer than 3 premises, not published" in lines
    assert "  Ipswich: not published, so that smaller figures stay hidden" in lines
    # The sectors: one licensed premises is not published, so neither are the four hotels.
    assert "  Hotel: not published, so that smaller figures stay hidden" in lines
    assert "  Licensed premises (pub, bar, club): fewer than 3 premises, not published" in lines
    assert lines[-1] == (
        "Figures based on fewer than 3 premises are not published, nor any other that would let "
        "them be worked out from the total."
    )


def test_the_press_page_shows_no_figures_for_suppressed_rows(commander_client, distinctive):
    page = press_page(commander_client, distinctive)
    by_town, by_sector = tables(page)
    rows = {row["cells"][0]: row["cells"][1:] for row in by_town["body"] + by_sector["body"]}
    withheld = ["Not published, so that smaller figures cannot be worked out from the total"]
    assert rows == {
        "Felixstowe": ["Fewer than 3 premises: not published"],
        "Ipswich": withheld,
        "Hotel": withheld,
        "Licensed premises (pub, bar, club)": ["Fewer than 3 premises: not published"],
    }


def test_fewer_than_three_premises_publish_no_figures_at_all(commander_client, distinctive):
    query = {**distinctive, "town": "Felixstowe"}
    summary = press_page(commander_client, query).context["summary"]
    assert summary.text == (
        "Fewer than three premises were visited in this period, so no figures are published."
    )
    assert [row.suppressed for row in summary.towns + summary.sectors] == [True, True]
    text = press_text(commander_client, query)
    assert "2 premises" not in text and "failed (" not in text


def test_repeat_visits_to_the_same_premises_count_premises_not_visits(
    commander_client, force, town, log
):
    """Two premises visited five times are still fewer than three premises."""
    places = [PremisesFactory(town=town) for _ in range(2)]
    for n in range(5):
        log(places[n % 2], london(date(2025, 10, 1 + n)), "completed")
    query = {"date_from": "2025-10-01", "date_to": "2025-10-31"}
    summary = press_page(commander_client, query).context["summary"]
    assert summary.text.startswith("Fewer than three premises")
    assert all(row.suppressed for row in summary.towns + summary.sectors)


def test_visits_and_premises_are_told_apart_in_the_words(commander_client, town, log):
    places = [PremisesFactory(town=town) for _ in range(3)]
    for n in range(4):
        log(places[n % 3], london(date(2025, 10, 1 + n)), "completed")
    query = {"date_from": "2025-10-01", "date_to": "2025-10-31"}
    summary = press_page(commander_client, query).context["summary"]
    assert summary.text == (
        "Four visits were made to three premises, all in Ipswich; "
        "four visits failed to identify the scenario."
    )


def test_the_seed_operation_reads_like_the_article(db):
    call_command("seed_demo", allow_production=True, quiet_logins=True)
    commander = User.objects.get(username="commander")
    client = Client()
    client.force_login(commander)

    summary = reports.press_summary(
        commander, Filters(date(2021, 9, 1), date(2021, 9, 30), "hotel")
    )
    assert summary.text.startswith(SEED_SENTENCE)
    assert [(r.label, r.rates.premises, r.rates.failed) for r in summary.towns] == [
        ("Bury St Edmunds", 3, 2),
        ("Ipswich", 5, 4),
    ]
    page = press_page(client, SEPTEMBER_2021_HOTELS)
    assert SEED_SENTENCE in page.content.decode()
    text = press_text(client, SEPTEMBER_2021_HOTELS)
    assert text.splitlines()[3].startswith(SEED_SENTENCE)
    assert "September 2021" in text.splitlines()[1]
    seed_names = [
        "Orwell Quay Hotel",
        "Cornhill Lodge",
        "SUF-H-0001",
        "Harbourside Hotels",
        "C-014",
    ]
    for secret in seed_names:
        assert secret not in text and secret not in page.content.decode(), secret


def test_the_press_summary_covers_only_the_users_force(other_sergeant, distinctive):
    client = Client()
    client.force_login(other_sergeant)
    summary = press_page(client, distinctive).context["summary"]
    assert summary.towns == [] and summary.sectors == []
    assert summary.text.startswith("Fewer than three premises")
