"""Celery router for the reports tasks (settings.CELERY_TASK_ROUTES points here)."""
from django.conf import settings


def route_task(name, args, kwargs, options, task=None, **kw):
    # Read per message, not at import: the worker integration tests switch queues per test.
    if name.startswith("reports."):
        return {"queue": settings.REPORTS_QUEUE}
    return None
