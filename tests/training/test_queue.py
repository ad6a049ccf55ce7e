"""The sergeants' work queue: rows come and go with the records, due and overdue turn at the day."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from training import queries
from training.models import Notice, QueueAssignment, TrainingSession
from training.services import outcome_letter_mark_sent, training_session_deliver
from visits.models import Visit

from ..factories import (
    NoticeFactory,
    OutcomeLetterFactory,
    PremisesFactory,
    QueueAssignmentFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from .conftest import at

KINDS = QueueAssignment.Kind


def training_due(user) -> set[str]:
    return {p.name for p in queries.training_due(user)}


def retest_due(user) -> set[str]:
    return {p.name for p in queries.retest_due(user)}


def letters_due(user) -> set[int]:
    return set(queries.letters_due(user).values_list("pk", flat=True))


def notices_expiring(user) -> set[int]:
    today = timezone.localdate()
    return set(queries.notices_expiring(user, today).values_list("pk", flat=True))


def queue_rows(client, kind, **filters) -> dict:
    """Premises name -> row of the queue page for `kind`, as the page shows it."""
    response = client.get(reverse("training:queue"), {"kind": kind, **filters})
    assert response.status_code == 200
    return {row.premises.name: row for row in response.context["rows"]}


def passed(**kwargs):
    return VisitFactory(outcome=Visit.Outcome.REFUSED_CONCERNS, **kwargs)


def void(**kwargs):
    return VisitFactory(outcome=Visit.Outcome.VOID, reason="Cadet recognised.", **kwargs)


# -- Training due -----------------------------------------------------------------------------


def test_a_failed_visit_makes_training_due(sergeant, premises):
    visit = VisitFactory(premises=premises, visited_at=at(3))
    rows = list(queries.training_due(sergeant))
    assert [row.name for row in rows] == ["Cornhill Lodge"]
    assert rows[0].trigger_visit_id == visit.pk


def test_a_passed_visit_makes_no_training_due(sergeant, premises):
    passed(premises=premises, visited_at=at(3))
    assert training_due(sergeant) == set()


def test_a_void_visit_never_makes_training_due(sergeant, premises):
    void(premises=premises, visited_at=at(3))
    assert training_due(sergeant) == set()


def test_a_void_visit_after_a_failure_neither_triggers_nor_clears(sergeant, premises):
    failed = VisitFactory(premises=premises, visited_at=at(9))
    void(premises=premises, visited_at=at(2))
    (row,) = queries.training_due(sergeant)
    assert row.trigger_visit_id == failed.pk


def test_a_pass_after_a_failure_clears_training_due(sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(9))
    assert training_due(sergeant) == {"Cornhill Lodge"}
    passed(premises=premises, visited_at=at(2))
    assert training_due(sergeant) == set()


def test_closed_premises_leave_the_queue(sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(9))
    premises.active = False
    premises.save()
    assert training_due(sergeant) == set()


@pytest.mark.parametrize(
    "status, still_due",
    [
        ("offered", True),
        ("accepted", True),
        ("no_show", True),
        ("cancelled", True),
        ("scheduled", False),
        ("delivered", False),
        ("declined", False),
    ],
)
def test_training_due_leaves_once_training_is_scheduled(sergeant, premises, status, still_due):
    visit = VisitFactory(premises=premises, visited_at=at(9))
    assert training_due(sergeant) == {"Cornhill Lodge"}
    TrainingSessionFactory(
        premises=premises,
        visit=visit,
        status=status,
        scheduled_for=at(2),
        staff_trained=5 if status == "delivered" else None,
    )
    assert (training_due(sergeant) == {"Cornhill Lodge"}) is still_due


def test_training_recorded_without_a_visit_counts_if_it_follows_the_failure(sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(9))
    TrainingSessionFactory(premises=premises, visit=None, scheduled_for=at(-3))
    assert training_due(sergeant) == set()


def test_training_before_a_new_failure_does_not_cover_it(sergeant, premises):
    first = VisitFactory(premises=premises, visited_at=at(200))
    TrainingSessionFactory(premises=premises, visit=first, delivered=True, scheduled_for=at(190))
    assert training_due(sergeant) == set()
    assert retest_due(sergeant) == {"Cornhill Lodge"}
    VisitFactory(premises=premises, visited_at=at(5), retest_of=first)
    assert training_due(sergeant) == {"Cornhill Lodge"}
    assert retest_due(sergeant) == set()


def test_delivering_training_moves_the_premises_to_retest_due(sergeant, premises):
    visit = VisitFactory(premises=premises, visited_at=at(20))
    session = TrainingSessionFactory(premises=premises, visit=visit, scheduled_for=at(2))
    assert training_due(sergeant) == set()
    assert retest_due(sergeant) == set()
    session.staff_trained = 4
    training_session_deliver(session=session, user=sergeant, expected_version=1)
    assert training_due(sergeant) == set()
    (row,) = queries.retest_due(sergeant)
    assert (row.name, row.reason, row.trigger_visit_id) == (
        "Cornhill Lodge",
        "Training delivered",
        visit.pk,
    )
    assert row.since == at(2)


# -- Re-test due ------------------------------------------------------------------------------


@pytest.fixture
def trained(premises):
    """Premises that failed 40 days ago and had training delivered 10 days ago."""
    visit = VisitFactory(premises=premises, visited_at=at(40))
    TrainingSessionFactory(premises=premises, visit=visit, delivered=True, scheduled_for=at(10))
    return visit


def test_logging_a_retest_that_passes_clears_the_retest_row(sergeant, premises, trained):
    assert retest_due(sergeant) == {"Cornhill Lodge"}
    passed(premises=premises, visited_at=at(1), retest_of=trained)
    assert retest_due(sergeant) == set()
    assert training_due(sergeant) == set()


def test_a_retest_that_fails_makes_training_due_again(sergeant, premises, trained):
    VisitFactory(premises=premises, visited_at=at(1), retest_of=trained)
    assert retest_due(sergeant) == set()
    assert training_due(sergeant) == {"Cornhill Lodge"}


def test_a_void_retest_leaves_the_retest_due(sergeant, premises, trained):
    void(premises=premises, visited_at=at(1), retest_of=trained)
    assert retest_due(sergeant) == {"Cornhill Lodge"}


def test_a_visit_before_the_training_does_not_count_as_its_retest(sergeant, premises, trained):
    passed(premises=premises, visited_at=at(11))
    assert retest_due(sergeant) == {"Cornhill Lodge"}


def test_declined_training_makes_a_retest_due(sergeant, premises):
    visit = VisitFactory(premises=premises, visited_at=at(20))
    TrainingSessionFactory(premises=premises, visit=visit, status="declined", scheduled_for=None)
    assert training_due(sergeant) == set()
    (row,) = queries.retest_due(sergeant)
    assert (row.name, row.reason, row.since) == ("Cornhill Lodge", "Training declined", at(20))
    passed(premises=premises, visited_at=at(1), retest_of=visit)
    assert retest_due(sergeant) == set()


def test_training_declined_before_a_new_failure_does_not_make_a_retest_due(sergeant, premises):
    first = VisitFactory(premises=premises, visited_at=at(60))
    declined = TrainingSessionFactory(
        premises=premises, visit=first, status="declined", scheduled_for=None
    )
    TrainingSession.objects.filter(pk=declined.pk).update(created_at=at(59))
    VisitFactory(premises=premises, visited_at=at(5))
    assert retest_due(sergeant) == set()
    assert training_due(sergeant) == {"Cornhill Lodge"}


def test_an_offer_that_is_only_offered_makes_no_retest_due(sergeant, premises):
    visit = VisitFactory(premises=premises, visited_at=at(20))
    TrainingSessionFactory(premises=premises, visit=visit, status="offered", scheduled_for=None)
    assert retest_due(sergeant) == set()


# -- Letters ----------------------------------------------------------------------------------


def test_every_live_visit_needs_a_letter_until_it_is_marked_sent(sergeant, premises):
    failed = VisitFactory(premises=premises, visited_at=at(3))
    good = passed(premises=premises, visited_at=at(2))
    assert letters_due(sergeant) == {failed.pk, good.pk}
    outcome_letter_mark_sent(visit=failed, user=sergeant)
    assert letters_due(sergeant) == {good.pk}
    OutcomeLetterFactory(visit=good)
    assert letters_due(sergeant) == set()


def test_void_visits_never_need_a_letter(sergeant, premises):
    void(premises=premises, visited_at=at(3))
    assert letters_due(sergeant) == set()


def test_imported_visits_never_need_a_letter(sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(300), imported=True)
    assert letters_due(sergeant) == set()
    assert training_due(sergeant) == {"Cornhill Lodge"}


# -- s.116 notices ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expires_in, listed", [(-1, False), (0, True), (1, True), (30, True), (31, False)]
)
def test_notices_are_listed_in_their_last_30_days(sergeant, premises, expires_in, listed):
    today = timezone.localdate()
    notice = NoticeFactory(
        premises=premises,
        start_date=today - timedelta(days=60),
        expiry_date=today + timedelta(days=expires_in),
    )
    assert (notices_expiring(sergeant) == {notice.pk}) is listed


def test_withdrawing_a_notice_removes_its_row(sergeant, premises):
    notice = NoticeFactory(premises=premises, expiry_date=timezone.localdate() + timedelta(days=10))
    assert notices_expiring(sergeant) == {notice.pk}
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.WITHDRAWN)
    assert notices_expiring(sergeant) == set()


def test_the_notice_row_counts_down_to_its_expiry(sergeant_client, premises):
    NoticeFactory(premises=premises, expiry_date=timezone.localdate() + timedelta(days=12))
    row = queue_rows(sergeant_client, KINDS.NOTICE)["Cornhill Lodge"]
    assert (row.days, row.due_on) == (12, timezone.localdate() + timedelta(days=12))
    assert queue_rows(sergeant_client, KINDS.NOTICE, status="overdue") == {}


# -- Due and overdue, at the day --------------------------------------------------------------


def _failed_visit(premises, when):
    VisitFactory(premises=premises, visited_at=when)


def _delivered_training(premises, when):
    visit = VisitFactory(premises=premises, visited_at=when - timedelta(days=30))
    TrainingSessionFactory(premises=premises, visit=visit, delivered=True, scheduled_for=when)


def _declined_training(premises, when):
    visit = VisitFactory(premises=premises, visited_at=when)
    TrainingSessionFactory(premises=premises, visit=visit, status="declined", scheduled_for=None)


def _live_visit(premises, when):
    passed(premises=premises, visited_at=when)


@pytest.mark.parametrize(
    "kind, setting, days, build",
    [
        (KINDS.TRAINING_DUE, "training_due_days", 28, _failed_visit),
        (KINDS.TRAINING_DUE, "training_due_days", 10, _failed_visit),
        (KINDS.RETEST_DUE, "retest_due_days", 365, _delivered_training),
        (KINDS.RETEST_DUE, "retest_due_days", 30, _delivered_training),
        (KINDS.RETEST_DUE, "retest_due_days", 60, _declined_training),
        (KINDS.LETTER, "letter_due_days", 14, _live_visit),
        (KINDS.LETTER, "letter_due_days", 3, _live_visit),
    ],
    ids=[
        "training-28",
        "training-10",
        "retest-365",
        "retest-30",
        "retest-declined-60",
        "letter-14",
        "letter-3",
    ],
)
def test_a_row_is_due_on_its_last_day_and_overdue_the_day_after(
    sergeant_client, force, town, kind, setting, days, build
):
    setattr(force, setting, days)
    force.save()
    # Just after midnight and just before it (London time), so a UTC date would be a day out.
    build(PremisesFactory(town=town, name="One day left"), at(days - 1, 0, 5))
    build(PremisesFactory(town=town, name="Due today"), at(days, 0, 5))
    build(PremisesFactory(town=town, name="One day overdue"), at(days + 1, 23, 55))
    build(PremisesFactory(town=town, name="Long overdue"), at(days + 9, 12))
    rows = queue_rows(sergeant_client, kind)
    today = timezone.localdate()
    assert {name: row.days for name, row in rows.items()} == {
        "One day left": 1,
        "Due today": 0,
        "One day overdue": -1,
        "Long overdue": -9,
    }
    assert rows["Due today"].due_on == today
    assert set(queue_rows(sergeant_client, kind, status="due")) == {"One day left", "Due today"}
    assert set(queue_rows(sergeant_client, kind, status="overdue")) == {
        "One day overdue",
        "Long overdue",
    }
    page = sergeant_client.get(reverse("training:queue"), {"kind": kind}).content.decode()
    assert "1 day left" in page
    assert "Due today" in page
    assert "1 day overdue" in page
    assert "9 days overdue" in page


# -- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def spread(force, town, sergeant, second_sergeant):
    """Failed visits at four premises: two towns, two sectors, three kinds of owner."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    places = {
        "Ipswich hotel": PremisesFactory(town=town, sector="hotel"),
        "Ipswich pub": PremisesFactory(town=town, sector="licensed"),
        "Felixstowe hotel": PremisesFactory(town=felixstowe, sector="hotel"),
        "Felixstowe taxi": PremisesFactory(town=felixstowe, sector="taxi"),
    }
    for name, place in places.items():
        place.name = name
        place.save()
        VisitFactory(premises=place, visited_at=at(5))
    QueueAssignmentFactory(subject=places["Ipswich hotel"], owner=sergeant)
    QueueAssignmentFactory(subject=places["Felixstowe taxi"], owner=second_sergeant)
    return {"felixstowe": felixstowe}


