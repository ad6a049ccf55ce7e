"""The national figures (reports/national.py, docs/domain.md "National figures"): the force
reports' definitions added up across the forces that share their figures, and nothing of a
force that does not; each computation in the combination log (docs/security.md checks 39, 40)."""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts import roles
from accounts.models import Force, User
from audit.models import CombinationLog
from reports import national, reports
from reports.reports import Filters

from ..conftest import client_for, through_disclosure
from ..factories import ForceFactory, PremisesFactory, TownFactory, UserFactory
from .conftest import london, visit_at

SEPTEMBER = {"date_from": "01/09/2021", "date_to": "30/09/2021"}
# Not a whole month: every day comes from the visits, none from the summary.
MID_SEPTEMBER = {"date_from": "10/09/2021", "date_to": "24/09/2021"}
# Whole months from the summary, and days at either end from the visits.
AUTUMN = {"date_from": "15/08/2021", "date_to": "10/10/2021"}


@pytest.fixture
def campaign(force, other_force, town, other_town, log):
    """Suffolk and Norfolk share their figures; Essex, with far more visits, does not."""
    Force.objects.filter(pk__in=[force.pk, other_force.pk]).update(national_figures=True)
    essex = ForceFactory(code="ESX", name="Essex Police")
    chelmsford = TownFactory(force=essex, name="Chelmsford")
    outcomes = ["completed", "reported_to_police", "challenged", "refused_concerns", "uneasy"]
    for n in range(12):
        hotel = PremisesFactory(town=town, sector="hotel")
        log(hotel, london(date(2021, 9, 1 + n * 2)), outcomes[n % 5])
        if n % 3 == 0:
            log(hotel, london(date(2021, 8, 20)), "completed")
            log(hotel, london(date(2021, 10, 5)), "void")
    for n in range(7):
        pub = PremisesFactory(town=other_town, sector="licensed")
        log(pub, london(date(2021, 9, 3 + n * 3)), outcomes[(n + 2) % 5])
    for n in range(40):
        taxi = PremisesFactory(town=chelmsford, sector="taxi", name=f"Essex Cabs {n}")
        log(taxi, london(date(2021, 9, 1 + n % 28)), "completed")
    return essex


def _filters(query: dict) -> Filters:
    day, month, year = (int(part) for part in query["date_from"].split("/"))
    start = date(year, month, day)
    day, month, year = (int(part) for part in query["date_to"].split("/"))
    return Filters(start, date(year, month, day), query.get("sector", ""))


def _scope(*forces) -> national.Scope:
    return national.Scope(tuple(f.pk for f in forces), tuple(f.name for f in forces))


# -- Definitions: the force reports' own --------------------------------------------------------


@pytest.mark.parametrize("query", [SEPTEMBER, MID_SEPTEMBER, AUTUMN, {**AUTUMN, "sector": "hotel"}])
def test_each_forces_row_is_its_own_force_report(campaign, force, other_force, query):
    filters = _filters(query)
    rows = {row.label: row for row in national.by_force(_scope(force, other_force), filters)}
    for member in (force, other_force):
        commander = UserFactory(force=member, role=roles.COMMANDER)
        own = reports.totals(commander, filters)
        if not own.visits:
            assert member.name not in rows
            continue
        row = rows[member.name]
        assert (row.visits, row.passed, row.failed, row.challenged, row.reported, row.premises) == (
            own.visits, own.passed, own.failed, own.challenged, own.reported, own.premises
        )  # fmt: skip
        assert (row.interval, row.small_sample) == (own.interval, own.small_sample)


def test_premises_visited_count_by_london_days(force, other_force, town, log):
    """A visit at 23:30 on the period's last evening counts; one at 00:30 the next morning (still
    30 Sep in UTC, in summer time) does not, as in the force's own report."""
    Force.objects.filter(pk=force.pk).update(national_figures=True)
    late, early = PremisesFactory(town=town), PremisesFactory(town=town)
    log(late, london(date(2021, 9, 30), 23, 30))
    log(early, london(date(2021, 10, 1), 0, 30))
    filters = _filters(SEPTEMBER)
    (row,) = national.by_force(_scope(force), filters)
    commander = UserFactory(force=force, role=roles.COMMANDER)
    assert row.premises == reports.totals(commander, filters).premises == 1
    (row,) = national.by_force(_scope(force), _filters(AUTUMN))
    assert row.premises == 2


