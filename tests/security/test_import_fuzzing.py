"""docs/security.md check 15, imports: CSV files, fuzzed through the upload pages, never answer
a server error, and a bad file saves nothing.

Each file is a header (the columns in any order and case, sometimes one missing or one more)
and a few rows whose cells are valid or junk: NUL, formula cells, quotes and line breaks, very
long cells (past the csv module's 128 KB field limit too), rows with too few or too many
cells. It is sent in UTF-8 (with or without a byte-order mark), UTF-16, Latin-1, or as random
bytes. The page answers 302 having imported every row, or 200 with the reason next to the file
field or a list of bad lines (every line number one of the file's), having saved nothing.
"""

import csv
import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from premises import services as premises_services
from premises.models import Premises, Town
from visits import services as visits_services
from visits.models import Operation, Participant, Scenario, Visit

from ..conftest import client_for
from ..factories import PremisesFactory
from .fuzzing import JUNK, fuzz_settings

EXAMPLES = 40
WORDS = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=["Cs"]),
    min_size=1,
    max_size=30,
)
CELL_JUNK = st.one_of(
    JUNK,
    st.sampled_from(
        [
            '=HYPERLINK("http://x")',
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\tcell",
            '"quoted, with comma"',
            'a "quote',
            "line\nbreak",
            "line\rbreak",
            "x" * 140_000,
            "\x00",
            "a\x00b",
        ]
    ),
)
SAVED = [Premises, Town, Visit, Participant, Scenario, Operation]


def counts():
    return [model.objects.count() for model in SAVED]


def cells(columns: dict):
    """A row of valid values with up to two of them replaced by junk, then sometimes cut short
    or made longer."""

    def build(drawn):
        row, spoiled, change = drawn
        for index, junk in spoiled:
            row[index] = junk
        return row[: len(row) + change] if change < 0 else row + ["surplus"] * change

    return st.tuples(
        st.tuples(*columns.values()).map(list),
        st.lists(st.tuples(st.integers(0, len(columns) - 1), CELL_JUNK), max_size=2),
        st.sampled_from([0, 0, 0, 0, -1, -3, 1]),
    ).map(build)


def csv_file(columns: dict):
    """Bytes of a CSV file of these {column: valid values} in one of the encodings."""
    names = list(columns)

    def header(drawn):
        order, drop, extra, upper = drawn
        chosen = [names[i] for i in order]
        if drop is not None:
            chosen = [name for name in chosen if name != names[drop]]
        if extra:
            chosen.append("notes")
        return [name.upper() if upper else name for name in chosen]

    headers = st.tuples(
        st.permutations(range(len(names))),
        st.one_of(st.none(), st.none(), st.none(), st.integers(0, len(names) - 1)),
        st.booleans(),
        st.booleans(),
    ).map(header)

    def write(drawn):
        head, rows, encoding, newline, quoting = drawn
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
        writer.writerow(head)
        # Rows were drawn in the declared column order: put each cell under its header.
        for row in rows:
            by_name = dict(zip(names, row, strict=False))
            cells_out = [by_name.get(name.lower(), "") for name in head]
            if len(row) > len(names):
                cells_out += row[len(names) :]
            elif len(row) < len(names):
                cells_out = cells_out[: len(row)]
            writer.writerow(cells_out)
        text = buffer.getvalue()
        if encoding == "utf-8-sig":
            return "\ufeff".encode() + text.encode("utf-8", "surrogatepass")
        return text.encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")

    encoded = st.tuples(
        headers,
        st.lists(cells(columns), min_size=0, max_size=4),
        st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]),
        st.sampled_from(["\n", "\r\n"]),
        st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    ).map(write)
    return st.one_of(encoded, encoded, encoded, st.binary(max_size=300))


# Sent to every column of a good row in turn, the file otherwise good.
DANGERS = ["\x00", "a\x00b", "x" * 140_000, '=HYPERLINK("http://x")', "line\nbreak", 'a "quote']
DANGERS += ["²", "9" * 30, " ", "é" * 5000, "\u202e\ufeff"]


