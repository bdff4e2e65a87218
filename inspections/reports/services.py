"""Writes of report records: request, retry, and the job steps the tasks run (claim, render, finish,
fail, bulk fan-out and assembly, sweep).

How a report survives faults:
- the request commits the row first and sends the message on commit; if the broker is down then, the
  row stays queued and the beat sweeper sends it later (REPORTS_REQUEUE_AFTER_SECONDS);
- a worker claims a row with one conditional UPDATE (queued, or running with a heartbeat older than
  the task's hard time limit → running), so two deliveries never render the same report at once, and a
  finished report is never rendered again;
- only the claimant that is still current (same `attempts`) may write the result;
- a killed worker leaves a running row whose heartbeat goes stale; the message comes back (acks_late,
  Redis visibility timeout) or the sweeper resends it, and the next claim takes over;
- a bulk job creates one child row per unit, sends them in batches, counts completion in its own row
  and is zipped by whichever child completes it last.
"""
import hashlib
import logging
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from assessment.models import Campaign, Enrolment
from greenoffice.audit import audit_record
from inspections.models import RoundStatus, SpotCheckRound
from inspections.reports import gathering, rendering
from inspections.reports.models import Report, ReportKind, ReportStatus, report_upload_to
from inspections.reports.selectors import report_district_scope, report_is_supervisor, report_kinds_for_user
from units.models import User
from units.selectors import unit_get_for_user

logger = logging.getLogger(__name__)

# Errors worth a retry of the task (the database blinked); everything else fails the report.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
ERROR_MAX_LENGTH = 1000


# -- sending ------------------------------------------------------------------------------------------

def _send(report_ids: list[int]) -> int:
    """Hand the ids to the broker; a broker outage is logged, never raised: the rows stay queued and
    the sweeper sends them again. Returns how many were sent."""
    from inspections.reports.tasks import render_report_task

    sent = []
    for report_id in report_ids:
        try:
            render_report_task.delay(report_id)
        except (BrokerError, OSError) as exc:
            logger.warning("reports: broker unavailable, %d report(s) left queued for the sweeper: %s",
                           len(report_ids) - len(sent), exc)
            break
        sent.append(report_id)
    if sent:
        Report.objects.filter(pk__in=sent).update(enqueued_at=timezone.now())
    return len(sent)


def _send_assembly(report_id: int) -> None:
    from inspections.reports.tasks import assemble_bulk_task

    try:
        assemble_bulk_task.delay(report_id)
    except (BrokerError, OSError) as exc:
        # The parent stays running; its heartbeat goes stale and the sweeper re-runs the fan-out,
        # which sends the assembly again.
        logger.warning("reports: broker unavailable, bulk #%s assembly not sent: %s", report_id, exc)


# -- requests -----------------------------------------------------------------------------------------

def _check_request(*, actor, kind, unit, campaign, spot_round) -> dict:
    """Validate and access-check a request; returns the subject fields of the row."""
    if kind not in ReportKind.values:
        raise ValidationError(_("未知的报告类型"))
    if kind not in report_kinds_for_user(actor):
        raise PermissionDenied(_("您无权生成此类报告"))
    scope = report_district_scope(actor)
    if kind == ReportKind.UNIT:
        if unit is None or campaign is None:
            raise ValidationError(_("请选择单位和创建年度"))
        unit = unit_get_for_user(user=actor, pk=unit.pk)  # 404 when out of scope
        if not Enrolment.objects.filter(unit=unit, campaign=campaign).exists():
            raise ValidationError(_("%(unit)s 未参加%(year)s年度创建,无法生成考评报告")
                                  % {"unit": unit.name, "year": campaign.year})
        return {"unit": unit, "campaign": campaign, "parameters": {}}
    if kind == ReportKind.ROUND:
        if spot_round is None:
            raise ValidationError(_("请选择抽查批次"))
        if scope is not None and spot_round.district_id is not None and spot_round.district_id not in scope:
            raise Http404
        if spot_round.status != RoundStatus.DRAWN:
            raise ValidationError(_("该抽查批次尚未抽取,暂无检查通报"))
        return {"round": spot_round, "campaign_id": spot_round.campaign_id,
                "parameters": {"district_ids": scope}}
    if campaign is None:
        raise ValidationError(_("请选择创建年度"))
    return {"campaign": campaign, "parameters": {"district_ids": scope}}


