"""docs/security.md checks 7-11: sign-in throttling, sessions, deactivation, passwords, cookies."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..conftest import client_for
from ..factories import TEST_PASSWORD, UserFactory
from .formdata import user_post

LOGIN = "/accounts/login/"
PAGE = "/premises/"


def sign_in(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return client.get(PAGE).status_code == 200


def fail_five_times(username, **extra):
    statuses = [sign_in(Client(), username, "not the password", **extra).status_code]
    statuses += [sign_in(Client(), username, "not the password").status_code for _ in range(4)]
    return statuses


# -- 7. Throttling ----------------------------------------------------------------------------


def test_five_failures_lock_the_username_even_for_the_right_password(officer):
    assert fail_five_times("officer")[:4] == [200] * 4
    client = Client()
    response = sign_in(client, "officer")
    assert response.status_code == 429
    assert b"locked" in response.content.lower()
    assert not signed_in(client)


def test_four_failures_do_not_lock(officer):
    for _ in range(4):
        assert sign_in(Client(), "officer", "not the password").status_code == 200
    client = Client()
    assert sign_in(client, "officer").status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.1"},
        {"HTTP_X_REAL_IP": "192.0.2.44"},
        {"REMOTE_ADDR": "192.0.2.200"},
        {"HTTP_USER_AGENT": "Another browser/1.0"},
    ],
)
def test_a_new_address_or_browser_does_not_reset_the_lock(officer, headers):
    fail_five_times("officer")
    client = Client()
    assert sign_in(client, "officer", **headers).status_code == 429
    assert not signed_in(client)


def test_failures_from_many_addresses_add_up(officer):
    for n in range(5):
        sign_in(Client(), "officer", "not the password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert sign_in(Client(), "officer", REMOTE_ADDR="198.51.100.1").status_code == 429


def test_one_locked_username_does_not_lock_another(officer, sergeant):
    fail_five_times("officer")
    client = Client()
    assert sign_in(client, "sergeant").status_code == 302


def test_the_lock_ends_after_30_minutes(officer):
    fail_five_times("officer")
    assert sign_in(Client(), "officer").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    client = Client()
    assert sign_in(client, "officer").status_code == 302
    assert signed_in(client)


def test_a_lockout_is_logged_and_the_log_outlives_the_unlock(officer, force_admin_client):
    fail_five_times("officer")
    sign_in(Client(), "officer")
    attempt = AccessAttempt.objects.get(username="officer")
    assert attempt.failures_since_start >= 5
    assert AccessFailureLog.objects.filter(username="officer").count() >= 5
    assert AccessFailureLog.objects.filter(username="officer", locked_out=True).exists()
    force_admin_client.post(reverse("accounts:lockouts"), {"username": "officer"})
    assert not AccessAttempt.objects.filter(username="officer").exists()
    assert AccessFailureLog.objects.filter(username="officer", locked_out=True).exists()


def test_a_force_admin_sees_the_lock_and_unlocks_it(officer, force_admin_client):
    fail_five_times("officer")
    page = force_admin_client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200
    assert b"officer" in page.content
    response = force_admin_client.post(reverse("accounts:lockouts"), {"username": "officer"})
    assert response.status_code == 302
    assert (
        b"No usernames are locked" in force_admin_client.get(reverse("accounts:lockouts")).content
    )
    client = Client()
    assert sign_in(client, "officer").status_code == 302
    assert signed_in(client)


def test_a_force_admin_cannot_see_or_unlock_another_forces_usernames(
    other_officer, force_admin_client
):
    fail_five_times("other.officer")
    page = force_admin_client.get(reverse("accounts:lockouts"))
    assert b"other.officer" not in page.content
    force_admin_client.post(reverse("accounts:lockouts"), {"username": "other.officer"})
    assert sign_in(Client(), "other.officer").status_code == 429


def test_only_force_admins_may_unlock(officer, sergeant_client):
    fail_five_times("officer")
    response = sergeant_client.post(reverse("accounts:lockouts"), {"username": "officer"})
    assert response.status_code == 403
    assert sign_in(Client(), "officer").status_code == 429


# -- 8. Sessions ------------------------------------------------------------------------------


def test_the_session_key_changes_at_sign_in(officer):
    client = Client()
    session = client.session
    session["seen_before_sign_in"] = True
    session.save()
    before = client.cookies["sessionid"].value
    assert sign_in(client, "officer").status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_after_sign_out_the_old_cookie_is_useless(officer):
    client = Client()
    sign_in(client, "officer")
    cookie = client.cookies["sessionid"].value
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    thief = Client()
    thief.cookies["sessionid"] = cookie
    response = thief.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def _age_session(client, **seconds_ago):
    client.get(PAGE)  # the first request stamps the session's start and last activity
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_30_idle_minutes_end_the_session(officer_client):
    _age_session(officer_client, last_seen=31 * 60)
    cookie = officer_client.cookies["sessionid"].value
    response = officer_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=cookie).exists()
    page = officer_client.get(response["Location"])
    assert b"30 minutes without activity" in page.content


def test_29_idle_minutes_keep_the_session_and_count_as_activity(officer_client):
    _age_session(officer_client, last_seen=29 * 60)
    assert officer_client.get(PAGE).status_code == 200
    assert int(time.time()) - officer_client.session["last_seen"] < 5


def test_a_session_ends_after_10_hours_however_active(officer_client):
    _age_session(officer_client, started_at=10 * 60 * 60 + 60, last_seen=60)
    response = officer_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    page = officer_client.get(response["Location"])
    assert b"10-hour session limit" in page.content


def test_a_session_lasts_a_shift_of_under_10_hours(officer_client):
    _age_session(officer_client, started_at=10 * 60 * 60 - 120, last_seen=60)
    assert officer_client.get(PAGE).status_code == 200


def test_the_session_cookie_expires_with_the_shift(officer):
    client = Client()
    response = sign_in(client, "officer")
    assert response.cookies["sessionid"]["max-age"] == 10 * 60 * 60


# -- 9. Deactivation --------------------------------------------------------------------------


def _deactivate(force_admin_client, user, active=False):
    data = user_post(
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        collar_number=user.collar_number,
        password1="",
        password2="",
        is_active="on" if active else "",
        expected_version=type(user).objects.get(pk=user.pk).version,
    )
    response = force_admin_client.post(reverse("accounts:user_edit", args=[user.pk]), data)
    assert response.status_code == 302


def test_a_deactivated_user_is_signed_out_at_the_next_request(officer, force_admin_client):
    client = Client()
    sign_in(client, "officer")
    assert signed_in(client)
    _deactivate(force_admin_client, officer)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert sign_in(Client(), "officer").status_code == 200  # refused, with the form again


def test_reactivating_a_user_does_not_revive_their_old_session(officer, force_admin_client):
    client = Client()
    sign_in(client, "officer")
    cookie = client.cookies["sessionid"].value
    _deactivate(force_admin_client, officer)
    client.get(PAGE)
    _deactivate(force_admin_client, officer, active=True)
    assert not Session.objects.filter(session_key=cookie).exists()
    thief = Client()
    thief.cookies["sessionid"] = cookie
    assert not signed_in(thief)


def test_a_user_deactivated_by_the_support_site_is_signed_out_too(officer):
    client = client_for(officer)
    assert signed_in(client)
    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert not signed_in(client)


# -- 10. Passwords ----------------------------------------------------------------------------

PASSPHRASE_64 = "correct horse battery staple on a rainy tuesday in ipswich harbour"[:64]


def test_passwords_under_12_characters_are_refused():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Kestrel-9aQ")  # 11 characters


def test_a_12_character_password_is_accepted():
    validate_password("Kestrel-9aQz")


@pytest.mark.parametrize("common", ["qwerty123456", "1q2w3e4r5t6y", "qazwsxedcrfv", "motherfucker"])
def test_common_passwords_are_refused(common):
    with pytest.raises(ValidationError, match="too common"):
        validate_password(common)


def test_a_64_character_passphrase_without_digits_or_capitals_is_accepted():
    assert len(PASSPHRASE_64) == 64
    validate_password(PASSPHRASE_64)


def test_a_person_changes_to_a_64_character_passphrase_and_signs_in_with_it(officer):
    client = Client()
    sign_in(client, "officer")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": PASSPHRASE_64,
            "new_password2": PASSPHRASE_64,
        },
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "officer", PASSPHRASE_64).status_code == 302


@pytest.mark.parametrize(
    "password, reason",
    [("Kestrel-9aQ", "at least 12 characters"), ("qwerty123456", "too common")],
)
def test_the_user_form_refuses_short_and_common_passwords(force_admin_client, password, reason):
    data = user_post(password1=password, password2=password)
    response = force_admin_client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 200
    assert reason in str(response.context["form"].errors["password1"])


# -- 11. Cookies in production ----------------------------------------------------------------


def test_production_cookies_are_secure_http_only_and_same_site(production, officer):
    client = Client()
    page = client.get(LOGIN, secure=True)
    assert page.status_code == 200
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] in ("Lax", "Strict")
    response = sign_in(client, "officer", secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] in ("Lax", "Strict")
    assert client.get(PAGE, secure=True).status_code == 200


def test_production_sends_plain_http_to_https(production, db):
    response = Client().get(LOGIN)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_settings_turn_https_on_without_being_asked(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["HTTPS_ONLY"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["SECURE_SSL_REDIRECT"] is True


def test_a_superuser_support_account_is_throttled_too(superuser):
    fail_five_times("support")
    assert sign_in(Client(), "support").status_code == 429


def test_an_unknown_username_is_throttled_without_revealing_it_is_unknown(db):
    UserFactory(username="known")
    assert fail_five_times("nobody.here")[:4] == [200] * 4
    assert sign_in(Client(), "nobody.here").status_code == 429
