"""Settings shared by every environment. Everything that differs between machines comes from the
environment; the per-environment modules (local, test, production) only change defaults."""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from greenoffice.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GREENOFFICE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "greenoffice",
    "units",
    "assessment",
    "assessment.ledger",
    "inspections",
    "inspections.reports",
    "inspections.evaluation",
]

MIDDLEWARE = [
    # First: the request id and the one log line per request cover everything below.
    "greenoffice.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a session verified once a TOTP code was entered (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session that still owes its 6-digit code reaches no page but the code and set-up pages.
    "units.two_factor.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "greenoffice.security.RefusedAccessLogMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lock-outs raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "greenoffice.urls"
WSGI_APPLICATION = "greenoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "greenoffice.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'greenoffice.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A PostgreSQL restart otherwise costs one 500 per worker (docs/stack-facts.md).
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "units.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A refused CSRF check gets a Chinese page that says what to do (greenoffice.views.csrf_failure).
CSRF_FAILURE_VIEW = "greenoffice.views.csrf_failure"

# Log-in costs ~430 ms of CPU (PBKDF2); repeated failures lock the account+address pair.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The address axes locks is the one the security log and the questionnaire see: REMOTE_ADDR, or the
# forwarded address when REMOTE_ADDR is a trusted proxy (GREENOFFICE_TRUSTED_PROXIES). django-ipware
# is not installed, so axes' AXES_IPWARE_* settings would do nothing; the callable replaces them.
AXES_CLIENT_IP_CALLABLE = "greenoffice.security.axes_client_ip"

# --- Client addresses behind a reverse proxy ---------------------------------------------------------
# Addresses or networks (comma list, e.g. "127.0.0.1,10.0.0.0/8") of the reverse proxies in front of
# this site. Only a request whose REMOTE_ADDR is one of them has its X-Forwarded-For read, from the
# right, skipping trusted hops; anybody else's header is ignored (docs/security.md, "Client addresses").
GREENOFFICE_TRUSTED_PROXIES = env_list("GREENOFFICE_TRUSTED_PROXIES")

# Two-factor log-in (TOTP, django-otp; units/two_factor/). These roles must enter a 6-digit code after
# their password (and set up an authenticator app first); any other user who enabled it must too.
GREENOFFICE_REQUIRE_2FA_ROLES = ["admin", "inspector"]
OTP_TOTP_ISSUER = "绿色机关创建管理"
# Failed codes wait 1, 2, 4, 8 ... seconds before the next try (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin's device pages never show the secret key of a configured device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
# Evidence and photos are private: MEDIA_ROOT is never served under a public URL, only through
# views that check the access gate.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# Uploads: the per-file limit is enforced in the forms; this only keeps big bodies off memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
GREENOFFICE_MAX_UPLOAD_BYTES = int(os.environ.get("GREENOFFICE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
GREENOFFICE_MAX_IMAGE_PIXELS = int(os.environ.get("GREENOFFICE_MAX_IMAGE_PIXELS", 40_000_000))
GREENOFFICE_CERTIFICATE_VALID_YEARS = int(os.environ.get("GREENOFFICE_CERTIFICATE_VALID_YEARS", "3"))

# Content Security Policy (django-csp 4): no inline scripts, everything served from this host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "greenoffice@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
# The site's own address, for links in e-mails (which have no request to build them from).
GREENOFFICE_SITE_URL = os.environ.get("GREENOFFICE_SITE_URL", "").rstrip("/")
# A mail server that accepts connections and never answers must not hang the request that notifies.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))

# --- Celery -------------------------------------------------------------------------------------
# Without a configured broker the app runs on kombu's filesystem transport under var/, so the demo
# needs no server. CI and production point CELERY_BROKER_URL / REDIS_URL at Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # kombu's default is ./control relative to the working directory: it ended up in the repository.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A Redis that accepts connections but never answers would hang .delay() for ever.
        "socket_timeout": 5,
        "socket_connect_timeout": 3,
        # A killed worker's unacked messages come back within seconds, not ~100 s.
        "unacked_restore_throttle": 1,
        "visibility_timeout": 3600,
    }
# Task state lives in our own database rows (reports, notifications); no result backend needed.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# acks_late alone loses a task whose child process is killed (docs/stack-facts.md).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A WeasyPrint render takes 100–300 MB and Python rarely gives memory back: a worker child whose
# resident memory passes this many KiB is replaced after its current task (celery
# --max-memory-per-child); 0 turns it off. Docs: README, "Production".
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("GREENOFFICE_WORKER_MAX_MEMORY_KB", 716_800) or None
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("GREENOFFICE_WORKER_MAX_TASKS_PER_CHILD", 200) or None
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Tasks named reports.* go to the reports queue (GREENOFFICE_REPORTS_QUEUE); a function router so the
# queue name is read at send time (the worker integration tests use a queue of their own).
REPORTS_QUEUE = os.environ.get("GREENOFFICE_REPORTS_QUEUE", "reports")
CELERY_TASK_ROUTES = ["inspections.reports.routing.route_task"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "rectification-reminders-daily": {
        "task": "inspections.send_rectification_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "reports-sweep-queued": {
        "task": "reports.sweep_queued",
        "schedule": 120.0,
    },
    "notification-emails-sweep": {
        "task": "inspections.sweep_notification_emails",
        "schedule": 120.0,
    },
}
# A notice's e-mail still queued this long after the notice was made is sent by the beat sweeper.
NOTIFICATION_EMAIL_REQUEUE_AFTER_SECONDS = env_int("GREENOFFICE_EMAIL_REQUEUE_AFTER", 300)

# --- Reports (inspections.reports) --------------------------------------------------------------
REPORTS_ISSUER = os.environ.get("GREENOFFICE_REPORTS_ISSUER", "市机关事务管理局")
# A queued report whose message was last sent this long ago is sent again by the beat sweeper
# (the broker was down at commit time, or a restarted Redis lost the message).
REPORTS_REQUEUE_AFTER_SECONDS = int(os.environ.get("GREENOFFICE_REPORTS_REQUEUE_AFTER", "300"))
# A running report with no heartbeat for this long belongs to a dead worker; must exceed the render
# task's hard time limit so a live render is never claimed twice.
REPORTS_RENDER_TIME_LIMIT = int(os.environ.get("GREENOFFICE_REPORTS_TIME_LIMIT", "300"))
REPORTS_STALE_AFTER_SECONDS = int(os.environ.get("GREENOFFICE_REPORTS_STALE_AFTER", "900"))
REPORTS_MAX_ATTEMPTS = int(os.environ.get("GREENOFFICE_REPORTS_MAX_ATTEMPTS", "3"))
REPORTS_BULK_BATCH_SIZE = 200

# --- Public evaluation (inspections.evaluation; docs/architecture.md, "Public evaluation") ----------
# Default minimum of counted answers for a new round's satisfaction gate.
EVALUATION_MIN_ANSWERS = env_int("EVALUATION_MIN_ANSWERS", 10)
# Questionnaire posts per client address per window (seconds), across all questionnaires.
EVALUATION_SUBMIT_LIMIT = env_int("EVALUATION_SUBMIT_LIMIT", 20)
EVALUATION_SUBMIT_WINDOW = env_int("EVALUATION_SUBMIT_WINDOW", 600)
# Answers without an invitation one address + browser may give one unit per day.
EVALUATION_NETWORK_DAILY_CAP = env_int("EVALUATION_NETWORK_DAILY_CAP", 30)
# Defaults of a new round's limits on open (uninvited) answers, when the round lets them count.
EVALUATION_OPEN_PER_ADDRESS = env_int("EVALUATION_OPEN_PER_ADDRESS", 3)
EVALUATION_OPEN_PER_UNIT = env_int("EVALUATION_OPEN_PER_UNIT", 50)
# 环保卫士 nominations a unit may make per campaign.
EVALUATION_GUARDIANS_PER_UNIT = env_int("EVALUATION_GUARDIANS_PER_UNIT", 2)

# One line per request and per task (greenoffice/observability.py), with the request id on every record;
# GREENOFFICE_LOG_FORMAT=json writes one JSON object per line (production's default).
LOGGING = logging_config(log_format=os.environ.get("GREENOFFICE_LOG_FORMAT", "plain"),
                         level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"))

# --- Cache and scale-out (docs/performance.md) ---------------------------------------------------
# With Redis configured the cache is shared by every gunicorn worker and host, which the dashboard's
# panel cache needs (its invalidation counter must be one for all); without it each process has its
# own memory cache and the panel cache stays off.
CACHE_URL = os.environ.get("CACHE_URL") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "greenoffice",
            # A hung Redis must not hang page views: the panels then compute without the cache.
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
GREENOFFICE_DASHBOARD_CACHE_SECONDS = int(
    os.environ.get("GREENOFFICE_DASHBOARD_CACHE_SECONDS", "600" if CACHE_URL else "0"))
# Dashboards may read from a PostgreSQL streaming replica (greenoffice/db_router.py); replication lag
# up to this many seconds is allowed for (a panel computed that soon after a change is not cached).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
GREENOFFICE_REPLICA_MAX_LAG_SECONDS = int(os.environ.get("GREENOFFICE_REPLICA_MAX_LAG_SECONDS", "5"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")), conn_health_checks=True)
    # Tests (if ever run with a replica configured) read the primary: there is no replication there.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["greenoffice.db_router.ReplicaRouter"]

# The city-wide default of the grid whose published electricity CO₂ factor the ledger's carbon
# account uses (assessment/power_grids.py codes: national, a region such as "north", or a province
# such as "hebei"); a campaign may name another (Campaign.electricity_grid).
GREENOFFICE_ELECTRICITY_GRID = os.environ.get("GREENOFFICE_ELECTRICITY_GRID", "national")
