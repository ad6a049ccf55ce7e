"""Report pages: who may open them, the default period, sorting, the chart beside the table and
the print view's marking."""

import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..conftest import through_disclosure
from ..factories import OperationFactory, PremisesFactory, TownFactory, UserFactory
from .conftest import london, rate_rows

SLUGS = ["towns", "sectors", "operations", "operators", "trend", "training", "repeat-failures"]
URLS = (
    [reverse("reports:dashboard"), reverse("reports:press"), reverse("reports:press_text")]
    + [reverse("reports:report", args=[slug]) for slug in SLUGS]
    + [reverse("reports:report_print", args=[slug]) for slug in SLUGS]
    + [reverse("reports:report_csv", args=[slug]) for slug in SLUGS]
)


@pytest.fixture
def visited(force, town, log):
    """Three towns with different failure rates in March 2025, one operation among them."""
    operation = OperationFactory(force=force, name="Makesafe March")
    figures = {town: (1, 3), TownFactory(force=force, name="Aldeburgh"): (3, 1)}
    figures[TownFactory(force=force, name="Sudbury")] = (2, 2)
    for place, (failed, passed) in figures.items():
        hotel = PremisesFactory(town=place)
        for n in range(failed):
            log(hotel, london(date(2025, 3, 3 + n)), "completed", operation=operation)
        for n in range(passed):
            log(hotel, london(date(2025, 3, 10 + n)), "reported_to_police")
    return {"date_from": "2025-03-01", "date_to": "2025-03-31"}


@pytest.mark.parametrize("role", ["commander", "sergeant", "force_admin"])
def test_commanders_sergeants_and_force_admins_may_open_every_report(request, role, visited):
    client = request.getfixturevalue(f"{role}_client")
    got = {url: through_disclosure(client, url, visited).status_code for url in URLS}
    assert got == dict.fromkeys(URLS, 200)


def test_officers_may_open_no_report(officer_client, visited):
    got = {url: through_disclosure(officer_client, url, visited).status_code for url in URLS}
    assert got == dict.fromkeys(URLS, 403)


def test_anonymous_users_are_sent_to_sign_in(db, client):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_support_superuser_without_a_force_is_refused(db):
    """Reports always work within one force; the support site has no force to report on."""
    user = UserFactory(force=None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("reports:dashboard")).status_code == 403


@pytest.mark.parametrize("name", ["reports:report", "reports:report_print", "reports:report_csv"])
def test_an_unknown_report_is_not_found(commander_client, name):
    response = through_disclosure(commander_client, reverse(name, args=["premises"]))
    assert response.status_code == 404


def test_the_default_period_is_the_last_twelve_months(commander_client, town, log):
    today = timezone.localdate()
    hotel = PremisesFactory(town=town)
    log(hotel, timezone.now() - timedelta(minutes=5), "completed")
    start = today.replace(year=today.year - 1) + timedelta(days=1)
    log(hotel, london(start, 0, 0), "completed")
    log(hotel, london(start - timedelta(days=1), 23, 59), "completed")  # a year and a day ago
    response = commander_client.get(reverse("reports:report", args=["towns"]))
    filters = response.context["filters"]
    assert (filters.date_from, filters.date_to) == (start, today)
    assert [(r["label"], r["Visits"]) for r in rate_rows(response)] == [("Ipswich", "2")]


@pytest.mark.parametrize(
    "sort, order",
    [
        ("", ["Aldeburgh", "Ipswich", "Sudbury"]),
        ("-failure_rate", ["Aldeburgh", "Sudbury", "Ipswich"]),
        ("failure_rate", ["Ipswich", "Sudbury", "Aldeburgh"]),
        ("-label", ["Sudbury", "Ipswich", "Aldeburgh"]),
        ("-challenge_rate", ["Ipswich", "Sudbury", "Aldeburgh"]),
    ],
)
def test_the_town_report_sorts_by_a_column(commander_client, visited, sort, order):
    response = commander_client.get(
        reverse("reports:report", args=["towns"]), {**visited, "sort": sort}
    )
    assert [row["label"] for row in rate_rows(response)] == order
    assert response.context["chart"]["labels"] == order


