"""docs/security.md check 22: every view of records is logged (DPA 2018 s.62 "consultation").

Every URL pattern is either logged, a disclosure, or listed with the reason it shows no records;
the pages that show records write their row, the support site's included; a type-ahead writes a
row per search that showed records, not one per keystroke; no query parameter can stop a row
being written.
"""

import pytest
from django.urls import get_resolver, reverse

from audit.models import AccessLog
from audit.registry import DISCLOSURE_VIEWS, LOGGED_VIEWS, NOT_LOGGED, support_page

from ..conftest import client_for, walk
from ..factories import PremisesFactory


def _model_admin(name: str):
    """The ModelAdmin behind a support-site URL name, if it is a model's page."""
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "admin":
            for inner in pattern.url_patterns:
                for entry in getattr(inner, "url_patterns", [inner]):
                    if f"admin:{getattr(entry, 'name', '')}" == name:
                        return getattr(entry.callback, "model_admin", None)
    return None


def test_every_url_is_logged_a_disclosure_or_says_why_it_is_not():
    unaccounted = []
    for name, _arguments in walk():
        model_admin = _model_admin(name) if name.startswith("admin:") else None
        known = (
            name in LOGGED_VIEWS
            or name in DISCLOSURE_VIEWS
            or name in NOT_LOGGED
            or support_page(name, model_admin) is not None
            or (model_admin is not None and name.endswith("_add"))  # a blank support form
        )
        if not known:
            unaccounted.append(name)
    assert unaccounted == []
    assert all(reason.strip() for reason in NOT_LOGGED.values())
    assert not set(LOGGED_VIEWS) & set(NOT_LOGGED) and not DISCLOSURE_VIEWS & set(NOT_LOGGED)


def _pages(records, town):
    """(who, URL, record type, record id) of the pages that show records and were not logged."""
    premises, notice = records["premises"], records["notice"]
    return {
        "home": ("officer", reverse("home"), "", None),
        "retention:decide": (
            "force_admin",
            reverse("retention:decide", args=[records["forgotten"].pk]),
            "premises.premises",
            records["forgotten"].pk,
        ),
        "training:session_create": (
            "sergeant",
            reverse("training:session_create") + f"?premises={premises.pk}",
            "premises.premises",
            premises.pk,
        ),
        "training:notice_create": (
            "sergeant",
            reverse("training:notice_create") + f"?premises={premises.pk}",
            "premises.premises",
            premises.pk,
        ),
        "training:request_create": (
            "sergeant",
            reverse("training:request_create", args=[notice.pk]),
            "training.notice",
            notice.pk,
        ),
        "training:request_edit": (
            "sergeant",
            reverse("training:request_edit", args=[records["guest_request"].pk]),
            "training.guestinforequest",
            records["guest_request"].pk,
        ),
        "visits:scenario_edit": (
            "sergeant",
            reverse("visits:scenario_edit", args=[records["scenario"].pk]),
            "visits.scenario",
            records["scenario"].pk,
        ),
        "visits:operation_close": (
            "sergeant",
            reverse("visits:operation_close", args=[records["operation"].pk]),
            "visits.operation",
            records["operation"].pk,
        ),
        "visits:operation_create": (
            "sergeant",
            reverse("visits:operation_create"),
            "premises.premises",
            None,
        ),
        "premises:town_edit": (
            "force_admin",
            reverse("premises:town_edit", args=[town.pk]),
            "premises.town",
            town.pk,
        ),
        "premises:operator_edit": (
            "sergeant",
            reverse("premises:operator_edit", args=[records["operator"].pk]),
            "premises.operator",
            records["operator"].pk,
        ),
        "accounts:lockouts": ("force_admin", reverse("accounts:lockouts"), "accounts.user", None),
    }


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "retention:decide",
        "training:session_create",
        "training:notice_create",
        "training:request_create",
        "training:request_edit",
        "visits:scenario_edit",
        "visits:operation_close",
        "visits:operation_create",
        "premises:town_edit",
        "premises:operator_edit",
        "accounts:lockouts",
    ],
)
def test_pages_that_show_records_are_logged(everything, town, name):
    who, url, object_type, object_id = _pages(everything, town)[name]
    user = everything[who]
    response = client_for(user).get(url)
    assert response.status_code == 200
    row = AccessLog.objects.get(view=name)
    assert (row.user, row.force_id) == (user, user.force_id)
    assert (row.object_type, row.object_id) == (object_type, object_id)


def test_the_support_site_logs_its_views_of_records(everything, force, force_admin):
    premises = everything["premises"]
    client = client_for(everything["superuser"])
    assert client.get(reverse("admin:premises_premises_changelist")).status_code == 200
    change = reverse("admin:premises_premises_change", args=[premises.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200  # no records: not logged
    listed, viewed = AccessLog.objects.order_by("id")
    assert (listed.view, listed.action, listed.force_id) == (
        "admin:premises_premises_changelist",
        AccessLog.Action.LIST,
        None,  # a list across forces belongs to none of them
    )
    assert (viewed.user, viewed.action, viewed.force_id) == (
        everything["superuser"],
        AccessLog.Action.VIEW,
        force.pk,
    )
    assert (viewed.object_type, viewed.object_id) == ("premises.premises", premises.pk)
    # The force admin sees who from support looked at the force's premises, and can pick them.
    audit = client_for(force_admin).get(reverse("audit:log"))
    assert viewed in audit.context["page"]
    assert everything["superuser"] in audit.context["form"].fields["user"].queryset


def test_a_type_ahead_logs_a_search_not_every_keystroke(records, officer):
    PremisesFactory(town=records["premises"].town, name="Cornflower Café")
    client = client_for(officer)
    url = reverse("visits:log")
    for typed in ["c", "co", "cor", "corn", "cornh"]:  # each keystroke fetches results
        assert client.get(url, {"q": typed, "fragment": "1"}).status_code == 200
    assert list(AccessLog.objects.values_list("params__q", flat=True)) == ["c"]
    assert client.get(url, {"q": "zzz-nothing", "fragment": "1"}).status_code == 200
    assert AccessLog.objects.count() == 1  # a search that found nothing showed no records
    assert client.get(url, {"q": "lodge", "fragment": "1"}).status_code == 200
    assert list(AccessLog.objects.order_by("id").values_list("params__q", flat=True)) == [
        "c",
        "lodge",
    ]
    assert client.get(url).status_code == 200  # the empty search page shows no records
    assert AccessLog.objects.count() == 2


@pytest.mark.parametrize(
    "query",
    ["note=%00", "note=a%00b", "note=%ED%A0%80", "note=%FF%FE", "n%00te=1", "note=" + "x" * 5000],
    ids=["nul", "nul-inside", "surrogate", "not-utf-8", "nul-in-name", "long"],
)
def test_no_query_parameter_stops_the_row_being_written(records, officer, query):
    client = client_for(officer)
    url = reverse("visits:detail", args=[records["visit"].pk])
    response = client.get(url, QUERY_STRING=query)
    assert response.status_code == 200
    params = AccessLog.objects.get().params
    assert len(params) == 1
    ((name, value),) = params.items()
    assert "\x00" not in name + value and len(value) <= 200