def test_the_queue_filters_by_town(sergeant_client, town, spread):
    rows = queue_rows(sergeant_client, KINDS.TRAINING_DUE, town=town.pk)
    assert set(rows) == {"Ipswich hotel", "Ipswich pub"}
    rows = queue_rows(sergeant_client, KINDS.LETTER, town=spread["felixstowe"].pk)
    assert set(rows) == {"Felixstowe hotel", "Felixstowe taxi"}


def test_the_queue_filters_by_sector(sergeant_client, spread):
    rows = queue_rows(sergeant_client, KINDS.TRAINING_DUE, sector="hotel")
    assert set(rows) == {"Ipswich hotel", "Felixstowe hotel"}
    assert set(queue_rows(sergeant_client, KINDS.LETTER, sector="taxi")) == {"Felixstowe taxi"}


def test_the_queue_filters_by_owner(sergeant_client, sergeant, second_sergeant, spread):
    assert set(queue_rows(sergeant_client, KINDS.TRAINING_DUE, owner=sergeant.pk)) == {
        "Ipswich hotel"
    }
    assert set(queue_rows(sergeant_client, KINDS.TRAINING_DUE, owner=second_sergeant.pk)) == {
        "Felixstowe taxi"
    }
    assert set(queue_rows(sergeant_client, KINDS.TRAINING_DUE, owner="none")) == {
        "Ipswich pub",
        "Felixstowe hotel",
    }