def test_the_chart_has_the_tables_numbers_without_inline_script(commander_client, visited):
    response = commander_client.get(reverse("reports:report", args=["towns"]), visited)
    html = response.content.decode()
    data = json.loads(
        re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    rows = rate_rows(response)
    assert data["labels"] == [row["label"] for row in rows]
    assert [f"{rate}%" for rate in data["rate"]] == [row["Failure rate"] for row in rows]
    assert [f"{lo}% – {hi}%" for lo, hi in zip(data["low"], data["high"], strict=True)] == [
        row["95% CI"] for row in rows
    ]
    assert data["visits"] == [int(row["Visits"]) for row in rows]
    # Every script is a file or JSON data: the CSP forbids inline code.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert 'src="/static/vendor/chartjs-' in html


def test_the_pages_links_carry_the_filters(commander_client, visited):
    query = {**visited, "sector": "hotel"}
    response = commander_client.get(reverse("reports:report", args=["towns"]), query)
    html = response.content.decode()
    for name in ("reports:report_csv", "reports:report_print"):
        href = f"{reverse(name, args=['towns'])}?date_from=2025-03-01&amp;date_to=2025-03-31"
        assert f'href="{href}&amp;sector=hotel"' in html


def test_the_print_view_is_marked_and_prints_its_filters(commander_client, commander, visited):
    query = {**visited, "sector": "hotel", "operation": "Makesafe March"}
    response = through_disclosure(
        commander_client, reverse("reports:report_print", args=["towns"]), query
    )
    html = " ".join(response.content.decode().split())
    assert html.count('<p class="letter-marking">OFFICIAL-SENSITIVE</p>') == 2
    assert "Period: 1 Mar 2025 to 31 Mar 2025; sector: Hotel; operation: Makesafe March." in html
    assert f"Printed {timezone.localtime():%-d %b %Y}" in html
    assert f"by {commander}" in html
    assert [row["label"] for row in rate_rows(response)] == ["Aldeburgh", "Ipswich", "Sudbury"]
    assert "<script" not in html  # a print view is just the table


@pytest.mark.parametrize("slug", ["training", "repeat-failures", "trend", "operators"])
def test_every_print_view_is_marked(commander_client, visited, slug):
    response = through_disclosure(
        commander_client, reverse("reports:report_print", args=[slug]), visited
    )
    assert response.content.decode().count("OFFICIAL-SENSITIVE") >= 2


def test_a_filter_error_is_shown_beside_its_field(commander_client, visited):
    response = commander_client.get(
        reverse("reports:report", args=["towns"]), {**visited, "town": "Atlantis"}
    )
    assert response.status_code == 200
    assert "No town of your force has this id or name." in response.content.decode()


def test_typed_dates_win_over_a_preset_and_the_period_says_so(commander_client, visited):
    """The browser sends the preset select's value with the dates typed below it."""
    query = {**visited, "preset": "last_12_months"}
    response = commander_client.get(reverse("reports:report", args=["towns"]), query)
    assert response.context["form"]["preset"].value() == "custom"
    assert '<option value="custom" selected>Dates below</option>' in response.content.decode()
    assert len(rate_rows(response)) == 3  # March 2025, not the last twelve months


def test_a_preset_alone_chooses_the_period(commander_client, visited):
    today = timezone.localdate()
    expected = {
        "this_year": (date(today.year, 1, 1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "last_3_months": (today - timedelta(days=91), today),
        "all": (None, None),
    }
    for preset, period in expected.items():
        filters = commander_client.get(reverse("reports:dashboard"), {"preset": preset}).context[
            "filters"
        ]
        assert (filters.date_from, filters.date_to) == period, preset
