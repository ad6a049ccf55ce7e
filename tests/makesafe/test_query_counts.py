"""Lists and pages run a fixed number of queries, however many rows the force has.

Each bound is of the page's own queries: Django's per-request overhead (session, user, permissions,
the access-log row; tests/conftest.py OVERHEAD) is left out, and measured by `make bench`.
"""

import pytest
from django.urls import reverse

from ..factories import PremisesFactory


@pytest.mark.parametrize("rows", [3, 60])
def test_the_home_page_runs_a_fixed_number_of_queries(
    officer_client, force, town, rows, django_assert_max_own_queries
):
    PremisesFactory.create_batch(rows, town=town)
    # Officers also see their recent visits and the open operations.
    with django_assert_max_own_queries(3):
        response = officer_client.get(reverse("home"))
    assert len(response.context["recent_premises"]) == min(8, rows)
