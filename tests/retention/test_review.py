"""docs/security.md check 29: records past review are queued; each decision is recorded; disposal
erases the content, keeps the counts and leaves an erasure-log entry without the content."""

import csv
import io
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, DisclosureLog, ErasureLog
from premises.models import Operator, Premises
from premises.services import ImportFailed, premises_import
from reports import reports
from retention.models import RetentionDecision
from retention.services import ERASED, retention_dispose, retention_retain
from training.models import IssuedDocument

from ..conftest import PROJECT_DIR, body, disclosed, make_forgotten
from ..factories import (
    IssuedDocumentFactory,
    NoticeFactory,
    OperationFactory,
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
    # Permission recorded before that visit, as a live visit needs (docs/domain.md).
    cadet = ParticipantFactory(
        force=force, code="C-777", permission_recorded_on=(long_ago - timedelta(days=30)).date()
    )
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
        None,
        "",
        "",
        "",
    )
    # The operator names a chain whose other premises keep their records: it stays.
    assert Operator.objects.filter(force=forgotten.force, name="Harbour Inns").exists()
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
    # Nor the link to its operator.
    snapshots = apps.get_model("premises.PremisesEvent").objects.filter(pgh_obj_id=forgotten.pk)
    assert set(snapshots.values_list("operator_id", flat=True)) == {None}
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


def test_disposal_erases_the_history_of_the_cadet_links_too(
    force_admin_client, forgotten, force, town
):
    """Which cadet was on which visit is what disposal deletes: not its history either. Other
    visits' cadet links keep theirs."""
    visit = forgotten.visits.get()
    kept = VisitFactory(premises=PremisesFactory(town=town))
    kept.participants.add(ParticipantFactory(force=force, code="C-778"))
    history = apps.get_model("visits.VisitParticipantEvent").objects
    assert history.filter(visit_id=visit.pk).exists()
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    assert not history.filter(visit_id=visit.pk).exists()
    assert list(history.filter(visit_id=kept.pk).values_list("pgh_label", flat=True)) == [
        "cadet.add"
    ]
    page = force_admin_client.get(reverse("audit:history", args=["visits.visit", visit.pk]))
    assert "C-777" not in page.content.decode()


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


# -- Disposal leaves nothing behind -----------------------------------------------------------


def dispose(client, premises, reason="Past review"):
    response = decide(client, premises, decision="dispose", reason=reason, confirm="on")
    assert response.status_code == 302
    premises.refresh_from_db()
    return premises


def test_disposal_erases_what_names_the_premises_from_the_forces_logs(
    force_admin_client, officer, force, other_force, forgotten
):
    reference, postcode = forgotten.reference, forgotten.postcode
    log = {"force": force, "user": officer, "view": "premises:list", "path": "/premises/"}
    naming = [
        {"q": "quayside  INN"},
        {"q": [postcode.replace(" ", "").lower(), "hotel"], "page": "2"},
        {"q": reference.lower()},
        {"q": "manager@quayside.example"},
        {"q": "3 ship lane, Ipswich"},
    ]
    named = [AccessLog.objects.create(action="list", params=p, **log) for p in naming]
    unrelated = AccessLog.objects.create(action="list", params={"q": "Quay Hotel"}, **log)
    theirs = AccessLog.objects.create(
        force=other_force, action="list", view="x", path="/x/", params={"q": "Quayside Inn"}
    )
    letter = DisclosureLog.objects.create(
        **log,
        params={"premises": "Quayside Inn"},
        recipient="Manager, Quayside Inn",
        reason=f"Outcome letter for Quayside Inn ({reference})",
    )
    dispose(force_admin_client, forgotten)
    assert [AccessLog.objects.get(pk=row.pk).params for row in named] == [
        {"q": ERASED},
        {"q": [ERASED, "hotel"], "page": "2"},
        {"q": ERASED},
        {"q": ERASED},
        {"q": f"{ERASED}, Ipswich"},
    ]
    assert AccessLog.objects.get(pk=unrelated.pk).params == {"q": "Quay Hotel"}
    assert AccessLog.objects.get(pk=theirs.pk).params == {"q": "Quayside Inn"}
    letter.refresh_from_db()
    assert (letter.params, letter.recipient, letter.reason) == (
        {"premises": ERASED},
        f"Manager, {ERASED}",
        f"Outcome letter for {ERASED} ({ERASED})",
    )
    assert "5 access-log and 1 disclosure-log entries" in ErasureLog.objects.get().what


