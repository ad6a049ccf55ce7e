"""The plain view: the visits list's first 50 rows without templates, filters or role checks."""

from django.http import HttpResponse
from django.utils import timezone

from visits.models import Visit


def plain_visits(request):
    """The same 50 rows as the visits list's first page, as tab-separated text."""
    rows = (
        Visit.objects.filter(force_id=request.user.force_id)
        .for_list()
        .order_by("-visited_at", "-id")[:50]
    )
    lines = [
        "\t".join(
            [
                str(v.pk),
                f"{timezone.localtime(v.visited_at):%d %b %Y %H:%M}",
                v.premises.name,
                v.premises.town.name,
                v.get_outcome_display(),
                str(v.officer),
                v.operation.name if v.operation else "",
            ]
        )
        for v in rows
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
