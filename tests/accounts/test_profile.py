"""The user's own profile page (the digest switch) and the force's reminder sender address."""

from django.urls import reverse

from accounts.models import UserEvent

from ..conftest import client_for

PROFILE = reverse("accounts:profile")


def test_a_sergeant_switches_the_digest_off_and_on(sergeant):
    client = client_for(sergeant)
    page = client.get(PROFILE).content.decode()
    assert 'name="wants_digest"' in page and "checked" in page
    assert reverse("accounts:password_change") in page
    response = client.post(PROFILE, {})  # an unticked box is not sent
    assert response.status_code == 302 and response["Location"] == PROFILE
    sergeant.refresh_from_db()
    assert sergeant.wants_digest is False
    assert "The daily digest is now off." in client.get(PROFILE).content.decode()
    client.post(PROFILE, {"wants_digest": "on"})
    sergeant.refresh_from_db()
    assert sergeant.wants_digest is True


def test_the_switch_is_in_the_users_history_with_who(sergeant):
    client_for(sergeant).post(PROFILE, {})
    event = UserEvent.objects.filter(pgh_obj=sergeant).order_by("-pgh_id").first()
    assert event.pgh_label == "update" and event.wants_digest is False
    assert event.pgh_context.metadata["user"] == sergeant.pk


def test_the_profile_changes_only_the_switch(sergeant):
    """A force admin's edit made while the page was open is kept."""
    client = client_for(sergeant)
    sergeant.first_name = "Robin"
    sergeant.save()
    client.post(PROFILE, {"first_name": "Mallory", "is_active": "", "email": "x@example.com"})
    sergeant.refresh_from_db()
    assert (sergeant.first_name, sergeant.is_active) == ("Robin", True)
    assert sergeant.email != "x@example.com"


def test_roles_without_the_queue_see_their_profile_without_the_switch(officer, commander):
    for user in (officer, commander):
        client = client_for(user)
        page = client.get(PROFILE).content.decode()
        assert "Your profile" in page and 'name="wants_digest"' not in page
        assert "Your role gets no reminder emails" in page
        assert client.post(PROFILE, {}).status_code == 403
        user.refresh_from_db()
        assert user.wants_digest is True


def test_the_profile_is_linked_from_the_bar_and_the_more_page(officer):
    client = client_for(officer)
    assert f'href="{PROFILE}"' in client.get(reverse("home")).content.decode()
    assert f'href="{PROFILE}"' in client.get(reverse("more")).content.decode()


def test_a_person_without_an_email_address_is_told(sergeant):
    sergeant.email = ""
    sergeant.save()
    assert "You have no email address" in client_for(sergeant).get(PROFILE).content.decode()


def _settings(**changes):
    data = {
        "training_due_days": 28,
        "retest_due_days": 365,
        "letter_due_days": 14,
        "review_period_years": 6,
        "followup_horizon_months": 12,
        "training_contact": "",
        "reminder_from_email": "makesafe@suffolk.police.example",
        "expected_version": 1,  # a new force's settings, never saved before
    }
    return {**data, **changes}


def test_a_force_admin_sets_the_reminder_sender_address(force_admin, force):
    client = client_for(force_admin)
    response = client.post(reverse("accounts:force_settings"), _settings())
    assert response.status_code == 302
    force.refresh_from_db()
    assert force.reminder_from_email == "makesafe@suffolk.police.example"
    history = client.get(reverse("audit:history", args=["accounts.force", force.pk])).content
    assert b"makesafe@suffolk.police.example" in history


def test_a_bad_sender_address_is_refused_by_its_field_and_kept(force_admin, force):
    client = client_for(force_admin)
    response = client.post(
        reverse("accounts:force_settings"), _settings(reminder_from_email="not an address")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reminder_from_email"] == [
        "Enter a valid email address."
    ]
    assert 'value="not an address"' in response.content.decode()
    force.refresh_from_db()
    assert force.reminder_from_email == ""