def test_the_queue_filters_combine(sergeant_client, town, spread):
    rows = queue_rows(sergeant_client, KINDS.TRAINING_DUE, town=town.pk, owner="none")
    assert set(rows) == {"Ipswich pub"}


def test_the_queue_ignores_filters_it_does_not_know(sergeant_client, other_town, spread):
    query = {"town": other_town.pk, "sector": "castle", "owner": "999999", "status": "late"}
    rows = queue_rows(sergeant_client, KINDS.TRAINING_DUE, **query)
    assert len(rows) == 4
    rows = queue_rows(sergeant_client, "nonsense")
    assert len(rows) == 4


def test_each_row_shows_its_premises_trigger_due_date_owner_and_action(
    sergeant_client, sergeant, town, premises
):
    visit = VisitFactory(premises=premises, visited_at=at(5))
    QueueAssignmentFactory(subject=premises, owner=sergeant)
    page = sergeant_client.get(reverse("training:queue")).content.decode()
    assert "Cornhill Lodge" in page
    assert "Ipswich" in page
    assert "Hotel" in page
    assert f'href="{reverse("visits:detail", args=[visit.pk])}"' in page
    assert f"Failed, {visit.visited_at:%-d %b %Y}" in page
    assert "23 days left" in page
    assert f'<option value="{sergeant.pk}" selected>Me (' in page
    schedule = f"{reverse('training:session_create')}?premises={premises.pk}&amp;visit={visit.pk}"
    assert schedule in page


