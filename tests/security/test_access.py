"""docs/security.md checks 1-5 and 17: every URL behind sign-in, roles, force scoping and CSRF."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.registry import DISCLOSURE_VIEWS
from premises.models import Premises
from training.models import (
    GuestInfoRequest,
    Notice,
    OutcomeLetter,
    QueueAssignment,
    TrainingSession,
)

from ..conftest import through_disclosure
from ..factories import (
    CampaignFactory,
    GuestInfoRequestFactory,
    IssuedDocumentFactory,
    NationalScenarioFactory,
    NoticeFactory,
    OperationFactory,
    OperatorFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    TownFactory,
    TrainingSessionFactory,
    UserFactory,
    VisitFactory,
)

LOGIN_URL = "/accounts/login/"

# Pages a signed-out person must reach: signing in, resetting a password, the health check.
PUBLIC = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "healthz",
    "visits:service_worker",
}

# Values for the string parts of URLs (uidb64, token, admin app labels and object ids).
STR_KWARGS = {
    "uidb64": "MQ",
    "token": "set-password",
    "app_label": "premises",
    "content_type_id": "1",
    "url": "x",
    "report": "towns",
    "figures": "forces",
    "model": "premises.premises",
}


def walk(resolvers=None, namespace=""):
    """(view name, named-argument names with their converters) of every URL pattern."""
    found = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            prefix = _arguments(entry.pattern)
            for name, arguments in walk(entry.url_patterns, inner):
                found.append((name, {**prefix, **arguments}))
        elif isinstance(entry, URLPattern):
            if not entry.name and namespace == "admin:":
                continue  # the support site's unnamed redirects; its named pages are sampled
            assert entry.name, f"Every URL needs a name: {entry.pattern} has none"
            found.append((f"{namespace}{entry.name}", _arguments(entry.pattern)))
    return found


def _arguments(pattern):
    converters = getattr(pattern, "converters", {})
    names = list(pattern.regex.groupindex)
    return {name: converters.get(name) for name in names}


def url_for(name, arguments, pks):
    """Reverse `name`, filling whole-number arguments with a real object's primary key.

    `pks["<name>?"]`, if present, is the query string the page needs (which premises, say).
    """
    kwargs = {}
    for argument, converter in arguments.items():
        if converter is not None and converter.regex == "[0-9]+":
            kwargs[argument] = pks.get(name, pks["default"])
        elif argument in ("object_id", "id"):
            kwargs[argument] = str(pks["default"])
        else:
            kwargs[argument] = STR_KWARGS[argument]
    url = reverse(name, kwargs=kwargs)
    query = pks.get(f"{name}?")
    return f"{url}?{query}" if query else url


def all_urls(pks):
    return {name: url_for(name, arguments, pks) for name, arguments in walk()}


def is_admin(name):
    return name.startswith("admin:")


@pytest.fixture
def records(force, town, officer, national):
    """One of each record in `force`, so every URL with an id points at something real."""
    premises = PremisesFactory(town=town, operator="Harbourside Hotels")
    visit = VisitFactory(premises=premises, officer=officer)
    operation = OperationFactory(force=force)
    participant = ParticipantFactory(force=force)
    scenario = ScenarioFactory(force=force)
    national_scenario = NationalScenarioFactory(published_by=national)
    session = TrainingSessionFactory(premises=premises, visit=visit)
    notice = NoticeFactory(premises=premises)
    guest_request = GuestInfoRequestFactory(notice=notice)
    document = IssuedDocumentFactory(visit=visit)
    # Untouched for longer than the force's review period, so it is due for a retention review.
    forgotten = PremisesFactory(town=town)
    campaign = CampaignFactory()
    long_ago = timezone.now() - timedelta(days=366 * (force.review_period_years + 1))
    Premises.objects.filter(pk=forgotten.pk).update(created_at=long_ago, updated_at=long_ago)
    return {
        "default": premises.pk,
        "premises:town_edit": town.pk,
        "premises:operator_detail": premises.operator_id,
        "premises:operator_edit": premises.operator_id,
        "premises:operator_merge": premises.operator_id,
        "accounts:user_edit": officer.pk,
        "visits:detail": visit.pk,
        "visits:edit": visit.pk,
        "visits:operation_detail": operation.pk,
        "visits:operation_edit": operation.pk,
        "visits:operation_close": operation.pk,
        "visits:operation_team": operation.pk,
        "visits:operation_approve": operation.pk,
        "visits:operation_start": operation.pk,
        "visits:operation_order": operation.pk,
        "visits:operation_briefing": operation.pk,
        "visits:operation_briefing_pdf": operation.pk,
        "visits:participant_edit": participant.pk,
        "visits:scenario_detail": scenario.pk,
        "visits:scenario_edit": scenario.pk,
        "visits:library_adopt": national_scenario.pk,
        "visits:national_scenario_revise": national_scenario.pk,
        "training:session_create?": f"premises={premises.pk}&visit={visit.pk}",
        "training:session_detail": session.pk,
        "training:session_edit": session.pk,
        "training:session_deliver": session.pk,
        "training:session_ics": session.pk,
        "training:letter": visit.pk,
        "training:letter_sent": visit.pk,
        "training:document": document.pk,
        "training:notice_served": notice.pk,
        "training:request_sent": guest_request.pk,
        "training:notice_detail": notice.pk,
        "training:notice_edit": notice.pk,
        "training:request_create": notice.pk,
        "training:request_edit": guest_request.pk,
        "retention:decide": forgotten.pk,
        "reports:campaign_edit": campaign.pk,
    }


# -- 1. Anonymous walk ------------------------------------------------------------------------


def test_the_walk_finds_every_app_and_the_support_site(records):
    names = set(all_urls(records))
    assert {"home", "premises:list", "premises:edit", "accounts:user_edit"} <= names
    assert {"admin:index", "admin:premises_premises_change"} <= names
    assert {"training:queue", "training:request_edit", "accounts:force_settings"} <= names
    assert len({name for name in names if name.startswith("training:")}) == 21
    assert {"audit:disclose", "audit:history", "retention:decide", "reports:report"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_sends_anonymous_people_to_the_login_page(client, records, method):
    wrong = {}
    for name, url in all_urls(records).items():
        if name in PUBLIC or name == "accounts:logout":
            continue
        response = getattr(client, method)(url)
        location = response.get("Location", "")
        if is_admin(name) and location.startswith(reverse("admin:login")):
            # The support site sends people to its own login page, which sends them to ours.
            location = client.get(location).get("Location", "")
        if response.status_code != 302 or not location.startswith(LOGIN_URL):
            wrong[name] = (response.status_code, location)
    assert wrong == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_logout_sends_anonymous_people_to_the_login_page(client, method):
    response = getattr(client, method)(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_public_pages_answer_anonymous_people(client, records):
    urls = all_urls(records)
    for name in PUBLIC:
        assert client.get(urls[name]).status_code == 200, name


def test_the_support_login_page_sends_people_to_our_login_page(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# -- 2. Role matrix ---------------------------------------------------------------------------

# The national coordinator ("national") has no force: every record page is 403, the national
# pages 200 (docs/security.md check 39); every force role gets 403 on the national pages.
ALL_200 = {"officer": 200, "sergeant": 200, "commander": 200, "force_admin": 200, "national": 200}
FORCE_ROLES = ("officer", "sergeant", "commander", "force_admin")
FORCE_200 = {**dict.fromkeys(FORCE_ROLES, 200), "national": 403}


def allowed(*roles):
    return {role: 200 if role in roles else 403 for role in ALL_200}


# URL name -> role -> status of a GET by a signed-in member of the record's force. Downloads and
# prints first ask who they are for (checked below); the matrix holds the status after the answer.
ROLE_MATRIX = {
    "more": ALL_200,
    "home": ALL_200,
    "healthz": ALL_200,
    "accounts:login": dict.fromkeys(ALL_200, 302),  # already signed in: sent home
    "accounts:logout": dict.fromkeys(ALL_200, 405),  # POST only
    "accounts:profile": ALL_200,
    "accounts:password_change": ALL_200,
    "accounts:password_change_done": ALL_200,
    "accounts:password_reset": ALL_200,
    "accounts:password_reset_done": ALL_200,
    "accounts:password_reset_confirm": ALL_200,
    "accounts:password_reset_complete": ALL_200,
    "accounts:user_list": allowed("force_admin"),
    "accounts:user_create": allowed("force_admin"),
    "accounts:user_edit": allowed("force_admin"),
    "premises:list": FORCE_200,
    "premises:export": FORCE_200,
    "premises:export_xlsx": FORCE_200,
    "premises:detail": FORCE_200,
    "premises:create": allowed("officer", "sergeant", "force_admin"),
    "premises:edit": allowed("officer", "sergeant", "force_admin"),
    "premises:deactivate": allowed("sergeant", "force_admin"),
    "premises:import": allowed("sergeant", "force_admin"),
    "premises:town_list": allowed("force_admin"),
    "premises:town_create": allowed("force_admin"),
    "premises:town_edit": allowed("force_admin"),
    "premises:operator_list": FORCE_200,
    "premises:operator_detail": FORCE_200,
    "premises:operator_edit": allowed("sergeant", "force_admin"),
    "premises:operator_merge": allowed("sergeant", "force_admin"),
    "visits:list": FORCE_200,
    "visits:export": FORCE_200,
    "visits:export_xlsx": FORCE_200,
    "visits:detail": FORCE_200,
    "visits:log": allowed("officer", "sergeant"),
    "visits:create": allowed("officer", "sergeant"),  # of premises:detail's premises
    "visits:edit": allowed("officer", "sergeant"),  # the officer's own visit
    "visits:import": allowed("sergeant"),
    "visits:operation_list": FORCE_200,
    "visits:operation_detail": FORCE_200,
    "visits:operation_create": allowed("officer", "sergeant"),
    "visits:operation_edit": allowed("officer", "sergeant"),
    "visits:operation_close": allowed("officer", "sergeant"),
    "visits:operation_plan": allowed("sergeant", "commander", "force_admin"),  # POST: sergeant
    "visits:operation_team": allowed("officer", "sergeant"),
    "visits:operation_approve": allowed("sergeant"),
    "visits:operation_start": dict.fromkeys(ALL_200, 405),  # POST only
    "visits:operation_order": dict.fromkeys(ALL_200, 405),  # POST only
    "visits:operation_briefing": FORCE_200,
    "visits:operation_briefing_pdf": FORCE_200,
    "visits:participant_list": allowed("sergeant", "force_admin"),
    "visits:participant_create": allowed("sergeant", "force_admin"),
    "visits:participant_edit": allowed("sergeant", "force_admin"),
    "visits:scenario_list": allowed("sergeant", "force_admin"),
    "visits:scenario_create": allowed("sergeant", "force_admin"),
    "visits:scenario_detail": allowed("sergeant", "force_admin"),
    "visits:scenario_edit": allowed("sergeant", "force_admin"),
    # The national scenario library: forces adopt with the scenario permissions, only the
    # national coordinator publishes (docs/security.md check 39).
    "visits:library": allowed("sergeant", "force_admin"),
    "visits:library_adopt": allowed("sergeant", "force_admin"),
    "visits:national_scenario_list": allowed("national"),
    "visits:national_scenario_create": allowed("national"),
    "visits:national_scenario_revise": allowed("national"),
    "visits:service_worker": ALL_200,
    "accounts:force_settings": allowed("force_admin"),
    "training:queue": allowed("sergeant"),
    "training:assign": dict.fromkeys(ALL_200, 405),  # POST only
    "training:session_list": FORCE_200,
    "training:session_create": allowed("sergeant"),  # for the premises and visit in the query
    "training:session_week": FORCE_200,
    "training:my_sessions_ics": FORCE_200,
    "training:session_detail": FORCE_200,
    "training:session_edit": allowed("sergeant"),
    "training:session_deliver": allowed("sergeant"),  # a scheduled session
    "training:session_ics": FORCE_200,
    "training:letter": FORCE_200,
    "training:letter_sent": dict.fromkeys(ALL_200, 405),  # POST only
    "training:document": FORCE_200,  # an outcome letter as sent
    "training:notice_served": dict.fromkeys(ALL_200, 405),  # POST only
    "training:request_sent": dict.fromkeys(ALL_200, 405),  # POST only
    "training:notice_list": FORCE_200,
    "training:notice_create": allowed("sergeant"),
    "training:notice_detail": FORCE_200,
    "training:notice_edit": allowed("sergeant"),
    "training:request_create": allowed("sergeant"),
    "training:request_edit": allowed("sergeant"),
    "reports:dashboard": allowed("sergeant", "commander", "force_admin"),
    "reports:report": allowed("sergeant", "commander", "force_admin"),
    "reports:report_print": allowed("sergeant", "commander", "force_admin"),
    "reports:report_csv": allowed("sergeant", "commander", "force_admin"),
    "reports:report_pdf": allowed("sergeant", "commander", "force_admin"),
    "reports:report_xlsx": allowed("sergeant", "commander", "force_admin"),
    "reports:press": allowed("sergeant", "commander", "force_admin"),
    "reports:press_text": allowed("sergeant", "commander", "force_admin"),
    "accounts:lockouts": allowed("force_admin"),
    "audit:disclose": ALL_200,
    "audit:log": allowed("force_admin"),
    "audit:export": allowed("force_admin"),
    "audit:history": allowed("sergeant", "force_admin"),  # of the premises
    "retention:queue": allowed("force_admin"),
    "retention:decide": allowed("force_admin"),  # premises due for review
    "reports:national": allowed("national"),
    "reports:national_report": allowed("national"),
    "reports:national_press": allowed("national"),
    "reports:national_csv": allowed("national"),
    "reports:national_pdf": allowed("national"),
    # Campaigns are not a force's records: only the national coordinator manages them.
    "reports:campaign_list": allowed("national"),
    "reports:campaign_create": allowed("national"),
    "reports:campaign_edit": allowed("national"),
}


def test_the_role_matrix_has_a_row_for_every_url(records):
    names = {name for name in all_urls(records) if not is_admin(name)}
    assert set(ROLE_MATRIX) == names


@pytest.mark.parametrize("role", sorted(ALL_200))
def test_each_role_gets_the_status_the_matrix_expects(request, records, role):
    client = request.getfixturevalue(f"{role}_client")
    urls = all_urls(records)
    got = {name: through_disclosure(client, urls[name]).status_code for name in ROLE_MATRIX}
    expected = {name: row[role] for name, row in ROLE_MATRIX.items()}
    assert got == expected


def test_every_download_and_print_asks_who_it_is_for_first(request, records):
    urls = all_urls(records)
    prompt = reverse("audit:disclose")
    wrong = {}
    for name in sorted(DISCLOSURE_VIEWS):
        role = next(role for role, status in ROLE_MATRIX[name].items() if status == 200)
        response = request.getfixturevalue(f"{role}_client").get(urls[name])
        if response.status_code != 302 or not response["Location"].startswith(prompt):
            wrong[name] = (response.status_code, response.get("Location"))
    assert wrong == {}


@pytest.mark.parametrize("role", sorted(ALL_200))
def test_no_role_may_use_the_support_site(request, records, role):
    client = request.getfixturevalue(f"{role}_client")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_user_without_a_role_is_refused_everywhere_but_home(force, records):
    client = Client()
    client.force_login(UserFactory(force=force))
    urls = all_urls(records)
    for name in [
        "premises:list",
        "premises:detail",
        "premises:create",
        "accounts:user_list",
        "accounts:force_settings",
        "training:queue",
        "training:session_list",
        "training:session_ics",
        "training:letter",
        "training:notice_list",
    ]:
        assert client.get(urls[name]).status_code == 403, name
    assert client.get(urls["home"]).status_code == 200


# -- 3. Other force ---------------------------------------------------------------------------


@pytest.fixture
def theirs(other_force, other_town, other_officer):
    """Records of the other force."""
    return PremisesFactory(
        town=other_town, name="Wensum Riverside Hotel", reference="NOR-H-0001", postcode="NR3 1RB"
    )


@pytest.mark.parametrize(
    "name",
    [
        "premises:detail",
        "premises:edit",
        "premises:deactivate",
        "premises:town_edit",
        "premises:operator_detail",
        "premises:operator_edit",
        "premises:operator_merge",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_forces_records_are_not_found(force_admin_client, theirs, name, method):
    their_operator = OperatorFactory(force=theirs.force, name="Wensum Inns")
    Premises.objects.filter(pk=theirs.pk).update(operator=their_operator)
    pk = {
        "premises:town_edit": theirs.town_id,
        "premises:operator_detail": their_operator.pk,
        "premises:operator_edit": their_operator.pk,
        "premises:operator_merge": their_operator.pk,
    }.get(name, theirs.pk)
    response = getattr(force_admin_client, method)(reverse(name, args=[pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.version == 1
    assert theirs.active


@pytest.fixture
def their_visit_records(theirs, other_officer):
    """URL name -> primary key of the other force's visit records."""
    force = theirs.force
    visit = VisitFactory(premises=theirs, officer=other_officer)
    operation = OperationFactory(force=force)
    return {
        "visits:create": theirs.pk,
        "visits:detail": visit.pk,
        "visits:edit": visit.pk,
        "visits:operation_detail": operation.pk,
        "visits:operation_edit": operation.pk,
        "visits:operation_close": operation.pk,
        "visits:operation_team": operation.pk,
        "visits:operation_approve": operation.pk,
        "visits:operation_briefing": operation.pk,
        "visits:operation_briefing_pdf": operation.pk,
        "visits:participant_edit": ParticipantFactory(force=force).pk,
        "visits:scenario_detail": ScenarioFactory(force=force).pk,
        "visits:scenario_edit": ScenarioFactory(force=force).pk,
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_forces_visit_records_are_not_found(sergeant_client, their_visit_records, method):
    wrong = {}
    for name, pk in their_visit_records.items():
        status = getattr(sergeant_client, method)(reverse(name, args=[pk])).status_code
        if status != 404:
            wrong[name] = status
    assert wrong == {}


def test_the_planner_shows_and_takes_none_of_another_forces_records(
    sergeant_client, town, theirs, their_visit_records
):
    ours = PremisesFactory(town=town, reference="SUF-H-0001")
    url = reverse("visits:operation_plan")
    page = sergeant_client.get(url).content.decode()
    assert "SUF-H-0001" in page
    assert theirs.reference not in page
    their_operation = their_visit_records["visits:operation_detail"]
    response = sergeant_client.post(
        url, {"action": "add", "premises": [ours.pk], "operation": f"{their_operation}:1"}
    )
    assert "operation" in response.context["pick"].errors
    response = sergeant_client.post(url, {"action": "create", "premises": [theirs.pk]})
    assert "premises" in response.context["pick"].errors


def test_the_visit_export_has_none_of_another_forces_visits(
    sergeant_client, town, their_visit_records
):
    VisitFactory(premises=PremisesFactory(town=town, reference="SUF-H-0001"))
    response = through_disclosure(sergeant_client, reverse("visits:export"))
    body = b"".join(response.streaming_content).decode()
    assert "SUF-H-0001" in body
    assert "NOR-H-0001" not in body


@pytest.fixture
def their_follow_up(theirs, other_officer):
    """URL name -> primary key of the other force's training, letter and notice records."""
    visit = VisitFactory(premises=theirs, officer=other_officer)
    session = TrainingSessionFactory(premises=theirs, visit=visit)
    notice = NoticeFactory(premises=theirs)
    return {
        "training:session_detail": session.pk,
        "training:session_edit": session.pk,
        "training:session_deliver": session.pk,
        "training:session_ics": session.pk,
        "training:letter": visit.pk,
        "training:notice_detail": notice.pk,
        "training:notice_edit": notice.pk,
        "training:request_create": notice.pk,
        "training:request_edit": GuestInfoRequestFactory(notice=notice).pk,
    }


# Valid input for every follow-up form, so a page that forgot its force would save it.
FOLLOW_UP_POST = {
    "status": "cancelled",
    "scheduled_for": "01/01/2024 10:00",
    "duration_minutes": "60",
    "provider": "police",
    "staff_trained": "4",
    "expected_version": "1",
    "served_on_role": "owner",
    "served_on_business": "Hacked",
    "start_date": "01/01/2024",
    "expiry_date": "01/02/2024",
    "grounds": "Hacked",
    "made_on": "02/01/2024",
    "period_start": "01/01/2024",
    "period_end": "02/01/2024",
    "due_on": "03/01/2024",
    "complied": "no",
}


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_forces_follow_up_records_are_not_found(sergeant_client, their_follow_up, method):
    wrong = {}
    for name, pk in their_follow_up.items():
        url = reverse(name, args=[pk])
        response = through_disclosure(sergeant_client, url, FOLLOW_UP_POST, method=method)
        if response.status_code != 404:
            wrong[name] = response.status_code
    assert wrong == {}
    session = TrainingSession.objects.get()
    assert (session.status, session.version, session.staff_trained) == ("scheduled", 1, None)
    notice = Notice.objects.get()
    assert (notice.version, notice.grounds) == (1, NoticeFactory.grounds)
    guest_request = GuestInfoRequest.objects.get()
    assert guest_request.complied == "pending"


def test_another_forces_letter_cannot_be_marked_sent(sergeant_client, their_follow_up):
    response = sergeant_client.post(
        reverse("training:letter_sent", args=[their_follow_up["training:letter"]])
    )
    assert response.status_code == 404
    assert not OutcomeLetter.objects.exists()


def test_training_cannot_be_scheduled_for_another_forces_premises(
    sergeant_client, town, theirs, their_follow_up
):
    url = reverse("training:session_create")
    their_visit = their_follow_up["training:letter"]
    assert sergeant_client.get(url, {"premises": theirs.pk}).status_code == 404
    response = sergeant_client.post(
        url, {**FOLLOW_UP_POST, "status": "offered", "premises_id": theirs.pk}
    )
    assert response.status_code == 404
    # Nor can our premises' training claim to follow their visit.
    ours = PremisesFactory(town=town)
    response = sergeant_client.get(url, {"premises": ours.pk, "visit": their_visit})
    assert response.status_code == 404
    response = sergeant_client.post(
        url,
        {**FOLLOW_UP_POST, "status": "offered", "premises_id": ours.pk, "visit_id": their_visit},
    )
    assert response.status_code == 404
    assert TrainingSession.objects.count() == 1


def test_follow_up_pages_show_none_of_another_forces_records(
    sergeant_client, sergeant, town, theirs, their_follow_up
):
    their_session = TrainingSession.objects.get()
    # Planted so that only the force filter keeps it out of "my sessions".
    TrainingSession.objects.filter(pk=their_session.pk).update(owner=sergeant)
    Notice.objects.update(expiry_date=Notice.objects.get().start_date + timedelta(days=40))
    their_failed = PremisesFactory(town=theirs.town, name="Wensum Failed Inn")
    VisitFactory(premises=their_failed, visited_at=their_session.scheduled_for - timedelta(days=9))
    ours = PremisesFactory(town=town, name="Orwell Quay Hotel")
    VisitFactory(premises=ours)
    week = timezone.localtime(their_session.scheduled_for).date().isoformat()
    pages = [
        reverse("training:session_list"),
        reverse("training:session_week") + f"?week={week}",
        reverse("training:notice_list") + "?show=all",
        reverse("home"),
    ] + [reverse("training:queue") + f"?kind={kind}" for kind, _ in QueueAssignment.Kind.choices]
    for url in pages:
        response = sergeant_client.get(url)
        assert response.status_code == 200, url
        assert b"Wensum" not in response.content, url
    queue = sergeant_client.get(reverse("training:queue")).content
    assert b"Orwell Quay Hotel" in queue
    calendar = through_disclosure(sergeant_client, reverse("training:my_sessions_ics")).content
    assert b"Wensum" not in calendar
    assert b"BEGIN:VEVENT" not in calendar


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_forces_users_are_not_found(force_admin_client, other_officer, method):
    response = getattr(force_admin_client, method)(
        reverse("accounts:user_edit", args=[other_officer.pk]), {"first_name": "Hacked"}
    )
    assert response.status_code == 404
    other_officer.refresh_from_db()
    assert other_officer.first_name != "Hacked"


def test_the_list_shows_none_of_another_forces_premises(officer_client, town, theirs):
    PremisesFactory(town=town, name="Orwell Quay Hotel")
    response = officer_client.get(reverse("premises:list"))
    assert b"Orwell Quay Hotel" in response.content
    assert b"Wensum" not in response.content
    link = reverse("premises:detail", args=[theirs.pk]).encode()
    for query in [{}, {"q": "Wensum"}, {"q": "NOR-H-0001"}, {"q": "NR3 1RB"}, {"q": "hotel"}]:
        response = officer_client.get(reverse("premises:list"), query)
        assert response.status_code == 200
        assert link not in response.content
        assert b"Riverside" not in response.content


def test_filtering_by_another_forces_town_shows_nothing_of_theirs(officer_client, town, theirs):
    response = officer_client.get(reverse("premises:list"), {"town": theirs.town_id})
    assert b"Wensum" not in response.content
    assert b"Norwich" not in response.content


def test_the_csv_export_has_none_of_another_forces_premises(officer_client, town, theirs):
    PremisesFactory(town=town, reference="SUF-H-0001")
    response = through_disclosure(officer_client, reverse("premises:export"))
    body = b"".join(response.streaming_content).decode()
    assert "SUF-H-0001" in body
    assert "NOR-H-0001" not in body
    assert "Wensum" not in body


@pytest.mark.parametrize("name", ["premises:export_xlsx", "visits:export_xlsx"])
def test_the_excel_exports_have_none_of_another_forces_records(
    sergeant_client, town, their_visit_records, name
):
    VisitFactory(premises=PremisesFactory(town=town, reference="SUF-H-0001"))
    response = through_disclosure(sergeant_client, reverse(name))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "SUF-H-0001" in cells
    assert "NOR-H-0001" not in cells
    assert "Wensum Riverside Hotel" not in cells


def test_the_user_list_shows_only_the_admins_force(force_admin_client, other_officer):
    response = force_admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert b"other.officer" not in response.content


def test_the_town_list_shows_only_the_admins_force(force_admin_client, town, other_town):
    response = force_admin_client.get(reverse("premises:town_list"))
    assert b"Ipswich" in response.content
    assert b"Norwich" not in response.content


def test_the_home_page_shows_none_of_another_forces_premises(officer_client, theirs):
    response = officer_client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Wensum" not in response.content


def test_a_new_premises_cannot_use_another_forces_town(officer_client, town, other_town):
    response = officer_client.post(
        reverse("premises:create"),
        {
            "name": "Sneaky Inn",
            "sector": "hotel",
            "address": "1 Road",
            "town": other_town.pk,
            "postcode": "IP1 1AA",
            "contact_role": "manager",
        },
    )
    assert response.status_code == 200
    assert not Premises.objects.filter(name="Sneaky Inn").exists()


# -- 17. CSRF ---------------------------------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused(force_admin, records):
    premises = Premises.objects.count()
    client = Client(enforce_csrf_checks=True)
    client.force_login(force_admin)
    wrong = {}
    for name, url in all_urls(records).items():
        if is_admin(name):
            continue
        status = client.post(url, {"name": "x"}).status_code
        if status != 403:
            wrong[name] = status
    assert wrong == {}
    assert Premises.objects.count() == premises


def test_a_post_with_the_csrf_token_gets_through(force_admin, records):
    client = Client(enforce_csrf_checks=True)
    client.force_login(force_admin)
    url = reverse("premises:deactivate", args=[records["default"]])
    client.get(url)
    response = client.post(
        url,
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, "active": "0", "version": "1"},
    )
    assert response.status_code == 302