@pytest.mark.parametrize("query", [SEPTEMBER, MID_SEPTEMBER, AUTUMN])
def test_sectors_and_months_add_up_the_forces_own_reports(campaign, force, other_force, query):
    filters = _filters(query)
    scope = _scope(force, other_force)
    expected_sectors, expected_months = {}, {}
    for member in (force, other_force):
        commander = UserFactory(force=member, role=roles.COMMANDER)
        for row in reports.by_sector(commander, filters, exact=True):
            expected_sectors[row.key] = expected_sectors.get(row.key, 0) + row.visits
        for row in reports.trend(commander, filters):
            expected_months[row.key] = expected_months.get(row.key, 0) + row.visits
    assert {row.key: row.visits for row in national.by_sector(scope, filters)} == expected_sectors
    got = {row.key: row.visits for row in national.trend(scope, filters) if row.visits}
    assert got == {key: n for key, n in expected_months.items() if n}


def test_the_national_total_adds_up_the_forces(campaign, force, other_force):
    rows = national.by_force(_scope(force, other_force), _filters(AUTUMN))
    total = national.totals(rows)
    assert total.visits == sum(row.visits for row in rows) == 12 + 4 + 7
    assert total.premises == 12 + 7
    assert total.small_sample is False


# -- Opt-in: a force that does not share is in no figure and no file ------------------------------


def test_only_forces_that_opted_in_are_combined(campaign, force, other_force):
    scope = national.combine(
        user=UserFactory(username="coordinator", force=None, national=True),
        view="reports:national", report="National dashboard", path="/", params={},
    )  # fmt: skip
    assert scope.names == ("Norfolk Constabulary", "Suffolk Constabulary")
    Force.objects.filter(pk=force.pk).update(national_figures=False)
    assert national.combine(
        user=User.objects.get(username="coordinator"), view="v", report="r", path="/", params={}
    ).forces == (other_force.pk,)


PAGES = [
    ("reports:national", []),
    ("reports:national_report", ["forces"]),
    ("reports:national_report", ["sectors"]),
    ("reports:national_report", ["trend"]),
    ("reports:national_press", []),
]
FILES = [(name, [figures]) for name in ("reports:national_csv", "reports:national_pdf")
         for figures in ("forces", "sectors", "trend", "press")]  # fmt: skip


def _text(response) -> str:
    if response["Content-Type"] == "application/pdf":
        pages = PdfReader(io.BytesIO(response.content)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("name", "args"), PAGES + FILES)
def test_a_force_that_has_not_opted_in_is_absent_from_every_page_and_file(
    national_client, campaign, name, args
):
    url = reverse(name, args=args)
    response = through_disclosure(national_client, url, SEPTEMBER)
    assert response.status_code == 200
    text = _text(response)
    assert "Essex" not in text and "Chelmsford" not in text and "ESX" not in text
    if name == "reports:national" or args == ["forces"]:
        assert "Suffolk Constabulary" in text and "Norfolk Constabulary" in text
    if name in ("reports:national_csv", "reports:national_pdf") and args != ["forces"]:
        assert "Taxi" not in text  # only Essex visited taxi firms
    if args == ["trend"]:
        # 12 + 7 visits in September; Essex's 40 would make 59. Times of day ("13:59", when
        # the page says it was made) are not figures.
        figures = re.sub(r"\d{1,2}:\d{2}", "", text)
        assert re.search(r"\b19\b", figures)
        assert not re.search(r"\b59\b", figures)
    assert "Essex Cabs" not in text


def test_the_csv_by_force_holds_each_sharing_force_and_nothing_else(
    national_client, campaign, force, other_force
):
    response = through_disclosure(
        national_client, reverse("reports:national_csv", args=["forces"]), SEPTEMBER
    )
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert rows[0][:3] == ["force", "premises", "visits"]
    assert {row[0]: (row[1], row[2]) for row in rows[1:]} == {
        "Norfolk Constabulary": ("7", "7"),
        "Suffolk Constabulary": ("12", "12"),
    }


