"""A visit's form sent twice (double click, browser retry, resend after a lost response, two
taps at once) saves one visit, and the repeat is answered with the visit already saved."""

import uuid

from django.urls import reverse

from visits.models import Visit

from .conftest import visit_data


def posted(premises, cadet, key, **changes):
    return {**visit_data(premises, [cadet], **changes), "submission_key": str(key)}


def test_the_form_carries_a_one_time_key(officer_client, premises):
    html = officer_client.get(reverse("visits:create", args=[premises.pk])).content.decode()
    assert 'type="hidden" name="submission_key" value="' in html


def test_a_repeated_post_saves_one_visit_and_answers_with_it(officer_client, premises, cadet):
    url, key = reverse("visits:create", args=[premises.pk]), uuid.uuid4()
    first = officer_client.post(url, posted(premises, cadet, key))
    second = officer_client.post(url, posted(premises, cadet, key), follow=True)
    visit = Visit.objects.get()
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first.url == visit.get_absolute_url()
    assert "That was already saved" in second.content.decode()


def test_a_new_key_saves_a_new_visit(officer_client, premises, cadet):
    url = reverse("visits:create", args=[premises.pk])
    officer_client.post(url, posted(premises, cadet, uuid.uuid4()))
    officer_client.post(url, posted(premises, cadet, uuid.uuid4()))
    assert Visit.objects.count() == 2


def test_a_form_sent_back_with_errors_keeps_its_key_for_the_corrected_post(
    officer_client, premises, cadet
):
    url, key = reverse("visits:create", args=[premises.pk]), uuid.uuid4()
    refused = officer_client.post(url, posted(premises, cadet, key, outcome=""))
    assert refused.status_code == 200
    assert f'name="submission_key" value="{key}"' in refused.content.decode()
    saved = officer_client.post(url, posted(premises, cadet, key))
    assert saved.status_code == 302
    assert Visit.objects.count() == 1


def test_another_users_key_is_refused(officer_client, sergeant_client, premises, cadet):
    url, key = reverse("visits:create", args=[premises.pk]), uuid.uuid4()
    officer_client.post(url, posted(premises, cadet, key))
    assert sergeant_client.post(url, posted(premises, cadet, key)).status_code == 400
    assert Visit.objects.count() == 1
