"""docs/security.md checks 21-23 (DPA 2018 s.62): change history, access and disclosure logs, and
logs that the application can only ever add to."""

import csv
import io
import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AccessLog, DisclosureLog, ErasureLog
from premises.models import Premises
from training.models import Notice, TrainingSession
from visits.models import Operation, Participant, Scenario, Visit

from ..conftest import answer_prompt, body, client_for, disclosed
from ..factories import (
    TEST_PASSWORD,
    NoticeFactory,
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)
from ..security.formdata import (
    notice_post,
    operation_post,
    participant_post,
    premises_post,
    scenario_post,
    session_post,
    user_post,
    visit_post,
)


def events_of(model, pk=None):
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event").objects
    return events.filter(pgh_obj_id=pk) if pk is not None else events.all()


def context_of(event) -> dict:
    return event.pgh_context.metadata if event.pgh_context_id else {}


# -- 21. Change history -----------------------------------------------------------------------


@pytest.fixture
def people(force, officer, sergeant, force_admin, inspector):
    return {
        "officer": officer,
        "sergeant": sergeant,
        "force_admin": force_admin,
        "inspector": inspector,
    }


def _creates(town, people):
    """model -> (who, URL, valid form data) for each kind of record's create page."""
    premises = PremisesFactory(town=town)
    cadet = ParticipantFactory(force=town.force)
    return premises, {
        Premises: ("officer", reverse("premises:create"), premises_post(town)),
        Visit: (
            "officer",
            reverse("visits:create", args=[premises.pk]),
            visit_post(premises, cadet),
        ),
        Operation: ("officer", reverse("visits:operation_create"), operation_post()),
        Participant: ("sergeant", reverse("visits:participant_create"), participant_post()),
        Scenario: ("sergeant", reverse("visits:scenario_create"), scenario_post()),
        TrainingSession: (
            "sergeant",
            reverse("training:session_create"),
            session_post(premises_id=premises.pk),
        ),
        Notice: (
            "sergeant",
            reverse("training:notice_create"),
            notice_post(premises, people["inspector"]),
        ),
        User: ("force_admin", reverse("accounts:user_create"), user_post()),
    }


def test_every_create_through_a_page_writes_one_history_entry_with_who_and_where(town, people):
    _, creates = _creates(town, people)
    for model, (who, url, data) in creates.items():
        before = set(model.objects.values_list("pk", flat=True))
        response = client_for(people[who]).post(url, data)
        assert response.status_code == 302, (
            model,
            response.context and response.context["form"].errors,
        )
        (pk,) = set(model.objects.values_list("pk", flat=True)) - before
        events = list(events_of(model, pk))
        assert [e.pgh_label for e in events] == ["insert"], model
        assert context_of(events[0]) == {"user": people[who].pk, "url": url}, model


def _edit_data(model, obj, records, people):
    if model is Premises:
        return premises_post(obj.town, reference=obj.reference, name="Renamed", expected_version=1)
    if model is Visit:
        data = visit_post(obj.premises, records["participant"], debrief_notes="Rewritten.")
        return {**data, "expected_version": 1}
    if model is Operation:
        return operation_post(name="Renamed operation", expected_version=1)
    if model is Participant:
        return participant_post(code=obj.code, active="", expected_version=1)
    if model is Scenario:
        return scenario_post(name=obj.name, script="A new script.", expected_version=1)
    if model is TrainingSession:
        return session_post(trainer="PC Okafor", expected_version=1)
    if model is Notice:
        return notice_post(
            obj.premises, people["inspector"], expected_version=1, status="withdrawn"
        )
    raise AssertionError(model)


EDIT_PAGES = {
    Premises: ("officer", "premises:edit", "premises"),
    Visit: ("officer", "visits:edit", "visit"),
    Operation: ("officer", "visits:operation_edit", "operation"),
    Participant: ("sergeant", "visits:participant_edit", "participant"),
    Scenario: ("sergeant", "visits:scenario_edit", "unused_scenario"),
    TrainingSession: ("sergeant", "training:session_edit", "session"),
    Notice: ("sergeant", "training:notice_edit", "notice"),
}