def send(client, url_name, data: bytes, outcomes):
    """Upload `data`: a 302 having saved, or a 200 having saved nothing and saying why."""
    before = counts()
    upload = SimpleUploadedFile("import.csv", data, "text/csv")
    response = client.post(reverse(url_name), {"file": upload})
    assert response.status_code in (200, 302), (response.status_code, data[:300])
    if response.status_code == 302:
        outcomes["saved"] += 1
        assert all(a >= b for a, b in zip(counts(), before, strict=True)), data[:300]
        return
    outcomes["refused"] += 1
    assert counts() == before, data[:300]
    failure = response.context["failure"]
    if failure is None:
        assert response.context["form"].errors["file"], data[:300]
    else:
        lines = data.count(b"\n") + data.count(b"\r") + 1
        assert failure.errors, data[:300]
        assert all(1 <= line <= lines for line, _ in failure.errors), failure.errors
        assert "Nothing was imported" in response.content.decode()


def fuzz_import(client, url_name, good_row: dict, columns: dict):
    outcomes = {"saved": 0, "refused": 0}
    for name in good_row:
        for danger in DANGERS:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerows(
                [list(good_row), [danger if n == name else v for n, v in good_row.items()]]
            )
            send(client, url_name, buffer.getvalue().encode(), outcomes)

    @fuzz_settings(EXAMPLES)
    @given(data=csv_file(columns))
    def post(data):
        send(client, url_name, data, outcomes)

    post()
    return outcomes


def test_premises_imports_never_fail_and_bad_ones_save_nothing(sergeant, town):
    columns = {
        "reference": st.one_of(st.just(""), st.from_regex(r"SUF-H-[0-9]{4}", fullmatch=True)),
        "name": WORDS,
        "sector": st.sampled_from(Premises.Sector.values),
        "address": WORDS,
        "town": st.sampled_from(["Ipswich", "Felixstowe", "ipswich"]),
        "postcode": st.sampled_from(["IP4 1AX", "ip41ax", "IP33 1UZ"]),
        "operator": st.one_of(st.just(""), WORDS),
        "licence_reference": st.one_of(st.just(""), WORDS.map(lambda w: w[:50])),
        "phone": st.sampled_from(["", "01473 613500", "+44 1473 613500"]),
        "email": st.sampled_from(["", "manager@hotel.example"]),
    }
    assert list(columns) == premises_services.IMPORT_COLUMNS
    good = {"reference": "", "name": "Orwell Quay Hotel", "sector": "hotel"}
    good |= {"address": "1 Neptune Quay", "town": "Ipswich", "postcode": "IP4 1AX"}
    good |= {"operator": "Harbourside", "licence_reference": "LIC/1", "phone": "01473 613500"}
    good |= {"email": "manager@hotel.example"}

    outcomes = fuzz_import(client_for(sergeant), "premises:import", good, columns)
    assert outcomes["refused"] >= 20 and outcomes["saved"] >= 20, outcomes


def test_visit_imports_never_fail_and_bad_ones_save_nothing(sergeant, town):
    PremisesFactory(town=town, reference="SUF-H-0001")
    today = timezone.localdate()
    columns = {
        "premises_reference": st.sampled_from(["SUF-H-0001", "suf-h-0001"]),
        "visited_on": st.integers(1, 3000).map(
            lambda n: (today - timedelta(days=n)).strftime("%Y-%m-%d")
        ),
        "outcome": st.sampled_from(Visit.Outcome.values),
        "stage": st.sampled_from(Visit.Stage.values),
        "participant": st.sampled_from(["", "C-014", "c-90"]),
        "scenario": st.one_of(st.just(""), WORDS),
        "debrief_notes": st.one_of(st.just(""), WORDS),
        "operation": st.one_of(st.just(""), WORDS),
    }
    assert list(columns) == visits_services.IMPORT_COLUMNS
    good = {"premises_reference": "SUF-H-0001", "visited_on": "2021-09-18 20:15"}
    good |= {"outcome": "completed", "stage": "key_issued", "participant": "C-014"}
    good |= {"scenario": "Room for the night", "debrief_notes": "Manager briefed."}
    good |= {"operation": "Makesafe Ipswich"}

    outcomes = fuzz_import(client_for(sergeant), "visits:import", good, columns)
    assert outcomes["refused"] >= 20 and outcomes["saved"] >= 20, outcomes
