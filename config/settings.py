"""Settings for every process, read from the environment only.

Each variable, its meaning and its embedded default is listed in the README. The embedded
defaults let `make run` work on a machine with nothing but Python: a SQLite file, tasks run in
the web process, and email printed to the console.
"""

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from config.email_url import anymail_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key while DEBUG is false. "
        "Set SECRET_KEY to a long random value (or DEBUG=true for local development)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// URL, not {SITE_URL!r}.")
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# Behind TLS: cookies only over HTTPS, HSTS, and plain HTTP redirected. A local http:// run
# gets none of these so that it keeps working without certificates.
SITE_IS_HTTPS = _site.scheme == "https"
SESSION_COOKIE_SECURE = SITE_IS_HTTPS
CSRF_COOKIE_SECURE = SITE_IS_HTTPS
SECURE_SSL_REDIRECT = SITE_IS_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if SITE_IS_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_IS_HTTPS
# The TLS-terminating proxy in front of gunicorn tells us the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SITE_IS_HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Not `no-referrer`: under it browsers send `Origin: null` with form posts, which Django's
# CSRF check refuses. `same-origin` still sends no address to any other site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "practice.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "practice",
    "alliance",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "practice.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "practice.middleware.APIErrorMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

# Admin sign-in (README, Operations): django-axes locks an account out from an address after
# AXES_FAILURE_LIMIT wrong passwords, for an hour; a platform admin with a TOTP device
# (django-otp) signs in with its code as well.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
OTP_TOTP_ISSUER = "Alliance"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def _process_kind() -> str:
    """`web` (gunicorn, runserver, `make run`), `worker` (celery), else `command` (management
    commands, scripts, the tests)."""
    program = Path(sys.argv[0]).name
    if program == "gunicorn" or sys.argv[1:2] in (["runserver"], ["serve_embedded"]):
        return "web"
    return "worker" if program == "celery" else "command"


# A database that does not answer must cost a request seconds, not gunicorn's 30 s timeout:
# connecting gives up after DATABASE_CONNECT_TIMEOUT, and one statement of a web request after
# DATABASE_STATEMENT_TIMEOUT_WEB (workers and commands, which do bulk work, get longer). Either
# answers 503 with Retry-After (`practice.middleware.APIErrorMiddleware`).
DATABASE_STATEMENT_TIMEOUTS = {
    "web": env.float("DATABASE_STATEMENT_TIMEOUT_WEB", default=10),
    "worker": env.float("DATABASE_STATEMENT_TIMEOUT_WORKER", default=60),
    "command": env.float("DATABASE_STATEMENT_TIMEOUT_COMMAND", default=600),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        options=(
            f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUTS[_process_kind()] * 1000)}"
        ),
        # A server that stops answering mid-conversation is given up on too.
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
        tcp_user_timeout=15_000,
    )
# Seconds a client is told to wait (`Retry-After`) when the database does not answer.
DATABASE_RETRY_AFTER_SECONDS = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without a broker, tasks run inside the web process (the embedded default of `make run`).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Reliability (README, "Workers and beat"): a task is acknowledged when it has finished, and
# given back if its worker dies; each worker takes one task at a time; a task that hangs is
# stopped. Far-future work is a database row with a due time, never a countdown, so the
# visibility timeout only has to outlast the longest task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection per task was a fifth of a delivery's time. Workers
# keep theirs as web processes do (CONN_MAX_AGE, checked at each task's start and end in
# `config/celery.py`); the fixup's own recycling then comes only after this many tasks.
CELERY_DB_REUSE_MAX = 1000
# When the broker is down, publishing gives up quickly: the request still succeeds, and the
# outbox sweep queues the work once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# The outbox: retries of a failed delivery back off exponentially from the base, up to the
# cap, for at most OUTBOX_MAX_ATTEMPTS; a claim older than the lease is taken to have lost its
# worker and is handed out again.
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=1800)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_CLAIM_LEASE_SECONDS = env.float("OUTBOX_CLAIM_LEASE_SECONDS", default=120)
OUTBOX_REQUEUE_AFTER_SECONDS = env.float("OUTBOX_REQUEUE_AFTER_SECONDS", default=60)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=5)
# A delivery task takes up to this many due emails besides its own message (small enough that
# a backlog spreads over a worker's processes, large enough that a batch's few queries cost
# little per email). It starts no further one after OUTBOX_BATCH_SECONDS and gives the rest
# back, well inside the claim lease and the task's soft time limit, with room for one slow send
# (EMAIL_TIMEOUT).
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=25)
OUTBOX_BATCH_SECONDS = min(OUTBOX_CLAIM_LEASE_SECONDS, CELERY_TASK_SOFT_TIME_LIMIT) / 3
# Webhooks: retried with the outbox's backoff over hours; a rotated secret keeps signing for
# the overlap; receivers in private networks are refused unless allowed (tests, one-box setups).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=15)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10)
# Seconds to find a receiver's address (one lookup per attempt; its answer is the address
# checked and connected to).
WEBHOOK_RESOLVE_TIMEOUT = env.float("WEBHOOK_RESOLVE_TIMEOUT", default=5)
WEBHOOK_SECRET_OVERLAP_HOURS = env.float("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=DEBUG)
# How often beat looks for surveys that have come due (sending is by due time, not countdown).
SURVEY_SCAN_SECONDS = env.float("SURVEY_SCAN_SECONDS", default=30)
# A standby beat tries for the beat lock this often (config/beat_lock.py).
BEAT_LOCK_RETRY_SECONDS = env.float("BEAT_LOCK_RETRY_SECONDS", default=5)

# Rate-limit counters must be shared by every web process, so they live in Redis whenever a
# Redis is configured; a single `make run` process keeps them in memory.
CACHE_URL = env.str("CACHE_URL", default="") or CELERY_BROKER_URL
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=0.5)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="alliance"),
            # A Redis that is down or hung costs a request at most this long: the rate
            # limits then count in the process (`practice.rate_limits`).
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if not DEBUG and not env.str("EMAIL_URL", default=""):
    # The console backend would print every email, addresses and live links, to the log.
    raise ImproperlyConfigured(
        "EMAIL_URL is not set while DEBUG is false, so emails would be printed to the log. "
        "Set EMAIL_URL to smtp://user:pass@host:port (or DEBUG=true for local development)."
    )