def test_every_update_through_a_page_writes_one_history_entry(records, force, people):
    records = {**records, "unused_scenario": ScenarioFactory(force=force)}
    for model, (who, name, key) in EDIT_PAGES.items():
        obj = records[key]
        before = events_of(model, obj.pk).count()
        url = reverse(name, args=[obj.pk])
        data = _edit_data(model, obj, records, people)
        response = client_for(people[who]).post(url, data)
        assert response.status_code == 302, (model, response.context["form"].errors)
        events = list(events_of(model, obj.pk).order_by("pgh_id"))
        assert len(events) == before + 1, model
        assert events[-1].pgh_label == "update", model
        assert context_of(events[-1]) == {"user": people[who].pk, "url": url}, model
    # A user's edit too, by a force admin.
    officer = people["officer"]
    before = events_of(User, officer.pk).count()
    data = user_post(
        username=officer.username, first_name="Renamed", password1="", password2="", role="Officer"
    )
    response = client_for(people["force_admin"]).post(
        reverse("accounts:user_edit", args=[officer.pk]),
        {**data, "collar_number": "77", "expected_version": officer.version},
    )
    assert response.status_code == 302
    assert events_of(User, officer.pk).count() == before + 1


def test_signing_in_writes_no_history_entry(officer):
    before = events_of(User, officer.pk).count()
    Client().post(reverse("accounts:login"), {"username": "officer", "password": TEST_PASSWORD})
    officer.refresh_from_db()
    assert officer.last_login is not None
    assert events_of(User, officer.pk).count() == before