def test_a_retest_row_links_to_the_visit_form_with_the_failed_visit(
    sergeant_client, officer_client, premises, trained
):
    page = sergeant_client.get(reverse("training:queue"), {"kind": "retest_due"}).content.decode()
    link = f"{reverse('visits:create', args=[premises.pk])}?retest_of={trained.pk}"
    assert link in page
    response = officer_client.get(link)
    assert response.status_code == 200
    assert response.context["form"]["retest_of"].value() == trained.pk
    assert "Re-test of" in response.content.decode()


# -- Assignment -------------------------------------------------------------------------------


def assign(client, subject_id, owner, kind=KINDS.TRAINING_DUE, next_url="/training/queue/"):
    owner_id = owner.pk if owner else ""
    return client.post(
        reverse("training:assign"),
        {"kind": kind, "subject_id": subject_id, "owner": owner_id, "next": next_url},
        follow=True,
    )


def test_a_sergeant_takes_a_row_for_themselves(sergeant_client, sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(5))
    response = assign(
        sergeant_client, premises.pk, sergeant, next_url="/training/queue/?owner=none"
    )
    assert response.redirect_chain == [("/training/queue/?owner=none", 302)]
    assert f"Assigned to {sergeant}." in response.content.decode()
    assignment = QueueAssignment.objects.get()
    assert (assignment.owner, assignment.assigned_by) == (sergeant, sergeant)
    assert (assignment.kind, assignment.subject_id) == (KINDS.TRAINING_DUE, premises.pk)
    row = queue_rows(sergeant_client, KINDS.TRAINING_DUE)["Cornhill Lodge"]
    assert row.owner == sergeant


