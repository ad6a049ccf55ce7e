"""docs/security.md check 21: the change history covers every table people can change; each write
is one event with who made it, shown on the History page where a person looks for it.

The audit registry is held against reality here: what audit.queries says has a History
(HISTORY_MODELS) or is part of one (HISTORY_PARTS), what audit.registry says a page's writes are
in the history, and what makesafe.dbroles makes append-only."""

from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import pghistory
import pghistory.models
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from audit.models import AccessLog
from audit.queries import HISTORY_MODELS, HISTORY_PARTS, LINK_VERBS, history
from audit.registry import NOT_LOGGED
from makesafe.dbroles import append_only_tables
from retention.models import RetentionDecision
from training.models import OutcomeLetter, QueueAssignment
from visits.models import Visit

from ..conftest import client_for, make_forgotten
from ..factories import (
    CampaignFactory,
    ForceFactory,
    GuestInfoRequestFactory,
    NationalScenarioFactory,
    NoticeFactory,
    OutcomeLetterFactory,
    ParticipantFactory,
    PremisesFactory,
    QueueAssignmentFactory,
    TownFactory,
    UserFactory,
)
from ..security.formdata import (
    operation_post,
    participant_post,
    premises_post,
    scenario_post,
    typed_date,
    user_post,
    visit_post,
)

RECORD_LABELS = {"insert", "update", "delete"}
APPS = ["accounts", "audit", "premises", "visits", "training", "retention", "reports", "demo"]

# Tables of Makesafe's apps that are not in the change history, and why.
UNTRACKED = {
    "accounts_submission": "create forms' one-time keys: written by the app, never by a person",
    "audit_accesslog": "the access log: append-only itself, written by the app, never edited",
    "audit_disclosurelog": "the disclosure log: append-only itself",
    "audit_erasurelog": "the erasure log: append-only itself",
    "audit_combinationlog": "the combination log: append-only itself",
    "training_issueddocument": "letters and notices as issued: append-only themselves, each row "
    "saying who issued it and when; only disposal at a retention review deletes them",
    "reports_visitsummary": "counts kept by database triggers from the visits, never edited",
    "reports_daytotal": "counts kept by database triggers from the visits, never edited",
    "training_reminder": "the reminder emails sent: written by send_reminders, never edited",
}

# Whose History shows a work-queue row's owner: its subject's (training.models.QueueAssignment).
QUEUE_SUBJECTS = {
    "training_due": "premises.premises",
    "retest_due": "premises.premises",
    "letter": "visits.visit",
    "notice": "training.notice",
}


def event_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy
    ]


def labels_of(event_model) -> set[str]:
    return {tracker.label for tracker in event_model.pgh_trackers}


def parts():
    return [(parent, part) for parent, listed in HISTORY_PARTS.items() for part in listed]


# -- The registry against the models ----------------------------------------------------------


def test_every_record_with_a_history_page_is_tracked_from_creation_to_deletion():
    tracked = defaultdict(set)
    for event_model in event_models():
        if "pgh_obj" in {f.name for f in event_model._meta.fields}:
            tracked[event_model.pgh_tracked_model._meta.label_lower] |= labels_of(event_model)
    for label in HISTORY_MODELS:
        assert tracked[label] >= RECORD_LABELS, label
        # The page shows the viewer's own force's records only.
        assert hasattr(apps.get_model(label).objects, "visible_to"), label


def test_every_part_of_a_history_is_tracked_and_points_at_its_record():
    for parent, part in parts():
        assert parent in HISTORY_MODELS, parent
        event_model = apps.get_model(part.events)
        link = event_model._meta.get_field(part.link)
        if link.many_to_one:
            assert link.related_model._meta.label_lower == parent, part
        if part.other:  # a many-to-many table: additions and removals (and moves, if kept)
            verbs = {label.rpartition(".")[2] for label in labels_of(event_model)}
            assert {"add", "remove"} <= verbs <= set(LINK_VERBS), part
            assert event_model._meta.get_field(part.other).many_to_one, part
        else:
            assert labels_of(event_model) >= RECORD_LABELS, part


