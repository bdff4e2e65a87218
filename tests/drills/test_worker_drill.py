"""Drill: a worker's pool process is killed mid-task (the kernel's OOM killer, an operator's kill -9) while
the worker itself survives.

The whole-worker case (main process and child SIGKILLed, a second worker takes the message after the
visibility timeout) is tests/reports/test_worker.py::test_report_survives_a_worker_killed_mid_render;
these are the other half: only the child dies. With acks_late alone Celery would mark the task failed
and never run it again (docs/stack-facts.md); task_reject_on_worker_lost puts the message back at once.

What happens next depends on the report's claim fence (inspections/reports/services.py): a redelivered
message may take over a running report only once its heartbeat is older than
REPORTS_STALE_AFTER_SECONDS, so that a live render is never claimed twice.
- With the heartbeat already stale, the redelivered message completes the report by itself.
- With production settings (900 s, longer than the render's hard limit) the heartbeat is always fresh
  when the message comes back a moment after the kill: the redelivery is refused ("skipped"), the
  report stays running, and the beat sweeper re-sends it once the heartbeat is stale; then it completes.

Real worker subprocess on Redis, sharing this test's PostgreSQL database, media folder and a queue of
its own; no beat runs, so only the paths above can finish a report."""
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from greenoffice.celery import app
from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.services import report_request, report_sweep
from tests.drills.conftest import is_postgres, postgres_url

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

# The worker's render waits this long first (settings/test.py hook), so that it can be killed mid-task;
# and treats a running report as abandoned after this many seconds without a heartbeat.
RENDER_DELAY = 8
STALE_AFTER = 2


def _wait(predicate, what: str, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def start_worker(settings, tmp_path):
    broker = app.conf.broker_url or ""
    if not broker.startswith(("redis://", "rediss://")):
        pytest.skip("needs Redis: set REDIS_URL (CI does), e.g. REDIS_URL=redis://127.0.0.1:6379/0")
    if not is_postgres():
        pytest.skip("the worker process must share the test database: run with DATABASE_URL on PostgreSQL")
    queue = f"drills-{uuid.uuid4().hex[:10]}"
    settings.REPORTS_QUEUE = queue  # the router reads it per message
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    started = []

    def start(**extra_env) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / "worker.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "greenoffice.settings.test",
            "DATABASE_URL": postgres_url(),
            "GREENOFFICE_CELERY_EAGER": "0",
            "GREENOFFICE_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "GREENOFFICE_REPORTS_QUEUE": queue,
            "GREENOFFICE_REPORT_TEST_DELAY": str(RENDER_DELAY),
            **extra_env,
        }
        celery = Path(sys.executable).with_name("celery")
        proc = subprocess.Popen(
            [str(celery), "-A", "greenoffice", "worker", "-Q", queue, "--concurrency", "1", "-P", "prefork",
             "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole at the end
        )
        started.append(proc)
        _wait(lambda: proc.poll() is None and "ready." in log.read_text(errors="replace"), "worker ready", 30, log)
        return proc, log

    try:
        yield start
    finally:
        app.conf.task_always_eager = eager
        for proc in started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)


def _pool_children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in text]


def _kill_pool_child(proc: subprocess.Popen) -> None:
    children = _pool_children(proc.pid)
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)


def _finished(report_id: int):
    return Report.objects.filter(pk=report_id, status__in=(ReportStatus.DONE, ReportStatus.FAILED)).first()


def test_worker_child_killed_after_heartbeat_stale_report_completes_on_redelivery(start_worker, director_a,
                                                                                  enrolment_a):
    proc, log = start_worker(GREENOFFICE_REPORTS_STALE_AFTER=str(STALE_AFTER))
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=enrolment_a.unit,
                            campaign=enrolment_a.campaign)
    running = _wait(lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).first(),
                    "report running", 30, log)
    assert running.attempts == 1
    # Still rendering (it waits RENDER_DELAY first), but with a heartbeat old enough to be taken over.
    _wait(lambda: timezone.now() - Report.objects.get(pk=report.pk).heartbeat_at > timedelta(seconds=STALE_AFTER),
          "heartbeat stale", 10, log)
    _kill_pool_child(proc)

    done = _wait(lambda: _finished(report.pk), "report finished", 45, log)
    worker_log = log.read_text(errors="replace")
    assert proc.poll() is None  # the worker itself lived on
    assert "WorkerLostError" in worker_log
    assert done.status == ReportStatus.DONE, done.error + worker_log[-2000:]
    assert done.attempts == 2  # the killed claim and the redelivered one
    assert done.file.read(5) == b"%PDF-"


def test_worker_child_killed_with_production_fence_sweeper_completes_report(start_worker, director_a, enrolment_a):
    proc, log = start_worker()  # REPORTS_STALE_AFTER_SECONDS as in production (900 s)
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=enrolment_a.unit,
                            campaign=enrolment_a.campaign)
    _wait(lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).first(), "report running", 30, log)
    _kill_pool_child(proc)

    # The message comes straight back, and the fence refuses it: the heartbeat is seconds old.
    _wait(lambda: "'skipped'" in log.read_text(errors="replace"), "redelivered message refused", 30, log)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.attempts == 1

    # Fifteen minutes later (moved back instead of waited for), beat's sweeper finds it stale and re-sends.
    Report.objects.filter(pk=report.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.REPORTS_STALE_AFTER_SECONDS + 1))
    assert report_sweep() == {"queued": 0, "stale": 1, "sent": 1, "failed": 0}
    done = _wait(lambda: _finished(report.pk), "report finished", 45, log)
    assert done.status == ReportStatus.DONE, done.error + log.read_text(errors="replace")[-2000:]
    assert done.attempts == 2
    assert done.file.read(5) == b"%PDF-"