def report_request(*, actor, kind: str, unit=None, campaign: Campaign | None = None,
                   spot_round: SpotCheckRound | None = None) -> Report:
    """Create the report row and send it to a worker after commit.

    Access: a unit report needs the unit in the actor's scope (directors: their own unit); the round
    bulletin, the campaign summary and the bulk job are for leaders, inspectors and admins, and cover
    the actor's districts. Asking again while the same report is still queued or running returns the
    pending one (a double submit makes one job)."""
    subject = _check_request(actor=actor, kind=kind, unit=unit, campaign=campaign, spot_round=spot_round)
    with transaction.atomic():
        # Serialises one user's requests so the pending-report check below can't race itself.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        pending = Report.objects.filter(
            requested_by=actor, kind=kind, parent__isnull=True,
            status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING),
            unit=subject.get("unit"), round=subject.get("round"),
            campaign_id=subject.get("campaign_id", getattr(subject.get("campaign"), "pk", None)),
            parameters=subject["parameters"],
        ).first()
        if pending is not None:
            return pending
        report = Report.objects.create(kind=kind, requested_by=actor, **subject)
        audit_record(actor=actor, action="report_request", obj=report, unit_id=report.unit_id,
                     changes={"kind": kind, "parameters": report.parameters})
        transaction.on_commit(lambda: _send([report.pk]))
    return report


def report_retry(*, actor, report: Report) -> Report:
    """Queue a failed report again (the status page's retry button). A bulk job keeps its finished
    units and queues only the failed ones."""
    if report.requested_by_id != actor.pk:
        raise PermissionDenied
    if report.kind not in report_kinds_for_user(actor) or (report.kind != ReportKind.UNIT
                                                            and not report_is_supervisor(actor)):
        raise PermissionDenied
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.QUEUED, progress=0, attempts=0, error="", started_at=None, heartbeat_at=None,
            finished_at=None, enqueued_at=None, assemble_enqueued_at=None,
        )
        if not updated:
            report.refresh_from_db()
            return report  # already retried (double click) or not failed
        if report.kind == ReportKind.BULK:
            report.children.filter(status=ReportStatus.FAILED).update(
                status=ReportStatus.QUEUED, progress=0, attempts=0, error="", heartbeat_at=None, finished_at=None)
            Report.objects.filter(pk=report.pk).update(
                children_done=report.children.filter(status=ReportStatus.DONE).count(), children_failed=0)
        audit_record(actor=actor, action="report_retry", obj=report, unit_id=report.unit_id,
                     changes={"status": (ReportStatus.FAILED, ReportStatus.QUEUED)})
        transaction.on_commit(lambda: _send([report.pk]))
    report.refresh_from_db()
    return report


def report_create_for_operator(*, kind: str, unit=None, campaign=None, spot_round=None,
                               unit_ids: list[int] | None = None) -> Report:
    """A report row made from the shell (render_report, bench_reports): no requester, city-wide scope;
    `unit_ids` narrows a bulk job to those units."""
    parameters = {"district_ids": None}
    if unit_ids is not None:
        parameters["unit_ids"] = sorted(unit_ids)
    report = Report.objects.create(kind=kind, unit=unit, campaign=campaign or getattr(spot_round, "campaign", None),
                                   round=spot_round, parameters=parameters)
    audit_record(actor=None, action="report_request", obj=report, unit_id=report.unit_id,
                 changes={"kind": kind, "source": "render_report command"})
    return report


def report_send(*, report_ids: list[int]) -> int:
    """Send existing rows to the workers (operator tools); returns how many the broker took."""
    return _send(list(report_ids))


# -- the job ------------------------------------------------------------------------------------------

def _claim(report_id: int) -> Report | None:
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.REPORTS_STALE_AFTER_SECONDS)
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RUNNING, heartbeat_at__lt=stale_before, attempts__lt=settings.REPORTS_MAX_ATTEMPTS)
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, progress=5,
        error="",
    )
    if not claimed:
        return None
    return Report.objects.select_related("unit", "campaign", "round", "parent").get(pk=report_id)


def _mine(report: Report):
    # The claimant's fence: once another worker has re-claimed the row, this one may not write it.
    return Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, attempts=report.attempts)


def _progress(report: Report, percent: int) -> None:
    _mine(report).update(progress=percent, heartbeat_at=timezone.now())


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, (gathering.ReportDataError, ValidationError)):
        message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
    elif type(exc).__name__ == "SoftTimeLimitExceeded":
        message = _("生成超时(超过%(seconds)s秒)") % {"seconds": settings.REPORTS_RENDER_TIME_LIMIT}
    else:
        message = _("系统内部错误(%(name)s: %(detail)s)") % {"name": type(exc).__name__, "detail": exc}
    return message[:ERROR_MAX_LENGTH]


def _build(report: Report) -> rendering.Document:
    district_ids = (report.parameters or {}).get("district_ids")
    if report.kind == ReportKind.UNIT:
        return rendering.render_unit_report(unit=report.unit, campaign=report.campaign,
                                            verification_code=report.verification_code)
    if report.kind == ReportKind.ROUND:
        return rendering.render_round_report(spot_round=report.round, district_ids=district_ids,
                                             verification_code=report.verification_code)
    if report.kind == ReportKind.SUMMARY:
        return rendering.render_summary_report(campaign=report.campaign, district_ids=district_ids,
                                               verification_code=report.verification_code)
    raise ValueError(f"no renderer for {report.kind}")