def test_every_kind_of_work_queue_row_is_in_its_subjects_history():
    assert set(QUEUE_SUBJECTS) == set(QueueAssignment.Kind.values)
    found = {}
    for parent, part in parts():
        if part.events == "training.QueueAssignmentEvent":
            for kind in part.where.get("kind__in", [part.where.get("kind")]):
                found[kind] = parent
    assert found == QUEUE_SUBJECTS


def test_every_tracked_table_is_shown_on_a_history_page():
    shown = set(HISTORY_MODELS) | {
        apps.get_model(part.events).pgh_tracked_model._meta.label_lower for _, part in parts()
    }
    tracked = {m.pgh_tracked_model._meta.label_lower for m in event_models()}
    assert tracked == shown


def test_every_table_people_can_change_is_in_the_history():
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS and not issubclass(model, pghistory.models.Event)
    }
    tracked = {m.pgh_tracked_model._meta.db_table for m in event_models()}
    assert tables - tracked == set(UNTRACKED)


def test_every_history_table_is_append_only_for_the_app():
    """makesafe.dbroles finds them from the models: the runtime role may only add to them."""
    assert {m._meta.db_table for m in event_models()} <= set(append_only_tables())


# -- Writes and where they show ---------------------------------------------------------------


@contextmanager
def recorded():
    """The events written inside the block: {event model label: [events, oldest first]}."""
    models = event_models()
    last = {m: m.objects.aggregate(last=Max("pgh_id"))["last"] or 0 for m in models}
    found = {}
    yield found
    for model in models:
        rows = list(
            model.objects.filter(pgh_id__gt=last[model])
            .select_related("pgh_context")
            .order_by("pgh_id")
        )
        if rows:
            found[model._meta.label] = rows


def labels(found) -> dict:
    return {label: sorted(e.pgh_label for e in rows) for label, rows in found.items()}


def assert_made_by(found, user):
    for label, rows in found.items():
        for event in rows:
            context = event.pgh_context.metadata if event.pgh_context_id else {}
            assert context.get("user") == user.pk, (label, event.pgh_label, context)


def history_page(reader, label, pk) -> str:
    response = client_for(reader).get(reverse("audit:history", args=[label, pk]))
    assert response.status_code == 200
    return response.content.decode()


def entry(html, title) -> str:
    """The History entry whose heading is `title`."""
    at = html.index(f"<strong>{title}</strong>")
    return html[html.rindex("<section", 0, at) : html.index("</section>", at)]


def posted(response):
    form = response.context and response.context.get("form")
    assert response.status_code == 302, form and form.errors
    return response


@pytest.fixture
def people(officer, sergeant, second_sergeant, inspector, force_admin, superuser, national):
    return {
        "national": national,
        "officer": officer,
        "sergeant": sergeant,
        "second_sergeant": second_sergeant,
        "inspector": inspector,
        "force_admin": force_admin,
        "superuser": superuser,
    }


def test_a_town_added_and_renamed_is_in_its_history(force_admin, town):
    with recorded() as found:
        posted(client_for(force_admin).post(reverse("premises:town_create"), {"name": "Eye"}))
    assert labels(found) == {"premises.TownEvent": ["insert"]}
    assert_made_by(found, force_admin)
    eye = found["premises.TownEvent"][0].pgh_obj
    with recorded() as found:
        url = reverse("premises:town_edit", args=[eye.pk])
        posted(client_for(force_admin).post(url, {"name": "Eye Green", "expected_version": 1}))
    assert labels(found) == {"premises.TownEvent": ["update"]}
    html = history_page(force_admin, "premises.town", eye.pk)
    changed = entry(html, "Changed")
    assert "<td>Name</td><td>Eye</td><td>Eye Green</td>" in changed
    assert str(force_admin) in changed
    assert str(force_admin) in entry(html, "Created")


