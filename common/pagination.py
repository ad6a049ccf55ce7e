"""Paging that never counts: at national scale a COUNT(*) per page costs more than the page."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

MAX_PAGE = 100_000
# A page is reached with OFFSET, and PostgreSQL reads every row it skips: paging without a count
# stops at this many rows (page 200 of 50), the newest ones, and filters find older rows.
MAX_UNCOUNTED_ROWS = 10_000


def page_number(value) -> int:
    """The page a link asks for: 1 for anything but ASCII digits, at most MAX_PAGE."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdecimal()):
        return 1
    if len(text) > len(str(MAX_PAGE)):  # int() refuses 4,300 digits and more
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


@dataclass
class UncountedPage:
    """One page of rows, knowing only whether there is a next one, and whether rows go on past
    the last page that paging reaches (`truncated`)."""

    rows: list
    number: int
    has_next: bool
    truncated: bool = False

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
    """Rows of page `number` (1-based; bad input means page 1), fetched with one query.

    Only the first MAX_UNCOUNTED_ROWS rows are paged. A page past the last one the rows fill
    shows that last page, found by counting at most the rows before the page asked for, so
    `?page=100000` never reads millions of rows."""
    last = max(1, MAX_UNCOUNTED_ROWS // per_page)
    number = min(page_number(number), last)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        total = queryset[:start].count()
        number = max(1, -(-total // per_page))
        start = (number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1]) if total else []
    more = len(rows) > per_page
    return UncountedPage(
        rows=rows[:per_page],
        number=number,
        has_next=more and number < last,
        truncated=more and number == last,
    )


def page_with_total(queryset, number, per_page: int = 50) -> Page:
    """Django's page of a queryset, its total read in the same query as its rows
    (`COUNT(*) OVER ()`) instead of a COUNT query of its own: for registers whose "N premises"
    and "page 2 of 7" people use, and whose size is bounded by one force (not the visits)."""
    number = page_number(number)
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
