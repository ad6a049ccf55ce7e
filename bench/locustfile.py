"""Locust scenarios of `make bench`: what a user feels, through gunicorn on loopback.

Latency (`Officer`, `Sergeant`, `Commander`, 14:4:2): the accounts of bench/generate.py, spread
over its 20 forces, each signed in once at its start, then browsing with a think time of 3-8 s:

- officers: the visits list (plain, filtered, later pages), the premises list and detail, a
  visit's detail, and now and then the log-visit form and a real POST of it (with its CSRF
  token), followed to the new visit's page as a browser would;
- sergeants: the work queue, the training sessions (list and week) and the premises pages;
- commanders: the reports (dashboard, by town, by sector, trend, training impact) over a few
  periods.

Logging (`LoggingOfficer`, docs/security.md check 27): each simulated officer signs in, then
logs BENCH_LOG_VISITS_EACH (20) visits back to back and stops; the run ends when all have.
bench/servers.py counts the visits and history rows added and the 5xx answers.

Requests are named by page kind ("visits list", "report: town"): locust's statistics, and its
`--csv` files, are per kind. bench/run.py starts the server and locust (headless, `--reset-stats`
so that the ramp's sign-ins and its half-loaded minutes are left out) and reads the CSV.

    locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 -u 200 -r 2 \
        -t 340s --reset-stats --csv /tmp/bench Officer Sergeant Commander
"""

import html
import itertools
import os
import random
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import FORCES, PASSWORD  # noqa: E402

# Which page, filter and period each simulated user opens (not for secrets).
RANDOM = random.Random()  # noqa: S311
LOG_VISITS_EACH = int(os.environ.get("BENCH_LOG_VISITS_EACH", 20))
SIGN_IN = "sign-in"

VISIT_FILTERS = [
    "result=fail",
    "sector=hotel",
    "outcome=reported_to_police",
    "visited_on_after=01/01/2025&visited_on_before=31/12/2025",
    "retests=on",
    "result=fail&sector=licensed&page=2",
]
PREMISES_FILTERS = ["", "", "sector=taxi", "q=hotel", "sort=town", "page=2"]
# The reports' periods: the default (last 12 months), presets and typed dates.
PERIODS = [
    "",
    "?preset=all",
    "?preset=this_year",
    "?preset=last_year",
    "?preset=last_3_months",
    "?date_from=01/01/2025&date_to=31/12/2025",
]
REPORTS = [("towns", "town"), ("sectors", "sector"), ("trend", "trend"), ("training", "training")]
# What an officer records on the log-visit form (the rest as the form offers it).
VISIT = {
    "stage_reached": "key_issued",
    "outcome": "completed",
    "police_contact": "none",
    "debrief_held": "on",
    "debrief_notes": "Debrief with the duty manager: staff did not ask about the young person.",
    "training_offered": "on",
    "welfare_debrief_done": "on",
    "risk_assessment_ref": "RA/BENCH/0001",  # a visit outside an operation names its own
}


class Form(HTMLParser):
    """A page's POST forms as a browser would submit them, and the options each field offers."""

    def __init__(self, text: str):
        super().__init__()
        self.forms: list[tuple[list, dict]] = []  # (submitted pairs, field -> option values)
        self._current = None
        self._select = None
        self._selected = False
        self._textarea = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = ([], {})
            self.forms.append(self._current)
        if self._current is None:
            return
        pairs, options = self._current
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    pairs.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "file"):
                pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._selected = name, False
            options[name] = []
        elif tag == "option" and self._select:
            options[self._select].append(a.get("value", ""))
            if "selected" in a:
                pairs.append((self._select, a.get("value", "")))
                self._selected = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if self._current is None:
            return
        pairs, options = self._current
        if tag == "select" and self._select:
            if not self._selected and options[self._select]:
                pairs.append((self._select, options[self._select][0]))
            self._select = None
        elif tag == "textarea" and self._textarea:
            pairs.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._current = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def having(self, field: str) -> tuple[list, dict]:
        for pairs, options in self.forms:
            if any(name == field for name, _ in pairs) or field in options:
                return [(k, html.unescape(v)) for k, v in pairs], options
        raise LookupError(f"no form with a {field!r} field")


def visit_form_data(text: str) -> list[tuple[str, str]]:
    """The log-visit form filled in: the first cadet and scenario offered, no operation."""
    pairs, options = Form(text).having("visited_at")
    chosen = dict(VISIT)
    chosen["participants"] = next(v for v in options.get("participants", []) if v)
    chosen["scenario"] = next(v for v in options.get("scenario", []) if v)
    if "operation" in options:
        chosen["operation"] = ""
    # The form offers the premises' latest failure as the visit's re-test; officers of the
    # benchmark log several visits a minute to the premises of one list page, and a re-test
    # logged in the same minute as its failure is refused.
    chosen["retest_of"] = ""
    if not dict(pairs).get("visited_at"):
        chosen["visited_at"] = time.strftime("%d/%m/%Y %H:%M", time.localtime(time.time() - 3600))
    return [(k, v) for k, v in pairs if k not in chosen] + list(chosen.items())