def test_disposal_erases_earlier_retain_reasons_and_their_history(
    force_admin_client, force_admin, forgotten
):
    retained = retention_retain(
        premises=forgotten,
        user=force_admin,
        reason="Quayside Inn: open investigation",
        next_review_on=timezone.localdate() + timedelta(days=1),
    )
    RetentionDecision.objects.filter(pk=retained.pk).update(next_review_on=timezone.localdate())
    dispose(force_admin_client, forgotten)
    retained.refresh_from_db()
    assert retained.reason == ERASED
    history = apps.get_model("retention", "RetentionDecisionEvent").objects
    assert history.filter(pgh_obj_id=retained.pk).exists()
    assert not history.filter(reason__icontains="investigation").exists()


def test_disposal_redacts_the_briefing_notes_that_name_the_premises(
    force_admin_client, force, other_force, forgotten
):
    plan = "Start at Quayside Inn (3 Ship Lane), then the Anchor."
    ours = OperationFactory(force=force, briefing_notes=plan)
    quiet = OperationFactory(force=force, briefing_notes="The Anchor only.")
    theirs = OperationFactory(force=other_force, briefing_notes=plan)
    dispose(force_admin_client, forgotten)
    ours.refresh_from_db()
    assert ours.briefing_notes == f"Start at {ERASED} ({ERASED}), then the Anchor."
    assert ours.version == 2  # an edit opened before the disposal cannot write the name back
    quiet.refresh_from_db()
    theirs.refresh_from_db()
    assert (quiet.version, theirs.briefing_notes) == (1, plan)
    history = apps.get_model("visits", "OperationEvent").objects.filter(pgh_obj_id=ours.pk)
    assert history.count() >= 2
    assert not history.filter(briefing_notes__icontains="Quayside").exists()
    assert "its name in 1 operation briefing notes" in ErasureLog.objects.get().what


def test_a_premises_is_erased_under_the_names_it_had_before(force_admin_client, officer, forgotten):
    long_ago = forgotten.updated_at
    forgotten.name = "Quayside Hotel"
    forgotten.save()
    Premises.objects.filter(pk=forgotten.pk).update(updated_at=long_ago)
    row = AccessLog.objects.create(
        force=forgotten.force,
        user=officer,
        action="list",
        view="premises:list",
        path="/premises/",
        params={"q": "Quayside Inn"},
    )
    dispose(force_admin_client, forgotten)
    row.refresh_from_db()
    assert row.params == {"q": ERASED}
    events = apps.get_model("premises", "PremisesEvent").objects.filter(pgh_obj_id=forgotten.pk)
    assert not events.filter(name__icontains="Quayside").exists()


def test_the_disposal_reason_is_kept_without_naming_the_premises(force_admin_client, forgotten):
    dispose(force_admin_client, forgotten, reason="Quayside Inn closed in 2019")
    assert ErasureLog.objects.get().reason == f"{ERASED} closed in 2019"
    assert RetentionDecision.objects.get().reason == f"{ERASED} closed in 2019"


def test_disposal_leaves_every_trigger_on_for_the_rest_of_the_request(force_admin, forgotten):
    retention_dispose(premises=forgotten, user=force_admin, reason="Past review")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        assert "append_only" not in (cursor.fetchone()[0] or "")
    events = apps.get_model("premises", "PremisesEvent").objects.filter(pgh_obj_id=forgotten.pk)
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        events.update(name="Quayside Inn")


def test_the_app_erases_only_through_the_database_function():
    source = (PROJECT_DIR / "retention" / "services.py").read_text()
    assert "pgtrigger" not in source
    for path in PROJECT_DIR.glob("*/**/*.py"):
        if path.parts[len(PROJECT_DIR.parts)] in {".venv", "tests", "bench"}:
            continue
        assert "pgtrigger.ignore(" not in path.read_text(), path


