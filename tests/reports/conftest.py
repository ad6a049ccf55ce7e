"""Helpers the report tests share: visits at London times, an independent oracle for every
definition, and readers for the report table on a page and in a CSV."""

import csv
import io
import math
from datetime import date, datetime, time
from html.parser import HTMLParser
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest

from accounts import roles
from visits.models import Visit

from ..conftest import through_disclosure
from ..factories import UserFactory, VisitFactory

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def london(day: date, hh: int = 12, mm: int = 0) -> datetime:
    """A wall-clock time in Europe/London."""
    return datetime.combine(day, time(hh, mm), tzinfo=LONDON)


def utc(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


def visit_at(premises, when: datetime, outcome: str, *, officer=None, **extra) -> Visit:
    """A visit with `outcome` (its result follows), valid for every rule the database checks."""
    if outcome == "reported_to_police":
        extra.setdefault("police_contact", "101")
    if outcome in ("refused_other", "void"):
        extra.setdefault("reason", "Said they take no cash." if outcome != "void" else "Aborted.")
    if officer is None:
        officer = UserFactory(force=premises.force, role=roles.OFFICER)
    return VisitFactory(
        premises=premises,
        officer=officer,
        visited_at=when,
        outcome=outcome,
        result=Visit.result_for(outcome),
        **extra,
    )


@pytest.fixture
def log(force):
    """`log(premises, when, outcome)` logs a visit by one officer of the premises' force."""
    officers = {}

    def _log(premises, when, outcome="completed", **extra):
        if premises.force_id not in officers:
            officers[premises.force_id] = UserFactory(force=premises.force, role=roles.OFFICER)
        return visit_at(premises, when, outcome, officer=officers[premises.force_id], **extra)

    return _log


# --- An oracle for the definitions, written from the issue and not from reports.py ------------

Z = NormalDist().inv_cdf(0.975)


def wilson(successes: int, n: int) -> tuple[float, float] | None:
    if n == 0:
        return None
    p = successes / n
    centre = p + Z * Z / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + Z * Z / n)), min(
        1.0, (centre + spread) / (1 + Z * Z / n)
    )


def count(visits) -> dict:
    """The counts the issue defines, over an iterable of visits (void ones are skipped)."""
    counted = [v for v in visits if v.result != "void"]
    return {
        "visits": len(counted),
        "passed": sum(v.result == "pass" for v in counted),
        "failed": sum(v.result == "fail" for v in counted),
        "challenged": sum(v.outcome in Visit.CHALLENGE_OUTCOMES for v in counted),
        "reported": sum(v.outcome == "reported_to_police" for v in counted),
    }


def pct(part: int, whole: int) -> str:
    return "" if not whole else f"{100 * part / whole:.1f}"


def csv_row(label: str, c: dict) -> list[str]:
    """The CSV row the issue specifies for these counts."""
    interval = wilson(c["failed"], c["visits"])
    low, high = (f"{100 * x:.1f}" for x in interval) if interval else ("", "")
    return [
        label,
        str(c["visits"]),
        str(c["passed"]),
        str(c["failed"]),
        pct(c["failed"], c["visits"]),
        low,
        high,
        pct(c["challenged"], c["visits"]),
        pct(c["reported"], c["visits"]),
    ]


def page_row(label: str, c: dict) -> dict:
    """The table row the page should show for these counts."""
    cells = csv_row(label, c)
    return {
        "label": label,
        "Visits": cells[1],
        "Passed": cells[2],
        "Failed": cells[3],
        "Failure rate": f"{cells[4]}%" if cells[4] else "–",
        "95% CI": f"{cells[5]}% – {cells[6]}%" if cells[5] else "–",
        # Each rate with its count beside it.
        "Challenged": f"{cells[7]}% ({c['challenged']})" if cells[7] else "–",
        "Reported": f"{cells[8]}% ({c['reported']})" if cells[8] else "–",
        "small": 0 < c["visits"] < 5,
    }


# --- Reading what the user gets -----------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table> as its caption and rows of cell texts, with each row's class."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.section = "body"
        self.row = None
        self.cell = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append(
                {
                    "class": attrs.get("class") or "",
                    "caption": "",
                    "head": [],
                    "body": [],
                    "foot": [],
                }
            )
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            self.row = {"class": attrs.get("class") or "", "cells": []}
        elif tag in ("th", "td") and self.row is not None:
            self.cell = []
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.row["cells"].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1][self.section].append(self.row)
            self.row = None
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        elif self.in_caption and self.tables:
            self.tables[-1]["caption"] += data


def tables(response) -> list[dict]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def rate_rows(response) -> list[dict]:
    """The rows of a page's rate table, keyed by column heading, as `page_row` builds them."""
    table = next(t for t in tables(response) if "report-table" in t["class"])
    heading = table["head"][0]["cells"]
    rows = []
    for row in table["body"]:
        cells = row["cells"]
        if len(cells) == 1:  # "No visits in this selection."
            continue
        label = cells[0].removesuffix(" small sample")
        values = dict(zip(heading[1:], cells[1:], strict=True))
        # The badge is what a reader sees; an empty month has neither figures nor a badge.
        small = cells[0].endswith(" small sample")
        if values["Visits"] != "0":
            assert ("small-sample" in row["class"]) == small, cells[0]
        rows.append({"label": label, **values, "small": small})
    return rows


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def download(client, url, data=None) -> list[list[str]]:
    """A CSV download, answering the disclosure prompt first; the rows with the header."""
    return read_csv(through_disclosure(client, url, data))
