"""Settings a server must never run with. `manage.py check --deploy` reports them, and the WSGI
and ASGI entry points refuse to start with them when DEBUG is off (makesafe/wsgi.py). Also what
is missing for any command that reads the database."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


def unsafe_settings() -> list[Error]:
    """What is wrong for a server with DEBUG off: the laptop's key, the embedded database."""
    if settings.DEBUG:
        return []
    problems = []
    if settings.SECRET_KEY == settings.LAPTOP_SECRET_KEY:
        problems.append(
            Error(
                "SECRET_KEY is the laptop default, which is public.",
                hint="Set SECRET_KEY in the environment (see .env.example).",
                id="makesafe.E001",
            )
        )
    if settings.EMBEDDED_DATABASE:
        problems.append(
            Error(
                "No DATABASE_URL: the embedded PostgreSQL of `make run` is for a laptop only.",
                hint="Set DATABASE_URL to the force's PostgreSQL server (see README).",
                id="makesafe.E002",
            )
        )
    return problems


@register()
def check_database_configured(app_configs, **kwargs) -> list[Warning]:
    """No DATABASE_URL and no embedded server yet: commands that need no database still run."""
    if settings.DATABASE_CONFIGURED:
        return []
    return [
        Warning(
            "No database: every query will fail.",
            hint="Set DATABASE_URL, or run `make run` once to start the embedded one.",
            id="makesafe.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_server_settings(app_configs, **kwargs) -> list[Error]:
    return unsafe_settings()


def refuse_unsafe_start() -> None:
    """Stop a server process from starting with settings only a laptop may use."""
    problems = unsafe_settings()
    if problems:
        raise ImproperlyConfigured(" ".join(f"{p.msg} {p.hint}" for p in problems))
