"""Paging that never counts: at national scale a COUNT(*) per page costs more than the page."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

MAX_PAGE = 100_000


@dataclass
class UncountedPage:
    """One page of rows, knowing only whether there is a next one."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def page_without_count(queryset, number, per_page: int = 50) -> UncountedPage:
    """Rows of page `number` (1-based; bad input means page 1), fetched with one query."""
    try:
        number = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return UncountedPage(rows=rows[:per_page], number=number, has_next=len(rows) > per_page)


def page_with_total(queryset, number, per_page: int = 50) -> Page:
    """Django's page of a queryset, its total read in the same query as its rows
    (`COUNT(*) OVER ()`) instead of a COUNT query of its own: for registers whose "N premises"
    and "page 2 of 7" people use, and whose size is bounded by one force (not the visits)."""
    try:
        number = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(window_total=Window(Count("pk")))
    start = (number - 1) * per_page
    rows = list(counted[start : start + per_page])
    if rows:
        total = rows[0].window_total
    else:  # past the last page (or nothing at all): show the last page, as get_page does
        total = queryset.count()
        number = max(1, -(-total // per_page))
        start = (number - 1) * per_page
        rows = list(counted[start : start + per_page]) if total else []
    paginator = Paginator(queryset, per_page)
    paginator.count = total  # a cached property: Django reads it, never counts again
    return Page(rows, number, paginator)
