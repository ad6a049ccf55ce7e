"""docs/security.md check 15: every form, fuzzed through its page, never answers a 500.

The edit forms: each field gets a value a person might type, usually valid and sometimes not,
or junk (tests/security/fuzzing.py: NUL, lone surrogates, Unicode digits, bytes that are not
UTF-8, very long text). The page must answer 200 with the errors (saving nothing) or 302 having
saved exactly one row; never a 500. A fair number of the examples must be valid, so that saving
is exercised too.

Every form of the site, found on its page (every URL that takes a POST): first each of the
worst values (fuzzing.WORST) in every field at once, then each value a field may accept but
the database may not (fuzzing.PASSING) in each field that is not a select, alone, the others
as the page offers them; then Hypothesis sends each field with one of its own values or junk,
or leaves it out, with unexpected fields beside them. No answer is a 5xx, and any answer but a
redirect has changed no record.
"""

import inspect
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Force, User
from premises.models import Premises, Town
from retention.models import RetentionDecision
from training.models import (
    GuestInfoRequest,
    Notice,
    OutcomeLetter,
    QueueAssignment,
    TrainingSession,
)
from visits.models import Indicator, Operation, Participant, Scenario, StaffRole, Visit

from ..conftest import client_for
from ..factories import (
    OperationFactory,
    ParticipantFactory,
    PremisesFactory,
    ScenarioFactory,
    UserFactory,
)
from .fuzzing import ANY_TEXT, JUNK, PASSING, WORST, encoded, fuzz_settings, read_page
from .test_url_coverage import HAPPY_PATHS, POST

FUZZ = fuzz_settings(200)
FORM_EXAMPLES = 20


def maybe(valid):
    """A field that may be left out altogether (an unticked box, an empty choice)."""
    return st.one_of(st.none(), valid)


def typed_day(days_from: int, days_to: int):
    today = timezone.localdate()
    return st.integers(days_from, days_to).map(
        lambda n: (today + timedelta(days=n)).strftime("%d/%m/%Y")
    )


def typed_moment(hours_from: int, hours_to: int):
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    return st.integers(hours_from * 60, hours_to * 60).map(
        lambda minutes: datetime.strftime(now + timedelta(minutes=minutes), "%d/%m/%Y %H:%M")
    )


def some_of(values, min_size=0):
    return st.lists(st.sampled_from(values), min_size=min_size, max_size=len(values), unique=True)


def form(**fields):
    """Forms whose fields are valid one by one, with up to three of them replaced by junk.

    A field drawn as None is left out; a field named `_...` draws a dict of several fields that
    depend on each other (a start and an end date, say).
    """

    def build(drawn):
        values, spoiled, junk = drawn
        data = {}
        for key, value in values.items():
            if key.startswith("_"):
                data.update(value)
            elif value is not None:
                data[key] = value
        for key, value in zip(spoiled, junk, strict=False):
            data[key] = value
        return data

    names = [name for name in fields if not name.startswith("_")]
    return st.tuples(
        st.fixed_dictionaries(fields),
        st.lists(st.sampled_from(names), max_size=3, unique=True),
        st.lists(JUNK, min_size=3, max_size=3),
    ).map(build)


