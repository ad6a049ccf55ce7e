"""The national figures: the force reports' counts added up across the forces that share them.

A national coordinator (accounts/roles.py) sees aggregates of the forces whose force admin
turned on "share figures with the national coordinator" (`Force.national_figures`), and never a
record. The definitions, intervals and small-sample marks are the force reports' own
(reports/reports.py): the same `Rates`, `Row` and `Filters`, the same split of a period into
whole months read from the summary table and days read from the visits (`whole_months`), the
same press suppression (`withhold_complements`). Only the scope differs: a list of forces.

Every computation across forces is a "combination" (DPA 2018 s.62): `combine` reads which
forces share their figures and writes the combination log row (who, when, which forces, for
which report) before any figure is computed, and the figures are computed for those forces only.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Value
from django.db.models.functions import Concat, TruncMonth

from accounts.models import Force, User
from audit.middleware import clean_params, storable
from audit.models import CombinationLog
from premises.models import Premises
from visits.models import Visit

from . import sql
from .reports import (
    ADDITIVE,
    COUNTS,
    PRESS_MIN_PREMISES,
    RATE_FIELDS,
    SECTOR_NOUNS,
    Filters,
    PressRow,
    Rates,
    Row,
    _days,
    _rates,
    number_words,
    summed,
    whole_months,
    withhold_complements,
)


@dataclass(frozen=True)
class Scope:
    """The forces whose figures one computation adds up, as logged for it."""

    forces: tuple[int, ...]
    names: tuple[str, ...]


def combine(*, user: User, view: str, report: str, path: str, params) -> Scope:
    """The forces sharing their figures now, with the combination log row that says so: who,
    when, which forces, which report and filters. Called once per national page or download."""
    forces = list(Force.objects.sharing_national_figures().order_by("name").values("pk", "name"))
    scope = Scope(tuple(f["pk"] for f in forces), tuple(f["name"] for f in forces))
    CombinationLog.objects.create(
        user=user,
        view=view,
        report=report[:100],
        path=storable(path)[:500],
        params=clean_params(params),
        forces=list(scope.forces),
        force_names=list(scope.names),
    )
    return scope


def _split(filters: Filters) -> dict:
    """The period as NATIONAL_GROUPS reads it: whole months from the summary and the days at
    either end from the visits, or every day from the visits when it holds no whole month."""
    split = whole_months(filters)
    if split is None:  # both dates given, less than a whole month between them
        first, last = filters.date_from, filters.date_to
        return {"months": False, "first": None, "last": None, "days": _days([(first, last)]),
                "taken": []}  # fmt: skip
    first, last, added, taken = split
    added_days, taken_days = _days(added), _days(taken)
    return {"months": True, "first": first, "last": last, "days": added_days + taken_days,
            "taken": taken_days}  # fmt: skip


# A campaign's figures are read from the visits (the summary has no operation column): the key
# and label of each grouping.
CAMPAIGN_GROUPS = {
    "force": ("force_id", "force__name"),
    "sector": ("premises__sector", "premises__sector"),
    "period": ("month", "month"),
}


def _campaign_groups(scope: Scope, filters: Filters, by: str) -> list[tuple]:
    """As NATIONAL_GROUPS answers, in one query over the visits of the campaign's operations:
    [(key, name, visits, passed, failed, challenged, reported, premises)]."""
    key, label = CAMPAIGN_GROUPS[by]
    visits = _counted(scope, filters)
    if by == "period":
        visits = visits.annotate(month=TruncMonth("visited_on"))
    groups = visits.values(key, label).annotate(**COUNTS).order_by(key)
    return [
        (str(g[key]) if by != "period" else g[key].isoformat(), g[label],
         *(g[name] for name in ADDITIVE), g["premises"])
        for g in groups
    ]  # fmt: skip


def _groups(scope: Scope, filters: Filters, by: str) -> list[tuple]:
    if not scope.forces:
        return []
    if filters.campaign is not None:
        return _campaign_groups(scope, filters, by)
    return sql.national_groups(
        forces=list(scope.forces), by=by, sector=filters.sector, **_split(filters)
    )


def _row(label: str, key: str, counts) -> Row:
    """A row from ADDITIVE counts, and the premises visited if they follow (campaign groups)."""
    return Row(label=label, key=key, **_rates(dict(zip(RATE_FIELDS, counts, strict=False))))


def by_force(scope: Scope, filters: Filters) -> list[Row]:
    """One row per force (sharing its figures) with visits in the selection, by name, with the
    premises it visited. Two statements (reports/sql.py NATIONAL_GROUPS, NATIONAL_PREMISES)."""
    rows = [
        _row(name or key, key, counts) for key, name, *counts in _groups(scope, filters, "force")
    ]
    rows = [row for row in rows if row.visits]
    if rows and filters.campaign is None:  # a campaign's groups counted their premises
        premises = dict(
            sql.national_premises(
                forces=list(scope.forces),
                start=filters.date_from,
                end=filters.date_to,
                sector=filters.sector,
            )
        )
        for row in rows:
            row.premises = premises.get(int(row.key), 0)
    return sorted(rows, key=lambda row: (row.label, row.key))


def totals(rows: list[Row]) -> Rates:
    """The national figures: the forces' rows added up. A premises belongs to one force, so
    the premises visited add up too."""
    total = summed(rows)
    total.premises = sum(row.premises for row in rows)
    return total


def by_sector(scope: Scope, filters: Filters) -> list[Row]:
    """One row per sector with visits, in the register's sector order."""
    labels = dict(Premises.Sector.choices)
    order = list(labels)
    rows = [
        _row(labels.get(key, key), key, counts)
        for key, _, *counts in _groups(scope, filters, "sector")
    ]
    rows = [row for row in rows if row.visits]
    return sorted(rows, key=lambda row: order.index(row.key) if row.key in order else 99)


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def trend(scope: Scope, filters: Filters) -> list[Row]:
    """Visits and rates per month, with the empty months between shown as zero."""
    counts = {
        date.fromisoformat(key): values for key, _, *values in _groups(scope, filters, "period")
    }
    counts = {month: values for month, values in counts.items() if values[0]}
    if not counts:
        return []
    start = filters.date_from or min(counts)
    end = filters.date_to or max(counts)
    return [
        _row(f"{month:%b %Y}", month.isoformat(), counts.get(month, [0] * len(ADDITIVE)))
        for month in _months(start, end)
    ]


