"""Test settings: whatever DATABASE_URL / REDIS_URL say (CI: PostgreSQL and Redis), else SQLite."""
import os

from greenoffice.settings.base import *  # noqa: F403
from greenoffice.settings.base import VAR_DIR

SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media" / str(os.getpid())
AXES_ENABLED = True
# Unit tests run tasks in-process unless a test opts into a real worker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("GREENOFFICE_CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
VAR_DIR.mkdir(parents=True, exist_ok=True)
