"""Benchmark of the report pipeline. Prints figures; asserts nothing (the machines are shared and noisy).

    python manage.py bench_reports                 # unit report timings + bulk of 100 units, 2 workers
    python manage.py bench_reports --units 20 --prepare

Unit report (warm, median of --repeat): data gathering, template, the bare WeasyPrint render of the
same HTML (the floor: no database, no template), and the whole report as the worker makes it.

Bulk: a bulk job over N enrolled units rendered by two worker processes.
  --mode celery     two real `celery worker -P solo` processes on the configured Redis broker, on a
                    queue of their own (the default when the broker is Redis);
  --mode processes  two forked processes calling the same task function on the child rows (no broker),
                    then the same assembly step.
Peak memory: this process, and each worker process (VmHWM, or RUSAGE_CHILDREN for forked ones).
"""
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from assessment.models import Campaign, Enrolment
from assessment.selectors.campaign import campaign_current
from greenoffice.pdf import render_pdf
from inspections.models import ReviewStatus
from inspections.reports import gathering, rendering, services
from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.sample_data import build_scored_unit, sample_actors


def _median_ms(values) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms"


def _kb(value_kb: int) -> str:
    return f"{value_kb / 1024:.0f} MB"


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _render_child(report_id: int) -> str:
    # Runs in a forked process: the task function itself, minus the broker (the assembly is done by
    # the parent process once every child has settled).
    from inspections.reports.tasks import render_report_task

    with mock.patch.object(services, "_send_assembly"):
        return render_report_task.run(report_id)