def test_a_sergeant_gives_a_row_to_another_sergeant(
    sergeant_client, sergeant, second_sergeant, premises
):
    visit = VisitFactory(premises=premises, visited_at=at(5))
    assign(sergeant_client, visit.pk, second_sergeant, kind=KINDS.LETTER)
    assignment = QueueAssignment.objects.get()
    assert (assignment.owner, assignment.assigned_by) == (second_sergeant, sergeant)
    assert queue_rows(sergeant_client, KINDS.LETTER)["Cornhill Lodge"].owner == second_sergeant
    # Reassigning moves the row; it never gets two owners.
    assign(sergeant_client, visit.pk, sergeant, kind=KINDS.LETTER)
    assert QueueAssignment.objects.get().owner == sergeant


def test_choosing_nobody_unassigns_the_row(sergeant_client, sergeant, premises):
    VisitFactory(premises=premises, visited_at=at(5))
    QueueAssignmentFactory(subject=premises, owner=sergeant)
    response = assign(sergeant_client, premises.pk, None)
    assert "Row unassigned." in response.content.decode()
    assert not QueueAssignment.objects.exists()
    assert queue_rows(sergeant_client, KINDS.TRAINING_DUE)["Cornhill Lodge"].owner is None


@pytest.mark.parametrize("who", ["officer", "commander", "other_sergeant", "inactive_sergeant"])
def test_only_active_sergeants_of_the_force_can_own_rows(request, sergeant_client, premises, who):
    if who == "inactive_sergeant":
        owner = UserFactory(force=premises.force, role="Sergeant", is_active=False)
    else:
        owner = request.getfixturevalue(who)
    VisitFactory(premises=premises, visited_at=at(5))
    response = assign(sergeant_client, premises.pk, owner)
    assert "Choose a sergeant of your force" in response.content.decode()
    assert not QueueAssignment.objects.exists()


def test_assigning_never_redirects_off_the_site(sergeant_client, sergeant, premises):
    response = assign(sergeant_client, premises.pk, sergeant, next_url="https://evil.example/")
    assert response.redirect_chain == [(reverse("training:queue"), 302)]


def test_an_assignment_in_one_force_never_shows_in_another(
    sergeant_client, sergeant, other_sergeant, other_town
):
    theirs = PremisesFactory(town=other_town, name="Wensum Riverside Hotel")
    VisitFactory(premises=theirs, visited_at=at(5))
    assign(sergeant_client, theirs.pk, sergeant)
    (row,) = queries.training_due(other_sergeant)
    assert row.owner_id is None
    assert {p.name for p in queries.training_due(sergeant)} == set()


def test_scheduling_training_from_an_assigned_row_keeps_its_owner(
    sergeant_client, second_sergeant, premises
):
    visit = VisitFactory(premises=premises, visited_at=at(5))
    QueueAssignmentFactory(subject=premises, owner=second_sergeant)
    response = sergeant_client.get(
        reverse("training:session_create"), {"premises": premises.pk, "visit": visit.pk}
    )
    assert response.context["form"]["owner"].value() == second_sergeant.pk


# -- Counts on the home page and in the navigation --------------------------------------------


@pytest.fixture
def one_of_each(force, town, premises):
    """One row of each kind, plus the letters their visits owe: 1 + 1 + 3 + 1."""
    VisitFactory(premises=premises, visited_at=at(5))
    trained = PremisesFactory(town=town, name="Trained Inn")
    visit = VisitFactory(premises=trained, visited_at=at(40))
    TrainingSessionFactory(premises=trained, visit=visit, delivered=True, scheduled_for=at(10))
    passed(premises=PremisesFactory(town=town), visited_at=at(2))
    NoticeFactory(premises=premises, expiry_date=timezone.localdate() + timedelta(days=5))


