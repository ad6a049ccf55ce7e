"""docs/security.md check 38, server side: what "Prepare for offline" may keep, for how long,
and the worker script it registers (the browser side is tests/e2e/test_offline.py)."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from visits.models import Operation

from ..factories import OperationFactory, PremisesFactory, VisitFactory

pytestmark = pytest.mark.django_db


def plan_in(response):
    found = re.search(
        r'<script id="offline-plan" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(found.group(1)) if found else None


def test_an_operation_is_kept_offline_until_its_last_day_plus_one(force):
    day = datetime.date(2021, 9, 18)
    assert OperationFactory(force=force, date=day).offline_until == datetime.date(2021, 9, 19)
    two_days = OperationFactory(force=force, date=day, end_date=datetime.date(2021, 9, 19))
    assert two_days.offline_until == datetime.date(2021, 9, 20)


def test_the_plan_names_the_page_and_the_log_form_of_each_premises_still_to_visit(
    officer_client, operation, premises, town
):
    to_visit = PremisesFactory(town=town, name="Orwell Quay Hotel")
    operation.premises.add(to_visit)
    VisitFactory(premises=premises, operation=operation)
    plan = plan_in(officer_client.get(operation.get_absolute_url()))
    assert plan == {
        "operation": operation.pk,
        "until": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "page": operation.get_absolute_url(),
        "forms": [reverse("visits:create", args=[to_visit.pk]) + f"?operation={operation.pk}"],
        "worker": "/visits/sw.js",
    }


def test_the_day_after_the_operation_it_is_still_offered_and_then_no_more(
    officer_client, operation
):
    # Approved before the night (the database holds it: docs/domain.md, "Operations").
    operation.risk_assessment_approved_on = timezone.localdate() - datetime.timedelta(days=3)
    operation.date = timezone.localdate() - datetime.timedelta(days=1)
    operation.save()
    assert plan_in(officer_client.get(operation.get_absolute_url()))["until"] == (
        timezone.localdate().isoformat()
    )
    operation.date = timezone.localdate() - datetime.timedelta(days=2)
    operation.save()
    response = officer_client.get(operation.get_absolute_url())
    assert plan_in(response) is None
    assert b"Prepare for offline" not in response.content


def test_a_closed_operation_or_one_without_a_risk_assessment_is_not_offered(
    officer_client, operation
):
    operation.status = Operation.Status.COMPLETED
    operation.save()
    assert plan_in(officer_client.get(operation.get_absolute_url())) is None
    operation.status = Operation.Status.PLANNED
    operation.risk_assessment_ref = ""
    # No reference, so no approval either.
    operation.risk_assessment_approved_by = None
    operation.risk_assessment_approved_on = None
    operation.save()
    assert plan_in(officer_client.get(operation.get_absolute_url())) is None


def test_a_commander_is_not_offered_offline_logging(commander_client, operation):
    response = commander_client.get(operation.get_absolute_url())
    assert plan_in(response) is None
    assert b'id="offline"' not in response.content


def test_the_offline_section_is_hidden_until_the_script_shows_it(officer_client, operation):
    """Without JavaScript (or service workers) nothing offline is offered."""
    html = officer_client.get(operation.get_absolute_url()).content.decode()
    assert re.search(r'<section class="card mb-3" id="offline"[^>]* hidden>', html)


def test_a_log_form_from_the_checklist_says_which_operation_it_queues_for(
    officer_client, operation, premises
):
    url = reverse("visits:create", args=[premises.pk])
    html = officer_client.get(url, {"operation": operation.pk}).content.decode()
    until = operation.offline_until.isoformat()
    assert f'data-offline="{operation.pk}" data-offline-until="{until}"' in html
    assert f'data-offline-return="{operation.get_absolute_url()}"' in html
    assert "data-offline=" not in officer_client.get(url).content.decode()


def test_the_worker_is_served_from_visits_so_its_scope_is_visits(client):
    response = client.get(reverse("visits:service_worker"))
    assert reverse("visits:service_worker") == "/visits/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response  # no wider scope than its folder
    body = response.content.decode()
    assert 'var PREFIX = "makesafe-offline:";' in body
    assert 'request.method !== "GET"' in body  # posts are never answered by the worker


def test_the_csp_lets_only_the_apps_own_scripts_be_workers(client):
    policy = client.get(reverse("visits:service_worker"))["Content-Security-Policy"]
    # Django writes the directives in no fixed order.
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["worker-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
