"""Load check (SECURITY.md 27): 50 officers log 20 visits each over real HTTP, concurrently.

Starts gunicorn on a loopback port against a fresh benchmark database, signs in 50 officer
accounts (sessions and CSRF as a browser would), and has each log 20 visits through the
log-visit form. Reports requests per second and p95 latency, then asserts exactly 1,000 new
visits, 1,000 new history entries and no 5xx answers.

    DATABASE_URL=... python bench/load.py     (make bench-load does the set-up)

Only loopback traffic; every loop is bounded in count and time.
"""

import concurrent.futures
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makesafe.settings")

OFFICERS = int(os.environ.get("LOAD_OFFICERS", 50))
VISITS_EACH = int(os.environ.get("LOAD_VISITS_EACH", 20))
PASSWORD = "load-test-passphrase-2026"
TIME_LIMIT = 600  # seconds for the whole run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str) -> dict:
    """A fresh benchmark database with one force, premises, a cadet and 50 officers."""
    import django
    from psycopg2 import connect, sql

    from tools.localdb import _connect

    base = _connect(url, dbname="postgres")
    base.autocommit = True
    name = urllib.parse.urlparse(url).path.lstrip("/")
    with base.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base.close()
    del connect
    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from accounts.models import Force, User
    from premises.models import Premises, Town
    from visits.models import Participant, Scenario

    force = Force.objects.create(name="Load Test Constabulary", code="LOAD")
    town = Town.objects.create(force=force, name="Loadtown")
    premises = [
        Premises.objects.create(
            force=force,
            reference=f"LOAD-H-{n:04d}",
            name=f"Load Hotel {n}",
            sector="hotel",
            address=f"{n} High Street",
            town=town,
            postcode="IP1 1AA",
        )
        for n in range(1, 51)
    ]
    cadet = Participant.objects.create(
        force=force, code="C-900", age_band="16-17", permission_recorded_on="2026-01-05"
    )
    scenario = Scenario.objects.create(
        force=force, name="Load scenario", sectors=["hotel"], script="Room for a few hours."
    )
    officer_group = Group.objects.get(name="Officer")
    for n in range(OFFICERS):
        user = User.objects.create_user(
            f"load{n:02d}", password=PASSWORD, force=force, first_name="Load", last_name=f"{n}"
        )
        user.groups.add(officer_group)
    return {
        "premises": [p.pk for p in premises],
        "cadet": cadet.pk,
        "scenario": scenario.pk,
    }


class Officer:
    """One signed-in browser session."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.username = username
        self.timings: list[float] = []
        self.statuses: list[int] = []

    def request(self, path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        req.add_header("Referer", self.base + path)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(errors="replace"), exc.code
        self.timings.append(time.perf_counter() - started)
        self.statuses.append(status)
        return text

    def csrf(self, page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return match.group(1) if match else ""

    def run(self, ids: dict) -> None:
        page = self.request("/accounts/login/")
        self.request(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self.csrf(page),
                "username": self.username,
                "password": PASSWORD,
            },
        )
        an_hour_ago = time.strftime("%d/%m/%Y %H:%M", time.localtime(time.time() - 3600))
        for n in range(VISITS_EACH):
            premises = ids["premises"][(hash(self.username) + n) % len(ids["premises"])]
            form = self.request(f"/visits/log/{premises}/")
            self.request(
                f"/visits/log/{premises}/",
                {
                    "csrfmiddlewaretoken": self.csrf(form),
                    "premises": premises,
                    "visited_at": an_hour_ago,
                    "participants": ids["cadet"],
                    "scenario": ids["scenario"],
                    "stage_reached": "key_issued",
                    "outcome": "completed",
                    "police_contact": "none",
                    "debrief_held": "on",
                    "debrief_notes": "Load test debrief with the duty manager.",
                    "training_offered": "on",
                    "welfare_debrief_done": "on",
                },
            )


def main() -> int:
    url = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url:
        from tools.localdb import default_database_url

        url = default_database_url().replace("/makesafe?", "/makesafe_load?")
    elif not urllib.parse.urlparse(url).path.endswith("_load"):
        parsed = urllib.parse.urlparse(url)
        url = parsed._replace(path=parsed.path + "_load").geturl()
    os.environ["DATABASE_URL"] = url
    ids = prepare_database(url)

    from django.apps import apps

    Visit = apps.get_model("visits", "Visit")
    VisitEvent = apps.get_model("visits", "VisitEvent")
    visits_before, events_before = Visit.objects.count(), VisitEvent.objects.count()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "load-test-only-" + "x" * 40,
    }
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "makesafe.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "2",
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
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        officers = [Officer(base, f"load{n:02d}") for n in range(OFFICERS)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=OFFICERS) as pool:
            futures = [pool.submit(o.run, ids) for o in officers]
            for future in concurrent.futures.as_completed(futures, timeout=TIME_LIMIT):
                future.result()
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    timings = [t for o in officers for t in o.timings]
    statuses = [s for o in officers for s in o.statuses]
    errors = [s for s in statuses if s >= 500]
    new_visits = Visit.objects.count() - visits_before
    new_events = VisitEvent.objects.count() - events_before
    p95 = statistics.quantiles(timings, n=20)[18] if len(timings) >= 20 else max(timings)
    print(f"Load: {OFFICERS} officers x {VISITS_EACH} visits over HTTP (gunicorn, 4 workers)")
    print(f"  requests: {len(statuses)} in {elapsed:.1f} s = {len(statuses) / elapsed:.1f} req/s")
    print(f"  latency p50 {statistics.median(timings) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"  new visits: {new_visits}, new history entries: {new_events}, 5xx: {len(errors)}")
    expected = OFFICERS * VISITS_EACH
    ok = new_visits == expected and new_events == expected and not errors
    print("  PASS" if ok else f"  FAIL: expected {expected} visits and history entries, no 5xx")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