def _store(report: Report, content: File, sha256: str) -> str:
    report.sha256 = sha256
    return report.file.storage.save(report_upload_to(report, ""), content)


def _finish(report: Report, *, name: str, file_name: str, size: int, sha256: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        won = _mine(report).update(status=ReportStatus.DONE, progress=100, file=name, file_name=file_name,
                                   size=size, sha256=sha256, finished_at=now, heartbeat_at=now, error="")
        if won and report.parent_id:
            _count_bulk_member(report.parent_id, done=True)
    if not won:
        # Another worker took the report over meanwhile; its result is the one kept.
        report.file.storage.delete(name)
    return bool(won)


def _fail(report: Report, message: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        lost = _mine(report).update(status=ReportStatus.FAILED, error=message, finished_at=now, heartbeat_at=now)
        if lost and report.parent_id:
            _count_bulk_member(report.parent_id, done=False)


def _release(report: Report) -> None:
    """Give the row back to the queue before a retry of the task (best effort: the database may be
    the thing that is down; then the sweeper recovers it once the heartbeat is stale)."""
    try:
        _mine(report).update(status=ReportStatus.QUEUED, heartbeat_at=None)
    except DatabaseError:
        logger.warning("reports: could not release report #%s before retry", report.pk)


def report_render(*, report_id: int) -> str:
    """Run one report job. Returns what happened: "skipped" (finished, or another worker has it),
    "rendered", "failed", or "fanned_out" for a bulk job."""
    report = _claim(report_id)
    if report is None:
        return "skipped"
    try:
        delay = getattr(settings, "REPORTS_TEST_RENDER_DELAY", 0)
        if delay:  # test-only hook: lets the worker tests kill a worker mid-render
            time.sleep(delay)
        if report.kind == ReportKind.BULK:
            _bulk_fan_out(report)
            return "fanned_out"
        document = _build(report)
        _progress(report, 90)
        name = _store(report, ContentFile(document.content), document.sha256)
        won = _finish(report, name=name, file_name=document.file_name, size=len(document.content),
                      sha256=document.sha256)
        return "rendered" if won else "skipped"
    except TRANSIENT_ERRORS:
        _release(report)
        raise
    except Exception as exc:
        logger.exception("reports: report #%s failed", report_id)
        _fail(report, _error_text(exc))
        return "failed"


# -- bulk ---------------------------------------------------------------------------------------------

def _bulk_fan_out(parent: Report) -> None:
    """Create one child per enrolled unit in scope (idempotent: a re-run adds only missing ones), send
    the queued ones in batches, and assemble at once if everything has already settled."""
    parameters = parent.parameters or {}
    unit_ids = gathering.bulk_unit_ids(campaign=parent.campaign, district_ids=parameters.get("district_ids"))
    if parameters.get("unit_ids") is not None:
        # An operator's bulk of chosen units (the benchmark); still only enrolled ones.
        chosen = set(parameters["unit_ids"])
        unit_ids = [pk for pk in unit_ids if pk in chosen]
    if not unit_ids:
        _fail(parent, _("该范围内没有参创单位"))
        return
    existing = set(parent.children.values_list("unit_id", flat=True))
    Report.objects.bulk_create(
        [Report(kind=ReportKind.UNIT, parent=parent, unit_id=unit_id, campaign_id=parent.campaign_id,
                requested_by_id=parent.requested_by_id, parameters={})
         for unit_id in unit_ids if unit_id not in existing],
        batch_size=500, ignore_conflicts=True,
    )
    _mine(parent).update(children_total=len(unit_ids), heartbeat_at=timezone.now())
    queued = list(parent.children.filter(status=ReportStatus.QUEUED).order_by("pk").values_list("pk", flat=True))
    batch = settings.REPORTS_BULK_BATCH_SIZE
    for start in range(0, len(queued), batch):
        if _send(queued[start:start + batch]) < len(queued[start:start + batch]):
            break  # broker down: the sweeper sends the rest
    with transaction.atomic():
        _bulk_maybe_assemble(parent.pk, force=True)


def _count_bulk_member(parent_id: int, *, done: bool) -> None:
    """Called inside the child's finishing transaction: count it and, if it was the last, send the
    assembly (exactly once: the conditional UPDATE on assemble_enqueued_at decides)."""
    counter = "children_done" if done else "children_failed"
    settled = F("children_done") + F("children_failed") + 1
    Report.objects.filter(pk=parent_id).update(**{
        counter: F(counter) + 1,
        "progress": 5 + settled * 90 / F("children_total"),
        "heartbeat_at": timezone.now(),
    })
    _bulk_maybe_assemble(parent_id)


def _bulk_maybe_assemble(parent_id: int, *, force: bool = False) -> None:
    ready = Report.objects.filter(pk=parent_id, status=ReportStatus.RUNNING, children_total__gt=0).alias(
        settled=F("children_done") + F("children_failed")).filter(settled__gte=F("children_total"))
    if not force:
        ready = ready.filter(assemble_enqueued_at__isnull=True)
    if ready.update(assemble_enqueued_at=timezone.now()):
        transaction.on_commit(lambda: _send_assembly(parent_id))


def report_assemble_bulk(*, report_id: int) -> str:
    """Zip the finished members of a settled bulk job into the parent's file. Idempotent and exclusive:
    the parent row is locked while zipping and a done parent is left alone."""
    try:
        return _assemble(report_id)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("reports: bulk #%s assembly failed", report_id)
        Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
            status=ReportStatus.FAILED, error=_error_text(exc), finished_at=timezone.now())
        return "failed"


def _assemble(report_id: int) -> str:
    with transaction.atomic():
        parent = (
            Report.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=report_id, kind=ReportKind.BULK, status=ReportStatus.RUNNING)
            .select_related("campaign").first()
        )
        if parent is None:
            return "skipped"
        if parent.children_done + parent.children_failed < parent.children_total:
            return "waiting"
        children = list(parent.children.select_related("unit").order_by("unit__code", "pk"))
        failures = [(child.unit.name, child.error) for child in children if child.status == ReportStatus.FAILED]
        members = ((child.file_name, child.file.open("rb")) for child in children
                   if child.status == ReportStatus.DONE and child.file)
        with tempfile.TemporaryFile() as archive:
            rendering.write_bulk_zip(archive, members=members, failures=failures)
            size = archive.tell()
            archive.seek(0)
            digest = hashlib.sha256()
            while chunk := archive.read(1 << 20):
                digest.update(chunk)
            archive.seek(0)
            name = _store(parent, File(archive), digest.hexdigest())
        error = _("%(n)s个单位生成失败,见压缩包内的清单") % {"n": len(failures)} if failures else ""
        now = timezone.now()
        Report.objects.filter(pk=parent.pk).update(
            status=ReportStatus.DONE, progress=100, file=name, file_name=rendering.bulk_file_name(parent.campaign),
            size=size, sha256=digest.hexdigest(), finished_at=now, heartbeat_at=now, error=error)
        member_files = [child.file.name for child in children if child.file]
        storage = parent.file.storage
        # The members live on inside the archive; their loose copies would double the storage.
        transaction.on_commit(lambda: _drop_member_files(parent.pk, storage, member_files))
    return "assembled"


