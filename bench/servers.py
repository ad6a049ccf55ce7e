"""The HTTP side of `make bench`: gunicorn as the README deploys it, on loopback ports only.

- `scale_out_check`: two app servers, one browser going back and forth between them;
- `measure_latency`: locust (bench/locustfile.py) drives 200 simulated users of the 20 forces
  through one gunicorn, statistics taken after the ramp;
- `logging_check`: 50 officers log 20 visits each; 1,000 visits and history rows, no 5xx.

Every loop is bounded in count and time; every server started here is stopped here.
"""

import csv
import html
import html.parser
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PASSWORD  # noqa: E402

# Two workers per core, as the README deploys gunicorn (`--workers 4` on 2 cores).
WORKERS = 2 * (os.cpu_count() or 1)
OFFICER = "avs.officer6"
# Locked out by the scale-out check: an account no simulated user of locustfile.py signs in as.
LOCKOUT_USER = "avs.officer30"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
LATENCY_USERS = ("Officer", "Sergeant", "Commander")


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn makesafe.wsgi --workers N` on a loopback port (sync workers, as deployed)."""

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
            risk_assessment_ref="RA/BENCH/0001",  # outside an operation: its own
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


# --- Locust ----------------------------------------------------------------------------------


def start_locust(
    base: str,
    classes,
    users: int,
    spawn_rate: float,
    seconds: int,
    prefix: Path,
    env: dict,
    *,
    reset_stats: bool,
) -> subprocess.Popen:
    """Locust headless against `base` (loopback), bounded by `seconds`, CSV files at `prefix`."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *classes,
    ]  # fmt: skip
    if reset_stats:
        command.append("--reset-stats")
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_for(process: subprocess.Popen, seconds: int) -> None:
    """Wait for locust to end by itself (its run time is bounded), or end it 2 minutes late."""
    try:
        process.wait(timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None  # "N/A" when a kind had no request


def read_locust(prefix: Path) -> dict:
    """Per page kind: requests, failures, median, p95, p99 (ms) and requests/s; 5xx counted from
    the failures' messages ("HTTP 500", or requests' "500 Server Error")."""
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    kinds = {}
    for row in rows:
        kinds[row["Name"]] = {
            "method": row["Type"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median": _number(row["50%"]),
            "p95": _number(row["95%"]),
            "p99": _number(row["99%"]),
            "max": _number(row["Max Response Time"]),
            "rps": float(row["Requests/s"]),
        }
    errors = []
    with open(f"{prefix}_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            errors.append((row["Name"], row["Error"], int(row["Occurrences"])))
    server_errors = sum(
        n for _, message, n in errors if re.search(r"HTTP 5\d\d|\b5\d\d Server Error", message)
    )
    total = kinds.pop("Aggregated")
    return {"kinds": kinds, "total": total, "errors": errors, "server_errors": server_errors}


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) clock ticks of all CPUs together, from /proc/stat."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields)


def _processes() -> dict[int, tuple[int, int, str]]:
    """Every process: pid -> (parent pid, CPU clock ticks used, command line)."""
    found = {}
    for path in Path("/proc").glob("[0-9]*"):
        try:
            fields = (path / "stat").read_text().rsplit(")", 1)[1].split()
            command = (path / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        found[int(path.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), command)
    return found


def _snapshot(server: int, locust: int, database: str) -> dict:
    """The machine's CPU ticks and load, and each process's ticks with the part it belongs to:
    gunicorn (the master and its workers), locust, PostgreSQL (the backends and autovacuum of
    the benchmark database, named in their process titles) or other work."""
    processes = _processes()
    parts = {}
    for pid, (parent, ticks, command) in processes.items():
        if pid == server or parent == server:
            part = "gunicorn"
        elif pid == locust:
            part = "locust"
        elif command.startswith("postgres:") and f" {database} " in command:
            part = "PostgreSQL"
        else:
            part = "other work"
        parts[pid] = (part, ticks)
    return {"cpu": _cpu_times(), "load": _load(), "processes": parts}


PARTS = ("gunicorn", "PostgreSQL", "locust", "other work")


def cpu_shares(start: dict, end: dict) -> dict | None:
    """Shares of the machine's CPU capacity between two snapshots: busy in all, then each part
    (a process started meanwhile counts whole); what processes that ended meanwhile used is
    "ended meanwhile" (the app's database connections are renewed every minute, for one)."""
    if not start.get("cpu") or not end.get("cpu") or end["cpu"][1] == start["cpu"][1]:
        return None
    capacity = end["cpu"][1] - start["cpu"][1]
    shares = dict.fromkeys(PARTS, 0.0)
    shares["busy"] = 1 - (end["cpu"][0] - start["cpu"][0]) / capacity
    before = start["processes"]
    for pid, (part, ticks) in end["processes"].items():
        shares[part] += (ticks - before.get(pid, (part, 0))[1]) / capacity
    shares["ended meanwhile"] = max(0.0, shares["busy"] - sum(shares[part] for part in PARTS))
    return shares


def _load() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(limit: float = 3.0, max_wait: int = 240) -> str:
    """Wait (at most `max_wait` s) for the 1-minute load average to be at most `limit`."""
    started = time.monotonic()
    while _load() > limit and time.monotonic() - started < max_wait:
        time.sleep(10)
    return f"{_load():.2f} after waiting {time.monotonic() - started:.0f} s"


def measure_latency(env: dict, workdir: Path, users: int, spawn_rate: float, seconds: int) -> dict:
    """Latency under load: `users` simulated users ramped at `spawn_rate`, then `seconds`
    measured (locust's statistics reset when the ramp ends), with the CPU each part used while
    measured. Run again once, after waiting for the machine, if a target was missed while it was
    plainly busy with other work (load average above 3 at the start, or other work using more
    than a quarter of the CPUs while measured)."""
    ramp = users / spawn_rate
    database = urllib.parse.urlparse(env["DATABASE_URL"]).path.lstrip("/")
    runs = []
    for attempt in (1, 2):
        waited = wait_for_quiet()
        server = Gunicorn(env, workers=WORKERS)
        prefix = workdir / f"latency{attempt}"
        try:
            load_start = _load()
            started = time.monotonic()
            process = start_locust(
                server.base, LATENCY_USERS, users, spawn_rate, int(ramp + seconds), prefix, env,
                reset_stats=True,
            )  # fmt: skip
            # The CPU figures cover the measured part: from the ramp's end to locust's last
            # requests (its run time less the stop timeout's few seconds).
            time.sleep(ramp + 2)
            first = _snapshot(server.process.pid, process.pid, database)
            time.sleep(max(0.0, started + ramp + seconds - 2 - time.monotonic()))
            last = _snapshot(server.process.pid, process.pid, database)
            wait_for(process, int(ramp + seconds))
            elapsed = time.monotonic() - started
        finally:
            server.stop()
        result = read_locust(prefix)
        result.update(
            {
                "attempt": attempt,
                "waited": waited,
                "load_start": load_start,
                "load_ramp_end": first["load"],
                "load_end": last["load"],
                "cpu": cpu_shares(first, last),
                "elapsed": elapsed,
                "users": users,
                "spawn_rate": spawn_rate,
                "ramp": ramp,
                "measured": seconds,
                "workers": WORKERS,
            }
        )
        runs.append(result)
        other = (result["cpu"] or {}).get("other work", 0.0)
        log(
            f"  latency run {attempt}: {result['total']['requests']} requests, "
            f"{result['total']['rps']:.1f} req/s, {result['total']['failures']} failures, "
            f"load {load_start:.2f} at start, other work {other:.0%} of the CPUs"
        )
        if latency_met(result) or (load_start <= 3 and other <= 0.25):
            break
    final = runs[-1]
    final["earlier"] = runs[:-1]
    return final


P95_MS, P99_MS = 250, 500
LOGGING_SECONDS = 480  # the logging check's bound (it takes about 3 minutes on 2 cores)
SIGN_IN = "sign-in"


def page_kinds(result: dict) -> dict:
    """The page kinds a latency run measured (sign-ins are not pages: they fall in the ramp)."""
    return {
        name: row for name, row in result["kinds"].items() if name != SIGN_IN and row["requests"]
    }


def kind_met(row: dict) -> bool:
    return (
        row["failures"] == 0
        and row["p95"] is not None
        and row["p95"] <= P95_MS
        and row["p99"] is not None
        and row["p99"] <= P99_MS
    )


def latency_met(result: dict) -> bool:
    kinds = page_kinds(result)
    return bool(kinds) and all(kind_met(row) for row in kinds.values())


def visit_history_rows() -> int:
    """Rows of the change-history (pghistory) event tables that track visits."""
    from django.apps import apps

    from visits.models import Visit

    events = [m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) is Visit]
    return sum(m.objects.count() for m in events)


def logging_check(env: dict, workdir: Path, officers: int = 50, each: int = 20) -> dict:
    """docs/security.md check 27: `officers` sign in and log `each` visits each through gunicorn,
    all at once."""
    from django.db import connection

    from visits.models import Visit

    last = Visit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    history = visit_history_rows()
    connection.close()
    server = Gunicorn(env, workers=WORKERS)
    prefix = workdir / "logging"
    started = time.monotonic()
    try:
        process = start_locust(
            server.base, ["LoggingOfficer"], officers, 10, LOGGING_SECONDS, prefix,
            {**env, "BENCH_LOG_VISITS_EACH": str(each)}, reset_stats=False,
        )  # fmt: skip
        wait_for(process, LOGGING_SECONDS)
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    result = read_locust(prefix)
    result.update(
        {
            "officers": officers,
            "each": each,
            "expected": officers * each,
            "visits": Visit.objects.filter(pk__gt=last).count(),
            "history": visit_history_rows() - history,
            "elapsed": elapsed,
            "timed_out": elapsed >= LOGGING_SECONDS,
            "workers": WORKERS,
        }
    )
    result["ok"] = (
        result["visits"] == result["expected"]
        and result["history"] == result["expected"]
        and result["server_errors"] == 0
    )
    log(
        f"  logging: {result['visits']} visits, {result['history']} history rows, "
        f"{result['server_errors']} 5xx in {elapsed:.0f} s: {'ok' if result['ok'] else 'FAILED'}"
    )
    return result
