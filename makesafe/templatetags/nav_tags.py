"""The navigation bars' links, drawn in Python: every page draws them, and through the template
language their loops and conditions cost more than the rest of a small page's markup."""

from django import template
from django.utils.html import format_html

from .fields import joined

register = template.Library()

ACTIVE = " active"
CURRENT = format_html(' aria-current="{}"', "page")
NAV_ITEM = '<li class="nav-item"><a class="nav-link{}" href="{}"{}>{}{}</a></li>\n'
BADGE = (
    ' <span class="badge rounded-pill text-bg-warning">{}'
    '<span class="visually-hidden"> rows</span></span>'
)


def nav_item(label: str, url: str, active: bool, badge=None, query: str = ""):
    """One link of a bar, marked as the current page when `active`; `query` (already a query
    string) is added to the URL."""
    return format_html(
        NAV_ITEM,
        ACTIVE if active else "",
        f"{url}?{query}" if query else url,
        CURRENT if active else "",
        label,
        format_html(BADGE, badge) if badge else "",
    )


@register.simple_tag
def main_nav(items, active_key):
    """The main bar's links: `items` [(label, url, key, badge)] of makesafe/navigation.py."""
    return joined(
        [nav_item(label, url, key == active_key, badge) for label, url, key, badge in items]
    )
