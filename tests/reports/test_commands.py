"""The operator commands: render_report (same job code as the worker) and bench_reports (prints)."""
import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from inspections.reports.models import Report, ReportStatus


def test_render_report_writes_the_unit_pdf(scored_a, unit_a, campaign, tmp_path):
    out = tmp_path / "unit.pdf"
    stdout = io.StringIO()
    call_command("render_report", "--kind", "unit", "--unit", unit_a.code, "--campaign", str(campaign.year),
                 "--out", str(out), stdout=stdout)
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and report.requested_by is None
    assert out.read_bytes() == report.file.open("rb").read()
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert unit_a.name in text and report.verification_code in text
    assert report.verification_code in stdout.getvalue()


def test_render_report_summary(scored_a, campaign, tmp_path):
    out = tmp_path / "summary.pdf"
    call_command("render_report", "--kind", "summary", "--campaign", str(campaign.year), "--out", str(out),
                 stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")


def test_render_report_refuses_unknown_unit(campaign, tmp_path):
    with pytest.raises(CommandError, match="no unit"):
        call_command("render_report", "--unit", "NOPE", "--campaign", str(campaign.year),
                     "--out", str(tmp_path / "x.pdf"))


def test_bench_reports_prints_the_figures(scored_a, campaign):
    stdout = io.StringIO()
    call_command("bench_reports", "--units", "0", "--repeat", "1", stdout=stdout)
    output = stdout.getvalue()
    for label in ("whole report", "data gathering", "bare WeasyPrint", "peak RSS"):
        assert label in output
