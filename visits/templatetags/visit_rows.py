"""`{% visit_rows page %}`: the rows of the visits table, built in Python.

The visits list is the busiest page in Makesafe. Drawn through the template language, its 50 rows
cost more than the query that fetches them (about 900 variable look-ups, a URL reversal and an
include per row); this tag writes the same cells with format_html, which escapes every value.
The result badge matches templates/visits/_result_badge.html.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import User
from makesafe.templatetags.fields import joined
from premises.models import Premises

from ..models import Visit

register = template.Library()

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _escaped(choices) -> dict:
    """{key: label, escaped once}: format_html passes escaped text through at little cost."""
    return {key: format_html("{}", label) for key, label in choices}


BADGES = _escaped([("pass", "text-bg-success"), ("fail", "text-bg-danger")])
OTHER_BADGE = format_html("{}", "text-bg-secondary")
SECTORS = _escaped(Premises.Sector.choices)
OUTCOMES = _escaped(Visit.Outcome.choices)
RESULTS = _escaped(Visit.Result.choices)
RETEST = format_html(' <span class="badge text-bg-info">{}</span>', "Re-test")
ROW = (
    '<tr><td class="text-nowrap"><a href="{}">{}</a></td><td>{}{}</td><td>{}</td><td>{}</td>'
    '<td>{}</td><td><span class="badge {}">{}</span></td><td>{}</td><td>{}</td></tr>\n'
)
PK_MARK = "987654321"


def when(value) -> str:
    """`18 Sep 2021, 14:05` in London time, as the date filter's "j M Y, H:i" writes it."""
    local = timezone.localtime(value)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def _row(row: tuple, detail_url: str):
    """One row of `Visit.objects.list_rows()` (visits/models.py, LIST_COLUMNS)."""
    (pk, visited_at, retest_of_id, outcome, result, premises, sector, town, officer_id,
     first_name, last_name, username, rank, operation) = row  # fmt: skip
    return format_html(
        ROW,
        detail_url.replace(PK_MARK, str(pk)),
        when(visited_at),
        premises,
        RETEST if retest_of_id else "",
        town,
        SECTORS.get(sector, sector),
        OUTCOMES.get(outcome, outcome),
        BADGES.get(result, OTHER_BADGE),
        RESULTS.get(result, result),
        User.display_name(first_name, last_name, username, rank) if officer_id else "Imported",
        operation or "",
    )


@register.simple_tag
def visit_rows(rows):
    detail_url = reverse("visits:detail", args=[PK_MARK])
    cells = [_row(row, detail_url) for row in rows]
    if not cells:
        return format_html('<tr><td colspan="8">{}</td></tr>', "No visits match these filters.")
    return joined(cells)
