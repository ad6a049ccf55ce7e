"""`{% submission_key %}`: the hidden one-time key of a create form (accounts/submission.py)."""

import uuid

from django import template

from accounts.submission import SUBMISSION_FIELD, submission_key

register = template.Library()


@register.inclusion_tag("includes/_submission_key.html", takes_context=True, name="submission_key")
def submission_key_field(context):
    """The key the form was sent with when it comes back with errors, else a new one."""
    request = context["request"]
    key = submission_key(request) if request.method == "POST" else None
    return {"name": SUBMISSION_FIELD, "key": key or uuid.uuid4()}
