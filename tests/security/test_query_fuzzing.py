"""docs/security.md check 15, query parameters: every page, asked for with junk in its query
string, answers without a server error.

Each page of the site (every URL pattern, by its happy path in test_url_coverage.py: who may
use it and on which records) is first asked for as it is linked. Its parameters are then known
three ways: the fields of every form the view fills from the query (its filter set, its filter
or link form), the fields, options and links the page offers (filter bar, sorting, tabs,
paging), and the names its view reads from `request.GET` itself. Then:

- a sweep sends each of the worst values (fuzzing.WORST: NUL, Unicode digits, a lone
  surrogate, bytes that are not UTF-8, numbers and dates past any column, very long text) to
  all of those parameters at once, with the happy path's own kept, then spoiled too (a page
  reading no parameter gets them all in one query string, as names and as values);
- a second sends each value a form field may accept but the database may not
  (fuzzing.PASSING) to each parameter that is not a select, alone;
- Hypothesis keeps, changes, spoils or drops each parameter and adds unexpected ones.

A bad filter may be ignored or shown as the field's error, an unknown record may be a 404, a
download with bad filters a 400, but nothing may answer 5xx.
"""

import inspect
import re
from unittest import mock

import pytest
from django import forms
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from ..conftest import answer_prompt
from .fuzzing import ANY_TEXT, JUNK, PASSING, WORST, encoded, fuzz_settings, offered_params
from .test_url_coverage import DOWNLOAD, HAPPY_PATHS, POST

# Pages that read parameters of their own get more examples than pages whose parameters only
# the middleware (access log, session) sees.
EXAMPLES, EXAMPLES_WITHOUT_PARAMETERS = 25, 5
# Every report, since each reads the filters and some their own parameters (the trend's `by`).
REPORTS = ["towns", "sectors", "operations", "operators", "trend", "training", "repeat-failures"]
PAGES = [(name, None) for name in HAPPY_PATHS if name != "accounts:logout"] + [
    ("reports:report", slug) for slug in REPORTS if slug != "towns"
]
READ_BY_NAME = re.compile(r"request\.GET(?:\.get\(|\[)\"(\w+)\"")


def read_params(view) -> set[str]:
    """The query parameter names `view` reads from `request.GET` by name."""
    return set(READ_BY_NAME.findall(inspect.getsource(inspect.unwrap(view))))


def probe(client, url, data):
    """GET `url`, and the names of the fields of every form bound during the request (on a
    GET, a form is bound to query parameters only)."""
    fields = set()
    original = forms.BaseForm.__init__

    def recording(form, *args, **kwargs):
        original(form, *args, **kwargs)
        if form.is_bound:
            fields.update(form.fields)

    with mock.patch.object(forms.BaseForm, "__init__", recording):
        response = client.get(url, data)
    return response, fields


def _client(who, everything) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(everything[who])
    return client


def page_url(everything, name, report=None):
    who, how, arguments, data = HAPPY_PATHS[name]
    kwargs = arguments(everything) if arguments else {}
    if report:
        kwargs["report"] = report
    base = (data(everything) if callable(data) else data) or {}
    return reverse(name, kwargs=kwargs or None), {k: str(v) for k, v in base.items()}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("visits:create", {"operation", "retest_of"}),
        ("training:queue", {"kind", "town", "owner", "sector", "status", "page"}),
        ("training:session_week", {"week"}),
        ("visits:list", {"visited_on_after", "town", "officer", "premises", "page"}),
    ],
)
def test_the_fuzz_knows_the_parameters_a_page_reads(everything, name, expected):
    who = HAPPY_PATHS[name][0]
    url, base = page_url(everything, name)
    client = _client(who, everything)
    response, bound = probe(client, url, {**base, "page": "1"})
    html = response.content.decode()
    known = bound | set(offered_params(html, url)) | read_params(resolve(url).func)
    assert expected <= known


def queries(base: dict, names: list[str], offered: dict[str, list[str]]):
    """Each happy-path parameter kept, spoiled or dropped; then up to four more parameters,
    the page's own or any, each with a value the page offers or junk."""

    def value_for(name):
        good = offered.get(name, []) + ([base[name]] if name in base else [])
        return st.one_of(st.sampled_from(good), JUNK) if good else JUNK

    kept = st.fixed_dictionaries(
        {name: st.one_of(st.just(value), st.none(), JUNK) for name, value in base.items()}
    ).map(lambda drawn: [(k, v) for k, v in drawn.items() if v is not None])
    known = st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), value_for(n)))
    anything = st.tuples(ANY_TEXT, JUNK)
    extra = st.lists(st.one_of(known, anything) if names else anything, max_size=4)
    return st.tuples(kept, extra).map(lambda parts: parts[0] + parts[1])


@pytest.mark.parametrize(("name", "report"), PAGES, ids=lambda value: value or "")
def test_no_query_string_makes_a_page_fail(everything, name, report):
    who, how, _arguments, _data = HAPPY_PATHS[name]
    url, base = page_url(everything, name, report)
    client = _client(who, everything)
    response, bound = probe(client, url, base)
    if how == DOWNLOAD:
        assert answer_prompt(client, response), name
        response, bound = probe(client, url, base)
    assert response.status_code < (500 if how == POST else 400), name
    html = response.content.decode() if "html" in response.get("Content-Type", "") else ""
    offered = offered_params(html, url)
    names = sorted((bound | set(offered) | read_params(resolve(url).func)) - set(base))

    def ask(pairs):
        answer = client.get(url, QUERY_STRING=encoded(pairs))
        assert answer.status_code < 500, (answer.status_code, pairs)

    if not names and not base:  # only the middleware reads them: all at once will do
        ask([(f"unexpected{i}", value) for i, value in enumerate(WORST)])
        ask([(value, value) for value in WORST])
    for value in WORST if names or base else []:
        ask([*base.items(), *((n, value) for n in names)])
        if base:
            ask([(n, value) for n in [*base, *names]])
    for name in names:
        if len(offered.get(name, [])) <= 1:
            for value in PASSING:
                ask([*base.items(), (name, value)])

    @fuzz_settings(EXAMPLES if names or base else EXAMPLES_WITHOUT_PARAMETERS)
    @given(pairs=queries(base, names, offered))
    def fuzz(pairs):
        ask(pairs)

    fuzz()
