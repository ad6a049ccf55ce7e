"""Scale benchmark (issue 7): 1,000,000 visits, then 5,000,000, and every page measured.

In a fresh database beside the app's (`<name>_bench`), generates 20 forces, 400 towns, 50,000
premises and 1M visits inside PostgreSQL (bench/generate.py), then measures, each figure the
median of BENCH_RUNS runs after a warm-up, in this one run:

- the by-town, by-sector, trend and training-impact report pages through Django's test client,
  signed in as a commander, for all time, the last 12 months and calendar year 2025, against the
  raw-SQL floor of the same query (plain SQL over visits joined to premises, psycopg2 cursor);
- the visits list (page 1 and page 200), the premises list and detail, and the log-visit form
  as an officer, and the query count of every page (CaptureQueriesContext);
- the Django admin's visit list as a superuser (the baseline every page must beat tenfold);
- HTTP throughput of the visits list through gunicorn (wrk, or a bounded Python client) against
  a plain view of the same 50 rows (bench/views.py, served with DJANGO_SETTINGS_MODULE=
  bench.settings so the production URLs are untouched);
- scaling out: two gunicorn instances, one signed-in user logging a visit on one and seeing and
  editing it on the other, and a lockout counted across both;

then adds 4M visits and measures the report pages again. Writes bench/results.md and prints it.

    make bench        (or: DATABASE_URL=postgres://... python bench/run.py)

BENCH_RUNS (default 15), BENCH_SKIP_5M=1 (stop after 1M), BENCH_KEEP_DB=1 (keep the database).
Only loopback traffic; every loop is bounded in count and time.
"""

import html.parser
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_RUNS", 15))
FIRST_VISITS = 1_000_000
MORE_VISITS = 4_000_000
PASSWORD = "bench-passphrase-2026"
SECRET_KEY = "bench-only-not-a-secret-" + "x" * 40
HTTP_SECONDS = 5  # per wrk round
HTTP_ROUNDS = 5
# Workers of the throughput run: two per core, as the README deploys gunicorn (--workers 4 on 2).
WORKERS = 2 * (os.cpu_count() or 1)
RESULTS = ROOT / "bench" / "results.md"

# The force every page is measured in: the largest (force 1 of the generated set).
COMMANDER, OFFICER, SERGEANT, SUPPORT = (
    "avs.commander",
    "avs.officer6",
    "avs.sergeant3",
    "bench.support",
)
LOCKOUT_USER = "avs.officer7"
EMPTY_PAGE = "Signed-in page without records (More)"

CHALLENGE = "('reported_to_police', 'refused_concerns', 'challenged')"


def log(message: str) -> None:
    print(message, flush=True)


# --- Set-up ----------------------------------------------------------------------------------


def bench_url() -> str:
    """DATABASE_URL (or the embedded server's) with `_bench` added to the database name."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url:
        from tools.localdb import default_database_url

        return default_database_url().replace("/makesafe?", "/makesafe_bench?")
    parsed = urllib.parse.urlparse(url)
    if parsed.path.endswith("_bench"):
        return url
    return parsed._replace(path=parsed.path + "_bench").geturl()


def configure_environment(url: str) -> dict:
    """The environment Django and gunicorn run with: plain HTTP on loopback, DEBUG off."""
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "ERROR",  # the lockout check's 429s are expected
    }
    os.environ.update(env)
    return {**os.environ, **env}


def create_database(url: str) -> None:
    from psycopg2 import sql

    from tools.localdb import _connect

    name = urllib.parse.urlparse(url).path.lstrip("/")
    base = _connect(url, dbname="postgres")
    base.autocommit = True
    with base.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cur.fetchone()[0]:
            sys.exit(
                "make bench loads with session_replication_role = replica, which needs a "
                "PostgreSQL superuser: use the embedded server or a superuser DATABASE_URL."
            )
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base.close()


def drop_database(url: str) -> None:
    from psycopg2 import sql

    from tools.localdb import _connect

    name = urllib.parse.urlparse(url).path.lstrip("/")
    base = _connect(url, dbname="postgres")
    base.autocommit = True
    with base.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    base.close()


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat, or None where there is none."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields)


def settle(max_wait: float = 90.0, busy_limit: float = 0.15) -> str:
    """Wait (at most `max_wait` seconds) until the CPUs are nearly idle over one second, so the
    timings start on a settled machine: after loading, PostgreSQL's checkpointer and I/O
    workers, or a test run just before, may still be busy. Returns what it saw, for the
    results."""
    started = time.perf_counter()
    while True:
        before = _cpu_times()
        time.sleep(1)
        after = _cpu_times()
        if before is None or after is None or after[1] == before[1]:
            return "CPU use unknown (no /proc/stat)"
        busy = 1 - (after[0] - before[0]) / (after[1] - before[1])
        waited = time.perf_counter() - started
        if busy <= busy_limit or waited >= max_wait:
            return (
                f"waited {waited:.0f} s for the CPUs to settle; {busy:.0%} busy when timing began"
            )


def machine() -> dict:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute(
            "SELECT current_setting('shared_buffers'), current_setting('work_mem'), "
            "current_setting('max_parallel_workers_per_gather'), current_setting('jit')"
        )
        shared_buffers, work_mem, parallel, jit = cur.fetchone()
    import django

    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "postgres": pg.split()[0],
        "pg_settings": f"shared_buffers {shared_buffers}, work_mem {work_mem}, "
        f"max_parallel_workers_per_gather {parallel}, jit {jit} (server defaults, untuned)",
        "python": platform.python_version(),
        "django": django.get_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


# --- Measuring -------------------------------------------------------------------------------


def median_ms(fn, runs: int = RUNS) -> float:
    """Median wall time of `fn` in milliseconds, after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


