"""Developer machine and the demo: SQLite and the embedded broker unless the environment says otherwise."""
import os

from greenoffice.settings.base import *  # noqa: F403
from greenoffice.settings.base import MIDDLEWARE, VAR_DIR, env_list

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
if not DEBUG:
    # The demo (`make run` sets DJANGO_DEBUG=0) shows the application's own error pages, so WhiteNoise
    # serves static/ straight from the source folders (no collectstatic). Demo only: production
    # serves the collected, hashed files from nginx (docs/ and settings/production.py).
    MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
# A fixed, public, development-only key: production refuses to start without its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-insecure-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["*"]
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Two-factor log-in for the demo: the same roles as production unless GREENOFFICE_REQUIRE_2FA_ROLES
# says otherwise (a comma list; empty turns it off for a quick look at the screens).
GREENOFFICE_REQUIRE_2FA_ROLES = env_list("GREENOFFICE_REQUIRE_2FA_ROLES", "admin,inspector")
# The demo city's bureau heads its PDF reports.
REPORTS_ISSUER = os.environ.get("GREENOFFICE_REPORTS_ISSUER", "示范市机关事务管理局")