def test_the_home_page_counts_each_kind(sergeant_client, one_of_each):
    response = sergeant_client.get(reverse("home"))
    assert response.context["queue"] == [
        ("training_due", "Training due", 1),
        ("retest_due", "Re-test due", 1),
        ("letter", "Letter to send", 3),
        ("notice", "s.116 notice expiring", 1),
    ]
    page = response.content.decode()
    assert f'href="{reverse("training:queue")}?kind=letter">Letter to send</a>' in page


def test_the_queue_tabs_count_each_kind(sergeant_client, one_of_each):
    response = sergeant_client.get(reverse("training:queue"))
    assert [count for _, _, count in response.context["tabs"]] == [1, 1, 3, 1]


def test_the_navigation_badge_shows_the_queue_total(sergeant_client, sergeant, one_of_each):
    badge = '<span class="badge rounded-pill text-bg-warning">{}<span class="visually-hidden">'
    page = sergeant_client.get(reverse("training:session_list")).content.decode()
    assert "Work queue " + badge.format(6) in page
    # The sergeant's own change shows at once (a write drops the badge kept for a minute).
    first, second = Visit.objects.order_by("visited_at")[:2]
    sergeant_client.post(reverse("training:letter_sent", args=[first.pk]))
    page = sergeant_client.get(reverse("training:session_list")).content.decode()
    assert "Work queue " + badge.format(5) in page
    # Someone else's shows once the sergeant opens the queue (or within the minute).
    outcome_letter_mark_sent(visit=second, user=sergeant)
    sergeant_client.get(reverse("training:queue"))
    page = sergeant_client.get(reverse("training:session_list")).content.decode()
    assert "Work queue " + badge.format(4) in page


def test_an_empty_queue_shows_no_badge(sergeant_client):
    page = sergeant_client.get(reverse("home")).content.decode()
    assert "Work queue</a>" in page
    assert "rounded-pill" not in page


def test_officers_have_no_queue_on_the_home_page_or_in_the_navigation(officer_client, one_of_each):
    response = officer_client.get(reverse("home"))
    assert response.context["queue"] is None
    assert "Work queue" not in response.content.decode()


# -- The follow-up horizon of imported failures ---------------------------------------------


def months_ago(months: int):
    return timezone.now() - timedelta(days=round(30.44 * months))


def test_imported_failures_older_than_the_horizon_are_not_training_due(sergeant, town):
    old_import = PremisesFactory(town=town, name="Old Import")
    recent_import = PremisesFactory(town=town, name="Recent Import")
    old_live = PremisesFactory(town=town, name="Old Live")
    VisitFactory(premises=old_import, visited_at=months_ago(13), imported=True, officer=None)
    VisitFactory(premises=recent_import, visited_at=months_ago(11), imported=True, officer=None)
    VisitFactory(premises=old_live, visited_at=months_ago(13))
    assert training_due(sergeant) == {"Recent Import", "Old Live"}
    assert queries.queue_counts(sergeant)[KINDS.TRAINING_DUE] == 2

    forces = type(sergeant.force).objects.filter(pk=sergeant.force_id)
    with pytest.raises(IntegrityError, match="force_followup_horizon_sane"), transaction.atomic():
        forces.update(followup_horizon_months=0)
    forces.update(followup_horizon_months=24)
    assert training_due(sergeant) == {"Old Import", "Recent Import", "Old Live"}


def test_the_force_admin_sets_the_follow_up_horizon(force_admin_client, force):
    data = {
        "training_due_days": 28,
        "retest_due_days": 365,
        "letter_due_days": 14,
        "review_period_years": 6,
        "followup_horizon_months": 0,
        "training_contact": "",
        "expected_version": force.version,
    }
    url = reverse("accounts:force_settings")
    response = force_admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["followup_horizon_months"]
    assert force_admin_client.post(url, {**data, "followup_horizon_months": 6}).status_code == 302
    force.refresh_from_db()
    assert force.followup_horizon_months == 6
    assert "Follow-up horizon for imported failures" in force_admin_client.get(url).content.decode()
