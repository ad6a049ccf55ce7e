"""docs/security.md check 29: records past review are queued; each decision is recorded; disposal
erases the content, keeps the counts and leaves an erasure-log entry without the content."""

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from audit.models import ErasureLog
from reports import reports
from retention.models import RetentionDecision
from retention.services import ERASED

from ..conftest import body, disclosed, make_forgotten
from ..factories import (
    NoticeFactory,
    ParticipantFactory,
    PremisesFactory,
    TrainingSessionFactory,
    VisitFactory,
)

QUEUE = reverse("retention:queue")


def decide(client, premises, **data):
    return client.post(reverse("retention:decide", args=[premises.pk]), data)


def next_year() -> str:
    return (timezone.localdate() + timedelta(days=365)).strftime("%d/%m/%Y")


@pytest.fixture
def forgotten(town, officer, force):
    """Premises with a visit, training and a notice, all older than the review period."""
    premises = make_forgotten(
        town,
        name="Quayside Inn",
        address="3 Ship Lane",
        operator="Harbour Inns",
        phone="01473 613500",
        email="manager@quayside.example",
        notes="Night porter on Fridays",
        sector="hotel",
    )
    long_ago = premises.updated_at
    cadet = ParticipantFactory(force=force, code="C-777")
    visit = VisitFactory(
        premises=premises,
        officer=officer,
        visited_at=long_ago,
        debrief_notes="Spoke to Mr Smith, the DPS",
        outcome="refused_other",
        result="fail",
        reason="No cash accepted",
    )
    visit.participants.add(cadet)
    TrainingSessionFactory(
        premises=premises, visit=visit, notes="Mr Smith attended", trainer="PC Harper"
    )
    NoticeFactory(premises=premises, served_on_business="Quayside Inn Ltd", grounds="Reports")
    from training.models import Notice, TrainingSession

    TrainingSession.objects.filter(premises=premises).update(updated_at=long_ago)
    Notice.objects.filter(premises=premises).update(updated_at=long_ago)
    return premises


def test_premises_past_review_are_queued_and_recent_ones_are_not(
    force_admin_client, forgotten, town, other_town
):
    recent = PremisesFactory(town=town, name="Busy Hotel")
    old_but_visited = make_forgotten(town, name="Revisited Lodge")
    VisitFactory(premises=old_but_visited)
    theirs = make_forgotten(other_town, name="Wensum Forgotten")
    html = force_admin_client.get(QUEUE).content.decode()
    assert "Quayside Inn" in html
    for name in (recent.name, old_but_visited.name, theirs.name):
        assert name not in html