def test_a_change_of_force_settings_is_in_the_forces_history(force_admin, force):
    data = {
        "training_due_days": 28,
        "retest_due_days": 365,
        "letter_due_days": 21,
        "review_period_years": 6,
        "followup_horizon_months": 18,
        "training_contact": "Makesafe team, 01473 613500",
        "expected_version": force.version,
    }
    with recorded() as found:
        posted(client_for(force_admin).post(reverse("accounts:force_settings"), data))
    assert labels(found) == {"accounts.ForceEvent": ["update"]}
    assert_made_by(found, force_admin)
    changed = entry(history_page(force_admin, "accounts.force", force.pk), "Changed")
    assert "<td>Letter due days</td><td>14</td><td>21</td>" in changed
    assert "<td>Follow-up horizon (months)</td><td>12</td><td>18</td>" in changed
    assert str(force_admin) in changed


def test_a_visits_cadets_added_and_removed_are_in_its_history(records, officer, sergeant, force):
    visit, before = records["visit"], records["participant"]
    after = ParticipantFactory(force=force, code="C-914")
    data = {**visit_post(visit.premises, after), "expected_version": visit.version}
    with recorded() as found:
        posted(client_for(officer).post(reverse("visits:edit", args=[visit.pk]), data))
    assert labels(found) == {
        "visits.VisitEvent": ["update"],
        "visits.VisitParticipantEvent": ["cadet.add", "cadet.remove"],
    }
    assert_made_by(found, officer)
    html = history_page(sergeant, "visits.visit", visit.pk)
    assert str(officer) in entry(html, "Cadet C-914 added")
    assert str(officer) in entry(html, f"Cadet {before.code} removed")
    assert str(officer) in entry(html, "Changed")


def test_an_outcome_letter_sent_is_in_the_visits_history(records, sergeant, second_sergeant):
    visit = records["visit"]
    QueueAssignmentFactory(subject=visit, kind="letter", owner=second_sergeant)
    with recorded() as found:
        posted(client_for(sergeant).post(reverse("training:letter_sent", args=[visit.pk])))
    assert labels(found) == {
        "training.OutcomeLetterEvent": ["insert"],
        "training.QueueAssignmentEvent": ["delete"],  # the queue row's work is done
    }
    assert_made_by(found, sergeant)
    html = history_page(sergeant, "visits.visit", visit.pk)
    sent = entry(html, "Outcome letter sent")
    assert str(sergeant) in sent
    assert f"<dt>Sent by</dt><dd>{sergeant}</dd>" in sent
    assert f"<dt>Owner</dt><dd>{second_sergeant}</dd>" in entry(
        html, "Work-queue row no longer assigned"
    )


@pytest.mark.parametrize(
    "kind, subject", [("training_due", "premises"), ("letter", "visit"), ("notice", "notice")]
)
def test_work_queue_owners_are_in_the_history_of_the_rows_subject(
    records, sergeant, second_sergeant, kind, subject
):
    obj = records[subject]
    client = client_for(sergeant)

    def assign(owner):
        data = {"kind": kind, "subject_id": obj.pk, "owner": owner.pk if owner else ""}
        return posted(client.post(reverse("training:assign"), data))

    for owner, label in [(sergeant, "insert"), (second_sergeant, "update"), (None, "delete")]:
        with recorded() as found:
            assign(owner)
        assert labels(found) == {"training.QueueAssignmentEvent": [label]}
        assert_made_by(found, sergeant)
    html = history_page(sergeant, obj._meta.label_lower, obj.pk)
    assigned = entry(html, "Work-queue row assigned")
    assert f"<dt>Owner</dt><dd>{sergeant}</dd>" in assigned
    assert f"<dd>{QueueAssignment.Kind(kind).label}</dd>" in assigned
    reassigned = entry(html, "Work-queue row reassigned")
    assert f"<td>Owner</td><td>{sergeant}</td><td>{second_sergeant}</td>" in reassigned
    assert f"<dt>Owner</dt><dd>{second_sergeant}</dd>" in entry(
        html, "Work-queue row no longer assigned"
    )


