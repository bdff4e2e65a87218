"""Real Celery workers on Redis: a report requested over HTTP is rendered by a worker process, and a
worker killed mid-render doesn't lose the report.

The worker subprocesses use this test's database (transactional test, DATABASE_URL built from the
test connection), this test's MEDIA_ROOT, and a queue of their own so that nothing else on the same
Redis (a developer's worker, another test run) takes their messages or gives them its own."""
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from greenoffice.celery import app
from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.services import report_request

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""


def _skip_reason() -> str | None:
    if not BROKER.startswith(("redis://", "rediss://")):
        return "needs Redis: set REDIS_URL (CI does), e.g. REDIS_URL=redis://127.0.0.1:6379/0"
    if connection.vendor != "postgresql":
        return "the worker process must share the test database: run with DATABASE_URL on PostgreSQL"
    return None


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


class Worker:
    def __init__(self, *, queue: str, log: Path, extra_env: dict):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "greenoffice.settings.test",
            "DATABASE_URL": _database_url(),
            "GREENOFFICE_CELERY_EAGER": "0",
            "GREENOFFICE_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "GREENOFFICE_REPORTS_QUEUE": queue,
            **extra_env,
        }
        celery = Path(sys.executable).with_name("celery")
        self.log = log
        self.proc = subprocess.Popen(
            [str(celery), "-A", "greenoffice", "worker", "-Q", queue, "--concurrency", "1", "-P", "prefork",
             "-n", f"{log.stem}-{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "INFO"],
            cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches the pool child too
        )

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"worker exited early:\n{self.log.read_text(errors='replace')[-3000:]}")
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        pytest.fail(f"worker not ready after {timeout} s:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


@pytest.fixture
def worker_queue(settings, tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    queue = f"reports-test-{uuid.uuid4().hex[:10]}"
    settings.REPORTS_QUEUE = queue  # the router reads it per message
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    workers = []

    def start(name: str, **extra_env) -> Worker:
        worker = Worker(queue=queue, log=tmp_path / f"{name}.log", extra_env=extra_env)
        workers.append(worker)
        worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        app.conf.task_always_eager = eager
        for worker in workers:
            worker.kill(signal.SIGTERM)
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)


def _wait_for(report_id: int, statuses, timeout=60) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report #{report_id} still {Report.objects.get(pk=report_id).status} after {timeout} s")


def test_worker_renders_a_report_requested_over_http(worker_queue, client, director_a, unit_a, campaign,
                                                     enrolled):
    worker = worker_queue("w1")
    client.force_login(director_a)
    response = client.post("/reports/request/", {"kind": "unit", "unit": unit_a.pk, "campaign": campaign.pk})
    assert response.status_code == 302
    report = Report.objects.get(requested_by=director_a)
    report = _wait_for(report.pk, {ReportStatus.DONE, ReportStatus.FAILED})
    assert report.status == ReportStatus.DONE, report.error + worker.log.read_text(errors="replace")[-2000:]
    download = client.get(f"/reports/{report.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert unit_a.name in text
    assert report.attempts == 1


def test_report_survives_a_worker_killed_mid_render(worker_queue, director_a, unit_a, campaign, enrolled):
    # Worker 1 renders slowly; it is killed (the whole process group, SIGKILL) while the report is
    # running. Its message was never acknowledged: after the (test-short) visibility timeout Redis
    # gives it to worker 2, whose claim sees a stale heartbeat and takes the report over.
    first = worker_queue("killed", GREENOFFICE_REPORT_TEST_DELAY="40", GREENOFFICE_BROKER_VISIBILITY_TIMEOUT="3")
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    running = _wait_for(report.pk, {ReportStatus.RUNNING, ReportStatus.DONE, ReportStatus.FAILED}, timeout=30)
    assert running.status == ReportStatus.RUNNING and running.attempts == 1
    first.kill(signal.SIGKILL)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RUNNING
    second = worker_queue("second", GREENOFFICE_BROKER_VISIBILITY_TIMEOUT="3", GREENOFFICE_REPORTS_STALE_AFTER="2")
    report = _wait_for(report.pk, {ReportStatus.DONE, ReportStatus.FAILED}, timeout=45)
    assert report.status == ReportStatus.DONE, report.error + second.log.read_text(errors="replace")[-2000:]
    assert report.attempts == 2
    assert report.file.read(5) == b"%PDF-"
