"""The premises register's "Last result" filter: never tested, or the latest counted visit's
result."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from visits.models import Visit

from ..factories import PremisesFactory, VisitFactory


def ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def register(town, other_town):
    never = PremisesFactory(town=town, name="Never Visited Inn")
    void_only = PremisesFactory(town=town, name="Void Only Rooms")
    VisitFactory(
        premises=void_only,
        outcome=Visit.Outcome.VOID,
        reason="Cadet recognised.",
        visited_at=ago(3),
    )
    failed_then_passed = PremisesFactory(town=town, name="Passed At Last")
    VisitFactory(premises=failed_then_passed, visited_at=ago(90))
    VisitFactory(
        premises=failed_then_passed,
        outcome=Visit.Outcome.REPORTED_TO_POLICE,
        police_contact="101",
        visited_at=ago(30),
    )
    # A void visit after a failure leaves the failure the latest result.
    passed_then_failed = PremisesFactory(town=town, name="Failed Lately")
    VisitFactory(
        premises=passed_then_failed, outcome=Visit.Outcome.REFUSED_CONCERNS, visited_at=ago(90)
    )
    VisitFactory(premises=passed_then_failed, visited_at=ago(30))
    VisitFactory(
        premises=passed_then_failed,
        outcome=Visit.Outcome.VOID,
        reason="Compromised.",
        visited_at=ago(2),
    )
    PremisesFactory(town=other_town, name="Norfolk Never Visited")
    return never


def names(client, **query) -> list[str]:
    response = client.get(reverse("premises:list"), query)
    assert response.status_code == 200
    return sorted(p.name for p in response.context["page"])


def test_never_tested_lists_premises_without_a_counted_visit(officer_client, register):
    assert names(officer_client, tested="never") == ["Never Visited Inn", "Void Only Rooms"]


def test_last_result_reads_the_latest_counted_visit(officer_client, register):
    assert names(officer_client, tested="pass") == ["Passed At Last"]
    assert names(officer_client, tested="fail") == ["Failed Lately"]


def test_last_result_combines_with_the_other_filters(officer_client, register):
    assert names(officer_client, tested="fail", q="Passed") == []
    assert names(officer_client, tested="never", q="Void") == ["Void Only Rooms"]


def test_an_unknown_value_is_refused_and_lists_nothing_wrong(officer_client, register):
    response = officer_client.get(reverse("premises:list"), {"tested": "maybe"})
    assert "tested" in response.context["filter"].form.errors
