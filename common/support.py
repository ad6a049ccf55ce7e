"""The support site (Django's admin, superusers only): what every one of its pages shares."""

from django.contrib.admin.options import IncorrectLookupParameters


class SafeLookupsMixin:
    """A list filter the database cannot run (a year out of range, say) is answered with the
    support site's own "invalid lookup" page, as a malformed one already is, never a 500.

    Django's admin turns a filter that fails while the query is built into that page, but a
    value that fails only when the query is compiled (`created_at__year=99999999`) escapes."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc
