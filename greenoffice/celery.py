"""The one Celery app. Configuration lives in Django settings under the CELERY_ prefix."""
import os

from celery import Celery

from greenoffice.observability import connect_task_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenoffice.settings.local")

app = Celery("greenoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# One log line per task (name, id, state, duration): greenoffice/observability.py.
connect_task_logging()