def test_the_press_summary_suppresses_forces_towns_and_sectors_as_a_forces_does(
    national_client, campaign, force, other_force, town
):
    # Two premises of a third sharing force: too few to publish, and the smallest other force
    # is withheld so that they cannot be worked out from the total.
    tiny = ForceFactory(code="CAM", name="Cambridgeshire Constabulary", national_figures=True)
    ely = TownFactory(force=tiny, name="Ely")
    officer = UserFactory(force=tiny, role=roles.OFFICER)
    for n in range(2):
        visit_at(PremisesFactory(town=ely, sector="bnb"), london(date(2021, 9, 9 + n)),
                 "completed", officer=officer)  # fmt: skip
    scope = _scope(tiny, other_force, force)
    summary = national.press_summary(scope, _filters(SEPTEMBER))
    forces = {row.label: row for row in summary.forces}
    assert forces["Cambridgeshire Constabulary"].suppressed
    assert forces["Norfolk Constabulary"].withheld
    assert forces["Suffolk Constabulary"].published
    towns = {row.label: row for row in summary.towns}
    assert towns["Ely (Cambridgeshire Constabulary)"].suppressed
    sectors = {row.label: row for row in summary.sectors}
    assert sectors["B&B / guest house"].suppressed
    assert "by three forces" in summary.text
    assert "Ely" not in summary.text
    response = national_client.get(reverse("reports:national_press"), SEPTEMBER)
    assert "Fewer than 3 premises: not published" in response.content.decode()


# -- The combination log (check 40) ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), PAGES + FILES)
def test_every_national_page_and_file_writes_one_combination_row(
    national_client, national, campaign, force, other_force, name, args
):
    url = reverse(name, args=args)
    through_disclosure(national_client, url, SEPTEMBER)  # the prompt computes nothing
    before = CombinationLog.objects.count()
    assert national_client.get(url, SEPTEMBER).status_code == 200
    assert CombinationLog.objects.count() == before + 1
    row = CombinationLog.objects.latest("id")
    assert row.user == national
    assert row.view == name
    assert row.path == url
    assert row.params == SEPTEMBER
    assert sorted(row.forces) == sorted([force.pk, other_force.pk])
    assert row.force_names == ["Norfolk Constabulary", "Suffolk Constabulary"]
    assert row.report


def test_a_refused_page_writes_no_combination_row(commander_client, national_client, campaign):
    assert commander_client.get(reverse("reports:national")).status_code == 403
    assert (
        national_client.get(reverse("reports:national_report", args=["towns"])).status_code == 404
    )
    assert not CombinationLog.objects.exists()


def test_the_combination_log_is_append_only(national_client, campaign):
    national_client.get(reverse("reports:national"))
    row = CombinationLog.objects.get()
    with pytest.raises(Exception, match="append_only|permission denied"), transaction.atomic():
        CombinationLog.objects.filter(pk=row.pk).update(report="Changed")
    with pytest.raises(Exception, match="append_only|permission denied"), transaction.atomic():
        CombinationLog.objects.filter(pk=row.pk).delete()


def test_the_log_names_each_force_it_combined(db, national):
    with pytest.raises(IntegrityError), transaction.atomic():
        CombinationLog.objects.create(
            user=national, view="v", report="r", path="/", forces=[1, 2], force_names=["A"]
        )


def test_each_included_forces_audit_viewer_shows_the_combination(
    national_client, campaign, force_admin_client, force_admin
):
    national_client.get(reverse("reports:national_press"), SEPTEMBER)
    page = force_admin_client.get(reverse("audit:log"), {"action": "combine"}).content.decode()
    assert "Combined figures: National press summary" in page
    assert "Norfolk Constabulary, Suffolk Constabulary" in page
    assert "/reports/national/press/" in page
    export = through_disclosure(force_admin_client, reverse("audit:export"), {"action": "combine"})
    text = _text(export)
    assert "reports:national_press" in text and "National press summary" in text
    # Essex shared nothing: its viewer shows no combination.
    essex_admin = UserFactory(force=campaign, role=roles.FORCE_ADMIN)
    page = client_for(essex_admin).get(reverse("audit:log"), {"action": "combine"})
    assert "National press summary" not in page.content.decode()


# -- The role and its scope -------------------------------------------------------------------


def test_the_database_keeps_the_national_role_to_users_without_a_force(db, force, national):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="both", force=force, national=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="nobody", force=None)  # neither national nor support
    officer = UserFactory(username="constable", force=force, role=roles.OFFICER)
    with pytest.raises(IntegrityError, match="user_role_matches_scope"), transaction.atomic():
        officer.groups.add(_group(roles.NATIONAL_COORDINATOR))
    with pytest.raises(IntegrityError, match="user_role_matches_scope"), transaction.atomic():
        national.groups.add(_group(roles.OFFICER))
    with pytest.raises(IntegrityError, match="user_role_matches_scope"), transaction.atomic():
        User.objects.filter(pk=national.pk).update(national=False)


def _group(name):
    return Group.objects.get(name=name)


