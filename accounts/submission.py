"""One-time keys: a create form's repeated POST saves once and answers with what it saved."""

import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone

from .models import Submission

SUBMISSION_FIELD = "submission_key"
# The key of the form just saved, for the next page to name (static/js/drafts.js forgets its
# draft); read once by `saved_submission`.
SAVED_SESSION_KEY = "saved_submission"
# A key answers repeats for this long; older ones are deleted when their user next saves.
SUBMISSION_KEPT = timedelta(days=30)


def submission_key(request) -> uuid.UUID | None:
    """The one-time key a create form's POST carries (`{% submission_key %}`), if well formed."""
    try:
        return uuid.UUID(request.POST.get(SUBMISSION_FIELD, ""))
    except ValueError:
        return None


def _answer_repeat(request, submission: Submission):
    if submission.user_id != request.user.pk or not submission.path:
        return HttpResponseBadRequest("This form was already sent. Open it again to start anew.")
    messages.info(request, "That was already saved: here is what it saved.")
    return redirect(submission.path)


def submit_once(view):
    """A create view whose POST may arrive twice and must save once.

    The POST's key is claimed (inserted) before the view runs, in a savepoint of the request's
    transaction. A repeat finds it taken and is sent where the first POST was sent: the record
    it created. Two POSTs at once: the second's insert waits for the first's transaction, then
    fails on the unique key and is answered the same way. A POST answered with the form again
    (invalid input) releases its key, so the corrected form can be sent with it. A POST
    without a key (a script, a form opened before keys existed) is served as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = submission_key(request) if request.method == "POST" else None
        if key is None:
            return view(request, *args, **kwargs)
        earlier = Submission.objects.filter(key=key).first()
        if earlier is not None:
            return _answer_repeat(request, earlier)
        try:
            with transaction.atomic():
                claim = Submission.objects.create(key=key, user=request.user)
        except IntegrityError:  # the same key is being saved right now: wait for it, answer it
            return _answer_repeat(request, Submission.objects.get(key=key))
        response = view(request, *args, **kwargs)
        if response.status_code in (301, 302, 303):
            claim.path = response["Location"][:500]
            claim.save(update_fields=["path"])
            request.session[SAVED_SESSION_KEY] = str(key)
            Submission.objects.filter(
                user=request.user, created_at__lt=timezone.now() - SUBMISSION_KEPT
            ).delete()
        else:
            claim.delete()
        return response

    wrapper.submit_once = True
    return wrapper


def saved_submission(request) -> dict:
    """Context processor: the one-time key the previous POST saved, once (base.html)."""
    session = getattr(request, "session", None)
    return {"saved_submission": session.pop(SAVED_SESSION_KEY, None) if session else None}
