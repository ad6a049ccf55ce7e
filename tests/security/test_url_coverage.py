"""docs/security.md check 6: every URL pattern answers a 2xx or 3xx to someone allowed to use it."""

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ..conftest import answer_prompt, walk
from ..factories import TEST_PASSWORD, CampaignFactory

GET, POST, DOWNLOAD = "get", "post", "download"


def pk(key):
    return lambda r: {"pk": r[key].pk}


def stored(record):
    """`record` as the database now holds it."""
    return type(record)._default_manager.get(pk=record.pk)


def _reset_link(r):
    user = r["officer"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


# URL name -> (who, how, URL arguments from the records, query or form data). "anonymous" is
# a signed-out visitor; DOWNLOAD answers the disclosure prompt first, as a person would.
HAPPY_PATHS = {
    "home": ("officer", GET, None, None),
    "healthz": ("anonymous", GET, None, None),
    "more": ("officer", GET, None, None),
    "accounts:login": (
        "anonymous",
        POST,
        None,
        lambda r: {"username": r["officer"].username, "password": TEST_PASSWORD},
    ),
    "accounts:logout": ("officer", POST, None, None),
    "accounts:password_change": ("officer", GET, None, None),
    "accounts:password_change_done": ("officer", GET, None, None),
    "accounts:password_reset": ("anonymous", POST, None, {"email": "officer@makesafe.invalid"}),
    "accounts:password_reset_done": ("anonymous", GET, None, None),
    "accounts:password_reset_confirm": ("anonymous", GET, _reset_link, None),
    "accounts:password_reset_complete": ("anonymous", GET, None, None),
    "accounts:user_list": ("force_admin", GET, None, None),
    "accounts:user_create": ("force_admin", GET, None, None),
    "accounts:user_edit": ("force_admin", GET, pk("officer"), None),
    "accounts:force_settings": ("force_admin", GET, None, None),
    "accounts:profile": ("sergeant", POST, None, {"wants_digest": "on"}),
    "accounts:lockouts": ("force_admin", GET, None, None),
    "premises:list": ("officer", GET, None, None),
    "premises:export": ("officer", DOWNLOAD, None, None),
    "premises:export_xlsx": ("officer", DOWNLOAD, None, None),
    "premises:create": ("officer", GET, None, None),
    "premises:import": ("sergeant", GET, None, None),
    "premises:detail": ("officer", GET, pk("premises"), None),
    "premises:edit": ("officer", GET, pk("premises"), None),
    "premises:deactivate": ("sergeant", GET, pk("premises"), None),
    "premises:town_list": ("force_admin", GET, None, None),
    "premises:town_create": ("force_admin", GET, None, None),
    "premises:town_edit": ("force_admin", GET, pk("town"), None),
    "premises:operator_list": ("commander", GET, None, None),
    "premises:operator_detail": ("officer", GET, pk("operator"), None),
    "premises:operator_edit": (
        "sergeant",
        POST,
        pk("operator"),
        lambda r: {"name": "Harbourside Hotels Group", "expected_version": r["operator"].version},
    ),
    "premises:operator_merge": (
        "sergeant",
        POST,
        pk("duplicate_operator"),
        # Versions as stored: the rename above has moved the operator's on.
        lambda r: {
            "into": r["operator"].pk,
            "version": stored(r["duplicate_operator"]).version,
            "into_version": stored(r["operator"]).version,
        },
    ),
    "visits:list": ("officer", GET, None, None),
    "visits:export": ("officer", DOWNLOAD, None, None),
    "visits:export_xlsx": ("sergeant", DOWNLOAD, None, None),
    "visits:log": ("officer", GET, None, {"q": "Cornhill"}),
    "visits:create": ("officer", GET, lambda r: {"premises_pk": r["premises"].pk}, None),
    "visits:import": ("sergeant", GET, None, None),
    "visits:detail": ("officer", GET, pk("visit"), None),
    "visits:edit": ("officer", GET, pk("visit"), None),
    "visits:operation_list": ("officer", GET, None, None),
    "visits:operation_create": ("officer", GET, None, None),
    "visits:operation_detail": ("officer", GET, pk("operation"), None),
    "visits:operation_edit": ("officer", GET, pk("operation"), None),
    "visits:operation_close": ("officer", POST, pk("operation"), None),
    "visits:operation_plan": ("sergeant", GET, None, None),
    "visits:operation_team": ("officer", GET, pk("operation"), None),
    "visits:operation_approve": ("sergeant", GET, pk("operation"), None),
    "visits:operation_start": ("officer", POST, pk("operation"), None),
    "visits:operation_order": ("officer", POST, pk("operation"), {"expected_version": 1}),
    "visits:operation_briefing": ("officer", DOWNLOAD, pk("operation"), None),
    "visits:operation_briefing_pdf": ("commander", DOWNLOAD, pk("operation"), None),
    "visits:participant_list": ("sergeant", GET, None, None),
    "visits:participant_create": ("sergeant", GET, None, None),
    "visits:participant_edit": ("sergeant", GET, pk("participant"), None),
    "visits:scenario_list": ("sergeant", GET, None, None),
    "visits:scenario_create": ("sergeant", GET, None, None),
    "visits:scenario_detail": ("sergeant", GET, pk("scenario"), None),
    "visits:scenario_edit": ("sergeant", GET, pk("scenario"), None),
    "visits:library": ("sergeant", GET, None, None),
    "visits:library_adopt": ("sergeant", POST, pk("national_scenario"), {"expected_revision": ""}),
    "visits:national_scenario_list": ("national", GET, None, None),
    "visits:national_scenario_create": ("national", GET, None, None),
    "visits:national_scenario_revise": ("national", GET, pk("national_scenario"), None),
    "visits:service_worker": ("anonymous", GET, None, None),
    "training:queue": ("sergeant", GET, None, None),
    "training:assign": (
        "sergeant",
        POST,
        None,
        lambda r: {
            "kind": "training_due",
            "subject_id": r["premises"].pk,
            "owner": r["sergeant"].pk,
        },
    ),
    "training:session_list": ("officer", GET, None, None),
    "training:session_create": (
        "sergeant",
        GET,
        None,
        lambda r: {"premises": r["premises"].pk, "visit": r["visit"].pk},
    ),
    "training:session_week": ("officer", GET, None, None),
    "training:my_sessions_ics": ("sergeant", DOWNLOAD, None, None),
    "training:session_detail": ("officer", GET, pk("session"), None),
    "training:session_edit": ("sergeant", GET, pk("session"), None),
    "training:session_deliver": ("sergeant", GET, pk("session"), None),
    "training:session_ics": ("officer", DOWNLOAD, pk("session"), None),
    "training:letter": ("officer", DOWNLOAD, lambda r: {"visit_pk": r["visit"].pk}, None),
    "training:letter_sent": ("sergeant", POST, lambda r: {"visit_pk": r["visit"].pk}, None),
    "training:document": ("officer", DOWNLOAD, pk("document"), None),
    "training:notice_served": ("sergeant", POST, pk("notice"), None),
    "training:request_sent": ("sergeant", POST, pk("guest_request"), None),
    "training:notice_list": ("officer", GET, None, None),
    "training:notice_create": ("sergeant", GET, None, None),
    "training:notice_detail": ("officer", GET, pk("notice"), None),
    "training:notice_edit": ("sergeant", GET, pk("notice"), None),
    "training:request_create": ("sergeant", GET, lambda r: {"notice_pk": r["notice"].pk}, None),
    "training:request_edit": ("sergeant", GET, pk("guest_request"), None),
    "reports:dashboard": ("commander", GET, None, None),
    "reports:press": ("commander", GET, None, None),
    "reports:press_text": ("commander", DOWNLOAD, None, None),
    "reports:report": ("commander", GET, lambda r: {"report": "towns"}, None),
    "reports:report_print": ("commander", DOWNLOAD, lambda r: {"report": "operators"}, None),
    "reports:report_csv": ("commander", DOWNLOAD, lambda r: {"report": "sectors"}, None),
    "reports:report_pdf": ("commander", DOWNLOAD, lambda r: {"report": "trend"}, None),
    "reports:report_xlsx": ("commander", DOWNLOAD, lambda r: {"report": "trend"}, None),
    "reports:national": ("national", GET, None, None),
    "reports:national_report": ("national", GET, lambda r: {"figures": "trend"}, None),
    "reports:national_press": ("national", GET, None, None),
    "reports:national_csv": ("national", DOWNLOAD, lambda r: {"figures": "press"}, None),
    "reports:national_pdf": ("national", DOWNLOAD, lambda r: {"figures": "sectors"}, None),
    "reports:campaign_list": ("national", GET, None, None),
    "reports:campaign_create": (
        "national",
        POST,
        None,
        {"name": "Autumn week", "starts_on": "01/09/2021", "ends_on": "07/09/2021"},
    ),
    "reports:campaign_edit": ("national", GET, lambda r: {"pk": CampaignFactory().pk}, None),
    "audit:disclose": (
        "officer",
        GET,
        None,
        {"next": "/premises/export.csv", "key": "premises:export[]"},
    ),
    "audit:log": ("force_admin", GET, None, None),
    "audit:export": ("force_admin", DOWNLOAD, None, None),
    "audit:history": (
        "sergeant",
        GET,
        lambda r: {"model": "visits.visit", "pk": r["visit"].pk},
        None,
    ),
    "retention:queue": ("force_admin", GET, None, None),
    "retention:decide": ("force_admin", GET, pk("forgotten"), None),
}


def _client(who, everything):
    client = Client()
    if who != "anonymous":
        client.force_login(everything[who])
    return client


def test_every_url_has_a_happy_path(records):
    names = {name for name, _ in walk() if not name.startswith("admin:")}
    assert set(HAPPY_PATHS) == names


def test_every_url_answers_its_happy_path(everything):
    wrong = {}
    for name, (who, how, arguments, data) in HAPPY_PATHS.items():
        client = _client(who, everything)
        url = reverse(name, kwargs=arguments(everything) if arguments else None)
        data = data(everything) if callable(data) else data
        if how == POST:
            response = client.post(url, data or {})
        else:
            response = client.get(url, data)
            if how == DOWNLOAD:
                assert answer_prompt(client, response), name
                response = client.get(url, data)
        if not 200 <= response.status_code < 400:
            wrong[name] = response.status_code
    assert wrong == {}


def test_the_happy_paths_did_what_they_say(everything):
    """The POST-only URLs above changed what they should, so a 3xx was not a refusal."""
    sergeant = _client("sergeant", everything)
    visit = everything["visit"]
    response = sergeant.post(reverse("training:letter_sent", args=[visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.outcome_letter.sent_by == everything["sergeant"]
    officer = _client("officer", everything)
    operation = everything["operation"]
    assert officer.post(reverse("visits:operation_close", args=[operation.pk])).status_code == 302
    operation.refresh_from_db()
    assert operation.is_closed


# -- The support site: every page of it, for a support superuser ------------------------------


def _admin_kwargs(name, arguments, everything):
    kwargs = {}
    if "content_type_id" in arguments:
        premises = everything["premises"]
        content_type = ContentType.objects.get_for_model(premises)
        return {"content_type_id": content_type.pk, "object_id": premises.pk}
    if "id" in arguments:
        return {"id": everything["superuser"].pk}
    if "app_label" in arguments:
        return {"app_label": "premises"}
    if "object_id" in arguments:
        app_label, model_name = name.split(":")[1].rsplit("_", 1)[0].split("_", 1)
        model = apps.get_model(app_label, model_name)
        label = model._meta.label_lower
        obj = everything.get(label) or everything.get(model_name) or model.objects.first()
        if model_name == "user":
            obj = everything["officer"]
        assert obj is not None, f"no {label} to show on {name}"
        kwargs["object_id"] = obj.pk
    return kwargs


AXES_ADD_PAGES = [
    "admin:axes_accessattempt_add",
    "admin:axes_accessfailurelog_add",
    "admin:axes_accesslog_add",
]


def test_every_support_page_answers_a_superuser(everything):
    client = _client("superuser", everything)
    wrong = {}
    admin_names = [(name, args) for name, args in walk() if name.startswith("admin:")]
    assert len(admin_names) > 50
    for name, arguments in admin_names:
        url = reverse(name, kwargs=_admin_kwargs(name, arguments, everything))
        if name == "admin:logout":
            response = client.post(url)
            client.force_login(everything["superuser"])
        elif name == "admin:autocomplete":
            query = {"app_label": "visits", "model_name": "visit", "field_name": "premises"}
            response = client.get(url, query)
        elif name == "admin:login":
            response = Client().get(url)
        else:
            response = client.get(url)
        if not 200 <= response.status_code < 400:
            wrong[name] = response.status_code
    # Sign-in logs are written by django-axes alone: nobody, not even support, adds one by hand.
    assert wrong == dict.fromkeys(AXES_ADD_PAGES, 403)


def test_the_retention_page_answers_for_premises_due_a_review(everything):
    """The forgotten premises really are due, so the 200 above was the decision page."""
    forgotten = everything["forgotten"]
    assert forgotten.updated_at < timezone.now() - timedelta(days=365 * 6)
    response = _client("force_admin", everything).get(
        reverse("retention:decide", args=[forgotten.pk])
    )
    assert b"Retention decision" in response.content