# SMTP by default; an email provider's API (django-anymail) when EMAIL_URL names one. Either
# way, a bounce or complaint reported by the provider's signed tracking webhook
# (`/email-events/<provider>/tracking/`) or a permanent SMTP refusal suppresses the address.
_provider = anymail_config(env.str("EMAIL_URL", default=""))
if _provider is None:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
    vars().update(EMAIL_CONFIG)
    ANYMAIL = {}
else:
    EMAIL_BACKEND, ANYMAIL = _provider
# `user:password` that providers send as basic auth with their tracking webhooks; without it
# the tracking webhooks answer 404.
ANYMAIL_WEBHOOK_SECRET = env.str("ANYMAIL_WEBHOOK_SECRET", default="")
if ANYMAIL_WEBHOOK_SECRET:
    ANYMAIL["WEBHOOK_SECRET"] = ANYMAIL_WEBHOOK_SECRET
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Alliance <no-reply@localhost>")

API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
# How long a web process trusts a key it has looked up: a key revoked elsewhere (another
# process, admin) stops working within this many seconds. 0 looks every request's key up.
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=5)
# Request bodies: 413 past these (README, API). Bulk imports send whole files, so they get more.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1_048_576)
MAX_IMPORT_BODY_BYTES = env.int("MAX_IMPORT_BODY_BYTES", default=20_971_520)
IMPORTS_PATH = "/api/v1/imports/"
# Django's own check, behind the middleware's, must not refuse what an import may send.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_REQUEST_BODY_BYTES, MAX_IMPORT_BODY_BYTES)
# An unfinished import that has not moved for this long lost its task: beat queues it again.
IMPORT_STALLED_AFTER_SECONDS = env.float("IMPORT_STALLED_AFTER_SECONDS", default=120)

# Practice members' sessions on the pages (`/app/`): over after this long without a request.
MEMBER_IDLE_TIMEOUT = timedelta(hours=env.float("MEMBER_IDLE_TIMEOUT_HOURS", default=12))
SESSION_COOKIE_AGE = int(MEMBER_IDLE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sign-in links asked for per address and per network address in a quarter of an hour.
SIGN_IN_REQUESTS_PER_ADDRESS = env.int("SIGN_IN_REQUESTS_PER_ADDRESS", default=5)
SIGN_IN_REQUESTS_PER_IP = env.int("SIGN_IN_REQUESTS_PER_IP", default=20)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["practice.auth.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["practice.auth.HasPracticeAPIKey"],
    "DEFAULT_THROTTLE_CLASSES": ["practice.auth.APIKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "practice.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "practice.listing.FilterBackend",
        "practice.listing.ChangesFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["practice.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["practice.parsers.StrictJSONParser"],
    "DEFAULT_METADATA_CLASS": "practice.metadata.DescriptionOnlyMetadata",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "practice.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance API",
    "DESCRIPTION": (
        "Practice management with therapeutic-alliance surveys. Every request is scoped to "
        "the practice of its API key (`Authorization: Bearer <key>`)."
    ),
    "VERSION": "1.0.0",
    # 3.1, for the `webhooks` section: every event's payload.
    "OAS_VERSION": "3.1.0",
    # One import path to the whole list (drf-spectacular imports a string as it is).
    "WEBHOOKS": "notifications.event_schema.WEBHOOKS",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "practice.models.Client.Status",
        "SessionStatusEnum": "practice.models.Session.Status",
        "AlertSeverityEnum": "alliance.models.Alert.Severity",
        "RuleSeverityEnum": "alliance.alerts.defaults.SEVERITIES",
    },
    # The docs page's script is served by this service, so it works without outside access.
    "REDOC_DIST": "SIDECAR",
    "DEFAULT_GENERATOR_CLASS": "practice.schema.PlatformWideSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "practice.schema.document_problem_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_token_paths": {"()": "config.log_redaction.RedactTokenPaths"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_token_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own handlers would print each 4xx/5xx a second time beside the root's (and
    # runserver's lines unredacted): every Django line goes through the one handler above.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
    },
}
SILENCED_SYSTEM_CHECKS = [
    # Preloading HSTS commits the whole domain to HTTPS in browsers for good: that is the
    # domain owner's decision, not this application's.
    "security.W021",
]