def pairs(data: dict) -> list[tuple]:
    """A form's fields as (name, value) pairs, a list giving one pair per value."""
    return [
        (key, item)
        for key, value in data.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def post_raw(client, url, fields: list[tuple]):
    """POST `fields` as a browser sends a form, every value's bytes percent-encoded."""
    return client.post(url, encoded(fields), content_type="application/x-www-form-urlencoded")


def fuzz(client, url, model, strategy, check=None):
    """POST `strategy`'s forms to `url`; a 302 adds one `model` row, a 200 none and shows why."""
    outcomes = Counter()

    @FUZZ
    @given(data=strategy)
    def post(data):
        before = model.objects.count()
        response = post_raw(client, url, pairs(data))
        assert response.status_code in (200, 302), (response.status_code, data)
        if response.status_code == 302:
            assert model.objects.count() == before + 1, data
            if check:
                check(model.objects.order_by("-pk").first(), data)
            outcomes["saved"] += 1
        else:
            assert model.objects.count() == before, data
            assert response.context["form"].errors, data
            outcomes["refused"] += 1

    post()
    assert outcomes["saved"] >= 5, outcomes
    assert outcomes["refused"] >= 5, outcomes
    assert sum(outcomes.values()) >= 200, outcomes


WORDS = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=["Cs"]),
    min_size=1,
    max_size=60,
)
POSTCODES = st.sampled_from(["IP4 1AX", "ip41ax", "NR3 1RB", "CB1 2AB", "SW1A 1AA", "IP33 1UZ"])


def test_the_premises_form(officer, town):
    strategy = form(
        name=WORDS,
        sector=st.sampled_from(Premises.Sector.values),
        operator=maybe(WORDS),
        address=WORDS,
        town=st.just(town.pk),
        postcode=POSTCODES,
        reference=maybe(st.from_regex(r"[A-Z0-9][A-Z0-9/-]{0,12}", fullmatch=True)),
        uprn=maybe(st.from_regex(r"[0-9]{1,12}", fullmatch=True)),
        licence_reference=maybe(WORDS),
        phone=maybe(st.sampled_from(["01473 613500", "07700 900123", "+44 1473 613500"])),
        email=maybe(st.emails()),
        contact_role=st.sampled_from(Premises.ContactRole.values),
        notes=maybe(WORDS),
    )
    fuzz(client_for(officer), reverse("premises:create"), Premises, strategy)


def test_the_visit_form(officer, force, town):
    premises = PremisesFactory(town=town)
    cadets = [ParticipantFactory(force=force) for _ in range(2)]
    scenario = ScenarioFactory(force=force)
    operation = OperationFactory(force=force)
    strategy = form(
        premises=st.just(premises.pk),
        operation=maybe(st.just(operation.pk)),
        visited_at=typed_moment(-24 * 400, 2),
        participants=some_of([c.pk for c in cadets], min_size=1),
        scenario=maybe(st.just(scenario.pk)),
        indicators=maybe(some_of(Indicator.values)),
        stage_reached=st.sampled_from(Visit.Stage.values),
        outcome=st.sampled_from(Visit.Outcome.values),
        police_contact=st.sampled_from(Visit.PoliceContact.values),
        reason=maybe(WORDS),
        staff_roles=maybe(some_of(StaffRole.values)),
        debrief_held=maybe(st.just("on")),
        debrief_attendees=maybe(some_of(StaffRole.values)),
        debrief_notes=WORDS,
        material_left=maybe(some_of(Visit.Material.values)),
        training_offered=maybe(st.just("on")),
        training_accepted=maybe(st.just("on")),
        welfare_debrief_done=maybe(st.just("on")),
    )

    def graded(visit, data):
        assert visit.result == Visit.result_for(visit.outcome)
        assert (visit.force, visit.officer) == (force, officer)

    url = reverse("visits:create", args=[premises.pk])
    fuzz(client_for(officer), url, Visit, strategy, check=graded)


def test_the_training_session_form(sergeant, town):
    premises = PremisesFactory(town=town)
    strategy = form(
        _premises=st.just({"premises_id": premises.pk}),
        status=st.sampled_from(["offered", "accepted", "declined", "scheduled"]),
        scheduled_for=maybe(typed_moment(-48, 24 * 60)),
        duration_minutes=st.integers(0, 700).map(str),
        provider=st.sampled_from(TrainingSession.Provider.values),
        trainer=maybe(WORDS),
        owner=maybe(st.just(sergeant.pk)),
        staff_trained=maybe(st.integers(0, 40).map(str)),
        materials=maybe(some_of(TrainingSession.Material.values)),
        notes=maybe(WORDS),
    )
    url = reverse("training:session_create")
    fuzz(client_for(sergeant), url, TrainingSession, strategy)