def test_an_operations_premises_and_towns_are_in_its_history(records, officer, sergeant, town):
    operation, planned = records["operation"], records["premises"]
    extra = PremisesFactory(town=town, name="Salthouse Harbour")
    data = operation_post(premises=[extra.pk], towns=[town.pk], expected_version=1)
    with recorded() as found:
        url = reverse("visits:operation_edit", args=[operation.pk])
        posted(client_for(officer).post(url, data))
    assert labels(found) == {
        "visits.OperationEvent": ["update"],
        "visits.OperationPremisesEvent": ["premises.add", "premises.remove"],
        "visits.OperationTownEvent": ["town.add"],
    }
    assert_made_by(found, officer)
    html = history_page(sergeant, "visits.operation", operation.pk)
    assert str(officer) in entry(html, f"Premises {extra} added")
    assert str(officer) in entry(html, f"Premises {planned} removed")
    assert str(officer) in entry(html, "Town Ipswich added")


def test_an_operations_team_cadets_and_order_are_in_its_history(records, officer, sergeant, force):
    operation = records["operation"]
    cover = UserFactory(force=force, first_name="Tom", last_name="Reeve")
    cadet = ParticipantFactory(force=force, code="C-777")
    data = {
        "lead_officer": officer.pk,
        "covers": [cover.pk],
        "cadets": [cadet.pk],
        "expected_version": operation.version,
    }
    with recorded() as found:
        url = reverse("visits:operation_team", args=[operation.pk])
        posted(client_for(sergeant).post(url, data))
    assert labels(found) == {
        "visits.OperationEvent": ["update"],
        "visits.OperationMemberEvent": ["insert"],
        "visits.OperationCadetEvent": ["cadet.add"],
    }
    assert_made_by(found, sergeant)
    with recorded() as found:
        url = reverse("visits:operation_team", args=[operation.pk])
        posted(
            client_for(sergeant).post(
                url, {**data, "covers": [], "cadets": [], "expected_version": operation.version + 1}
            )
        )
    assert labels(found) == {
        "visits.OperationEvent": ["update"],
        "visits.OperationMemberEvent": ["delete"],
        "visits.OperationCadetEvent": ["cadet.remove"],
    }
    order = {"expected_version": operation.version + 2}
    order.update({f"position_{link.pk}": 1 for link in operation.visiting_order()})
    posted(client_for(sergeant).post(reverse("visits:operation_order", args=[operation.pk]), order))
    html = history_page(sergeant, "visits.operation", operation.pk)
    premises = records["premises"]
    assert str(sergeant) in entry(html, f"Premises {premises} moved in the visiting order")
    assert str(sergeant) in entry(html, "Team member booked")
    assert "Cover officer" in entry(html, "Team member booked")
    assert str(sergeant) in entry(html, "Team member taken off")
    assert str(sergeant) in entry(html, "Cadet C-777 added")
    assert str(sergeant) in entry(html, "Cadet C-777 removed")


