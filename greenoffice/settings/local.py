"""Developer machine and the demo: SQLite and the embedded broker unless the environment says otherwise."""
import os

from greenoffice.settings.base import *  # noqa: F403
from greenoffice.settings.base import VAR_DIR

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
# A fixed, public, development-only key: production refuses to start without its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-insecure-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["*"]
VAR_DIR.mkdir(parents=True, exist_ok=True)
