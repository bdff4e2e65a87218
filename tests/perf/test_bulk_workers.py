"""Scale-out: two Celery worker processes on one queue share a bulk report job, and every unit's
report is rendered exactly once even when messages are delivered twice (docs/performance.md).

Real workers on Redis, sharing this test's PostgreSQL database (a transactional test) and MEDIA_ROOT;
a queue of their own so nothing else on the same Redis takes their messages."""
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from assessment.models import Campaign, Enrolment
from greenoffice.celery import app
from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.services import report_create_for_operator, report_send

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
UNITS = 8


def _skip_reason() -> str | None:
    if not BROKER.startswith(("redis://", "rediss://")):
        return "needs Redis: set REDIS_URL (CI does), e.g. REDIS_URL=redis://127.0.0.1:6379/0"
    if connection.vendor != "postgresql":
        return "the worker processes must share the test database: run with DATABASE_URL on PostgreSQL"
    return None


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def _start_worker(name: str, queue: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "greenoffice.settings.test", "DATABASE_URL": _database_url(),
           "GREENOFFICE_CELERY_EAGER": "0", "GREENOFFICE_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "GREENOFFICE_REPORTS_QUEUE": queue}
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "greenoffice", "worker", "-Q", queue, "--concurrency", "1", "-P", "prefork",
         "-n", f"{name}-{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
        cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )


@pytest.fixture
def two_workers(settings, tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    queue = f"reports-perf-{uuid.uuid4().hex[:10]}"
    settings.REPORTS_QUEUE = queue  # the router reads it per message
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    procs = [_start_worker(f"perf{n}", queue, log) for n, log in enumerate(logs, start=1)]
    try:
        deadline = time.monotonic() + 60
        while not all("ready." in log.read_text(errors="replace") for log in logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail("workers did not start:\n" + "\n".join(log.read_text(errors="replace")[-2000:]
                                                                     for log in logs))
            time.sleep(0.2)
        yield logs
    finally:
        app.conf.task_always_eager = eager
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)


def _wait_done(report_id: int, timeout: float = 240) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return report
        time.sleep(0.3)
    raise AssertionError(f"bulk #{report_id} still {Report.objects.get(pk=report_id).status} after {timeout} s")


def test_bulk_job_two_workers_render_each_unit_once(two_workers, tmp_path):
    call_command("generate_scale_data", units=UNITS, years=1, seed=11, as_of="2026-11-27",
                 stdout=open(tmp_path / "gen.log", "w"))
    campaign = Campaign.objects.get()
    parent = report_create_for_operator(kind=ReportKind.BULK, campaign=campaign)
    # The bulk message delivered twice (a broker redelivery, or the sweeper racing a slow worker).
    assert report_send(report_ids=[parent.pk, parent.pk]) == 2
    deadline = time.monotonic() + 60
    while Report.objects.filter(parent=parent).count() < UNITS and time.monotonic() < deadline:
        time.sleep(0.2)
    # ...and every member's message a second time while the workers are at them.
    report_send(report_ids=list(Report.objects.filter(parent=parent).values_list("pk", flat=True)))

    parent = _wait_done(parent.pk)
    assert parent.status == ReportStatus.DONE, parent.error
    children = list(Report.objects.filter(parent=parent))
    enrolled = set(Enrolment.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    assert sorted(c.unit_id for c in children) == sorted(enrolled)  # one member per unit, no duplicate rows
    assert all(c.status == ReportStatus.DONE and c.attempts == 1 for c in children)  # each rendered once
    assert parent.children_done == UNITS and parent.children_failed == 0
    with parent.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(names) == len(set(names)) == UNITS

    # Both processes took part, and the renders add up to one per unit across them.
    rendered = [log.read_text(errors="replace").count("'rendered'") for log in two_workers]
    assert sum(rendered) == UNITS
    assert all(n > 0 for n in rendered), rendered
