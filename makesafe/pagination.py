"""Paging that never counts: at national scale a COUNT(*) per page costs more than the page."""

from dataclasses import dataclass

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
