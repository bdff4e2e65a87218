"""`make run` serves the demo with DEBUG off: static files through WhiteNoise, the application's own
Chinese 404 page for a wrong URL (never Django's technical page with the URL map)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
static = client.get("/static/css/app.css")
missing = client.get("/no/such/page/")
body = missing.content.decode()
print(settings.DEBUG, "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE, static.status_code,
      missing.status_code, "页面不存在" in body, "URLconf" in body)
"""


def _probe(debug: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="greenoffice.settings.local", DJANGO_DEBUG=debug, DATABASE_URL="sqlite://:memory:")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_demo_server_debug_off_serves_static_and_the_chinese_404():
    assert _probe("0") == ["False", "True", "200", "404", "True", "False"]


def test_demo_server_debug_on_for_development_keeps_django_pages():
    debug, whitenoise, *_ = _probe("1")
    assert (debug, whitenoise) == ("True", "False")