# Queries every signed-in page runs whatever it shows, and how to recognise them.
OVERHEAD = [
    # The session row, read joined to its user, their force and permissions (accounts/sessions.py).
    ("session and user", re.compile(r'FROM "?accounts_session"?')),
    ("user", re.compile(r'FROM "accounts_user" .*WHERE "accounts_user"\."id" = \d+ LIMIT 21$')),
    ("permissions", re.compile(r'"auth_permission"')),
    # The force read on its own for the page header (not the filter options hung on its row).
    (
        "force (page header)",
        re.compile(r'^SELECT "accounts_force"\."id", .* FROM "accounts_force" WHERE'),
    ),
    ("session write", re.compile(r'^UPDATE "accounts_session"')),
    ("access log", re.compile(r'INSERT INTO "?audit_accesslog"?')),
    ("transaction", re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)")),
]
COUNT_ON_VISITS = re.compile(r'COUNT\((\*|"visits_visit"\."id")\) AS "__count" FROM "visits_visit"')


@dataclass
class Queries:
    total: int
    overhead: dict
    page: list
    visit_counts: int  # COUNT(*) over the visits table, filtered or not
    whole_table_counts: int  # COUNT(*) over the visits table without a WHERE
    sql_ms: float  # time spent in the database, as Django measured it

    @property
    def page_count(self) -> int:
        return len(self.page)

    def describe(self) -> str:
        parts = [f"{n} {name}" for name, n in self.overhead.items() if n]
        return f"{self.total} = {self.page_count} page + " + (" + ".join(parts) or "0 overhead")


def classify(sqls: list[str], sql_ms: float = 0.0) -> Queries:
    overhead = {name: 0 for name, _ in OVERHEAD}
    page = []
    for sql in sqls:
        for name, pattern in OVERHEAD:
            if pattern.search(sql):
                overhead[name] += 1
                break
        else:
            page.append(sql)
    visit_counts = [s for s in sqls if COUNT_ON_VISITS.search(s)]
    whole = [s for s in visit_counts if " WHERE " not in s.split('FROM "visits_visit"', 1)[1]]
    return Queries(len(sqls), overhead, page, len(visit_counts), len(whole), sql_ms)


def capture(client, url: str) -> Queries:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fetch(client, url)
    queries = ctx.captured_queries
    return classify([q["sql"] for q in queries], sum(float(q["time"]) for q in queries) * 1000)


