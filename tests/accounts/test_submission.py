"""Every create form carries a one-time key, and the database holds each key once."""

import uuid

import pytest
from django.db import IntegrityError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Submission
from premises.models import Premises

from ..factories import PremisesFactory

# Views that create records from a form: a repeat of their POST must not create twice.
CREATE_VIEWS = [
    "accounts:user_create",
    "premises:create",
    "premises:import",
    "premises:town_create",
    "training:session_create",
    "training:notice_create",
    "visits:import",
    "visits:operation_create",
    "visits:participant_create",
    "visits:scenario_create",
]


def walk(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_every_view_that_creates_from_a_form_is_submitted_once():
    creating = {
        name: view
        for name, view in walk(get_resolver())
        if view.__name__.endswith(("_create", "_import", "_import_upload"))
    }
    assert set(CREATE_VIEWS) <= set(creating)
    unguarded = [name for name, view in creating.items() if not getattr(view, "submit_once", 0)]
    assert unguarded == []


@pytest.mark.parametrize("name", sorted(CREATE_VIEWS))
def test_every_create_form_carries_a_key(name, force_admin_client, sergeant_client, town):
    admin = name in ("accounts:user_create", "premises:town_create")
    url = reverse(name)
    if name == "training:session_create":
        url += f"?premises={PremisesFactory(town=town).pk}"
    response = (force_admin_client if admin else sergeant_client).get(url)
    assert response.status_code == 200
    assert 'name="submission_key"' in response.content.decode()


def test_a_repeated_premises_post_adds_one_premises(sergeant_client, town):
    form = sergeant_client.get(reverse("premises:create")).context["form"]
    data = {
        "name": "Harbour Inn",
        "sector": "hotel",
        "address": "1 Quay St",
        "postcode": "ip1 1aa",
        "town": town.pk,
        "contact_role": "manager",
        "submission_key": str(uuid.uuid4()),
    }
    data = {**{f: "" for f in form.fields if f not in data and f != "expected_version"}, **data}
    first = sergeant_client.post(reverse("premises:create"), data)
    second = sergeant_client.post(reverse("premises:create"), data)
    assert first.status_code == 302, first.context["form"].errors
    assert second.status_code == 302 and second.url == first.url
    assert Premises.objects.filter(name="Harbour Inn").count() == 1


def test_the_database_holds_each_key_once(officer):
    key = uuid.uuid4()
    with pytest.raises(IntegrityError):
        Submission.objects.bulk_create(
            [Submission(key=key, user=officer), Submission(key=key, user=officer)]
        )