def notice_dates(days):
    start, length = days
    today = timezone.localdate()
    return {
        "start_date": (today + timedelta(days=start)).strftime("%d/%m/%Y"),
        "expiry_date": (today + timedelta(days=start + length)).strftime("%d/%m/%Y"),
    }


def test_the_notice_form(sergeant, force, town):
    hotel = PremisesFactory(town=town, sector="hotel")
    pub = PremisesFactory(town=town, sector="licensed")
    inspector = UserFactory(force=force, rank="inspector")
    strategy = form(
        premises=st.sampled_from([hotel.pk, hotel.pk, pub.pk]),
        issued_by=st.sampled_from([inspector.pk, inspector.pk, sergeant.pk]),
        served_on_role=st.sampled_from(Notice.ServedOn.values),
        served_on_business=WORDS,
        _dates=st.tuples(st.integers(-400, 30), st.integers(-5, 200)).map(notice_dates),
        grounds=WORDS,
        status=st.sampled_from(Notice.Status.values),
    )
    fuzz(client_for(sergeant), reverse("training:notice_create"), Notice, strategy)


def test_the_participant_form(sergeant):
    strategy = form(
        code=st.from_regex(r"[A-Za-z]{1,3}-?[0-9]{1,5}", fullmatch=True),
        age_band=st.sampled_from(Participant.AgeBand.values),
        permission_recorded_on=maybe(typed_day(-800, 3)),
        active=maybe(st.just("on")),
    )
    fuzz(client_for(sergeant), reverse("visits:participant_create"), Participant, strategy)


def test_the_scenario_form(sergeant):
    strategy = form(
        name=WORDS,
        sectors=some_of(Premises.Sector.values, min_size=1),
        script=WORDS,
        indicators=maybe(some_of(Indicator.values)),
    )
    fuzz(client_for(sergeant), reverse("visits:scenario_create"), Scenario, strategy)


def test_the_operation_form(officer, force, town):
    premises = [PremisesFactory(town=town) for _ in range(2)]
    scenario = ScenarioFactory(force=force)
    strategy = form(
        name=WORDS,
        date=typed_day(-400, 400),
        end_date=maybe(typed_day(-400, 400)),
        towns=maybe(st.just([town.pk])),
        lead_officer=maybe(st.just(officer.pk)),
        scenario=maybe(st.just(scenario.pk)),
        risk_assessment_ref=maybe(WORDS),
        briefing_notes=maybe(WORDS),
        premises=maybe(some_of([p.pk for p in premises])),
    )
    fuzz(client_for(officer), reverse("visits:operation_create"), Operation, strategy)


PASSWORDS = st.sampled_from(
    ["a long enough passphrase", "kestrel over the orwell", "short", "qwerty123456"]
)


def test_the_user_form(force_admin):
    def with_repeat(data):
        if "password1" in data and "password2" not in data:
            data["password2"] = data["password1"]
        return data

    strategy = form(
        username=st.from_regex(r"[a-z][a-z0-9._]{2,20}", fullmatch=True),
        first_name=WORDS,
        last_name=WORDS,
        email=maybe(st.emails()),
        rank=st.sampled_from(User.Rank.values),
        collar_number=maybe(st.from_regex(r"[A-Za-z0-9]{1,10}", fullmatch=True)),
        role=st.sampled_from(["Officer", "Sergeant", "Commander", "Force admin"]),
        password1=PASSWORDS,
    ).map(with_repeat)

    def in_force(user, data):
        assert user.force == force_admin.force
        assert user.check_password(data["password1"])

    url = reverse("accounts:user_create")
    fuzz(client_for(force_admin), url, User, strategy, check=in_force)


# -- Every form of the site -------------------------------------------------------------------