def test_a_force_admin_cannot_make_a_national_coordinator(force_admin_client):
    response = force_admin_client.post(
        reverse("accounts:user_create"),
        {"username": "nat.two", "first_name": "N", "last_name": "C", "email": "n@x.invalid",
         "rank": "staff", "role": roles.NATIONAL_COORDINATOR, "password1": "a" * 20,
         "password2": "a" * 20},
    )  # fmt: skip
    assert response.status_code == 200
    assert not User.objects.filter(username="nat.two").exists()


def test_commanders_never_see_other_forces_figures_by_name(commander_client, campaign):
    for name, args in PAGES + FILES:
        response = through_disclosure(commander_client, reverse(name, args=args), SEPTEMBER)
        assert response.status_code == 403, name
    for url in (reverse("reports:dashboard"), reverse("reports:report", args=["towns"])):
        text = commander_client.get(url, SEPTEMBER).content.decode()
        assert "Norfolk" not in text and "Essex" not in text


def test_the_share_setting_is_the_force_admins_and_in_its_history(force_admin_client, force):
    url = reverse("accounts:force_settings")
    page = force_admin_client.get(url).content.decode()
    assert "Share figures with the national coordinator" in page
    data = {
        "training_due_days": 28, "retest_due_days": 365, "letter_due_days": 14,
        "review_period_years": 6, "followup_horizon_months": 12, "training_contact": "",
        "reminder_from_email": "", "national_figures": "on", "expected_version": force.version,
    }  # fmt: skip
    assert force_admin_client.post(url, data).status_code == 302
    force.refresh_from_db()
    assert force.national_figures
    history = force_admin_client.get(reverse("audit:history", args=["accounts.force", force.pk]))
    assert "national" in history.content.decode().lower()


# -- Query counts -------------------------------------------------------------------------------


@pytest.fixture(params=[1, 6], ids=["one-premises-a-force", "six-premises-a-force"])
def sharing(request, db, log):
    """Three forces sharing their figures, with one or six premises each and two visits each."""
    for n in range(3):
        member = ForceFactory(code=f"F{'ABC'[n]}", name=f"Force {n}", national_figures=True)
        town = TownFactory(force=member)
        for k in range(request.param):
            premises = PremisesFactory(town=town, sector=["hotel", "licensed", "taxi"][k % 3])
            log(premises, london(date(2021, 9, 2 + k)), "completed")
            log(premises, london(date(2021, 10, 3 + k)), "reported_to_police")


@pytest.mark.parametrize(
    ("name", "args", "limit"),
    [
        # combination log: forces read, row written; by force: groups and premises; the
        # campaigns offered in the filter.
        ("reports:national", [], 5),
        ("reports:national_report", ["forces"], 5),
        ("reports:national_report", ["sectors"], 4),
        ("reports:national_report", ["trend"], 4),
        # totals and force, town and sector breakdowns.
        ("reports:national_press", [], 7),
    ],
)
@pytest.mark.parametrize("query", [AUTUMN, MID_SEPTEMBER])
def test_national_pages_run_a_fixed_number_of_queries(
    national_client, sharing, django_assert_max_own_queries, name, args, limit, query
):
    url = reverse(name, args=args)
    with django_assert_max_own_queries(limit):
        response = national_client.get(url, query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("figures", "limit"),
    # As the pages, and the disclosure log row.
    [("forces", 5), ("sectors", 4), ("trend", 4), ("press", 7)],
)
@pytest.mark.parametrize("name", ["reports:national_csv", "reports:national_pdf"])
def test_national_downloads_run_a_fixed_number_of_queries(
    national_client, sharing, django_assert_max_own_queries, name, figures, limit
):
    url = reverse(name, args=[figures])
    through_disclosure(national_client, url, AUTUMN)
    with django_assert_max_own_queries(limit):
        response = national_client.get(url, AUTUMN)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200


def test_the_dashboard_says_which_forces_and_has_no_record(national_client, campaign):
    page = national_client.get(reverse("reports:national"), SEPTEMBER).content.decode()
    assert (
        "Figures of the 2 forces sharing them: Norfolk Constabulary, Suffolk Constabulary" in page
    )
    # The only page of the visits app a national coordinator has is their scenario library.
    page = page.replace(reverse("visits:national_scenario_list"), "")
    assert "/premises/" not in page and "/visits/" not in page


def test_the_period_before_any_visit_shows_nothing(national_client, campaign):
    response = national_client.get(
        reverse("reports:national"), {"date_from": "01/01/2000", "date_to": "31/01/2000"}
    )
    assert "No visits in this selection." in response.content.decode()
