"""Test settings: whatever DATABASE_URL / REDIS_URL say (CI: PostgreSQL and Redis), else SQLite."""
import os
from pathlib import Path

from greenoffice.settings.base import *  # noqa: F403
from greenoffice.settings.base import VAR_DIR

SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# GREENOFFICE_TEST_MEDIA_ROOT: a worker subprocess started by a test writes where the test reads.
MEDIA_ROOT = Path(os.environ.get("GREENOFFICE_TEST_MEDIA_ROOT") or VAR_DIR / "test-media" / str(os.getpid()))
AXES_ENABLED = True
# Two-factor log-in: no role is made to set it up by default, so the suites that sign in with
# client.force_login() test their own pages; a user with a confirmed device must still enter a code.
# tests/security/ switches the production roles back on (fixture `require_2fa`) and tests/otp.py
# signs a client in with a verified device (docs/security.md).
GREENOFFICE_REQUIRE_2FA_ROLES: list[str] = []
# Unit tests run tasks in-process unless a test opts into a real worker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("GREENOFFICE_CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Reports: test-only hooks for the worker integration tests (tests/reports/test_worker.py): a slow
# render so a worker can be killed mid-render, and a short Redis visibility timeout so the killed
# worker's message comes back within seconds.
REPORTS_TEST_RENDER_DELAY = float(os.environ.get("GREENOFFICE_REPORT_TEST_DELAY", "0"))
if os.environ.get("GREENOFFICE_BROKER_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": int(os.environ["GREENOFFICE_BROKER_VISIBILITY_TIMEOUT"]),
    }

# Each test run gets a private memory cache even when REDIS_URL points at CI's Redis (cached values
# must not outlive a test's database), and the dashboard panel cache is off unless a test turns it on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
GREENOFFICE_DASHBOARD_CACHE_SECONDS = 0
