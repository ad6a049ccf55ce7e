"""The night-of-action planner: each reason built from the records, the ranking between and
within reasons, the filters, each town's coverage, and planning an operation from it."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from training import planner, queries
from training.models import TrainingSession
from visits.models import Operation, Visit

from ..conftest import body
from ..factories import (
    OperationFactory,
    PremisesFactory,
    TownFactory,
    TrainingSessionFactory,
    VisitFactory,
)
from .conftest import at

R = planner.Reason
URL = "/visits/operations/plan/"


def passed(**kwargs):
    return VisitFactory(outcome=Visit.Outcome.REFUSED_CONCERNS, **kwargs)


def ranked(user, **filters) -> list[tuple[str, int]]:
    return [(p.name, p.reason) for p in planner.candidates(user, limit=100, **filters)]


@pytest.fixture
def every_reason(town):
    """One premises for each reason, and a second for some, so the order within shows."""
    made = {}

    # 1. Re-test due: failed, then training delivered (clock from the training) ...
    made["trained"] = PremisesFactory(town=town, name="Trained Hotel")
    VisitFactory(premises=made["trained"], visited_at=at(200))
    TrainingSessionFactory(premises=made["trained"], delivered=True, scheduled_for=at(150))
    # ... or failed and training declined (clock from the failure, older: ranks first).
    made["declined"] = PremisesFactory(town=town, name="Declined Inn")
    failure = VisitFactory(premises=made["declined"], visited_at=at(300))
    TrainingSessionFactory(
        premises=made["declined"],
        visit=failure,
        status=TrainingSession.Status.DECLINED,
        scheduled_for=None,
    )
    # 2. Failed and not re-tested (no training yet): the older failure first.
    made["failed_old"] = PremisesFactory(town=town, name="Failed Long Ago")
    VisitFactory(premises=made["failed_old"], visited_at=at(400))
    made["failed_new"] = PremisesFactory(town=town, name="Failed Lately")
    passed(premises=made["failed_new"], visited_at=at(500))
    VisitFactory(premises=made["failed_new"], visited_at=at(20))
    # 3. Never tested: no visit, or a void one only.
    made["never"] = PremisesFactory(town=town, name="Never Tested Rooms")
    made["void_only"] = PremisesFactory(town=town, name="Void Only Rooms")
    VisitFactory(
        premises=made["void_only"],
        outcome=Visit.Outcome.VOID,
        reason="Cadet recognised.",
        visited_at=at(10),
    )
    # 4. Longest since the last visit: a pass long ago, then a recent one; a failure re-tested
    # and passed counts here too.
    made["long_ago"] = PremisesFactory(town=town, name="Passed Long Ago")
    passed(premises=made["long_ago"], visited_at=at(700))
    made["recent"] = PremisesFactory(town=town, name="Passed Lately")
    passed(premises=made["recent"], visited_at=at(5))
    made["retested"] = PremisesFactory(town=town, name="Retested Hotel")
    first = VisitFactory(premises=made["retested"], visited_at=at(250))
    passed(premises=made["retested"], visited_at=at(100), retest_of=first)
    return made


def test_premises_rank_by_reason_then_by_how_long_they_have_waited(sergeant, every_reason):
    assert ranked(sergeant) == [
        ("Declined Inn", R.RETEST_DUE),
        ("Trained Hotel", R.RETEST_DUE),
        ("Failed Long Ago", R.FAILED_NOT_RETESTED),
        ("Failed Lately", R.FAILED_NOT_RETESTED),
        ("Never Tested Rooms", R.NEVER_TESTED),
        ("Void Only Rooms", R.NEVER_TESTED),
        ("Passed Long Ago", R.LONGEST_SINCE),
        ("Retested Hotel", R.LONGEST_SINCE),
        ("Passed Lately", R.LONGEST_SINCE),
    ]


def test_the_retests_due_are_the_work_queues(sergeant, every_reason):
    due = {name for name, reason in ranked(sergeant) if reason == R.RETEST_DUE}
    assert (
        due == {p.name for p in queries.retest_due(sergeant)} == {"Declined Inn", "Trained Hotel"}
    )


def test_the_ranking_comes_in_pages_and_a_page_past_the_end_is_the_last(sergeant, every_reason):
    everything = [name for name, _ in ranked(sergeant)]
    page = planner.ranked_page(sergeant, "2", per_page=4)
    assert [p.name for p in page] == everything[4:8]
    assert (page.paginator.count, page.paginator.num_pages) == (9, 3)
    past = planner.ranked_page(sergeant, "9", per_page=4)
    assert past.number == 3
    assert [p.name for p in past] == everything[8:]
    assert list(planner.ranked_page(sergeant, "x", per_page=4, reasons=[9])) == []


def test_a_retest_after_training_ends_the_retest_due(sergeant, every_reason):
    trained = every_reason["trained"]
    last = trained.visits.get()
    passed(premises=trained, visited_at=at(1), retest_of=last)
    assert ("Trained Hotel", R.LONGEST_SINCE) in ranked(sergeant)


def test_training_scheduled_but_not_delivered_leaves_a_failure_not_retested(sergeant, town):
    premises = PremisesFactory(town=town, name="Booked In")
    VisitFactory(premises=premises, visited_at=at(30))
    TrainingSessionFactory(premises=premises)  # scheduled next week
    assert ranked(sergeant) == [("Booked In", R.FAILED_NOT_RETESTED)]


def test_inactive_and_other_force_premises_are_never_candidates(sergeant, town, other_town):
    PremisesFactory(town=town, name="Closed Down", active=False)
    PremisesFactory(town=other_town, name="Norfolk Hotel")
    assert ranked(sergeant) == []


def test_reasons_towns_and_sectors_filter_the_list(sergeant, force, town, every_reason):
    assert ranked(sergeant, reasons=[R.NEVER_TESTED]) == [
        ("Never Tested Rooms", R.NEVER_TESTED),
        ("Void Only Rooms", R.NEVER_TESTED),
    ]
    assert [name for name, _ in ranked(sergeant, reasons=[R.RETEST_DUE, R.LONGEST_SINCE])] == [
        "Declined Inn",
        "Trained Hotel",
        "Passed Long Ago",
        "Retested Hotel",
        "Passed Lately",
    ]
    elsewhere = TownFactory(force=force, name="Felixstowe")
    PremisesFactory(town=elsewhere, name="Dockside Taxis", sector="taxi")
    assert ranked(sergeant, towns=[elsewhere]) == [("Dockside Taxis", R.NEVER_TESTED)]
    assert ranked(sergeant, sectors=["taxi"]) == [("Dockside Taxis", R.NEVER_TESTED)]


def test_premises_tested_within_the_days_asked_are_left_out(sergeant, every_reason):
    names = [name for name, _ in ranked(sergeant, exclude_days=30)]
    assert "Failed Lately" not in names  # failed 20 days ago
    assert "Passed Lately" not in names  # passed 5 days ago
    assert "Void Only Rooms" in names  # a void visit is not a test
    assert "Failed Long Ago" in names


def test_each_reason_is_said_in_words(sergeant, force, every_reason):
    items = planner.candidates(sergeant)
    rows = {
        row.premises.name: row
        for row in planner.to_candidates(
            items, retest_days=force.retest_due_days, on=timezone.localdate()
        )
    }
    day = lambda days: f"{timezone.localdate() - timedelta(days=days):%-d %b %Y}"  # noqa: E731
    trained_due = timezone.localdate() - timedelta(days=150 - force.retest_due_days)
    assert rows["Trained Hotel"].words == (
        f"Re-test due by {trained_due:%-d %b %Y}: training delivered {day(150)}."
    )
    declined_due = timezone.localdate() - timedelta(days=300 - force.retest_due_days)
    assert rows["Declined Inn"].overdue == (declined_due < timezone.localdate())
    assert rows["Declined Inn"].words.endswith(f"failed {day(300)} and training declined.")
    assert rows["Failed Lately"].words == f"Failed on {day(20)} and not re-tested since."
    assert rows["Never Tested Rooms"].words == "Never tested."
    assert rows["Passed Long Ago"].words == f"Last tested {day(700)} (pass), 700 days ago."
    assert rows["Passed Long Ago"].last_result_label == "Pass"


def test_a_retest_is_overdue_once_its_due_date_is_before_the_night(sergeant, force, town):
    premises = PremisesFactory(town=town, name="Trained Hotel")
    VisitFactory(premises=premises, visited_at=at(200))
    TrainingSessionFactory(premises=premises, delivered=True, scheduled_for=at(10))
    items = planner.candidates(sergeant)
    due = timezone.localdate() + timedelta(days=force.retest_due_days - 10)
    (before,) = planner.to_candidates(items, retest_days=force.retest_due_days, on=due)
    (after,) = planner.to_candidates(
        items, retest_days=force.retest_due_days, on=due + timedelta(days=1)
    )
    assert not before.overdue and before.words.startswith("Re-test due by")
    assert after.overdue and after.words.startswith("Re-test overdue since")


def test_coverage_counts_each_towns_active_premises_over_twelve_months(sergeant, force, town):
    quiet = TownFactory(force=force, name="Aldeburgh")
    tested = PremisesFactory(town=town)
    passed(premises=tested, visited_at=at(30))
    failed = PremisesFactory(town=town)
    first = VisitFactory(premises=failed, visited_at=at(200))
    TrainingSessionFactory(premises=failed, delivered=True, scheduled_for=at(150))
    passed(premises=failed, visited_at=at(100), retest_of=first)
    old = PremisesFactory(town=town)
    VisitFactory(premises=old, visited_at=at(400))  # before the twelve months
    PremisesFactory(town=town)  # never tested
    PremisesFactory(town=town, active=False)
    rows = planner.coverage(sergeant, towns=[town, quiet])
    assert [
        (r.town, r.active, r.tested, r.untested, r.failed, r.trained, r.retested) for r in rows
    ] == [
        ("Aldeburgh", 0, 0, 0, 0, 0, 0),
        ("Ipswich", 4, 2, 2, 1, 1, 1),
    ]
    (everywhere,) = planner.coverage(sergeant)
    assert (everywhere.town, everywhere.active, everywhere.tested) == ("All towns", 4, 2)


# -- The page ---------------------------------------------------------------------------------


def test_the_planner_lists_the_ranked_premises_with_their_coverage(
    sergeant_client, town, every_reason
):
    response = sergeant_client.get(URL, {"towns": [town.pk]})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0].premises.name == "Declined Inn"
    assert response.context["coverage"][0].town == "Ipswich"
    text = body(response)
    assert "Plan an operation with the ticked premises" in text
    assert 'name="premises"' in text


def test_premises_already_on_an_open_operation_say_so(sergeant_client, force, every_reason):
    never, recent = every_reason["never"], every_reason["recent"]
    planned = OperationFactory(
        force=force, name="Op Lantern", date=timezone.localdate() + timedelta(days=7)
    )
    planned.premises.add(never)
    running = OperationFactory(force=force, name="Op Beacon", status=Operation.Status.IN_PROGRESS)
    running.premises.add(never)
    done = OperationFactory(force=force, name="Op Ember", status=Operation.Status.COMPLETED)
    done.premises.add(recent)
    response = sergeant_client.get(URL)
    rows = {row.premises.pk: row for row in response.context["rows"]}
    assert [op.name for op in rows[never.pk].operations] == ["Op Beacon", "Op Lantern"]
    assert rows[recent.pk].operations == []  # a completed operation books nothing
    text = body(response)
    assert f'Already on <a href="{planned.get_absolute_url()}">Op Lantern</a>' in text
    assert "Op Ember" not in text


def test_commanders_read_the_planner_without_ticks_or_buttons(commander_client, every_reason):
    response = commander_client.get(URL)
    assert response.status_code == 200
    text = body(response)
    assert "Declined Inn" in text
    assert 'name="premises"' not in text
    assert "Plan an operation with the ticked premises" not in text
    assert "Add ticked premises" not in text


def test_commanders_cannot_plan_or_add_by_post(commander_client, force, every_reason):
    operation = OperationFactory(force=force)
    ticked = every_reason["never"].pk
    for data in (
        {"action": "create", "premises": [ticked]},
        {"action": "add", "premises": [ticked], "operation": f"{operation.pk}:1"},
    ):
        assert commander_client.post(URL, data).status_code == 403
    assert not operation.premises.exists()


def test_officers_may_not_open_the_planner(officer_client):
    assert officer_client.get(URL).status_code == 403


def test_bad_filters_are_said_next_to_their_fields(sergeant_client):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = sergeant_client.get(URL, {"date": f"{yesterday:%d/%m/%Y}", "exclude_days": "0"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date"] == ["Choose today or a later date."]
    assert "exclude_days" in form.errors
    assert response.context["page"] is None


def test_another_forces_town_is_refused_as_a_filter(sergeant_client, other_town):
    response = sergeant_client.get(URL, {"towns": [other_town.pk]})
    assert "towns" in response.context["form"].errors


def test_creating_from_ticked_premises_fills_in_the_operation_form(
    sergeant_client, force, town, every_reason
):
    night = timezone.localdate() + timedelta(days=14)
    query = f"towns={town.pk}&date={night:%d/%m/%Y}"
    ticked = [every_reason["declined"].pk, every_reason["never"].pk]
    response = sergeant_client.post(URL, {"action": "create", "premises": ticked, "query": query})
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("visits:operation_create")
    params = parse_qs(target.query)
    assert sorted(params["premises"]) == sorted(str(pk) for pk in ticked)
    assert params["towns"] == [str(town.pk)]
    assert params["date"] == [f"{night:%d/%m/%Y}"]
    form = sergeant_client.get(response["Location"]).context["form"]
    assert sorted(form["premises"].value()) == sorted(ticked)
    assert form["towns"].value() == [town.pk]
    assert form["date"].value() == night


def test_the_operation_form_selects_nothing_of_another_force(sergeant_client, other_town):
    theirs = PremisesFactory(town=other_town)
    url = reverse("visits:operation_create")
    form = sergeant_client.get(url, {"premises": [theirs.pk, "x"], "date": "31/02/2027"}).context[
        "form"
    ]
    assert theirs.pk not in [choice.data["value"].value for choice in form["premises"]]
    assert form["date"].value() is None


def test_nothing_ticked_is_refused_with_the_filters_kept(sergeant_client, town, every_reason):
    response = sergeant_client.post(
        URL, {"action": "create", "query": f"towns={town.pk}&reasons=3"}
    )
    assert response.status_code == 200
    assert response.context["pick"].errors["premises"] == ["Tick at least one premises."]
    assert [row.premises.name for row in response.context["rows"]] == [
        "Never Tested Rooms",
        "Void Only Rooms",
    ]


def test_ticked_premises_are_added_to_a_planned_operation(sergeant_client, force, every_reason):
    operation = OperationFactory(force=force, name="Op Nightjar")
    already = every_reason["never"]
    operation.premises.add(already)
    ticked = [already.pk, every_reason["declined"].pk]
    response = sergeant_client.post(
        URL, {"action": "add", "premises": ticked, "operation": f"{operation.pk}:1"}
    )
    assert response.status_code == 302
    assert response["Location"] == operation.get_absolute_url()
    operation.refresh_from_db()
    assert set(operation.premises.values_list("pk", flat=True)) == set(ticked)
    assert list(operation.towns.all()) == [already.town]
    assert operation.version == 2


def test_adding_with_a_stale_version_adds_nothing_and_says_why(
    sergeant_client, force, every_reason
):
    operation = OperationFactory(force=force, name="Op Nightjar", version=3)
    response = sergeant_client.post(
        URL,
        {"action": "add", "premises": [every_reason["never"].pk], "operation": f"{operation.pk}:2"},
    )
    assert response.status_code == 200
    assert "Someone changed Op Nightjar" in response.context["pick"].errors["operation"][0]
    assert not operation.premises.exists()
    # The list offers the operation at its current version, chosen again.
    assert f'value="{operation.pk}:3" selected' in body(response)


def test_an_operation_no_longer_planned_takes_no_premises(sergeant_client, force, every_reason):
    operation = OperationFactory(force=force, status=Operation.Status.IN_PROGRESS)
    response = sergeant_client.post(
        URL,
        {"action": "add", "premises": [every_reason["never"].pk], "operation": f"{operation.pk}:1"},
    )
    assert "is in progress: nothing was added" in response.context["pick"].errors["operation"][0]
    assert not operation.premises.exists()


def test_another_forces_operation_or_premises_cannot_be_chosen(
    sergeant_client, other_force, other_town, every_reason
):
    theirs = OperationFactory(force=other_force)
    response = sergeant_client.post(
        URL,
        {"action": "add", "premises": [every_reason["never"].pk], "operation": f"{theirs.pk}:1"},
    )
    assert "operation" in response.context["pick"].errors
    their_premises = PremisesFactory(town=other_town)
    response = sergeant_client.post(URL, {"action": "create", "premises": [their_premises.pk]})
    assert "premises" in response.context["pick"].errors
    assert not theirs.premises.exists()


def test_the_demo_data_shows_every_reason(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins")
    sergeant = User.objects.get(username="sergeant")
    assert {p.reason for p in planner.candidates(sergeant, limit=500)} == set(R.labels)