def test_a_users_roles_and_permissions_are_in_their_history(officer, force_admin, superuser):
    url = reverse("accounts:user_edit", args=[officer.pk])
    data = user_post(username=officer.username, password1="", password2="", role=roles.SERGEANT)
    data["collar_number"] = officer.collar_number
    data["expected_version"] = 1
    with recorded() as found:
        posted(client_for(force_admin).post(url, data))
    assert labels(found) == {
        "accounts.UserEvent": ["update"],
        "accounts.UserRoleEvent": ["role.add", "role.remove"],
    }
    assert_made_by(found, force_admin)
    # Saving again with the same role leaves the roles alone.
    with recorded() as found:
        posted(client_for(force_admin).post(url, {**data, "expected_version": 2}))
    assert "accounts.UserRoleEvent" not in found
    # A permission of the user's own is given on the support site only.
    permission = Permission.objects.get(codename="change_any_visit")
    with recorded() as found, pghistory.context(user=superuser.pk):
        officer.user_permissions.add(permission)
    assert labels(found) == {"accounts.UserPermissionEvent": ["permission.add"]}
    html = history_page(force_admin, "accounts.user", officer.pk)
    assert str(force_admin) in entry(html, "Role Sergeant added")
    assert str(force_admin) in entry(html, "Role Officer removed")
    assert str(superuser) in entry(html, f"Permission {permission} added")


def test_a_guest_information_request_has_its_own_history_and_is_in_the_notices(records, sergeant):
    notice = records["notice"]
    start = notice.start_date
    data = {
        "made_on": typed_date(start + timedelta(days=2)),
        "period_start": typed_date(start),
        "period_end": typed_date(start + timedelta(days=1)),
        "due_on": typed_date(start + timedelta(days=9)),
        "complied": "pending",
    }
    client = client_for(sergeant)
    with recorded() as found:
        posted(client.post(reverse("training:request_create", args=[notice.pk]), data))
    assert labels(found) == {"training.GuestInfoRequestEvent": ["insert"]}
    request = found["training.GuestInfoRequestEvent"][0].pgh_obj
    with recorded() as found:
        url = reverse("training:request_edit", args=[request.pk])
        posted(client.post(url, {**data, "complied": "yes", "expected_version": 1}))
    assert labels(found) == {"training.GuestInfoRequestEvent": ["update"]}
    assert_made_by(found, sergeant)
    complied = "<td>Complied</td><td>Awaiting reply</td><td>Yes</td>"
    html = history_page(sergeant, "training.guestinforequest", request.pk)
    assert complied in entry(html, "Changed")
    assert "History: Guest information request" in html
    html = history_page(sergeant, "training.notice", notice.pk)
    assert complied in entry(html, "Guest information request changed")
    assert str(sergeant) in entry(html, "Guest information request recorded")


def test_a_retention_decision_has_its_own_history_and_is_in_the_premises(force_admin, town):
    forgotten = make_forgotten(town, name="Quayside Inn")
    data = {
        "decision": "retain",
        "reason": "Linked to an open investigation",
        "next_review_on": typed_date(forgotten.updated_at + timedelta(days=3650)),
    }
    with recorded() as found:
        url = reverse("retention:decide", args=[forgotten.pk])
        posted(client_for(force_admin).post(url, data))
    assert labels(found) == {"retention.RetentionDecisionEvent": ["insert"]}
    assert_made_by(found, force_admin)
    decision = found["retention.RetentionDecisionEvent"][0].pgh_obj
    html = history_page(force_admin, "retention.retentiondecision", decision.pk)
    assert "History: Retention decision" in html
    assert "<dt>Reason</dt><dd>Linked to an open investigation</dd>" in entry(html, "Created")
    recorded_entry = entry(
        history_page(force_admin, "premises.premises", forgotten.pk), "Retention decision recorded"
    )
    assert "<dt>Decision</dt><dd>Retain</dd>" in recorded_entry
    assert str(force_admin) in recorded_entry


def test_deleting_a_town_or_force_on_the_support_site_is_in_the_history(superuser):
    force = ForceFactory(code="ESX", name="Essex Police")
    town = TownFactory(force=force, name="Colchester")
    client = client_for(superuser)
    for obj in (town, force):
        label = f"{obj._meta.app_label}_{obj._meta.model_name}"
        with recorded() as found:
            posted(client.post(reverse(f"admin:{label}_delete", args=[obj.pk]), {"post": "yes"}))
        assert labels(found) == {f"{obj._meta.app_label}.{type(obj).__name__}Event": ["delete"]}
        assert_made_by(found, superuser)


