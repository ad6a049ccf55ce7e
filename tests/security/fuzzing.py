"""What the fuzz tests (docs/security.md check 15) send, and how they read a page's forms.

Values go over the wire as a browser or a crafted link sends them: as bytes, percent-encoded.
Text with lone surrogates is sent as the bytes a careless client would make of it
(`surrogatepass`), and some values are bytes that are not UTF-8 at all. Every run is
derandomised, so CI sees the same examples each time.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# Inputs that broke or could break a parser: digits int() refuses or accepts in other scripts,
# NUL (PostgreSQL text cannot hold it), lone surrogates, bytes that are not UTF-8, numbers past
# any column, dates past the calendar, very long text, markup and SQL.
NASTY = [
    "",
    " ",
    "\x00",
    "\x00x",
    "x\x00",
    "²",
    "١٢",
    "１２",
    "Ⅻ",
    "0",
    "-1",
    "+1",
    "1_000",
    " 7 ",
    "1.5",
    "1e308",
    "NaN",
    "-0",
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "31/02/2024",
    "2024-13-45",
    "0001-01-01",
    "9999-12-31",
    "00/00/0000 25:61",
    "none",
    "true",
    "-",
    "%",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "\u202e\ufeff",
    "\ud800",
    "a\udfffb",
    b"\xff\xfe",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\x80abc",
    "x" * 5000,
    "é" * 20000,
]

# One of each kind above, for the sweeps that send each to every parameter of a page.
WORST = ["²", "١٢", "\x00", "-1", "99999999999999999999", "9999-12-31", "0001-01-01"]
WORST += [b"\xff\xfe", "\ud800", "x" * 5000, "", "1e308"]

# Values a field may well accept that the database or date arithmetic may not: sent to one
# field at a time with the others valid, since a form refusing another field would hide them.
PASSING = ["99999999999999999999", "9999-12-31", "0001-01-01", "x" * 5000]

ANY_TEXT = st.text(st.characters(exclude_categories=[]), max_size=40)
JUNK = st.one_of(st.sampled_from(NASTY), ANY_TEXT, st.sampled_from(WORST))


def raw(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def encoded(pairs) -> str:
    """`pairs` as a query string or form body, every byte percent-encoded as a browser would."""
    return "&".join(
        f"{quote_from_bytes(raw(key), safe='')}={quote_from_bytes(raw(value), safe='')}"
        for key, value in pairs
    )


@dataclass
class Form:
    """A form of a page: its method and action, and each field's name with the values the
    page offers for it (its current value, its options, its checkboxes)."""

    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        kind = (attrs.get("type") or "").lower()
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = Form(method, attrs.get("action") or "")
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            self._select.append(attrs.get("value", ""))
        elif not name:
            return
        elif tag == "input" and kind == "file":
            self._form.files.append(name)
        elif tag == "input" and kind not in ("submit", "button", "reset", "image"):
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.setdefault(name, []).append(attrs.get("value", default))
        elif tag == "select":
            self._select = self._form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = self._form.fields.setdefault(name, [])
            self._textarea.append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def offered_params(html: str, path: str) -> dict[str, list[str]]:
    """The query parameters a page offers for itself: its GET forms' fields with their values,
    and the parameters of its links back to the same page (sorting, tabs, paging)."""
    reader = read_page(html)
    params: dict[str, list[str]] = {}
    for form in reader.forms:
        if form.method == "get" and urlsplit(form.action).path in ("", path):
            for name, values in form.fields.items():
                params.setdefault(name, []).extend(values)
    for link in reader.links:
        parts = urlsplit(link)
        if parts.query and parts.path in ("", path):
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                params.setdefault(name, []).append(value)
    return {name: sorted(set(values)) for name, values in params.items()}