def _drop_member_files(parent_id: int, storage, names: list[str]) -> None:
    Report.objects.filter(parent_id=parent_id).update(file="")
    for name in names:
        storage.delete(name)


# -- sweeper ------------------------------------------------------------------------------------------

SWEEP_LIMIT = 5000


def report_sweep(*, now=None) -> dict:
    """Re-send reports left queued (message lost or never sent) and reports stuck running on a dead
    worker; fail those that have used up their attempts. Run by beat every two minutes."""
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=settings.REPORTS_REQUEUE_AFTER_SECONDS)
    stale_before = now - timedelta(seconds=settings.REPORTS_STALE_AFTER_SECONDS)
    queued = list(
        Report.objects.filter(status=ReportStatus.QUEUED)
        .filter(Q(enqueued_at__lt=requeue_before) | Q(enqueued_at__isnull=True, requested_at__lt=requeue_before))
        .order_by("requested_at", "pk").values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    stale = list(
        Report.objects.filter(status=ReportStatus.RUNNING, heartbeat_at__lt=stale_before)
        .select_related("parent").order_by("pk")[:SWEEP_LIMIT]
    )
    exhausted = [r for r in stale if r.attempts >= settings.REPORTS_MAX_ATTEMPTS]
    for report in exhausted:
        _fail(report, _("多次尝试仍未完成(生成进程可能被终止),请重试"))
    resend = queued + [r.pk for r in stale if r.attempts < settings.REPORTS_MAX_ATTEMPTS]
    sent = 0
    for start in range(0, len(resend), settings.REPORTS_BULK_BATCH_SIZE):
        chunk = resend[start:start + settings.REPORTS_BULK_BATCH_SIZE]
        sent += _send(chunk)
        if sent < start + len(chunk):
            break
    if resend or exhausted:
        logger.info("reports sweep: %d queued and %d stale re-sent (%d sent), %d failed",
                    len(queued), len(resend) - len(queued), sent, len(exhausted))
    return {"queued": len(queued), "stale": len(resend) - len(queued), "sent": sent, "failed": len(exhausted)}