def test_retaining_records_the_reason_and_date_and_leaves_the_queue(
    force_admin_client, force_admin, forgotten
):
    response = decide(
        force_admin_client,
        forgotten,
        decision="retain",
        reason="Linked to an open investigation",
        next_review_on=next_year(),
    )
    assert response.status_code == 302
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by) == (
        "retain",
        "Linked to an open investigation",
        force_admin,
    )
    assert decision.next_review_on == timezone.localdate() + timedelta(days=365)
    assert "Quayside Inn" not in force_admin_client.get(QUEUE).content.decode()
    # On the next review date it is back.
    RetentionDecision.objects.update(next_review_on=timezone.localdate())
    html = force_admin_client.get(QUEUE).content.decode()
    assert "Quayside Inn" in html
    assert "Retain until" in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"decision": "retain", "reason": "Open case"}, "next_review_on"),
        (
            {"decision": "retain", "reason": "Open case", "next_review_on": "01/01/2020"},
            "next_review_on",
        ),
        ({"decision": "retain", "reason": "", "next_review_on": next_year()}, "reason"),
        ({"decision": "dispose", "reason": "Past review"}, "confirm"),
        ({"decision": "forget", "reason": "Past review", "confirm": "on"}, "decision"),
    ],
)
def test_an_incomplete_decision_is_refused_and_changes_nothing(
    force_admin_client, forgotten, data, field
):
    response = decide(force_admin_client, forgotten, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RetentionDecision.objects.exists()
    forgotten.refresh_from_db()
    assert forgotten.name == "Quayside Inn"


def _all_time():
    return reports.Filters()


def test_disposal_erases_the_content_and_keeps_the_counts(
    force_admin_client, force_admin, forgotten
):
    before = reports.totals(force_admin, _all_time())
    towns_before = [
        (r.label, r.visits, r.failed) for r in reports.by_town(force_admin, _all_time())
    ]
    response = decide(
        force_admin_client,
        forgotten,
        decision="dispose",
        reason="Past the review period, no open case",
        confirm="on",
    )
    assert response.status_code == 302
    forgotten.refresh_from_db()
    assert forgotten.disposed_at is not None
    assert not forgotten.active
    assert (forgotten.name, forgotten.address, forgotten.notes) == ("Disposed premises", "", "")
    assert (forgotten.operator, forgotten.phone, forgotten.email, forgotten.postcode) == (
        "",
        "",
        "",
        "",
    )
    visit = forgotten.visits.get()
    assert (visit.debrief_notes, visit.reason) == (ERASED, ERASED)
    assert (visit.outcome, visit.result) == ("refused_other", "fail")
    assert not visit.participants.exists()
    session = forgotten.training_sessions.get()
    assert (session.notes, session.trainer) == ("", "")
    notice = forgotten.notices.get()
    assert ERASED in (notice.grounds, notice.served_on_business)
    # Reports of past periods keep their counts.
    after = reports.totals(force_admin, _all_time())
    assert (after.visits, after.failed, after.passed) == (
        before.visits,
        before.failed,
        before.passed,
    )
    assert [(r.label, r.visits, r.failed) for r in reports.by_town(force_admin, _all_time())] == (
        towns_before
    )
    # Out of the queue for good.
    assert "Disposed premises" not in force_admin_client.get(QUEUE).content.decode()


def test_disposal_scrubs_the_history_snapshots_too(force_admin_client, forgotten):
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    texts = []
    for label, pk_field in [
        ("premises.PremisesEvent", "pgh_obj_id"),
        ("visits.VisitEvent", "pgh_obj__premises"),
        ("training.TrainingSessionEvent", "pgh_obj__premises"),
        ("training.NoticeEvent", "pgh_obj__premises"),
    ]:
        events = apps.get_model(label).objects.filter(**{pk_field: forgotten.pk})
        assert events.exists(), label
        texts += [str(values) for values in events.values()]
    history = "\n".join(texts)
    for content in [
        "Quayside Inn",
        "3 Ship Lane",
        "Night porter",
        "Harbour Inns",
        "01473 613500",
        "manager@quayside",
        "Mr Smith",
        "No cash accepted",
        "PC Harper",
    ]:
        assert content not in history, content


def test_disposal_is_logged_without_the_content(force_admin_client, force_admin, forgotten):
    reference = forgotten.reference
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    entry = ErasureLog.objects.get()
    assert (entry.user, entry.force, entry.object_type, entry.object_id) == (
        force_admin,
        force_admin.force,
        "premises.premises",
        forgotten.pk,
    )
    assert (entry.reference, entry.reason) == (reference, "Past review")
    assert "1 visits" in entry.what and "premises details" in entry.what
    logged = f"{entry.what} {entry.reason} {entry.reference}"
    for content in ["Quayside", "Ship Lane", "Night porter", "Harbour", "Smith", "C-777"]:
        assert content not in logged
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.decided_by) == ("dispose", force_admin)
    # The audit viewer shows it, and its export carries it.
    page = force_admin_client.get(reverse("audit:log"), {"action": "erasure"}).content.decode()
    assert reference in page
    rows = list(
        csv.reader(
            io.StringIO(
                body(disclosed(force_admin_client, reverse("audit:export"), {"action": "erasure"})),
                newline="",
            )
        )
    )
    assert [row[2] for row in rows[1:]] == ["erasure"]


def test_the_disposed_premises_page_says_so_without_content(
    officer_client, forgotten, force_admin_client
):
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    html = officer_client.get(reverse("premises:detail", args=[forgotten.pk])).content.decode()
    assert "Disposed premises" in html
    assert "Quayside" not in html
    assert "Night porter" not in html


def test_a_premises_can_be_disposed_of_once(force_admin_client, forgotten):
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    again = decide(force_admin_client, forgotten, decision="dispose", reason="Again", confirm="on")
    assert again.status_code == 404
    assert ErasureLog.objects.count() == 1


def test_other_roles_cannot_decide(sergeant_client, forgotten):
    response = decide(sergeant_client, forgotten, decision="dispose", reason="x", confirm="on")
    assert response.status_code == 403
    forgotten.refresh_from_db()
    assert forgotten.name == "Quayside Inn"
