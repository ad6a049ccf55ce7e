"""Formatting for report figures."""

from django import template

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