def test_a_disposed_premises_cannot_be_edited_or_reactivated(
    force_admin_client, sergeant_client, forgotten
):
    dispose(force_admin_client, forgotten)
    detail = sergeant_client.get(reverse("premises:detail", args=[forgotten.pk]))
    assert detail.status_code == 200
    for name in ("premises:edit", "premises:deactivate"):
        url = reverse(name, args=[forgotten.pk])
        assert url not in detail.content.decode()
        assert sergeant_client.get(url).status_code == 404
        assert sergeant_client.post(url, {"name": "Quayside Inn"}).status_code == 404
    forgotten.refresh_from_db()
    assert (forgotten.name, forgotten.active) == ("Disposed premises", False)
    # Nor around the pages: the database refuses any change to the row.
    for change in ({"active": True}, {"name": "Quayside Inn"}, {"disposed_at": None}):
        with pytest.raises(IntegrityError, match="premises_disposed_final"), transaction.atomic():
            Premises.objects.filter(pk=forgotten.pk).update(**change)


def test_the_support_site_shows_a_disposed_premises_read_only(
    force_admin_client, superuser_client, forgotten
):
    dispose(force_admin_client, forgotten)
    url = reverse("admin:premises_premises_change", args=[forgotten.pk])
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.post(url, {"name": "Quayside Inn"}).status_code == 403


def test_a_disposed_premises_cannot_be_imported_again(force_admin_client, force, forgotten):
    dispose(force_admin_client, forgotten)
    csv_text = (
        "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email\n"
        f"{forgotten.reference.lower()},Quayside Inn,hotel,3 Ship Lane,Ipswich,IP4 1AX,,,,\n"
        ",Anchor,licensed,1 Quay St,Ipswich,IP4 1AX,,,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        premises_import(force=force, user=None, text=csv_text)
    assert failed.value.result.errors == [
        (
            2,
            f"reference {forgotten.reference} belongs to premises disposed of at a retention "
            "review: it cannot be imported again",
        )
    ]
    forgotten.refresh_from_db()
    assert forgotten.name == "Disposed premises"
    assert not Premises.objects.filter(name__in=["Quayside Inn", "Anchor"]).exists()


def test_names_are_matched_as_written_not_as_patterns(force_admin_client, officer, town):
    premises = make_forgotten(town, name="St. Mary's B&B (Quay)")
    log = {"force": town.force, "user": officer, "view": "premises:list", "path": "/premises/"}
    named = AccessLog.objects.create(action="list", params={"q": "st. mary's b&b  (quay)"}, **log)
    near = AccessLog.objects.create(action="list", params={"q": "StX Mary's B&B (Quay)"}, **log)
    dispose(force_admin_client, premises)
    assert AccessLog.objects.get(pk=named.pk).params == {"q": ERASED}
    assert AccessLog.objects.get(pk=near.pk).params == {"q": "StX Mary's B&B (Quay)"}


def test_disposal_deletes_the_documents_issued_to_the_premises(
    force_admin_client, sergeant_client, forgotten, town
):
    """A letter or notice as issued names the premises and its address: disposal deletes it,
    through the database function only (the table refuses DELETE otherwise), and says how many
    in the erasure log. Other premises keep theirs."""
    visit = forgotten.visits.get()
    sergeant_client.post(reverse("training:letter_sent", args=[visit.pk]))
    sergeant_client.post(reverse("training:notice_served", args=[forgotten.notices.get().pk]))
    kept = IssuedDocumentFactory(visit=VisitFactory(premises=PremisesFactory(town=town)))
    assert IssuedDocument.objects.filter(premises=forgotten).count() == 2
    decide(force_admin_client, forgotten, decision="dispose", reason="Past review", confirm="on")
    assert list(IssuedDocument.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "2 issued letters and notices" in ErasureLog.objects.get().what


def test_disposal_covers_every_table_that_refers_to_premises():
    """A new table holding a premises' records must be handled by retention_erase_premises
    (retention/migrations/): its name is in the function's latest text."""
    latest = sorted((PROJECT_DIR / "retention" / "migrations").glob("0*.py"))[-1]
    function = import_module(f"retention.migrations.{latest.stem}").AFTER
    referring = {
        model._meta.db_table
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is Premises
        and not model._meta.db_table.endswith("event")
        and model._meta.app_label != "audit"
    }
    missing = {table for table in referring if table not in function}
    assert missing == set(KEPT_AT_DISPOSAL)


# Tables that refer to premises and that disposal leaves as they are, and why.
KEPT_AT_DISPOSAL = {
    "visits_operation_premises": "which operations listed it: a link without content, kept "
    "like the visits' counts",
}