def test_raw_sql_on_the_many_to_many_tables_is_in_the_history(records, force, town):
    """The triggers are the database's: a write around the ORM is recorded too."""
    visit, operation, cadet = records["visit"], records["operation"], records["participant"]
    officer = UserFactory(force=force, role=roles.OFFICER)
    statements = [
        ("visits_visit_participants", "visit_id", visit.pk, "participant_id", cadet.pk),
        ("visits_operation_towns", "operation_id", operation.pk, "town_id", town.pk),
        ("visits_operation_premises", "operation_id", operation.pk, "premises_id", 0),
        ("accounts_user_groups", "user_id", officer.pk, "group_id", 0),
    ]
    with recorded() as found, connection.cursor() as cursor:
        for table, left, left_id, right, right_id in statements:
            cursor.execute(f"DELETE FROM {table} WHERE {left} = %s", [left_id])  # noqa: S608
            if right_id:
                cursor.execute(
                    f"INSERT INTO {table} ({left}, {right}) VALUES (%s, %s)",  # noqa: S608
                    [left_id, right_id],
                )
    assert labels(found) == {
        "visits.VisitParticipantEvent": ["cadet.add", "cadet.remove"],
        "visits.OperationTownEvent": ["town.add"],
        "visits.OperationPremisesEvent": ["premises.remove"],
        "accounts.UserRoleEvent": ["role.remove"],
    }


# -- What audit.registry says is in the history ----------------------------------------------

PREMISES_CSV = (
    "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email\n"
    ",Late Bites,takeaway,11 St Johns Street,Hadleigh,IP7 5DN,,,,\n"
)
VISITS_CSV = (
    "premises_reference,visited_on,outcome,stage,participant,scenario,debrief_notes,operation\n"
    "{reference},2021-09-18 20:15,completed,key_issued,C-777,,,\n"
)


def _registry_writes(records, town, people):
    """URL name -> (who, URL, POST data, the events it writes) for every page that audit.registry
    says shows no records but writes to the change history."""
    premises, visit, operation = records["premises"], records["visit"], records["operation"]
    records = {**records, "campaign": CampaignFactory()}
    visits_csv = VISITS_CSV.format(reference=premises.reference).encode()
    return {
        "premises:create": (
            "officer",
            reverse("premises:create"),
            premises_post(town),
            {"premises.PremisesEvent": ["insert"]},
        ),
        "premises:import": (
            "sergeant",
            reverse("premises:import"),
            {"file": SimpleUploadedFile("premises.csv", PREMISES_CSV.encode(), "text/csv")},
            {"premises.PremisesEvent": ["insert"], "premises.TownEvent": ["insert"]},
        ),
        "premises:town_create": (
            "force_admin",
            reverse("premises:town_create"),
            {"name": "Framlingham"},
            {"premises.TownEvent": ["insert"]},
        ),
        "visits:import": (
            "sergeant",
            reverse("visits:import"),
            {"file": SimpleUploadedFile("visits.csv", visits_csv, "text/csv")},
            {
                "visits.VisitEvent": ["insert"],
                "visits.ParticipantEvent": ["insert"],
                "visits.VisitParticipantEvent": ["cadet.add"],
            },
        ),
        "visits:participant_create": (
            "sergeant",
            reverse("visits:participant_create"),
            participant_post(),
            {"visits.ParticipantEvent": ["insert"]},
        ),
        "visits:scenario_create": (
            "sergeant",
            reverse("visits:scenario_create"),
            scenario_post(),
            {"visits.ScenarioEvent": ["insert"]},
        ),
        "visits:operation_order": (
            "officer",
            reverse("visits:operation_order", args=[operation.pk]),
            {
                "expected_version": operation.version,
                **{f"position_{link.pk}": 1 for link in operation.visiting_order()},
            },
            {
                "visits.OperationEvent": ["update"],
                "visits.OperationPremisesEvent": ["premises.reorder"],
            },
        ),
        "visits:operation_start": (
            "officer",
            reverse("visits:operation_start", args=[operation.pk]),
            {},
            {"visits.OperationEvent": ["update"]},
        ),
        "training:assign": (
            "sergeant",
            reverse("training:assign"),
            {"kind": "training_due", "subject_id": premises.pk, "owner": people["sergeant"].pk},
            {"training.QueueAssignmentEvent": ["insert"]},
        ),
        "training:letter_sent": (
            "sergeant",
            reverse("training:letter_sent", args=[visit.pk]),
            {},
            {"training.OutcomeLetterEvent": ["insert"]},
        ),
        "reports:campaign_create": (
            "national",
            reverse("reports:campaign_create"),
            {"name": "Safer nights", "starts_on": "01/09/2021", "ends_on": "30/09/2021"},
            {"visits.CampaignEvent": ["insert"]},
        ),
        "reports:campaign_edit": (
            "national",
            reverse("reports:campaign_edit", args=[records["campaign"].pk]),
            {
                "name": "Safer nights, renamed",
                "starts_on": "01/09/2021",
                "ends_on": "30/09/2021",
                "expected_version": 1,
            },
            {"visits.CampaignEvent": ["update"]},
        ),
        "visits:national_scenario_create": (
            "national",
            reverse("visits:national_scenario_create"),
            scenario_post(name="Room for the afternoon"),
            {"visits.NationalScenarioEvent": ["insert"]},
        ),
        "accounts:user_create": (
            "force_admin",
            reverse("accounts:user_create"),
            user_post(),
            {"accounts.UserEvent": ["insert"], "accounts.UserRoleEvent": ["role.add"]},
        ),
    }