class SignedIn(HttpUser):
    """A browser signed in as one generated account (`role` and a number within its force)."""

    abstract = True
    wait_time = between(3, 8)
    role = ""
    accounts: tuple = ()  # the account numbers of the role within a force (bench/generate.py)
    numbering = itertools.count()

    def on_start(self):
        n = next(self.numbering)
        code = FORCES[n % len(FORCES)][1].lower()
        k = self.accounts[n // len(FORCES) % len(self.accounts)] if self.accounts else ""
        self.username = f"{code}.{self.role}{k}"
        self.ids: dict[str, list[str]] = {"visits": [], "premises": []}
        self.sign_in()

    def sign_in(self):
        page = self.client.get("/accounts/login/", name=SIGN_IN)
        pairs, _ = Form(page.text).having("username")
        data = dict(pairs) | {"username": self.username, "password": PASSWORD}
        with self.client.post(
            "/accounts/login/", data=data, name=SIGN_IN, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                # Its pages then fail too ("signed out"): the errors show in every kind it opens.
                response.failure(f"{self.username} not signed in (HTTP {response.status_code})")

    def page(self, url: str, kind: str) -> str:
        """GET a page as `kind`: a failure unless it answers 200 without sending us to sign in."""
        with self.client.get(url, name=kind, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")
            text = response.text or ""
        for key, pattern in (("visits", VISIT_LINK), ("premises", PREMISES_LINK)):
            found = pattern.findall(text)
            if found:
                self.ids[key] = found[:60]
        return text

    def some(self, key: str, url: str, kind: str) -> str | None:
        """An id seen on an earlier page (the list is opened first if none was)."""
        if not self.ids[key]:
            self.page(url, kind)
        return RANDOM.choice(self.ids[key]) if self.ids[key] else None

    def log_visit(self) -> bool:
        """Open the log-visit form of a premises seen on the list, POST it, follow to the visit."""
        premises = self.some("premises", "/premises/", "premises list")
        if premises is None:
            return False
        url = f"/visits/log/{premises}/"
        text = self.page(url, "log-visit form")
        try:
            data = visit_form_data(text)
        except (LookupError, StopIteration):
            return False  # the form page failed: counted there
        with self.client.post(
            url, data=data, name="log visit (POST)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}: visit not logged")
                return False
            location = response.headers.get("Location", "")
        self.page(location, "visit detail")
        return True


VISIT_LINK = re.compile(r'href="/visits/(\d+)/"')
PREMISES_LINK = re.compile(r'href="/premises/(\d+)/"')


class Officer(SignedIn):
    weight = 14
    role = "officer"
    accounts = tuple(range(6, 31))
    numbering = itertools.count()

    @task(4)
    def visits_list(self):
        self.page("/visits/", "visits list")

    @task(2)
    def visits_filtered(self):
        self.page("/visits/?" + RANDOM.choice(VISIT_FILTERS), "visits list: filtered")

    @task(1)
    def visits_later_page(self):
        self.page(f"/visits/?page={RANDOM.randint(2, 40)}", "visits list: later page")

    @task(2)
    def visit_detail(self):
        visit = self.some("visits", "/visits/", "visits list")
        if visit:
            self.page(f"/visits/{visit}/", "visit detail")

    @task(2)
    def premises_list(self):
        query = RANDOM.choice(PREMISES_FILTERS)
        self.page("/premises/" + (f"?{query}" if query else ""), "premises list")

    @task(2)
    def premises_detail(self):
        premises = self.some("premises", "/premises/", "premises list")
        if premises:
            self.page(f"/premises/{premises}/", "premises detail")

    @task(1)
    def logs_a_visit(self):
        self.log_visit()


class Sergeant(SignedIn):
    weight = 4
    role = "sergeant"
    accounts = (3, 4, 5)
    numbering = itertools.count()

    @task(3)
    def queue(self):
        kind = RANDOM.choice(["", "", "?kind=retest_due", "?kind=letter", "?kind=notice"])
        self.page(f"/training/queue/{kind}", "work queue")

    @task(2)
    def sessions(self):
        self.page("/training/sessions/", "training sessions")

    @task(2)
    def week(self):
        weeks_ago = RANDOM.choice([0, 0, 1, 4, 30])
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() - weeks_ago * 7 * 86400))
        self.page(f"/training/sessions/week/?week={day}", "training week")

    @task(1)
    def premises_list(self):
        self.page("/premises/", "premises list")

    @task(1)
    def premises_detail(self):
        premises = self.some("premises", "/premises/", "premises list")
        if premises:
            self.page(f"/premises/{premises}/", "premises detail")


class Commander(SignedIn):
    weight = 2
    role = "commander"
    numbering = itertools.count()

    @task(2)
    def dashboard(self):
        self.page("/reports/", "report: dashboard")

    @task(4)
    def report(self):
        slug, kind = RANDOM.choice(REPORTS)
        self.page(f"/reports/{slug}/{RANDOM.choice(PERIODS)}", f"report: {kind}")


class LoggingOfficer(SignedIn):
    """docs/security.md check 27: logs LOG_VISITS_EACH visits without pausing, then stops; the
    last to finish ends the run."""

    role = "officer"
    accounts = tuple(range(6, 31))
    numbering = itertools.count()
    wait_time = constant(0)
    finished = 0

    def on_start(self):
        super().on_start()
        self.logged = 0

    @task
    def logs_visits(self):
        if self.logged < LOG_VISITS_EACH:
            self.logged += 1
            self.log_visit()
            return
        type(self).finished += 1
        runner = self.environment.runner
        if type(self).finished >= runner.target_user_count:
            gevent.spawn_later(1, runner.quit)
        raise StopUser()