def campaign_rate(scope: Scope, filters: Filters) -> Rates:
    """A campaign's national figures for a force's report: the visits of every operation linked
    to `filters.campaign` by the forces sharing their figures, in the period and sector (the
    force's town or operation filters are its own, so not applied). One query; no force named."""
    if not scope.forces or filters.campaign is None:
        return Rates()
    national_filters = Filters(
        filters.date_from, filters.date_to, filters.sector, campaign=filters.campaign
    )
    return Rates(**_rates(_counted(scope, national_filters).aggregate(**COUNTS)))


# --- Press summary ------------------------------------------------------------------------------


@dataclass
class NationalPress:
    """Aggregates only: no premises, references, operators or cadets; forces, towns and
    sectors suppressed under 3 premises, as a force's press summary is."""

    text: str
    forces: list[PressRow]
    towns: list[PressRow]
    sectors: list[PressRow]
    suppressed_any: bool


def _counted(scope: Scope, filters: Filters):
    visits = (
        Visit.objects.filter(force_id__in=scope.forces)
        .counted()
        .in_period(filters.date_from, filters.date_to)
    )
    if filters.sector:
        visits = visits.filter(premises__sector=filters.sector)
    if filters.campaign is not None:
        visits = visits.filter(operation__campaign=filters.campaign)
    return visits


def _press_rows(groups, label) -> list[PressRow]:
    rows = []
    for group in groups:
        rates = Rates(**_rates(group))
        rows.append(PressRow(label(group), rates, rates.premises < PRESS_MIN_PREMISES))
    withhold_complements(rows)
    return rows


def press_summary(scope: Scope, filters: Filters) -> NationalPress:
    """The forces' visits worded for the press office, with distinct premises read from the
    visits (4 queries), every breakdown suppressed and withheld as a force's is."""
    visits = _counted(scope, filters)
    overall = Rates(**_rates(visits.aggregate(**COUNTS))) if scope.forces else Rates()
    forces = _press_rows(
        visits.values("force_id", "force__name").annotate(**COUNTS).order_by("force__name"),
        lambda g: g["force__name"],
    )
    # Towns of different forces may share a name: each is named with its force.
    towns = _press_rows(
        visits.values("premises__town_id")
        .annotate(
            town_label=Concat(F("premises__town__name"), Value(" ("), F("force__name"), Value(")")),
            **COUNTS,
        )
        .order_by("town_label"),
        lambda g: g["town_label"],
    )
    labels = dict(Premises.Sector.choices)
    order = list(labels)
    sectors = _press_rows(
        sorted(
            visits.values("premises__sector").annotate(**COUNTS).order_by(),
            key=lambda g: order.index(g["premises__sector"]),
        ),
        lambda g: labels.get(g["premises__sector"], g["premises__sector"]),
    )
    return NationalPress(
        text=_press_text(overall, forces, filters),
        forces=forces,
        towns=towns,
        sectors=sectors,
        suppressed_any=any(not row.published for row in forces + towns + sectors),
    )


def _press_text(overall: Rates, forces: list[PressRow], filters: Filters) -> str:
    if overall.premises < PRESS_MIN_PREMISES:
        return "Fewer than three premises were visited in this period, so no figures are published."
    singular, plural = SECTOR_NOUNS.get(filters.sector, ("premises", "premises"))
    noun = plural if overall.premises != 1 else singular
    taking_part = len(forces)
    where = f" by {number_words(taking_part)} force{'s' if taking_part != 1 else ''}"
    if overall.visits == overall.premises:
        lead = f"{number_words(overall.premises).capitalize()} {noun} were visited{where}"
        failed = f"{number_words(overall.failed)} failed to identify the scenario"
    else:
        lead = (
            f"{number_words(overall.visits).capitalize()} visits were made{where} to "
            f"{number_words(overall.premises)} {noun}"
        )
        failed = f"{number_words(overall.failed)} visits failed to identify the scenario"
    reported = ""
    if overall.reported:
        reported = (
            f" Staff reported their concerns to the police on "
            f"{number_words(overall.reported)} occasion{'s' if overall.reported != 1 else ''}."
        )
    return f"{lead}; {failed}.{reported}"