def test_every_page_the_registry_says_writes_history_writes_it_with_who(records, town, people):
    writes = _registry_writes(records, town, people)
    claims = {name for name, reason in NOT_LOGGED.items() if "change history" in reason}
    assert set(writes) == claims
    for name, (who, url, data, expected) in writes.items():
        with recorded() as found:
            posted(client_for(people[who]).post(url, data))
        assert labels(found) == expected, name
        assert_made_by(found, people[who])


# -- The History page: in a bounded number of queries, and where people look --------------------


def _grow(records, force, town, people, n):
    """`n` more events of every kind the histories of a visit, an operation, a premises, a
    notice and a user show, by several people."""
    visit, operation, premises = records["visit"], records["operation"], records["premises"]
    notice, officer = records["notice"], people["officer"]
    sergeants = [people["sergeant"], people["second_sergeant"]]
    for i in range(n):
        cadet = ParticipantFactory(force=force)
        by = UserFactory(force=force, role=roles.SERGEANT, rank="sergeant")
        with pghistory.context(user=by.pk):
            visit.participants.add(cadet)
            visit.participants.remove(cadet)
            other = PremisesFactory(town=town)
            operation.premises.add(other)
            operation.towns.add(TownFactory(force=force))
            officer.groups.add(*roles_groups())
            officer.groups.remove(*roles_groups()[1:])
            GuestInfoRequestFactory(notice=notice)
            for kind, subject in [
                ("training_due", premises),
                ("letter", visit),
                ("notice", notice),
            ]:
                row, _ = QueueAssignment.objects.update_or_create(
                    force=force,
                    kind=kind,
                    subject_id=subject.pk,
                    defaults={"owner": sergeants[i % 2], "assigned_by": by},
                )
    if not OutcomeLetter.objects.filter(visit=visit).exists():
        OutcomeLetterFactory(visit=visit, sent_by=people["sergeant"])
    Visit.objects.filter(pk=visit.pk).update(debrief_notes=f"Rewritten {n} times.")


def roles_groups():
    return list(Group.objects.filter(name__in=roles.ROLES).order_by("name"))


def _history_queries(obj) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = history(obj)
    assert rows
    return len(captured)


