"""The report job: request, claim, render once, failure, retry, sweeper, broker outage, bulk."""
import datetime
import io
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from assessment.models import Enrolment
from assessment.services.campaign import campaign_enrol_units
from inspections.reports import rendering, services
from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.services import report_request, report_retry, report_sweep
from inspections.reports.tasks import render_report_task, sweep_queued_reports_task


def _fake_document(*args, **kwargs):
    return rendering.Document(b"%PDF-1.7 fake", "假报告.pdf", "application/pdf")


@pytest.fixture
def fake_render(monkeypatch):
    calls = []

    def render(**kwargs):
        calls.append(kwargs)
        return _fake_document()

    monkeypatch.setattr(rendering, "render_unit_report", render)
    return calls


def _age(report, *, seconds, field="enqueued_at"):
    past = timezone.now() - datetime.timedelta(seconds=seconds)
    Report.objects.filter(pk=report.pk).update(**{field: past, "requested_at": past})


def test_request_sends_after_commit_and_task_renders(director_a, unit_a, campaign, enrolled, fake_render,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.progress == 100 and report.attempts == 1 and report.enqueued_at is not None
    assert report.sha256 and report.size == len(b"%PDF-1.7 fake")
    assert report.file.read() == b"%PDF-1.7 fake"
    assert len(fake_render) == 1


def test_task_delivered_twice_renders_once(director_a, unit_a, campaign, enrolled, no_send):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    real = rendering.render_unit_report
    with mock.patch.object(rendering, "render_unit_report", side_effect=real) as counted:
        first = render_report_task(report.pk)
        second = render_report_task(report.pk)
    assert (first, second) == ("rendered", "skipped")
    assert counted.call_count == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1
    assert report.file.read(5) == b"%PDF-"


def test_running_report_is_not_claimed_by_a_second_worker(director_a, unit_a, campaign, enrolled, no_send,
                                                          fake_render):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    claimed = services._claim(report.pk)
    assert claimed is not None
    # A second delivery while the first worker is alive (fresh heartbeat) does nothing.
    assert services.report_render(report_id=report.pk) == "skipped"
    assert fake_render == []
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.attempts == 1


def test_stale_claimant_cannot_overwrite_the_new_one(director_a, unit_a, campaign, enrolled, no_send, settings):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    old = services._claim(report.pk)
    _age(report, seconds=settings.REPORTS_STALE_AFTER_SECONDS + 5, field="heartbeat_at")
    new = services._claim(report.pk)
    assert new is not None and new.attempts == 2
    assert services._finish(old, name="reports/old.pdf", file_name="x.pdf", size=1, sha256="0" * 64) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and report.sha256 == ""


def test_failed_render_records_error_and_status_page_says_so_in_chinese(
        client, director_a, unit_a, campaign, enrolled, no_send, monkeypatch):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    monkeypatch.setattr(rendering, "render_unit_report", mock.Mock(side_effect=RuntimeError("字体文件损坏")))
    assert render_report_task(report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "字体文件损坏" in report.error and report.finished_at is not None
    client.force_login(director_a)
    response = client.get(f"/reports/{report.pk}/status/", headers={"HX-Request": "true"})
    assert response.status_code == 286  # htmx: stop polling
    html = response.content.decode()
    assert "报告生成失败:" in html and "字体文件损坏" in html
    assert f'action="/reports/{report.pk}/retry/"' in html
    assert "hx-trigger" not in html


def test_retry_queues_the_failed_report_again(director_a, unit_a, campaign, enrolled, fake_render,
                                              django_capture_on_commit_callbacks, monkeypatch):
    with mock.patch.object(rendering, "render_unit_report", side_effect=RuntimeError("临时故障")), \
            django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        report_retry(actor=director_a, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == "" and report.attempts == 1
    # A second click on an already retried report changes nothing.
    assert report_retry(actor=director_a, report=report).status == ReportStatus.DONE


def test_report_data_problem_fails_with_its_chinese_message(admin_user, unit_a, campaign, enrolled, no_send):
    report = report_request(actor=admin_user, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    Enrolment.objects.filter(unit=unit_a).delete()  # withdrawn between request and render
    assert services.report_render(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert "未参加" in report.error


def test_sweeper_resends_old_queued_reports_not_fresh_ones(director_a, admin_user, unit_a, campaign, enrolled,
                                                           no_send, settings):
    old = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    fresh = report_request(actor=admin_user, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    _age(old, seconds=settings.REPORTS_REQUEUE_AFTER_SECONDS + 30)
    Report.objects.filter(pk=fresh.pk).update(enqueued_at=timezone.now())
    result = sweep_queued_reports_task()
    assert no_send == [old.pk]
    assert result["queued"] == 1 and result["sent"] == 1
    old.refresh_from_db()
    assert old.enqueued_at > timezone.now() - datetime.timedelta(seconds=10)
    # Just re-sent: the next sweep leaves it alone.
    report_sweep()
    assert no_send == [old.pk]


def test_sweeper_resends_reports_stuck_running_on_a_dead_worker(director_a, unit_a, campaign, enrolled, no_send,
                                                                fake_render, settings):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    services._claim(report.pk)  # a worker took it ... and was killed
    report_sweep()
    assert no_send == []  # heartbeat still fresh
    _age(report, seconds=settings.REPORTS_STALE_AFTER_SECONDS + 5, field="heartbeat_at")
    report_sweep()
    assert no_send == [report.pk]
    assert render_report_task(report.pk) == "rendered"
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2


def test_sweeper_fails_a_report_that_used_up_its_attempts(director_a, unit_a, campaign, enrolled, no_send,
                                                          settings):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    services._claim(report.pk)
    Report.objects.filter(pk=report.pk).update(attempts=settings.REPORTS_MAX_ATTEMPTS)
    _age(report, seconds=settings.REPORTS_STALE_AFTER_SECONDS + 5, field="heartbeat_at")
    assert report_sweep()["failed"] == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "多次尝试" in report.error
    assert no_send == []


def test_broker_down_at_request_keeps_row_queued_and_sweeper_sends_it_later(
        director_a, unit_a, campaign, enrolled, fake_render, django_capture_on_commit_callbacks, settings,
        monkeypatch, caplog):
    with mock.patch.object(render_report_task, "delay",
                           side_effect=KombuOperationalError("Error 111 connecting to 127.0.0.1:6379")), \
            django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.enqueued_at is None
    assert "broker unavailable" in caplog.text
    # Broker back; the sweeper finds the row once it has waited long enough.
    sent = []
    monkeypatch.setattr(render_report_task, "delay", sent.append)
    report_sweep()
    assert sent == []
    _age(report, seconds=settings.REPORTS_REQUEUE_AFTER_SECONDS + 1, field="requested_at")
    report_sweep()
    assert sent == [report.pk]
    render_report_task(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_double_request_returns_the_pending_report(director_a, unit_a, campaign, enrolled, no_send):
    first = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    second = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    assert first.pk == second.pk
    assert Report.objects.count() == 1


def test_request_access_rules(director_a, director_b, leader_a, unit_a, unit_b, campaign, enrolled, no_send):
    with pytest.raises(Http404):
        report_request(actor=director_b, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    with pytest.raises(Http404):
        report_request(actor=leader_a, kind=ReportKind.UNIT, unit=unit_b, campaign=campaign)
    for kind in (ReportKind.SUMMARY, ReportKind.BULK, ReportKind.ROUND):
        with pytest.raises(PermissionDenied):
            report_request(actor=director_a, kind=kind, campaign=campaign)
    summary = report_request(actor=leader_a, kind=ReportKind.SUMMARY, campaign=campaign)
    assert summary.parameters == {"district_ids": [unit_a.district_id]}


def test_unit_report_needs_an_enrolment(director_a, unit_a, campaign, no_send):
    with pytest.raises(ValidationError) as excinfo:
        report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    assert "未参加" in excinfo.value.messages[0]


def test_bulk_renders_every_unit_in_scope_into_one_zip(admin_user, unit_a, unit_a2, unit_b, campaign, enrolled,
                                                       fake_render, django_capture_on_commit_callbacks):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a2])
    with django_capture_on_commit_callbacks(execute=True):
        bulk = report_request(actor=admin_user, kind=ReportKind.BULK, campaign=campaign)
    bulk.refresh_from_db()
    assert bulk.status == ReportStatus.DONE, bulk.error
    assert (bulk.children_total, bulk.children_done, bulk.children_failed, bulk.progress) == (3, 3, 0, 100)
    assert sorted(c["unit"].pk for c in fake_render) == sorted([unit_a.pk, unit_a2.pk, unit_b.pk])
    assert all(child.attempts == 1 for child in bulk.children.all())
    with bulk.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert len(archive.namelist()) == 3
    assert bulk.file_name.endswith(".zip") and bulk.content_type == "application/zip"
    # Member files live on inside the archive only.
    assert all(not child.file for child in bulk.children.all())


def test_bulk_of_a_district_leader_covers_only_their_district(leader_a, unit_a, unit_b, campaign, enrolled,
                                                              fake_render, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bulk = report_request(actor=leader_a, kind=ReportKind.BULK, campaign=campaign)
    bulk.refresh_from_db()
    assert bulk.status == ReportStatus.DONE
    assert [c["unit"].pk for c in fake_render] == [unit_a.pk]


def test_bulk_member_delivered_again_is_not_counted_twice(admin_user, campaign, enrolled, no_send, fake_render):
    bulk = report_request(actor=admin_user, kind=ReportKind.BULK, campaign=campaign)
    with mock.patch.object(services, "_send_assembly") as assembly:
        assert services.report_render(report_id=bulk.pk) == "fanned_out"
        children = list(bulk.children.order_by("pk"))
        assert sorted(no_send) == [c.pk for c in children]  # the request itself was never committed
        for child in children:
            render_report_task(child.pk)
        render_report_task(children[0].pk)  # redelivered
    bulk.refresh_from_db()
    assert (bulk.children_done, bulk.children_failed) == (2, 0)
    assert len(fake_render) == 2
    assert assembly.call_count == 0  # on_commit never fires inside the test transaction
    assert services.report_assemble_bulk(report_id=bulk.pk) == "assembled"
    assert services.report_assemble_bulk(report_id=bulk.pk) == "skipped"


def test_bulk_with_a_failed_member_zips_the_rest_and_lists_the_failure(
        admin_user, unit_a, unit_b, campaign, enrolled, django_capture_on_commit_callbacks, monkeypatch):
    def render(*, unit, **kwargs):
        if unit.pk == unit_b.pk:
            raise RuntimeError("模板错误")
        return _fake_document()

    monkeypatch.setattr(rendering, "render_unit_report", render)
    with django_capture_on_commit_callbacks(execute=True):
        bulk = report_request(actor=admin_user, kind=ReportKind.BULK, campaign=campaign)
    bulk.refresh_from_db()
    assert bulk.status == ReportStatus.DONE
    assert (bulk.children_done, bulk.children_failed) == (1, 1)
    assert "1个单位生成失败" in bulk.error
    with bulk.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    failures = archive.read("生成失败清单.txt").decode()
    assert unit_b.name in failures and "模板错误" in failures


def test_round_bulletin_request_rules(inspector_a, campaign, enrolled, district_b, no_send):
    from inspections.services.rounds import round_create

    other_district = round_create(actor=None, campaign=campaign, month=datetime.date(campaign.year, 9, 1),
                                  sample_size=1, district=district_b)
    with pytest.raises(Http404):
        report_request(actor=inspector_a, kind=ReportKind.ROUND, spot_round=other_district)
    city_wide = round_create(actor=None, campaign=campaign, month=datetime.date(campaign.year, 8, 1), sample_size=1)
    with pytest.raises(ValidationError) as excinfo:
        report_request(actor=inspector_a, kind=ReportKind.ROUND, spot_round=city_wide)
    assert "尚未抽取" in excinfo.value.messages[0]


def test_bulk_assembly_failure_fails_the_job_with_its_reason(admin_user, campaign, enrolled, no_send, fake_render,
                                                             monkeypatch):
    bulk = report_request(actor=admin_user, kind=ReportKind.BULK, campaign=campaign)
    services.report_render(report_id=bulk.pk)
    for child in bulk.children.all():
        render_report_task(child.pk)
    monkeypatch.setattr(rendering, "write_bulk_zip", mock.Mock(side_effect=OSError("磁盘已满")))
    assert services.report_assemble_bulk(report_id=bulk.pk) == "failed"
    bulk.refresh_from_db()
    assert bulk.status == ReportStatus.FAILED and "磁盘已满" in bulk.error
