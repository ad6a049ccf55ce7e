"""Lists and pages run a fixed number of queries, however many rows the force has.

Each bound is of the page's own queries: Django's per-request overhead (session, user, permissions,
the access-log row; tests/conftest.py OVERHEAD) is left out, and measured by `make bench`.
"""

import pytest
from django.urls import reverse

from ..factories import UserFactory


@pytest.mark.parametrize("users", [3, 60])
def test_the_user_list_runs_a_fixed_number_of_queries(
    force_admin_client, force, users, django_assert_max_own_queries
):
    for n in range(users):
        UserFactory(force=force, role="Officer" if n % 2 else "Sergeant")
    with django_assert_max_own_queries(2):
        response = force_admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
