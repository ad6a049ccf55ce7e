"""Makesafe settings.

Every value that differs between a laptop and a server comes from an environment variable, read
through the helpers below; `.env.example` lists them all. The defaults are safe for a laptop:
DEBUG off, the embedded PostgreSQL `make run` starts, and localhost only.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}

# The key a laptop runs with when none is set: public, so a server refuses it (makesafe/checks.py).
LAPTOP_SECRET_KEY = "django-insecure-local-only-makesafe-laptop-key-never-use-on-a-server"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # A laptop may run without a key; anything reachable from another host may not.
    if set(ALLOWED_HOSTS) - LOCAL_HOSTS:
        raise ImproperlyConfigured("SECRET_KEY must be set when ALLOWED_HOSTS names a real host.")
    SECRET_KEY = LAPTOP_SECRET_KEY

# Two database roles (makesafe/dbroles.py; README, Production deployment): DATABASE_URL is the
# runtime role the app connects as, MIGRATION_DATABASE_URL the owner role `manage.py migrate` runs
# as. Without DATABASE_URL: the embedded PostgreSQL that `make run` starts, whose two URLs
# tools/localdb.py writes into .pg/. With neither, commands that need no database
# (`makemigrations --check`, `check`, `collectstatic`) still run: the placeholder below names no
# database that exists, so any query fails, and `manage.py check` says what to set
# (makesafe/checks.py, W001).
NO_DATABASE_URL = "postgres:///no-database-set-DATABASE_URL-or-run-make-run"
LOCAL_DATABASE_URL_FILE = BASE_DIR / ".pg" / "database_url"
LOCAL_MIGRATION_DATABASE_URL_FILE = BASE_DIR / ".pg" / "migration_database_url"
DATABASE_URL = env_str("DATABASE_URL")
MIGRATION_DATABASE_URL = env_str("MIGRATION_DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL  # refused by a server with DEBUG off (makesafe/checks.py)
if not DATABASE_URL and LOCAL_DATABASE_URL_FILE.exists():
    DATABASE_URL = LOCAL_DATABASE_URL_FILE.read_text().strip()
    if not MIGRATION_DATABASE_URL and LOCAL_MIGRATION_DATABASE_URL_FILE.exists():
        MIGRATION_DATABASE_URL = LOCAL_MIGRATION_DATABASE_URL_FILE.read_text().strip()
DATABASE_CONFIGURED = bool(DATABASE_URL)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or NO_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if MIGRATION_DATABASE_URL:
    # Used by `manage.py migrate` only (makesafe/management/commands/migrate.py).
    DATABASES["owner"] = dj_database_url.parse(MIGRATION_DATABASE_URL)
# Requests that may write run in one transaction (makesafe.middleware.AtomicWritesMiddleware), like
# ATOMIC_REQUESTS; pages that only read run without BEGIN/COMMIT round trips.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if any(not db["ENGINE"].endswith("postgresql") for db in DATABASES.values()):
    raise ImproperlyConfigured("Makesafe runs on PostgreSQL only: DATABASE_URL must be postgres://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "pgtrigger",
    "pghistory",
    "axes",
    "accounts",
    "audit",
    "premises",
    "visits",
    "training",
    "reports",
    "retention",
    "demo",
    "makesafe",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Before the session limits, which tell the signed-out user why.
    "django.contrib.messages.middleware.MessageMiddleware",
    "makesafe.middleware.SessionTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "audit.middleware.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "makesafe.middleware.SecurityHeadersMiddleware",
    # Last: it calls the view itself, inside a transaction, for requests that may write.
    "makesafe.middleware.AtomicWritesMiddleware",
]

ROOT_URLCONF = "makesafe.urls"
WSGI_APPLICATION = "makesafe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "makesafe.navigation.navigation",
                "training.context_processors.queue_badge",
                "accounts.submission.saved_submission",
            ],
        },
    },
]


AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked usernames, right password or not
    "accounts.backends.UserBackend",  # ModelBackend, reading the user with their force
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Dates shown as 18 Sep 2021, typed as 18/09/2021, times on the 24-hour clock.
FORMAT_MODULE_PATH = ["common.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads: CSV files are read in memory and never stored. A file over 5 MB is refused with a
# message and none of it is kept (common/uploads.py: never a temporary file); the proxy refuses
# bodies a little larger first (README, Production deployment). The form fields of a request,
# files apart, are bounded alike.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["common.uploads.BoundedMemoryUploadHandler"]

# Django's database sessions: in PostgreSQL, so any number of app servers can share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 10 * 60 * 60  # a shift
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)

# Login throttling (django-axes, state in PostgreSQL): 5 failures per username in 30 minutes
# lock that username for 30 minutes, whatever the client address; a force admin can unlock.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "makesafe.middleware.client_ip"
AXES_VERBOSE = False
# Every failure and lockout stays on record after an unlock (AccessAttempt rows are deleted by it).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Masked in the attempts' stored form data (the password always is): logs hold no CSRF tokens.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# axes.W006 suggests also locking by IP address; we lock by username, which no header, cookie or
# address rotation can reset (docs/security.md check 7).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The one header a trusted reverse proxy sets to the client address (e.g. HTTP_X_REAL_IP).
# Unset, the address is the connection's: a client cannot choose it with a header.
TRUSTED_PROXY_IP_HEADER = env_str("TRUSTED_PROXY_IP_HEADER")

# Change history: database triggers (django-pghistory) record every write, bulk and raw SQL
# included; the middleware adds the signed-in user and the URL to each write's context.
PGHISTORY_APPEND_ONLY = True
# Only requests that may write carry that context: on a page view pghistory would otherwise
# prefix every query it takes for a write (a UNION, the access log) with two set_config calls.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS settings: on unless DEBUG; HTTPS_ONLY=0 turns them off for plain-HTTP laptop use.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_str("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (env_str("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The offline worker (static/js/sw.js, served by visits.views.service_worker).
        "worker-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Outgoing email (password resets, the daily reminders of `manage.py send_reminders`): Django's
# SMTP backend when EMAIL_HOST names the force's relay, otherwise printed to the console (a laptop,
# `make run`). Port 587 with STARTTLS unless told otherwise; EMAIL_USE_SSL is TLS from the start.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
# Seconds to wait for the relay before a send fails (and is tried again on the next run).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "makesafe@localhost")
# Where the app is reached, for the links in emails (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
