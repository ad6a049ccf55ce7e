"""No figure the press summary does not publish can be worked out from those it does.

For random data sets, the summary's published figures (the total, and the towns' and sectors'
rows that are shown) are equations about the rows that are not shown. A row's figure can be
recovered by adding or subtracting published figures exactly when its unknown is fixed by those
equations, that is when the unit vector of that row lies in the span of the equations' rows.
The test builds the equations and checks that with exact rank arithmetic, for every figure.
"""

import random
from dataclasses import dataclass
from fractions import Fraction

import pytest

from reports.reports import PRESS_MIN_PREMISES, PressRow, Rates, withhold_complements

FIGURES = ["premises", "visits", "failed", "challenged", "reported"]
TOWNS = ["Ipswich", "Felixstowe", "Sudbury", "Lowestoft", "Aldeburgh"]
SECTORS = ["hotel", "bnb", "licensed", "taxi", "takeaway"]


@dataclass
class Place:
    town: str
    sector: str
    visits: int
    failed: int
    challenged: int
    reported: int


def data_set(seed: int) -> list[Place]:
    rng = random.Random(seed)
    towns = TOWNS[: rng.randint(1, len(TOWNS))]
    sectors = SECTORS[: rng.randint(1, len(SECTORS))]
    places = []
    for _ in range(rng.randint(1, 14)):
        visits = rng.randint(1, 3)
        failed = rng.randint(0, visits)
        challenged = rng.randint(0, visits)
        places.append(
            Place(
                rng.choice(towns),
                rng.choice(sectors),
                visits,
                failed,
                challenged,
                rng.randint(0, visits - failed),
            )
        )
    return places


def rows_by(places: list[Place], key: str) -> list[PressRow]:
    """The summary's rows for one breakdown, suppressed as press_summary does."""
    rows = []
    for label in sorted({getattr(p, key) for p in places}):
        mine = [p for p in places if getattr(p, key) == label]
        rates = Rates(
            visits=sum(p.visits for p in mine),
            failed=sum(p.failed for p in mine),
            challenged=sum(p.challenged for p in mine),
            reported=sum(p.reported for p in mine),
            premises=len(mine),
        )
        rows.append(PressRow(label, rates, rates.premises < PRESS_MIN_PREMISES))
    withhold_complements(rows)
    return rows


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    found = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column] != 0:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def recoverable(breakdowns: list[list[PressRow]]) -> list[str]:
    """The rows not published whose figures the published ones fix, by linear algebra."""
    unknowns = [(n, row) for n, rows in enumerate(breakdowns) for row in rows if not row.published]
    if not unknowns:
        return []
    # One equation per breakdown: its rows add up to the published total, so its unpublished
    # rows add up to the total less its published rows, a number the reader can compute.
    equations = [[Fraction(int(n == b)) for n, _row in unknowns] for b in range(len(breakdowns))]
    base = rank(equations)
    found = []
    for index, (_n, row) in enumerate(unknowns):
        unit = [Fraction(int(i == index)) for i in range(len(unknowns))]
        if rank([*equations, unit]) == base:
            found.append(row.label)
    return found


@pytest.mark.parametrize("seed", range(300))
def test_no_hidden_figure_can_be_worked_out_from_the_published_ones(seed):
    places = data_set(seed)
    if len(places) < PRESS_MIN_PREMISES:
        return  # nothing is published at all (press_summary says so)
    towns, sectors = rows_by(places, "town"), rows_by(places, "sector")
    assert recoverable([towns, sectors]) == []
    for rows in (towns, sectors):
        hidden = [row for row in rows if not row.published]
        # What can be worked out is the hidden rows together: a figure from 3 premises or more.
        assert not hidden or sum(row.rates.premises for row in hidden) >= PRESS_MIN_PREMISES
        for figure in FIGURES:
            total = sum(getattr(p, figure) if figure != "premises" else 1 for p in places)
            shown = sum(getattr(row.rates, figure) for row in rows if row.published)
            assert total - shown == sum(getattr(row.rates, figure) for row in hidden)


def test_the_check_finds_a_lone_suppressed_row():
    """Without the secondary suppression, a lone small row is found recoverable."""
    small = PressRow("Felixstowe", Rates(visits=2, premises=2), suppressed=True)
    large = PressRow("Ipswich", Rates(visits=3, premises=3), suppressed=False)
    assert recoverable([[small, large]]) == ["Felixstowe"]
    withhold_complements([small, large])
    assert recoverable([[small, large]]) == [] and large.withheld
