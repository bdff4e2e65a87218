"""Celery interfaces of the reports: ids in, the work is in services. Routed to the reports queue
(settings.CELERY_TASK_ROUTES); acks_late and reject-on-worker-lost so a killed worker's job comes back."""
from celery import shared_task
from django.conf import settings

from inspections.reports import services

_RENDER_LIMIT = settings.REPORTS_RENDER_TIME_LIMIT


@shared_task(
    name="reports.render",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=_RENDER_LIMIT,
    soft_time_limit=max(1, _RENDER_LIMIT - 30),
    autoretry_for=services.TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    ignore_result=True,
)
def render_report_task(self, report_id: int) -> str:
    return services.report_render(report_id=report_id)


@shared_task(
    name="reports.assemble_bulk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # Zipping thousands of PDFs is I/O bound; still below REPORTS_STALE_AFTER_SECONDS.
    time_limit=max(_RENDER_LIMIT, 600),
    soft_time_limit=max(_RENDER_LIMIT, 600) - 30,
    autoretry_for=services.TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=5,
    ignore_result=True,
)
def assemble_bulk_task(self, report_id: int) -> str:
    return services.report_assemble_bulk(report_id=report_id)


@shared_task(name="reports.sweep_queued", acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def sweep_queued_reports_task() -> dict:
    return services.report_sweep()