def test_history_reads_in_the_same_number_of_queries_with_few_events_or_many(
    records, force, town, people
):
    records = {**records, "user": people["officer"]}
    shown = ["visit", "operation", "premises", "notice", "user"]
    _grow(records, force, town, people, 1)
    few = {key: _history_queries(records[key]) for key in shown}
    _grow(records, force, town, people, 12)
    many = {key: _history_queries(records[key]) for key in shown}
    assert many == few
    # One for the record's events, one or two per part, one per kind of row named.
    assert max(few.values()) <= 12


def test_the_history_page_reads_in_a_few_queries_and_is_logged(
    records, force, town, people, django_assert_max_own_queries
):
    _grow(records, force, town, people, 10)
    client = client_for(people["sergeant"])
    url = reverse("audit:history", args=["visits.visit", records["visit"].pk])
    client.get(url)  # a sergeant's first page counts the work queue for the badge
    # The visit and its premises (its name), its events, its cadets' events, its letter's and
    # its queue row's (which rows, then their events), and the users, premises, scenarios and
    # cadets they name: 12, however many events.
    with django_assert_max_own_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    row = AccessLog.objects.order_by("-id").first()
    assert (row.view, row.action, row.object_type, row.object_id) == (
        "audit:history",
        "history",
        "visits.visit",
        records["visit"].pk,
    )


def test_the_new_history_pages_are_linked_where_their_records_are_shown(
    records, force, town, force_admin, sergeant
):
    forgotten = make_forgotten(town, name="Quayside Inn")
    # Retained until a date now past: back in the review queue, with its last decision.
    decision = RetentionDecision.objects.create(
        force=force,
        premises=forgotten,
        decision="retain",
        reason="Open case",
        next_review_on=forgotten.updated_at.date(),
        decided_by=force_admin,
    )
    guest_request = records["guest_request"]
    national_scenario = NationalScenarioFactory()
    pages = [
        (
            sergeant,
            national_scenario.get_absolute_url(),
            ("visits.nationalscenario", national_scenario.pk),
        ),
        (force_admin, reverse("premises:town_edit", args=[town.pk]), ("premises.town", town.pk)),
        (force_admin, reverse("accounts:force_settings"), ("accounts.force", force.pk)),
        (
            sergeant,
            reverse("training:request_edit", args=[guest_request.pk]),
            ("training.guestinforequest", guest_request.pk),
        ),
        (
            force_admin,
            reverse("retention:queue"),
            ("retention.retentiondecision", decision.pk),
        ),
        (
            force_admin,
            reverse("retention:decide", args=[forgotten.pk]),
            ("retention.retentiondecision", decision.pk),
        ),
    ]
    for viewer, url, target in pages:
        html = client_for(viewer).get(url).content.decode()
        assert f'href="{reverse("audit:history", args=target)}"' in html, url
        assert client_for(viewer).get(reverse("audit:history", args=target)).status_code == 200


def test_history_of_another_forces_town_force_request_or_decision_is_not_found(
    sergeant, force_admin, other_town, other_force
):
    theirs = PremisesFactory(town=other_town)
    other_admin = UserFactory(force=other_force, role=roles.FORCE_ADMIN)
    targets = [
        ("premises.town", other_town.pk),
        ("accounts.force", other_force.pk),
        (
            "training.guestinforequest",
            GuestInfoRequestFactory(notice=NoticeFactory(premises=theirs)).pk,
        ),
        (
            "retention.retentiondecision",
            RetentionDecision.objects.create(
                force=other_force,
                premises=theirs,
                decision="dispose",
                reason="Past review",
                decided_by=other_admin,
            ).pk,
        ),
    ]
    for viewer in (sergeant, force_admin):
        for label, pk in targets:
            response = client_for(viewer).get(reverse("audit:history", args=[label, pk]))
            assert response.status_code == 404, (viewer, label)
