"""Render one report synchronously, through the same job code the worker runs, and write it to a file.

    python manage.py render_report --kind unit --unit U00001 --campaign 2026 --out report.pdf
    python manage.py render_report --kind summary --campaign 2026 --out summary.pdf
    python manage.py render_report --kind round --round 12 --out bulletin.pdf
"""
import shutil
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.models import Campaign
from inspections.models import SpotCheckRound
from inspections.reports.models import ReportKind, ReportStatus
from inspections.reports.services import report_create_for_operator, report_render
from units.models import Unit


class Command(BaseCommand):
    help = "Render one report (unit / round / summary) synchronously and write it to --out."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=[ReportKind.UNIT, ReportKind.ROUND, ReportKind.SUMMARY],
                            default=ReportKind.UNIT)
        parser.add_argument("--unit", help="unit code (kind unit)")
        parser.add_argument("--campaign", type=int, help="campaign year (kind unit, summary)")
        parser.add_argument("--round", type=int, help="spot-check round id (kind round)")
        parser.add_argument("--out", required=True, help="file to write the PDF to")

    def handle(self, *args, kind, unit, campaign, round, out, **options):
        subject = {}
        if kind in (ReportKind.UNIT, ReportKind.SUMMARY):
            if campaign is None:
                raise CommandError("--campaign YEAR is required")
            try:
                subject["campaign"] = Campaign.objects.get(year=campaign)
            except Campaign.DoesNotExist:
                raise CommandError(f"no campaign for year {campaign}") from None
        if kind == ReportKind.UNIT:
            if not unit:
                raise CommandError("--unit CODE is required")
            try:
                subject["unit"] = Unit.objects.get(code=unit)
            except Unit.DoesNotExist:
                raise CommandError(f"no unit with code {unit}") from None
        if kind == ReportKind.ROUND:
            try:
                subject["spot_round"] = SpotCheckRound.objects.get(pk=round)
            except (SpotCheckRound.DoesNotExist, ValueError, TypeError):
                raise CommandError(f"no spot-check round {round}") from None

        report = report_create_for_operator(kind=kind, **subject)
        started = time.perf_counter()
        outcome = report_render(report_id=report.pk)
        elapsed = time.perf_counter() - started
        report.refresh_from_db()
        if report.status != ReportStatus.DONE:
            raise CommandError(f"report #{report.pk} {outcome}: {report.error}")
        with report.file.open("rb") as source, Path(out).open("wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(
            f"report #{report.pk} written to {out}: {report.size} bytes in {elapsed:.2f} s, "
            f"sha256 {report.sha256}, verification code {report.verification_code}"
        )