RECORDS = [Force, User, Town, Premises, Scenario, Participant, Operation, Visit]
RECORDS += [TrainingSession, OutcomeLetter, QueueAssignment, Notice, GuestInfoRequest]
RECORDS += [RetentionDecision]


def snapshot() -> list:
    return [list(model.objects.order_by("pk").values()) for model in RECORDS]


def views(patterns=None, namespace=""):
    """{URL name: view} of every URL pattern of the site."""
    found = {}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found[f"{namespace}{entry.name}"] = entry.callback
    return found


def takes_post(view) -> bool:
    """Whether a view does something with a POST (a function view reading request.POST or its
    method, or a class-based view with a post method)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    source = inspect.getsource(inspect.unwrap(view))
    return "request.POST" in source or "request.method" in source or "require_POST" in source


FORM_URLS = sorted(
    name
    for name, view in views().items()
    if name in HAPPY_PATHS and name != "accounts:logout" and takes_post(view)
)


def test_the_form_fuzz_finds_the_forms():
    assert {"premises:create", "premises:import", "training:assign", "audit:disclose"} <= set(
        FORM_URLS
    )
    assert {"accounts:login", "retention:decide", "visits:operation_close"} <= set(FORM_URLS)


def offered_fields(client, url, data) -> dict[str, list[str]]:
    """The fields, with their values and options, of the page's forms that post to itself."""
    response = client.get(url, data)
    if "html" not in response.get("Content-Type", ""):
        return {}
    fields: dict[str, list[str]] = {}
    for form in read_page(response.content.decode()).forms:
        if form.method == "post" and urlsplit(form.action).path in ("", url):
            for name, values in form.fields.items():
                fields.setdefault(name, []).extend(values)
            for name in form.files:
                fields.setdefault(name, []).append("")
    return fields


@pytest.mark.parametrize("name", FORM_URLS)
def test_no_post_to_a_form_fails_or_saves_on_error(everything, name):
    who, how, arguments, data = HAPPY_PATHS[name]
    url = reverse(name, kwargs=arguments(everything) if arguments else None)
    data = {k: str(v) for k, v in ((data(everything) if callable(data) else data) or {}).items()}
    client = Client()
    if who != "anonymous":
        client.force_login(everything[who])
    fields = {k: [v] for k, v in data.items()} if how == POST else offered_fields(client, url, data)
    query = "" if how == POST else encoded(data.items())
    target = f"{url}?{query}" if query else url

    state = [snapshot()]  # the records as they are: read again only after a save

    def send(sent):
        response = post_raw(client, target, sent)
        assert response.status_code < 500, (response.status_code, sent)
        if response.status_code == 302:
            state[0] = snapshot()
        else:
            assert snapshot() == state[0], (response.status_code, sent)
        return response.status_code

    for value in WORST:
        send([(field, value) for field in sorted(fields)] or [("unexpected", value)])
    current = fields
    for field in sorted(fields):
        if len(set(fields[field])) > 1:
            continue  # a select or a set of boxes: a value it does not offer is refused
        for value in PASSING:
            offered = {f: next((v for v in values if v), "") for f, values in current.items()}
            if send(sorted((offered | {field: value}).items())) == 302 and how != POST:
                # Saved: the version moved on (or, for a scenario in use, the page with it).
                current = offered_fields(client, url, data) or current

    field_values = st.fixed_dictionaries(
        {
            field: st.one_of(st.none(), st.sampled_from(values), JUNK) if values else JUNK
            for field, values in sorted(fields.items())
        }
    ).map(lambda drawn: [(k, v) for k, v in drawn.items() if v is not None])
    extra = st.lists(st.tuples(ANY_TEXT, JUNK), max_size=2)

    @fuzz_settings(FORM_EXAMPLES)
    @given(sent=st.tuples(field_values, extra).map(lambda parts: parts[0] + parts[1]))
    def post(sent):
        send(sent)

    post()
