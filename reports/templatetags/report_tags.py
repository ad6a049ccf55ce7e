"""Formatting for report figures."""

from django import template
from django.utils.html import format_html

from makesafe.templatetags.fields import joined
from makesafe.templatetags.nav_tags import nav_item

register = template.Library()


@register.filter
def pct(value) -> str:
    """A fraction as a percentage with one decimal place; a dash when there is no figure."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.1f}%"


@register.filter
def days(value) -> str:
    """A number of days, rounded; a dash when there is no figure."""
    if value is None:
        return "–"
    return f"{float(value):.0f} days"


SMALL_CLASS = format_html(' class="{}"', "small-sample")
SMALL_BADGE = format_html(
    ' <span class="badge text-bg-light border" title="Fewer than 5 visits">{}</span>',
    "small sample",
)
RATE_ROW = (
    '<tr{}><th scope="row" class="fw-normal">{}{}</th><td class="text-end">{}</td>'
    '<td class="text-end">{}</td><td class="text-end">{}</td>'
    '<td class="text-end fw-semibold">{}</td><td class="text-nowrap">{}</td>'
    '<td class="text-end">{}{}</td><td class="text-end">{}{}</td></tr>\n'
)


def _rate_row(row) -> str:
    counted = bool(row.visits)
    interval = row.interval
    return format_html(
        RATE_ROW,
        SMALL_CLASS if row.small_sample else "",
        row.label,
        SMALL_BADGE if row.small_sample and counted else "",
        row.visits,
        row.passed,
        row.failed,
        pct(row.failure_rate),
        f"{pct(interval[0])} – {pct(interval[1])}" if counted and interval else "–",
        pct(row.challenge_rate),
        f" ({row.challenged})" if counted else "",
        pct(row.report_rate),
        f" ({row.reported})" if counted else "",
    )


@register.simple_tag
def rate_rows(rows):
    """The rows of a report's rate table, built in Python (a report with a row per town draws
    hundreds of cells; through the template language they cost more than the report's query).
    Every value is escaped by format_html."""
    if not rows:
        return format_html('<tr><td colspan="8">{}</td></tr>', "No visits in this selection.")
    return joined([_rate_row(row) for row in rows])


@register.simple_tag(takes_context=True)
def report_links(context):
    """The reports' own bar: `reports_nav` (reports/views.py), the current report marked by
    `slug` (or `press`, or neither for the dashboard), each link keeping the filters (`query`)."""
    current = "press" if context.get("press") else context.get("slug") or ""
    query = context.get("query") or ""
    return joined(
        [
            nav_item(title, url, key == current, query=query)
            for key, title, url in context["reports_nav"]
        ]
    )