def fetch(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def client_for(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="accounts.backends.UserBackend")
    return client


def floor_runner(cur, statements: list[tuple[str, dict]]):
    """Running the statements (and fetching every row) on a psycopg2 cursor."""

    def run():
        for statement, params in statements:
            cur.execute(statement, params)
            cur.fetchall()

    return run


def sql_floor(cur, statements: list[tuple[str, dict]]) -> float:
    """Median time of the statements, as `floor_runner` runs them."""
    return median_ms(floor_runner(cur, statements))


def paired_medians(first, second, runs: int = RUNS) -> tuple[float, float]:
    """Median wall times (ms) of two functions timed in turn, after a warm-up of each: a ratio
    of the two is not skewed by the machine being busier while one of them was measured."""
    first(), second()
    times: tuple[list, list] = ([], [])
    for _ in range(runs):
        for fn, samples in zip((first, second), times, strict=True):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


# --- The raw-SQL floor of each report --------------------------------------------------------


def _where(force: int | None, start: date | None, end: date | None) -> tuple[str, dict]:
    conditions = ["v.result <> 'void'"]
    params: dict = {}
    if force is not None:
        conditions.append("v.force_id = %(force)s")
        params["force"] = force
    if start is not None:
        conditions.append("v.visited_on >= %(start)s")
        params["start"] = start
    if end is not None:
        conditions.append("v.visited_on <= %(end)s")
        params["end"] = end
    return " AND ".join(conditions), params


COUNTS_SQL = f"""count(*), count(*) FILTER (WHERE v.result = 'pass'),
    count(*) FILTER (WHERE v.result = 'fail'),
    count(*) FILTER (WHERE v.outcome IN {CHALLENGE}),
    count(*) FILTER (WHERE v.outcome = 'reported_to_police')"""


def floor_statements(report: str, force, start, end) -> list[tuple[str, dict]]:
    """The straightforward SQL a report needs, over visits joined to premises."""
    where, params = _where(force, start, end)
    if report == "towns":
        return [
            (
                f"SELECT p.town_id, t.name, {COUNTS_SQL} FROM visits_visit v "
                "JOIN premises_premises p ON p.id = v.premises_id "
                f"JOIN premises_town t ON t.id = p.town_id WHERE {where} "
                "GROUP BY p.town_id, t.name",
                params,
            )
        ]
    if report == "sectors":
        return [
            (
                f"SELECT p.sector, {COUNTS_SQL} FROM visits_visit v "
                f"JOIN premises_premises p ON p.id = v.premises_id WHERE {where} "
                "GROUP BY p.sector",
                params,
            )
        ]
    if report == "trend":
        return [
            (
                f"SELECT date_trunc('month', v.visited_on), {COUNTS_SQL} FROM visits_visit v "
                f"WHERE {where} GROUP BY 1",
                params,
            )
        ]
    # Training impact: re-tests of failures split by training in between, the time from a
    # failure to its first training, and the sessions delivered in the period.
    sessions_where = "s.status = 'delivered'"
    if force is not None:
        sessions_where += " AND s.force_id = %(force)s"
    if start is not None:
        sessions_where += " AND (s.scheduled_for AT TIME ZONE 'Europe/London')::date >= %(start)s"
    if end is not None:
        sessions_where += " AND (s.scheduled_for AT TIME ZONE 'Europe/London')::date <= %(end)s"
    return [
        (
            f"""SELECT count(*) FILTER (WHERE trained), count(*) FILTER (WHERE trained AND passed),
                count(*) FILTER (WHERE NOT trained),
                count(*) FILTER (WHERE NOT trained AND passed),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
            FROM (
                SELECT v.result = 'pass' AS passed,
                    extract(epoch FROM v.visited_at - r.visited_at) / 86400.0 AS days,
                    EXISTS (SELECT 1 FROM training_trainingsession s
                            WHERE s.premises_id = v.premises_id AND s.status = 'delivered'
                              AND s.scheduled_for > r.visited_at
                              AND s.scheduled_for < v.visited_at) AS trained
                FROM visits_visit v JOIN visits_visit r ON r.id = v.retest_of_id
                WHERE {where} AND r.result = 'fail'{" AND r.force_id = %(force)s" if force else ""}
            ) x""",
            params,
        ),
        (
            f"""SELECT count(*), count(first_training),
                percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM first_training - visited_at) / 86400.0)
                    FILTER (WHERE first_training IS NOT NULL)
            FROM (
                SELECT v.visited_at,
                    (SELECT s.scheduled_for FROM training_trainingsession s
                     WHERE s.premises_id = v.premises_id AND s.status = 'delivered'
                       AND s.scheduled_for >= v.visited_at
                     ORDER BY s.scheduled_for LIMIT 1) AS first_training
                FROM visits_visit v WHERE {where} AND v.result = 'fail'
            ) x""",
            params,
        ),
        (
            f"SELECT count(*), sum(s.staff_trained) FROM training_trainingsession s "
            f"WHERE {sessions_where}",
            params,
        ),
    ]


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Results:
    started: float = field(default_factory=time.perf_counter)
    info: dict = field(default_factory=dict)
    reports: list = field(default_factory=list)  # dicts, one per report page and period
    reports_5m: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    national: list = field(default_factory=list)
    admin: dict = field(default_factory=dict)
    http: dict = field(default_factory=dict)
    scale_out: dict = field(default_factory=dict)
    generation: list = field(default_factory=list)
    targets: list = field(default_factory=list)  # (target, figure, met, why)


def verdict(met: bool | None) -> str:
    if met is None:
        return "n/a"
    return "met" if met else "**missed**"


# --- Report pages ----------------------------------------------------------------------------


def periods(today: date) -> list[tuple[str, str, date | None, date | None]]:
    """(label, query string, first day, last day) of each period the reports are measured for."""
    from reports.forms import preset_dates

    start, end = preset_dates("last_12_months", today)
    return [
        ("all time", "?preset=all", None, None),
        ("last 12 months (default)", "", start, end),
        ("calendar year 2025", "?date_from=01/01/2025&date_to=31/12/2025", date(2025, 1, 1),
         date(2025, 12, 31)),
    ]  # fmt: skip


REPORTS = [
    ("towns", "By town"),
    ("sectors", "By sector"),
    ("trend", "Trend"),
    ("training", "Training impact"),
]


def measure_reports(force_id: int, cur) -> list[dict]:
    client = client_for(COMMANDER)
    rows = []
    for slug, title in REPORTS:
        for label, query, start, end in periods(date.today()):
            url = f"/reports/{slug}/{query}"
            page, floor = paired_medians(
                lambda url=url: fetch(client, url),
                floor_runner(cur, floor_statements(slug, force_id, start, end)),
            )
            queries = capture(client, url)
            rows.append(
                {
                    "report": title,
                    "slug": slug,
                    "period": label,
                    "url": url,
                    "page": page,
                    "floor": floor,
                    "ratio": page / floor,
                    "queries": queries,
                }
            )
            log(f"  {title}, {label}: page {page:.1f} ms, floor {floor:.1f} ms")
    return rows


def measure_national_floors(cur) -> list[dict]:
    """Context only: what a national role's town report would scan (Makesafe has none)."""
    start, end = periods(date.today())[1][2:]
    rows = []
    for label, force, s, e in [
        ("all forces, all time", None, None, None),
        ("all forces, last 12 months", None, start, end),
        ("one force (the largest), last 12 months", 1, start, end),
    ]:
        floor = sql_floor(cur, floor_statements("towns", force, s, e))
        rows.append({"scope": label, "floor": floor})
        log(f"  national floor, {label}: {floor:.1f} ms")
    return rows


# --- Other pages -----------------------------------------------------------------------------


def measure_pages(force_id: int) -> list[dict]:
    from django.db.models import Count

    from premises.models import Premises

    busiest = (
        Premises.objects.filter(force_id=force_id)
        .annotate(n=Count("visits"))
        .order_by("-n", "id")
        .values_list("pk", "n")
        .first()
    )
    officer = client_for(OFFICER)
    sergeant = client_for(SERGEANT)
    pages = [
        (EMPTY_PAGE, officer, "/more/", "officer"),
        ("Visits list, page 1", officer, "/visits/", "officer"),
        ("Visits list, page 200", officer, "/visits/?page=200", "officer"),
        ("Premises list", officer, "/premises/", "officer"),
        (
            f"Premises detail (busiest: {busiest[1]} visits)",
            officer,
            f"/premises/{busiest[0]}/",
            "officer",
        ),
        ("Log-visit form", officer, f"/visits/log/{busiest[0]}/", "officer"),
        ("Visits list, page 1, as a sergeant", sergeant, "/visits/", "sergeant"),
    ]
    rows = []
    for title, client, url, role in pages:
        ms = median_ms(lambda client=client, url=url: fetch(client, url))
        queries = capture(client, url)
        rows.append({"page": title, "url": url, "role": role, "ms": ms, "queries": queries})
        log(f"  {title}: {ms:.1f} ms, queries {queries.describe()}")
    # The same page when the sergeant's badge is due to be counted again (once a minute).
    title = f"Visits list, page 1, as a sergeant, {BADGE_RECOUNTED}"
    samples = []
    for _ in range(RUNS + 1):
        forget_badge(sergeant)
        started = time.perf_counter()
        fetch(sergeant, "/visits/")
        samples.append((time.perf_counter() - started) * 1000)
    forget_badge(sergeant)
    queries = capture(sergeant, "/visits/")
    ms = statistics.median(samples[1:])
    rows.append(
        {"page": title, "url": "/visits/", "role": "sergeant", "ms": ms, "queries": queries}
    )
    log(f"  {title}: {ms:.1f} ms, queries {queries.describe()}")
    return rows


BADGE_RECOUNTED = "badge recounted (once a minute)"


def forget_badge(client) -> None:
    """Make the next page count the work-queue badge again (makesafe/navigation.py)."""
    from makesafe.navigation import QUEUE_BADGE_KEY

    session = client.session
    session.pop(QUEUE_BADGE_KEY, None)
    session.save()


def measure_plain() -> float:
    """The plain view of the throughput comparison, through the test client, for the reasons."""
    officer = client_for(OFFICER)
    ms = median_ms(lambda: fetch(officer, "/bench/plain-visits/"))
    log(f"  plain view: {ms:.1f} ms")
    return ms


def measure_admin() -> dict:
    client = client_for(SUPPORT)
    url = "/support/visits/visit/"
    ms = median_ms(lambda: fetch(client, url))
    queries = capture(client, url)
    log(f"  admin visit list: {ms:.1f} ms, {queries.total} queries")
    return {"ms": ms, "url": url, "queries": queries}


# --- HTTP: gunicorn, throughput, scaling out -------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """One gunicorn on a loopback port, serving bench.settings."""

    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "makesafe.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class FormParser(html.parser.HTMLParser):
    """The fields each POST form of a page would submit, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._form = None
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset", "file"):
                self._form.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self._form.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._form.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def form_with(self, name: str) -> list[tuple[str, str]]:
        import html as html_module

        for form in self.forms:
            if any(field_name == name for field_name, _ in form):
                return [(k, html_module.unescape(v)) for k, v in form]
        raise RuntimeError(f"No form with a {name!r} field")


class Browser:
    """One signed-in browser: cookies shared by every server it talks to (as behind one name)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.statuses: list[int] = []

    def request(self, url: str, data=None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(url, data=body)
        req.add_header("Referer", url)
        try:
            with self.opener.open(req, timeout=60) as response:
                status, text, final = response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as exc:
            status, text, final = exc.code, exc.read().decode(errors="replace"), url
        self.statuses.append(status)
        return status, text, final

    def form(self, page: str, field_name: str) -> list[tuple[str, str]]:
        parser = FormParser()
        parser.feed(page)
        return parser.form_with(field_name)

    def sign_in(self, base: str, username: str, password: str = PASSWORD) -> tuple[int, str]:
        _, page, _ = self.request(base + "/accounts/login/")
        data = dict(self.form(page, "username"))
        data.update(username=username, password=password)
        status, _, final = self.request(base + "/accounts/login/", data)
        return status, final

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def wrk_rate(url: str, cookie: str, seconds: int) -> tuple[float, int, str]:
    """Requests per second of `url` with wrk (2 threads, 6 connections); (rate, non-2xx, tool)."""
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run(
            [wrk, "-t2", "-c6", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return rate, int(bad.group(1)) if bad else 0, "wrk"
    return python_rate(url, cookie, seconds) + ("python client (6 threads)",)


def python_rate(url: str, cookie: str, seconds: int) -> tuple[float, int]:
    """A bounded stand-in for wrk: 6 threads requesting `url` for `seconds`."""
    deadline = time.monotonic() + seconds
    done, bad = [0], [0]
    lock = threading.Lock()

    def worker():
        while time.monotonic() < deadline:
            req = urllib.request.Request(url, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(req, timeout=30) as response:
                    response.read()
                    ok = 200 <= response.status < 300
            except urllib.error.HTTPError:
                ok = False
            with lock:
                done[0] += 1
                bad[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(6)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return done[0] / (time.monotonic() - started), bad[0]


def measure_throughput(env: dict) -> dict:
    server = Gunicorn(env, workers=WORKERS)
    try:
        browser = Browser()
        status, final = browser.sign_in(server.base, OFFICER)
        if status != 200 or "/accounts/login/" in final:
            raise RuntimeError(f"HTTP sign-in failed ({status}, {final})")
        # Both cookies a browser sends once signed in: without the CSRF cookie every page that
        # has a form (the sign-out button) would mint a new CSRF secret and set it again.
        cookie = "; ".join(f"{name}={browser.cookie(name)}" for name in ("sessionid", "csrftoken"))
        urls = {"list": server.base + "/visits/", "plain": server.base + "/bench/plain-visits/"}
        for url in urls.values():  # both answer 200 with rows
            status, text, final = browser.request(url)
            if status != 200 or final != url:
                raise RuntimeError(f"{url} answered {status} at {final}")
        rates: dict = {"list": [], "plain": []}
        bad = 0
        tool = ""
        for _ in range(HTTP_ROUNDS):
            for name in ("plain", "list"):
                rate, non_2xx, tool = wrk_rate(urls[name], cookie, HTTP_SECONDS)
                rates[name].append(rate)
                bad += non_2xx
        result = {
            "list": statistics.median(rates["list"]),
            "plain": statistics.median(rates["plain"]),
            "rounds": rates,
            "non_2xx": bad,
            "tool": tool,
            "workers": WORKERS,
        }
        result["ratio"] = result["list"] / result["plain"]
        log(
            f"  throughput: list {result['list']:.1f} req/s, plain {result['plain']:.1f} req/s "
            f"({tool}, {bad} non-2xx)"
        )
        return result
    finally:
        server.stop()


def scale_out_check(env: dict) -> dict:
    """Two app servers, one user: log a visit on A, see and edit it on B, see the edit on A;
    five failed sign-ins spread over A and B lock the username on both."""
    from premises.models import Premises
    from visits.models import Participant, Scenario

    a, b = Gunicorn(env, workers=2), Gunicorn(env, workers=2)
    steps: list[tuple[str, bool]] = []
    browser = Browser()
    try:
        status, final = browser.sign_in(a.base, OFFICER)
        steps.append(("signed in on A", status == 200 and "/accounts/login/" not in final))
        premises = Premises.objects.filter(force__code="AVS", sector="hotel", active=True).first()
        cadet = Participant.objects.filter(force__code="AVS").first()
        scenario = Scenario.objects.get(force__code="AVS", name="Room for a few hours")
        token = f"Scale-out check {int(time.time())}"
        _, page, _ = browser.request(f"{a.base}/visits/log/{premises.pk}/")
        data = dict(browser.form(page, "visited_at"))
        an_hour_ago = (datetime.now() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
        data.update(
            visited_at=an_hour_ago,
            participants=str(cadet.pk),
            scenario=str(scenario.pk),
            stage_reached="key_issued",
            outcome="completed",
            police_contact="none",
            debrief_held="on",
            debrief_notes=f"{token}: logged on server A.",
            training_offered="on",
            welfare_debrief_done="on",
        )
        status, _, final = browser.request(f"{a.base}/visits/log/{premises.pk}/", data)
        match = re.search(r"/visits/(\d+)/$", final)
        steps.append(("logged a visit on A", status == 200 and match is not None))
        if match is None:
            raise RuntimeError(f"logging the visit on A ended at {final} ({status})")
        visit = match.group(1)
        status, page, _ = browser.request(f"{b.base}/visits/{visit}/")
        steps.append(("saw it on B", status == 200 and "logged on server A" in page))
        status, page, _ = browser.request(f"{b.base}/visits/{visit}/edit/")
        data = browser.form(page, "visited_at")
        edited = f"{token}: edited on server B."
        data = [(k, edited if k == "debrief_notes" else v) for k, v in data]
        status, _, final = browser.request(f"{b.base}/visits/{visit}/edit/", data)
        steps.append(("edited it on B", status == 200 and final.endswith(f"/visits/{visit}/")))
        status, page, _ = browser.request(f"{a.base}/visits/{visit}/")
        steps.append(("saw the edit on A", status == 200 and "edited on server B" in page))
        status, page, _ = browser.request(f"{a.base}/visits/")
        steps.append(("listed on A's first page", status == 200 and f"/visits/{visit}/" in page))
        # Login throttling lives in PostgreSQL too: failures on A and B add up.
        intruder = Browser()
        for n in range(5):
            intruder.sign_in((a if n % 2 == 0 else b).base, LOCKOUT_USER, "wrong-password-123")
        status, final = intruder.sign_in(b.base, LOCKOUT_USER)
        steps.append(("5 failures over A and B lock the username on B", status == 429))
        errors = [s for s in browser.statuses + intruder.statuses if s >= 500]
    finally:
        a.stop()
        b.stop()
    ok = all(passed for _, passed in steps) and not errors
    for step, passed in steps:
        log(f"  {'ok ' if passed else 'FAILED'} {step}")
    return {"steps": steps, "errors": len(errors), "ok": ok}


# --- Writing the results ---------------------------------------------------------------------


def fmt(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def judge(r: Results) -> None:
    """The issue's targets, each met or missed, with the reason (from the figures) when missed."""
    admin, empty = r.admin["ms"], r.info["empty_page"]
    worst = max(r.reports, key=lambda row: row["ratio"])
    missed = [row for row in r.reports if row["ratio"] > 1.3]
    own = max(((row["page"] - empty) / row["floor"], row["report"], row["period"])
              for row in r.reports)  # fmt: skip
    r.targets.append(
        (
            "Every report page at 1M ≤ 1.3x its raw-SQL floor",
            f"worst {worst['ratio']:.2f} ({worst['report']}, {worst['period']}); "
            f"{len(r.reports) - len(missed)} of {len(r.reports)} within 1.3",
            not missed,
            ""
            if not missed
            else f"a signed-in page with no records already takes {fmt(empty)} here (session "
            "with its user, navigation, template), more than 0.3x the floors "
            f"of {', '.join(sorted({fmt(row['floor']) for row in missed}))}; the report's own "
            f"work (page minus that) is at most {own[0]:.2f}x its floor ({own[1]}, {own[2]}). "
            "The town and sector reports of periods that do not start and end on a month "
            "boundary also read days from the visits (in the same query as the summary's "
            "months, an index probe per day): those of an edge month in the period, or those "
            "outside it, whichever are fewer; the trend sums the day totals.",
        )
    )
    if r.reports_5m:
        one = {row["period"]: row["page"] for row in r.reports if row["slug"] == "towns"}
        growth = [(row["page"] / one[row["period"]], row["period"]) for row in r.reports_5m
                  if row["slug"] == "towns"]  # fmt: skip
        g, period = max(growth)
        r.targets.append(
            (
                "Town report at 5M ≤ 1.5x its time at 1M",
                f"worst {g:.2f} ({period})",
                g <= 1.5,
                ""
                if g <= 1.5
                else "the days of the period's edge months read from the visits grew 5x",
            )
        )
    else:
        r.targets.append(("Town report at 5M ≤ 1.5x its time at 1M", "not run", None, ""))
    listed = [row for row in r.pages if row["page"] != EMPTY_PAGE]
    # A sergeant's first page in a minute also counts the work-queue badge (makesafe/navigation.py):
    # shown beside the figure, not hidden in it, and not a page view like the others.
    views = [row for row in listed if not row["page"].endswith(BADGE_RECOUNTED)]
    recount = next((row for row in listed if row["page"].endswith(BADGE_RECOUNTED)), None)
    most = max(views, key=lambda row: row["queries"].total)
    own_most = max(views, key=lambda row: row["queries"].page_count)
    fixed = r.pages[0]["queries"]  # the page without records: nothing but the overhead
    recounted = (
        f"; once a minute a sergeant's page also counts the work-queue badge and keeps it in "
        f"the session: {recount['queries'].describe()}"
        if recount
        else ""
    )
    r.targets.append(
        (
            "List and detail pages ≤ 5 queries, whatever the data",
            f"{most['queries'].total} at most ({most['page']}); the page's own queries at most "
            f"{own_most['queries'].page_count} ({own_most['page']}){recounted}",
            most["queries"].total <= 5,
            ""
            if most["queries"].total <= 5
            else f"every signed-in page runs {fixed.total} queries before showing any record "
            f"({fixed.describe().split(' = ', 1)[1]}) and records pages add one access-log "
            "INSERT (DPA s.62). The pages' own queries are fixed in number whatever the data "
            "(the query-count tests pin them); see the pages table.",
        )
    )
    counts = sum(row["queries"].whole_table_counts for row in r.pages + r.reports)
    r.targets.append(("No whole-table COUNT(*) on visits", f"{counts} found", counts == 0, ""))
    if r.http:
        ratio = r.http["ratio"]
        visits_list = next(row for row in r.pages if row["url"] == "/visits/")
        r.targets.append(
            (
                "Visits list ≥ 0.8x the plain view's throughput",
                f"{ratio:.2f} ({r.http['list']:.1f} / {r.http['plain']:.1f} req/s)",
                ratio >= 0.8,
                ""
                if ratio >= 0.8
                else f"of the list's {fmt(visits_list['ms'])} only "
                f"{fmt(visits_list['queries'].sql_ms)} is SQL; both views read the same 50 "
                "rows (a join of five tables: the plain view into model instances, the list "
                "into tuples). On top the list builds and validates the filter form "
                "(django-filter), reads the town, operation and officer options (one query), "
                "draws the page (base template, navigation, the filter bar and the rows, the "
                "last two in Python) and writes the access-log row (DPA s.62). Through the "
                f"test client in this run the list took {fmt(visits_list['ms'])} and the plain "
                f"view {fmt(r.info['plain_ms'])}; the target allows the list a quarter more "
                "than the plain view.",
            )
        )
    pages = [(row["page"], row["ms"]) for row in listed] + [
        (f"{row['report']} report, {row['period']}", row["page"]) for row in r.reports
    ]
    over = [(name, ms) for name, ms in pages if ms / admin > 0.1]
    slowest = max(pages, key=lambda p: p[1])
    r.targets.append(
        (
            "Every page ≤ 0.1x the admin visit list",
            f"slowest: {slowest[0]}, {fmt(slowest[1])} = {slowest[1] / admin:.3f}x of {fmt(admin)}",
            not over,
            ""
            if not over
            else "over 0.1x: " + "; ".join(f"{n} ({ms / admin:.3f}x)" for n, ms in over),
        )
    )
    steps = r.scale_out["steps"]
    r.targets.append(
        (
            "Two app servers, one user: log on one, see and edit on the other, no errors",
            f"{sum(ok for _, ok in steps)}/{len(steps)} steps, {r.scale_out['errors']} 5xx",
            r.scale_out["ok"],
            "",
        )
    )


def write_results(r: Results) -> str:
    i = r.info
    admin, empty = r.admin["ms"], i["empty_page"]
    lines = [
        "# Makesafe scale benchmark (issue 7)",
        "",
        f"Written by `make bench` on {i['date']}. Every time is the median of {RUNS} runs after "
        "a warm-up, all measured in this one run (a report page and its SQL floor timed in turn, "
        "run by run): compare the ratios, not absolute times.",
        "",
        "| Machine | |",
        "|---|---|",
        f"| CPUs (nproc) | {i['cpus']} |",
        f"| Memory | {i['memory']} |",
        f"| PostgreSQL | {i['postgres']}; {i['pg_settings']} |",
        f"| Python / Django | {i['python']} / {i['django']} |",
        f"| System | {i['system']} |",
        f"| Load average at start / end | {i['load']} / {i['load_end']} (the end includes the "
        "benchmark's own load; on a shared virtual machine absolute times vary from run to "
        "run: compare the ratios) |",
        f"| Total `make bench` run time | {i['total']} |",
        "",
        "## Targets",
        "",
        "| Target | Figure | Result | Why |",
        "|---|---|---|---|",
        *[f"| {t} | {fig} | {verdict(met)} | {why} |" for t, fig, met, why in r.targets],
        "",
        "## Data set",
        "",
        i["data"],
        "",
        "| Generation step | Time |",
        "|---|---|",
        *[f"| {step} | {seconds:.1f} s |" for step, seconds in r.generation],
        "",
        "## Report pages at 1M visits (commander of the largest force)",
        "",
        "Makesafe has no national role: every report page shows the signed-in commander's own "
        "force. The floor is the plain SQL of the same report over visits joined to premises "
        "(and towns), on the same indexes, run on a psycopg2 cursor. The page is the whole "
        "request through Django's test client: the session (with the user and permissions), "
        "the filters form and its options, the "
        "report function, the template and the access log. The town and sector reports read "
        "whole months from `reports_visitsummary` (kept by triggers) and only days at the "
        "period's edges from the visits (an edge month's days in the period, or the whole "
        "month less its days outside, whichever reads fewer days); the trend of a force's "
        "visits sums the period's days from `reports_daytotal` (kept by triggers too); "
        "training impact reads the visits, in one statement that looks up each visit's "
        "training once. A signed-in page without records "
        f"(`/more/`) takes {fmt(empty)}: the last "
        "ratio column takes that fixed cost out. Before these timings the benchmark "
        f"{r.info.get('settled_1m', 'did not check the CPUs')} (at most 90 s, 15% busy or "
        "less over a second).",
        "",
        "| Report | Period | Page | SQL floor | Page / floor (≤ 1.3) | Page / admin (≤ 0.1) "
        "| (Page − empty page) / floor | Queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in r.reports:
        lines.append(
            f"| {row['report']} | {row['period']} | {fmt(row['page'])} | {fmt(row['floor'])} | "
            f"{row['ratio']:.2f} {verdict(row['ratio'] <= 1.3)} | "
            f"{row['page'] / admin:.3f} {verdict(row['page'] / admin <= 0.1)} | "
            f"{max(row['page'] - empty, 0) / row['floor']:.2f} | {row['queries'].describe()} |"
        )
    lines += [
        "",
        "## Lists, detail and form pages at 1M visits (officer of the largest force)",
        "",
        "Queries are split into the page's own and the fixed overhead every signed-in page pays "
        "whatever the data: one query for the session, read joined to its user, their force "
        "and their permissions (accounts/sessions.py), and, on pages that show records, one "
        "access-log INSERT (DPA s.62). Pages that only read run without a transaction (no "
        "BEGIN/COMMIT); the filter bars' options come in one query. Every 30 seconds of "
        "activity a page also saves the session's last-seen time for the 30-minute idle limit: "
        "one UPDATE, no transaction around it (5 queries on a list page; not in the rows "
        "below, timed within those 30 seconds). A sergeant's navigation shows the work-queue "
        "total, counted (four COUNT queries) at most once a minute and kept in the session: "
        "the row 'badge recounted' is the request that counts it.",
        "",
        "| Page | Time | of which SQL | Page / admin (≤ 0.1) | Queries (≤ 5) "
        "| COUNT(*) on visits |",
        "|---|---|---|---|---|---|",
    ]
    once = "(once a minute)"
    for row in r.pages:
        q = row["queries"]
        lines.append(
            f"| {row['page']} | {fmt(row['ms'])} | {fmt(q.sql_ms)} | {row['ms'] / admin:.3f} "
            f"{verdict(row['ms'] / admin <= 0.1)} | {q.describe()}: "
            f"{once if row['page'].endswith(BADGE_RECOUNTED) else verdict(q.total <= 5)} | "
            f"{q.visit_counts} ({q.whole_table_counts} whole-table) |"
        )
    q = r.admin["queries"]
    lines += [
        "",
        f"**Baseline: Django admin visit list** (`{r.admin['url']}`, superuser): {fmt(admin)}, "
        f"{q.total} queries (SQL {fmt(q.sql_ms)} in a separate counted run), "
        f"{q.visit_counts} of them COUNT(*) "
        f"over the visits table ({q.whole_table_counts} whole-table), plus its date hierarchy's "
        "scans of the table.",
        "",
        "## HTTP throughput of the visits list (gunicorn, loopback)",
        "",
    ]
    h = r.http
    if h:
        lines += [
            f"gunicorn with {h['workers']} sync workers (two per core, as the README deploys "
            "it; DEBUG off, `bench.settings`), one signed-in officer's cookies (session and "
            f"CSRF, as a browser sends them), {h['tool']}, {HTTP_ROUNDS} alternating rounds of "
            f"{HTTP_SECONDS} s each (median). The plain view (`bench/views.py`) returns the "
            "same 50 rows as text without templates, filters or role checks, behind the same "
            "middleware (session, sign-in) but, not being a records page, without the access-log "
            "INSERT.",
            "",
            "| View | Requests/s (median) | Rounds |",
            "|---|---|---|",
            f"| Visits list `/visits/` | {h['list']:.1f} | "
            + ", ".join(f"{x:.1f}" for x in h["rounds"]["list"])
            + " |",
            f"| Plain view `/bench/plain-visits/` | {h['plain']:.1f} | "
            + ", ".join(f"{x:.1f}" for x in h["rounds"]["plain"])
            + " |",
            "",
            f"Ratio {h['ratio']:.2f} (target ≥ 0.8); non-2xx answers: {h['non_2xx']}.",
        ]
    else:
        lines.append("Not measured (see the notes).")
    s = r.scale_out
    lines += [
        "",
        "## Scaling out: two app servers, one user",
        "",
        "Two gunicorn instances on different loopback ports share nothing but PostgreSQL "
        "(sessions, django-axes lockouts, the data). One browser (one cookie jar, as behind a "
        "load balancer) goes back and forth between them:",
        "",
        *[f"- {'ok' if ok else '**FAILED**'}: {step}" for step, ok in s.get("steps", [])],
        f"- 5xx answers: {s.get('errors', 'n/a')}",
        "",
        "## Report pages at 5M visits",
        "",
    ]
    if r.reports_5m:
        lines += [
            "4,000,000 more visits over the same years, premises and forces (each force has "
            "about 5x the visits; no new training sessions), summaries rebuilt, VACUUM ANALYZE, "
            f"CHECKPOINT, sync; then {r.info.get('settled_5m', 'no check of the CPUs')}.",
            "",
            "| Report | Period | Page at 5M | Page at 1M | 5M / 1M (town ≤ 1.5) | SQL floor at 5M "
            "| Floor 5M / 1M | Page / floor at 5M |",
            "|---|---|---|---|---|---|---|---|",
        ]
        by_key = {(row["slug"], row["period"]): row for row in r.reports}
        for row in r.reports_5m:
            one = by_key[(row["slug"], row["period"])]
            growth = row["page"] / one["page"]
            target = verdict(growth <= 1.5) if row["slug"] == "towns" else ""
            lines.append(
                f"| {row['report']} | {row['period']} | {fmt(row['page'])} | {fmt(one['page'])} "
                f"| {growth:.2f} {target} | {fmt(row['floor'])} | "
                f"{row['floor'] / one['floor']:.2f} | {row['ratio']:.2f} |"
            )
    else:
        lines.append(i.get("skip_5m", "Not run."))
    lines += [
        "",
        "## Context: the town report's floor at national scope",
        "",
        "What a national role's town report would scan if Makesafe had one (it has none).",
        "",
        "| Scope | Floor at 1M | Floor at 5M |",
        "|---|---|---|",
    ]
    five = {row["scope"]: row["floor"] for row in i.get("national_5m", [])}
    for row in r.national:
        later = five.get(row["scope"])
        lines.append(f"| {row['scope']} | {fmt(row['floor'])} | {fmt(later) if later else 'n/a'} |")
    lines += ["", "## Notes", "", *[f"- {note}" for note in i.get("notes", [])], ""]
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------


def generate(url: str, r: Results, n: int, *, base: bool) -> None:
    from bench import generate as gen
    from tools.localdb import _connect

    steps: list[tuple[str, float]] = []

    def record(message: str) -> None:
        log(message)
        label, seconds = message.strip().rsplit(": ", 1)
        steps.append((label if base else f"+4M: {label}", float(seconds.split()[0])))

    conn = _connect(url)
    try:
        if base:
            from django.contrib.auth.hashers import make_password

            gen.generate_base(conn, password_hash=make_password(PASSWORD), log=record)
        gen.generate_visits(conn, n, training=base, log=record)
        gen.finish(conn, log=record)
    finally:
        conn.close()
    r.generation += steps


def main() -> int:
    r = Results()
    url = bench_url()
    env = configure_environment(url)
    log(f"Benchmark database: {urllib.parse.urlparse(url).path.lstrip('/')} (created afresh)")
    create_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Force
    from tools.localdb import _connect
    from visits.models import Visit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    r.generation.append(("migrate and collectstatic", time.perf_counter() - started))
    r.info.update(machine())
    r.info["date"] = datetime.now().strftime("%Y-%m-%d %H:%M")

    log(f"Generating {FIRST_VISITS:,} visits inside PostgreSQL...")
    generated = time.perf_counter()
    generate(url, r, FIRST_VISITS, base=True)
    gen_seconds = time.perf_counter() - generated
    force = Force.objects.get(code="AVS")
    force_visits = Visit.objects.filter(force=force).count()
    r.info["data"] = (
        f"Generated inside PostgreSQL with generate_series in {gen_seconds:.0f} s "
        "(bench/generate.py): 20 forces, 400 towns (20 per force, sizes skewed about 15:1), "
        "50,000 premises (35% licensed, 20% takeaways, 12% hotels, 10% B&Bs, 13% taxis, "
        "10% other), 601 users (per force a commander, a force admin, 3 sergeants and 25 "
        "officers, plus one support superuser), 4 scenarios and 12 cadets per force, one "
        "operation per force and month, and 1,000,000 visits from January 2020 to yesterday "
        "(busier each year; 1-2 cadets each, ~300-character debriefs, failure rates 8-28% by "
        "town, re-tests of failures, outcome letters for live visits) with training sessions "
        "after failures at a tenth of the premises. The force measured, "
        f"{force.name}, is the largest: {force_visits:,} visits. Loaded with "
        "`session_replication_role = replica`: no change-history (pghistory) events exist for "
        "generated rows, and `reports_visitsummary` and `reports_daytotal` are rebuilt with the "
        "backfill SQL of reports/migrations/0002_summary_triggers.py and "
        "0005_day_total_triggers.py; every CHECK constraint still applied. "
        "VACUUM ANALYZE, a CHECKPOINT and a sync after loading."
    )
    floors = _connect(url)
    floors.autocommit = True  # an open transaction would block the 5M load's DROP INDEX
    cur = floors.cursor()
    log("Report pages at 1M (commander) against their SQL floors...")
    r.info["settled_1m"] = settle()
    log(f"  {r.info['settled_1m']}")
    r.reports = measure_reports(force.pk, cur)
    r.national = measure_national_floors(cur)
    log("Admin visit list (superuser)...")
    r.admin = measure_admin()
    log("Lists, detail and form pages (officer)...")
    r.pages = measure_pages(force.pk)
    r.info["empty_page"] = r.pages[0]["ms"]
    r.info["plain_ms"] = measure_plain()
    connection.close()
    log("HTTP throughput through gunicorn...")
    try:
        r.http = measure_throughput(env)
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        log(f"  throughput not measured: {exc}")
        r.info.setdefault("notes", []).append(f"Throughput not measured: {exc}")
    log("Scaling out: two gunicorn instances...")
    r.scale_out = scale_out_check(env)

    if os.environ.get("BENCH_SKIP_5M"):
        r.info["skip_5m"] = "Skipped (BENCH_SKIP_5M set)."
    else:
        log(f"Adding {MORE_VISITS:,} visits (5M in all)...")
        connection.close()
        generate(url, r, MORE_VISITS, base=False)
        log("Report pages at 5M...")
        r.info["settled_5m"] = settle()
        log(f"  {r.info['settled_5m']}")
        r.reports_5m = measure_reports(force.pk, cur)
        r.info["national_5m"] = measure_national_floors(cur)
    cur.connection.close()
    connection.close()

    r.info.setdefault("notes", []).extend(
        [
            "History: generated rows have no pghistory events (triggers were off while "
            "loading). The visit logged and edited in the scale-out check has both, like any "
            "real write.",
            "No national role exists, so every report is measured as one force's commander; "
            "the national floors are context only.",
            "Server settings are PostgreSQL's defaults (JIT on); nothing was tuned for the run.",
        ]
    )
    judge(r)
    r.info["load_end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    total = time.perf_counter() - r.started
    r.info["total"] = f"{total / 60:.1f} min ({total:.0f} s)"
    text = write_results(r)
    RESULTS.write_text(text + "\n")
    if not os.environ.get("BENCH_KEEP_DB"):
        drop_database(url)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