class Command(BaseCommand):
    help = "Benchmark: unit report render time vs data gathering vs bare WeasyPrint; bulk with 2 workers."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=100, help="units in the bulk job (0: skip the bulk)")
        parser.add_argument("--repeat", type=int, default=10, help="renders per timing (median)")
        parser.add_argument("--campaign", type=int, help="campaign year (default: the current campaign)")
        parser.add_argument("--unit", help="unit code for the single-report timings")
        parser.add_argument("--prepare", action="store_true",
                            help="first give the first N enrolled units a scored year (sample data)")
        parser.add_argument("--mode", choices=["auto", "celery", "processes"], default="auto")
        parser.add_argument("--timeout", type=int, default=600, help="seconds to wait for the bulk")

    def handle(self, *args, units, repeat, campaign, unit, prepare, mode, timeout, **options):
        campaign = Campaign.objects.get(year=campaign) if campaign else campaign_current()
        if campaign is None:
            raise CommandError("no campaign: run seed_demo or pass --campaign")
        enrolments = list(Enrolment.objects.filter(campaign=campaign).select_related("unit", "campaign__rubric")
                          .order_by("unit__code"))
        if not enrolments:
            raise CommandError(f"no unit is enrolled in {campaign.year}")
        if prepare:
            self._prepare(enrolments[:max(units, 1)])
        self._unit_timings(campaign, enrolments, unit, repeat)
        if units > 0:
            self._bulk(campaign, enrolments[:units], mode, timeout)

    # -- preparation --------------------------------------------------------------------------------

    def _prepare(self, enrolments):
        started = time.perf_counter()
        actors, rng = sample_actors(), random.Random(2026)
        for enrolment in enrolments:
            build_scored_unit(enrolment=enrolment, actors=actors, rng=rng)
        self.stdout.write(f"prepared {len(enrolments)} scored units in {time.perf_counter() - started:.1f} s")

    # -- one unit -----------------------------------------------------------------------------------

    def _unit_timings(self, campaign, enrolments, unit_code, repeat):
        if unit_code:
            enrolment = next((e for e in enrolments if e.unit.code == unit_code), None)
            if enrolment is None:
                raise CommandError(f"unit {unit_code} is not enrolled in {campaign.year}")
        else:
            finalised = set(Enrolment.objects.filter(campaign=campaign, year_end_review__status=ReviewStatus.FINALISED)
                            .values_list("pk", flat=True))
            enrolment = next((e for e in enrolments if e.pk in finalised), enrolments[0])
        unit = enrolment.unit
        code = "BENC-HMAR-KXXX-XXXX"
        # Warm-up: fonts, templates, stylesheet, database connection.
        document = rendering.render_unit_report(unit=unit, campaign=campaign, verification_code=code)
        gather, template, floor, whole = [], [], [], []
        # Interleaved, so a burst of load on a shared machine hits every figure alike.
        for _ in range(repeat):
            t0 = time.perf_counter()
            data = gathering.unit_report_data(unit=unit, campaign=campaign)
            t1 = time.perf_counter()
            html = rendering.unit_report_html_from_data(data, verification_code=code)
            t2 = time.perf_counter()
            render_pdf(html)
            t3 = time.perf_counter()
            document = rendering.render_unit_report(unit=unit, campaign=campaign, verification_code=code)
            t4 = time.perf_counter()
            gather.append(t1 - t0)
            template.append(t2 - t1)
            floor.append(t3 - t2)
            whole.append(t4 - t3)
        share = statistics.median(gather) / statistics.median(whole) * 100
        self.stdout.write(f"unit report: {unit.code} {unit.name}, {len(document.content) // 1024} KB, "
                          f"median of {repeat} warm renders; load average {os.getloadavg()[0]:.2f}")
        self.stdout.write(f"  whole report (gather + template + PDF) {_median_ms(whole)}  "
                          f"(min {min(whole) * 1000:.0f}, max {max(whole) * 1000:.0f}; budget 600 ms)")
        self.stdout.write(f"  data gathering                        {_median_ms(gather)}  "
                          f"({share:.1f}% of the report; budget 10%)")
        self.stdout.write(f"  template                              {_median_ms(template)}")
        self.stdout.write(f"  bare WeasyPrint of the same HTML      {_median_ms(floor)}  (the floor)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(f"  peak RSS of this process              {_kb(peak)}")

    # -- bulk ---------------------------------------------------------------------------------------

    def _bulk(self, campaign, enrolments, mode, timeout):
        if mode == "auto":
            mode = "celery" if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "processes"
        unit_ids = [e.unit_id for e in enrolments]
        parent = services.report_create_for_operator(kind=ReportKind.BULK, campaign=campaign, unit_ids=unit_ids)
        self.stdout.write(f"bulk #{parent.pk}: {len(unit_ids)} units, 2 worker processes, mode {mode}")
        if mode == "celery":
            elapsed, peaks = self._bulk_celery(parent, timeout)
        else:
            elapsed, peaks = self._bulk_processes(parent)
        parent.refresh_from_db()
        children = list(parent.children.all())
        renders = sum(child.attempts for child in children)
        self.stdout.write(f"  status {parent.status}, {parent.children_done} done, {parent.children_failed} failed, "
                          f"zip {(parent.size or 0) // 1024} KB")
        self.stdout.write(f"  wall time                             {elapsed:8.1f} s  "
                          f"({len(children) / elapsed if elapsed else 0:.2f} reports/s)")
        self.stdout.write(f"  renders {renders} for {len(children)} units (duplicates: {renders - len(children)})")
        for name, peak in peaks:
            self.stdout.write(f"  peak RSS {name:30s} {_kb(peak)}")
        if parent.status != ReportStatus.DONE:
            raise CommandError(f"bulk did not finish: {parent.status} {parent.error}")

    def _wait(self, parent, timeout) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            status = Report.objects.filter(pk=parent.pk).values_list("status", flat=True).first()
            if status in (ReportStatus.DONE, ReportStatus.FAILED):
                return time.perf_counter() - started
            time.sleep(0.2)
        raise CommandError(f"bulk not finished after {timeout} s")

    @contextmanager
    def _workers(self, queue: str):
        env = {**os.environ, "GREENOFFICE_REPORTS_QUEUE": queue,
               "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "greenoffice.settings.local")}
        celery = Path(sys.executable).with_name("celery")
        logs, procs = [], []
        try:
            for n in (1, 2):
                log = Path(settings.VAR_DIR) / f"bench-worker-{n}.log"
                logs.append(log)
                handle = log.open("w")
                procs.append(subprocess.Popen(
                    [str(celery), "-A", "greenoffice", "worker", "-P", "solo", "-Q", queue,
                     "-n", f"bench{n}-{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                     "-l", "INFO"],
                    cwd=settings.BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
                ))
            deadline = time.monotonic() + 60
            while not all("ready." in log.read_text(errors="replace") for log in logs):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise CommandError("workers did not start; see " + ", ".join(map(str, logs)))
                time.sleep(0.2)
            yield procs
        finally:
            for proc in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)

    def _bulk_celery(self, parent, timeout):
        queue = f"reports-bench-{uuid.uuid4().hex[:8]}"
        previous = settings.REPORTS_QUEUE
        settings.REPORTS_QUEUE = queue  # the router reads it per message
        try:
            with self._workers(queue) as procs:
                started = time.perf_counter()
                services.report_send(report_ids=[parent.pk])
                self._wait(parent, timeout)
                elapsed = time.perf_counter() - started
                peaks = [(f"worker {n} (pid {p.pid})", _vm_hwm_kb(p.pid)) for n, p in enumerate(procs, start=1)]
        finally:
            settings.REPORTS_QUEUE = previous
        return elapsed, peaks

    def _bulk_processes(self, parent):
        started = time.perf_counter()
        with mock.patch.object(services, "_send", return_value=0), mock.patch.object(services, "_send_assembly"):
            services.report_render(report_id=parent.pk)  # fan-out only: the children rows
        child_ids = list(parent.children.order_by("pk").values_list("pk", flat=True))
        connections.close_all()  # forked processes must not share the parent's connection
        with get_context("fork").Pool(2) as pool:
            pool.map(_render_child, child_ids, chunksize=1)
        services.report_assemble_bulk(report_id=parent.pk)
        elapsed = time.perf_counter() - started
        return elapsed, [("forked workers (max)", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)]
