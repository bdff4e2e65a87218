"""Production: no default secrets; HTTPS everywhere; PostgreSQL and Redis from the environment.

Fails closed: a missing or unsuitable setting raises ImproperlyConfigured at start-up, naming the
environment variable, instead of quietly running on SQLite, the filesystem broker, a per-process cache
or console e-mail (every variable is described in .env.example)."""
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from greenoffice.observability import logging_config, sentry_init
from greenoffice.settings.base import *  # noqa: F403
from greenoffice.settings.base import CACHE_URL, CELERY_BROKER_URL, env_bool


def _refuse(message: str):
    raise ImproperlyConfigured(f"{message} (see .env.example)")


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    _refuse("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
if not os.environ.get("DJANGO_ALLOWED_HOSTS"):
    _refuse("DJANGO_ALLOWED_HOSTS must list the host names this site answers to.")
DEBUG = False

# --- the services this site needs ---------------------------------------------------------------
if urlsplit(os.environ.get("DATABASE_URL", "")).scheme not in {"postgres", "postgresql", "pgsql"}:
    _refuse("DATABASE_URL must be set to the PostgreSQL database (postgres://user:password@host:5432/name).")
if urlsplit(CELERY_BROKER_URL).scheme not in {"redis", "rediss"}:
    _refuse("REDIS_URL (or CELERY_BROKER_URL) must point Celery's broker at Redis (redis://host:6379/0).")
if urlsplit(CACHE_URL).scheme not in {"redis", "rediss"}:
    _refuse("REDIS_URL (or CACHE_URL) must point the shared cache at Redis (redis://host:6379/0).")

# E-mail: an SMTP server, or the explicit choice of none (notices then stay in-app only).
if env_bool("GREENOFFICE_EMAIL_DISABLED", False):
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
else:
    if not os.environ.get("DJANGO_EMAIL_HOST"):
        _refuse("DJANGO_EMAIL_HOST must name the SMTP server, or GREENOFFICE_EMAIL_DISABLED=1 must say "
                "that this site sends no e-mail.")
    if "@" not in os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "") or \
            os.environ["DJANGO_DEFAULT_FROM_EMAIL"].endswith("@localhost"):
        _refuse("DJANGO_DEFAULT_FROM_EMAIL must be the sender address of this site's e-mail.")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Errors go to the log (and to Sentry when SENTRY_DSN is set), never by mail from inside a request.
ADMINS: list = []
MANAGERS: list = []

# Links in e-mails and on posters are absolute: a relative link in an e-mail leads nowhere.
_site = urlsplit(os.environ.get("GREENOFFICE_SITE_URL", ""))
if _site.scheme != "https" or not _site.netloc:
    _refuse("GREENOFFICE_SITE_URL must be this site's https:// address (e.g. https://lvse.example.gov.cn).")

SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
# Read only behind the reverse proxy, which must overwrite the header (docs/deployment/nginx.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 3600
# Administrators and inspectors log in with password + TOTP code; `check --deploy` fails without them.
GREENOFFICE_REQUIRE_2FA_ROLES = ["admin", "inspector"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# Logs: one JSON object per line (request and task lines with their ids) unless told otherwise.
LOGGING = logging_config(log_format=os.environ.get("GREENOFFICE_LOG_FORMAT", "json"),
                         level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
# Error reporting through sentry-sdk: off unless SENTRY_DSN is set.
SENTRY_ENABLED = sentry_init(os.environ.get("SENTRY_DSN", ""),
                             environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
                             traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0") or 0))