def test_every_delete_writes_one_history_entry_with_who(superuser, force, town):
    """Records are deleted only on the support site; each delete is in the history too."""
    premises = PremisesFactory(town=town)
    victims = {
        Premises: PremisesFactory(town=town),
        Visit: VisitFactory(premises=premises),
        Operation: OperationFactory(force=force),
        Participant: ParticipantFactory(force=force),
        Scenario: ScenarioFactory(force=force),
        TrainingSession: TrainingSessionFactory(premises=premises),
        Notice: NoticeFactory(premises=premises),
        User: UserFactory(force=force),
    }
    client = client_for(superuser)
    for model, obj in victims.items():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        url = reverse(f"admin:{label}_delete", args=[obj.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 302, model
        assert not model.objects.filter(pk=obj.pk).exists(), model
        deletes = list(events_of(model, obj.pk).filter(pgh_label="delete"))
        assert len(deletes) == 1, model
        assert context_of(deletes[0])["user"] == superuser.pk


def test_bulk_updates_write_one_history_entry_per_row(town):
    rows = [PremisesFactory(town=town) for _ in range(3)]
    Premises.objects.filter(pk__in=[p.pk for p in rows]).update(notes="Bulk change")
    for premises in rows:
        labels = list(events_of(Premises, premises.pk).values_list("pgh_label", flat=True))
        assert sorted(labels) == ["insert", "update"]


def test_raw_sql_writes_are_in_the_history_too(town, records):
    premises = records["premises"]
    visit = records["visit"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE premises_premises SET notes = %s WHERE id = %s", ["raw", premises.pk]
        )
        cursor.execute(
            "UPDATE visits_visit SET debrief_notes = %s WHERE id = %s", ["raw notes", visit.pk]
        )
        cursor.execute("DELETE FROM visits_visit_participants WHERE visit_id = %s", [visit.pk])
    update = events_of(Premises, premises.pk).filter(pgh_label="update").get()
    assert update.notes == "raw"
    assert events_of(Visit, visit.pk).filter(pgh_label="update").get().debrief_notes == "raw notes"
    scenario = ScenarioFactory(force=town.force)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM visits_scenario WHERE id = %s", [scenario.pk])
    assert events_of(Scenario, scenario.pk).filter(pgh_label="delete").count() == 1


def test_a_rolled_back_transaction_leaves_neither_record_nor_history(town):
    history = events_of(Premises).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        PremisesFactory(town=town)
        Premises.objects.update(notes="changed")
        raise RuntimeError("the request failed")
    assert Premises.objects.count() == 0
    assert events_of(Premises).count() == history


def test_a_failed_request_leaves_neither_record_nor_history(officer, town, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the request failed after saving")

    monkeypatch.setattr("premises.views.messages.success", fail)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    response = client.post(reverse("premises:create"), premises_post(town))
    assert response.status_code == 500
    assert Premises.objects.count() == 0
    assert events_of(Premises).count() == 0


def test_the_history_page_shows_each_change_in_words(records, officer, sergeant, town):
    premises = records["premises"]
    client_for(officer).post(
        reverse("premises:edit", args=[premises.pk]),
        premises_post(
            town, reference=premises.reference, name="Cornhill House", expected_version=1
        ),
    )
    response = client_for(sergeant).get(
        reverse("audit:history", args=["premises.premises", premises.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    changed = html.index("Changed")
    assert str(officer) in html[changed:]
    section = html[changed : html.index("</section>", changed)]
    assert "<td>Name</td><td>Cornhill Lodge</td><td>Cornhill House</td>" in section
    assert "<td>Address</td>" in section  # typed again: 12 Neptune Quay
    assert "Version" not in section
    assert "Updated at" not in section
    assert "Created" in html  # the insert, further down


def test_the_history_page_of_a_user_shows_no_password(force_admin, officer):
    User.objects.filter(pk=officer.pk).update(password="md5$x$secret-hash", first_name="Jo")
    response = client_for(force_admin).get(
        reverse("audit:history", args=["accounts.user", officer.pk])
    )
    html = response.content.decode()
    assert "<td>First name</td>" in html
    assert "secret-hash" not in html
    assert not hasattr(events_of(User).first(), "password")


def test_history_of_another_forces_record_is_not_found(sergeant_client, other_town):
    theirs = PremisesFactory(town=other_town)
    response = sergeant_client.get(reverse("audit:history", args=["premises.premises", theirs.pk]))
    assert response.status_code == 404
    response = sergeant_client.get(reverse("audit:history", args=["audit.accesslog", 1]))
    assert response.status_code == 404


# -- 22. Consultation and disclosure ----------------------------------------------------------


def test_viewing_a_record_writes_one_access_log_row(records, sergeant, force_admin):
    pages = [
        ("visits:detail", records["visit"], "visits.visit", "view"),
        ("premises:detail", records["premises"], "premises.premises", "view"),
        ("visits:participant_edit", records["participant"], "visits.participant", "view"),
        ("training:session_detail", records["session"], "training.trainingsession", "view"),
        ("training:notice_detail", records["notice"], "training.notice", "view"),
        ("visits:operation_detail", records["operation"], "visits.operation", "view"),
    ]
    client = client_for(sergeant)
    for name, obj, object_type, action in pages:
        url = reverse(name, args=[obj.pk])
        before = AccessLog.objects.count()
        assert client.get(url).status_code == 200, name
        assert AccessLog.objects.count() == before + 1, name
        row = AccessLog.objects.order_by("-id").first()
        assert (row.user, row.force, row.view, row.action) == (
            sergeant,
            sergeant.force,
            name,
            action,
        )
        assert (row.object_type, row.object_id, row.path) == (object_type, obj.pk, url)
        assert timezone.now() - row.at < timedelta(minutes=1)


def test_a_report_with_premises_level_rows_is_logged_with_its_filters(records, commander):
    url = reverse("reports:report", args=["repeat-failures"])
    client_for(commander).get(url, {"preset": "last_year", "sector": "hotel"})
    row = AccessLog.objects.get()
    assert (row.action, row.view, row.object_type) == (
        "report",
        "reports:report",
        "report:repeat-failures",
    )
    assert row.params == {"preset": "last_year", "sector": "hotel"}


def test_a_list_writes_one_row_per_page_view_not_per_record(town, officer):
    for _ in range(30):
        VisitFactory(premises=PremisesFactory(town=town), officer=officer)
    client = client_for(officer)
    for name in ["visits:list", "premises:list", "training:session_list", "training:notice_list"]:
        before = AccessLog.objects.count()
        assert client.get(reverse(name), {"page": "1"}).status_code == 200
        assert AccessLog.objects.count() == before + 1, name
        row = AccessLog.objects.order_by("-id").first()
        assert (row.action, row.object_id, row.params) == ("list", None, {"page": "1"})


def test_refused_and_missing_pages_are_not_logged_as_views(records, commander):
    client = client_for(commander)
    assert (
        client.get(reverse("visits:participant_edit", args=[records["participant"].pk])).status_code
        == 403
    )
    assert client.get(reverse("visits:detail", args=[987654])).status_code == 404
    assert not AccessLog.objects.exists()


def test_an_export_asks_who_and_why_before_anything_is_sent(records, officer):
    client = client_for(officer)
    url = reverse("visits:export")
    response = client.get(url, {"result": "fail"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:disclose"))
    assert not DisclosureLog.objects.exists()
    prompt = client.get(response["Location"])
    assert prompt.status_code == 200
    assert b"Who is this for" in prompt.content
    # Both answers are required.
    hidden = prompt.context["form"].initial
    refused = client.post(reverse("audit:disclose"), {**hidden, "recipient": "", "reason": " "})
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"recipient", "reason"}
    assert not DisclosureLog.objects.exists()


def test_each_download_writes_a_disclosure_row_with_recipient_and_reason(records, officer):
    client = client_for(officer)
    url = reverse("visits:export")
    response = disclosed(
        client,
        url,
        {"result": "fail"},
        recipient="Ipswich CSE team",
        reason="Repeat failures review",
    )
    assert response.status_code == 200
    body(response)
    row = DisclosureLog.objects.get()
    assert (row.user, row.force, row.view, row.path) == (
        officer,
        officer.force,
        "visits:export",
        url,
    )
    assert (row.recipient, row.reason, row.params) == (
        "Ipswich CSE team",
        "Repeat failures review",
        {"result": "fail"},
    )
    # The same export again in this session: not asked again, but logged again.
    again = client.get(url)
    assert again.status_code == 200
    assert DisclosureLog.objects.count() == 2


@pytest.mark.parametrize(
    "name, args",
    [
        ("training:letter", "visit"),
        ("reports:report_print", "towns"),
        ("premises:export", None),
    ],
)
def test_prints_and_letters_are_disclosures_too(records, sergeant, name, args):
    arguments = [records[args].pk] if args in records else [args] if args else []
    client = client_for(sergeant)
    response = client.get(reverse(name, args=arguments))
    assert answer_prompt(client, response)
    assert client.get(reverse(name, args=arguments)).status_code == 200
    assert DisclosureLog.objects.get().view == name


def test_the_prompt_never_sends_people_off_the_site(officer_client):
    response = officer_client.post(
        reverse("audit:disclose"),
        {
            "recipient": "x",
            "reason": "y",
            "key": "premises:export[]",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 404


def test_sergeants_see_who_has_seen_a_visit(records, officer, commander, sergeant, force_admin):
    visit = records["visit"]
    url = reverse("visits:detail", args=[visit.pk])
    client_for(officer).get(url)
    client_for(commander).get(url)
    for viewer in (sergeant, force_admin):
        html = client_for(viewer).get(url).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert "Who has seen this record" in main
        panel = main[main.index("Who has seen this record") :]
        assert str(officer) in panel
        assert str(commander) in panel
        assert "viewed a record" in panel
        assert "Who has seen" not in html[: html.index("<main")]


def test_officers_and_commanders_do_not_see_the_panel(records, officer, commander):
    url = reverse("visits:detail", args=[records["visit"].pk])
    for viewer in (officer, commander):
        assert b"Who has seen this record" not in client_for(viewer).get(url).content


# -- 23. Append-only logs ---------------------------------------------------------------------

HISTORY_MODELS = [
    "accounts.UserEvent",
    "premises.PremisesEvent",
    "visits.VisitEvent",
    "visits.OperationEvent",
    "visits.ParticipantEvent",
    "visits.ScenarioEvent",
    "training.TrainingSessionEvent",
    "training.NoticeEvent",
    "training.GuestInfoRequestEvent",
    "retention.RetentionDecisionEvent",
]


@pytest.fixture
def logs(records, officer, force):
    """A row in every log table."""
    ErasureLog.objects.create(
        force=force,
        user=officer,
        object_type="premises.premises",
        object_id=1,
        reference="SUF-H-0001",
        what="premises details",
        reason="Past review",
    )
    AccessLog.objects.create(force=force, user=officer, action="view", view="x", path="/x/")
    DisclosureLog.objects.create(
        force=force, user=officer, view="x", path="/x.csv", recipient="r", reason="why"
    )
    from retention.models import RetentionDecision

    RetentionDecision.objects.create(
        force=force,
        premises=records["premises"],
        decision="retain",
        reason="Open case",
        next_review_on=timezone.localdate() + timedelta(days=30),
        decided_by=officer,
    )
    return [AccessLog, DisclosureLog, ErasureLog] + [apps.get_model(m) for m in HISTORY_MODELS]


def test_every_log_table_has_rows_to_protect(logs):
    assert all(model.objects.exists() for model in logs)


def _refused(run, *args, **kwargs):
    with pytest.raises(DatabaseError, match="(?i)cannot (update|delete)"), transaction.atomic():
        run(*args, **kwargs)


def test_the_orm_can_neither_change_nor_delete_log_rows(logs):
    for model in logs:
        row = model.objects.first()
        text_field = next(
            f.name
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField") and not f.primary_key
        )
        rows = model.objects.filter(pk=row.pk)
        _refused(rows.update, **{text_field: "forged"})
        _refused(rows.delete)
        _refused(row.delete)
        assert model.objects.filter(pk=row.pk).exists()


def test_raw_sql_can_neither_change_nor_delete_log_rows(logs):
    for model in logs:
        table = connection.ops.quote_name(model._meta.db_table)
        key = connection.ops.quote_name(model._meta.pk.column)
        pk = model.objects.values_list("pk", flat=True).first()
        _refused(_execute, f"UPDATE {table} SET {key} = {key} WHERE {key} = %s", pk)  # noqa: S608
        _refused(_execute, f"DELETE FROM {table} WHERE {key} = %s", pk)  # noqa: S608
        assert model.objects.filter(pk=pk).exists()


def _execute(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_log_text_cannot_add_lines_to_the_audit_export(force_admin, force, officer):
    forged = "\r\n2024-01-01T00:00:00,someone.else,view,visits:detail,visits.visit,1,/forged/,,"
    DisclosureLog.objects.create(
        force=force,
        user=officer,
        view="premises:export",
        path="/premises/export.csv" + forged,
        recipient="Licensing" + forged,
        reason="Review\n" + forged,
    )
    AccessLog.objects.create(
        force=force,
        user=officer,
        action="view",
        view="premises:detail",
        path="/p/" + forged,
        params={"q": forged},
    )
    client = client_for(force_admin)
    for action, count in [("disclosure", DisclosureLog), ("", AccessLog)]:
        response = disclosed(
            client, reverse("audit:export"), {"action": action} if action else None
        )
        rows = list(csv.reader(io.StringIO(body(response), newline="")))
        assert len(rows) == 1 + count.objects.count()
        assert not any(row[0].startswith("2024-01-01") for row in rows[1:])
        assert {row[1] for row in rows[1:]} <= {"officer", "force.admin"}


def test_a_form_field_cannot_smuggle_line_breaks_into_a_disclosure(officer):
    client = client_for(officer)
    response = client.get(reverse("premises:export"))
    answer_prompt(client, response, recipient="Licensing\r\nforged line", reason="Why\nnot")
    client.get(reverse("premises:export"))
    row = DisclosureLog.objects.get()
    assert (row.recipient, row.reason) == ("Licensing forged line", "Why not")


def test_logs_never_hold_passwords_session_keys_or_csrf_tokens(officer, force_admin, records):
    client = Client(enforce_csrf_checks=True)
    login = client.get(reverse("accounts:login"))
    token = str(login.context["csrf_token"])
    secrets = [token, client.cookies["csrftoken"].value]
    # A failed and a good sign-in, with the CSRF token in the form as a browser sends it.
    client.post(
        reverse("accounts:login"),
        {"username": "officer", "password": "wrong password 123", "csrfmiddlewaretoken": token},
    )
    client.post(
        reverse("accounts:login"),
        {"username": "officer", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    session_key = client.cookies["sessionid"].value
    csrf_cookie = client.cookies["csrftoken"].value
    token = str(client.get(reverse("premises:list")).context["csrf_token"])
    secrets += [TEST_PASSWORD, "wrong password 123", session_key, csrf_cookie, token]
    # Secrets in a query string, a password change, and a disclosure.
    client.get(
        reverse("premises:list"),
        {"password": TEST_PASSWORD, "csrfmiddlewaretoken": token, "q": "x"},
    )
    new_password = "a brand new passphrase for the test"
    secrets.append(new_password)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
            "csrfmiddlewaretoken": token,
        },
    )
    prompt = client.get(reverse("premises:export"))["Location"]
    answer = client.get(prompt).context["form"].initial
    answer.update(recipient="Licensing", reason="Review", csrfmiddlewaretoken=token)
    assert client.post(reverse("audit:disclose"), answer).status_code == 302
    body(client.get(reverse("premises:export")))
    assert AccessLog.objects.filter(user=officer).exists()
    assert DisclosureLog.objects.filter(user=officer).exists()
    tables = [
        "audit_accesslog",
        "audit_disclosurelog",
        "audit_erasurelog",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "pghistory_context",
    ] + [apps.get_model(model)._meta.db_table for model in HISTORY_MODELS]
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT row_to_json(t)::text FROM {table} AS t")  # noqa: S608
            text = "\n".join(row[0] for row in cursor.fetchall())
            leaked = [secret for secret in secrets if secret in text]
            if leaked:
                found[table] = leaked
    assert found == {}
    assert json.dumps(AccessLog.objects.filter(user=officer).last().params)


def test_failed_sign_ins_keep_no_password_or_csrf_token(officer):
    client = Client(enforce_csrf_checks=True)
    token = str(client.get(reverse("accounts:login")).context["csrf_token"])
    cookie = client.cookies["csrftoken"].value
    for _ in range(6):
        client.post(
            reverse("accounts:login"),
            {"username": "officer", "password": "wrong password 123", "csrfmiddlewaretoken": token},
        )
    attempt = AccessAttempt.objects.get(username="officer")
    assert attempt.failures_since_start >= 5
    logged = attempt.post_data + attempt.get_data
    assert "wrong password 123" not in logged
    assert token not in logged
    assert cookie not in logged