# -- 5. Safe methods --------------------------------------------------------------------------


def test_a_get_to_deactivate_only_asks_for_confirmation(sergeant_client, town):
    premises = PremisesFactory(town=town)
    response = sergeant_client.get(reverse("premises:deactivate", args=[premises.pk]))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    premises.refresh_from_db()
    assert premises.active
    assert premises.version == 1


def test_a_get_to_logout_does_not_sign_out(officer_client):
    assert officer_client.get(reverse("accounts:logout")).status_code == 405
    assert officer_client.get(reverse("premises:list")).status_code == 200


# -- 4. Mass assignment -----------------------------------------------------------------------


def _premises_form(town, **extra):
    return {
        "name": "Orwell Quay Hotel",
        "sector": "hotel",
        "address": "12 Neptune Quay",
        "town": town.pk,
        "postcode": "IP4 1AX",
        "contact_role": "manager",
        **extra,
    }


def test_create_ignores_force_created_by_version_and_active(officer_client, officer, town):
    outsider = UserFactory(force=TownFactory().force)
    response = officer_client.post(
        reverse("premises:create"),
        _premises_form(
            town,
            force=outsider.force_id,
            created_by=outsider.pk,
            updated_by=outsider.pk,
            version=99,
            active="",
        ),
    )
    assert response.status_code == 302
    premises = Premises.objects.get()
    assert premises.force_id == officer.force_id
    assert premises.created_by == officer
    assert premises.updated_by == officer
    assert premises.version == 1
    assert premises.active


def test_edit_ignores_force_created_by_version_and_active(officer_client, officer, town):
    creator = UserFactory(force=town.force)
    premises = PremisesFactory(town=town, created_by=creator)
    outsider = UserFactory(force=TownFactory().force)
    response = officer_client.post(
        reverse("premises:edit", args=[premises.pk]),
        _premises_form(
            town,
            reference=premises.reference,
            expected_version=1,
            force=outsider.force_id,
            created_by=outsider.pk,
            version=99,
            active="",
        ),
    )
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.force_id == officer.force_id
    assert premises.created_by == creator
    assert premises.updated_by == officer
    assert premises.version == 2
    assert premises.active


def test_user_create_ignores_a_posted_force_and_superuser_flag(
    force_admin_client, force_admin, other_force
):
    response = force_admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "new.officer",
            "first_name": "New",
            "last_name": "Officer",
            "rank": "constable",
            "role": "Officer",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "force": other_force.pk,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    user = User.objects.get(username="new.officer")
    assert user.force == force_admin.force
    assert not user.is_superuser
    assert not user.is_staff
