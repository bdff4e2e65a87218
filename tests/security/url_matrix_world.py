"""The objects the GENERIC URL matrix points at, built once for the module through the services.

The layout is the one of tests/conftest.py (same usernames, districts and units), made here with the
same factories because that file's fixtures are function-scoped and a matrix of hundreds of requests
can't rebuild its world for each one:
  district A (甲区): unit_a, director_a; inspector_a and leader_a are scoped to A
  district B (乙区): unit_b, director_b — out of scope for every scoped user above
  admin1: the administrator (city-wide), inspector_city: a city-wide inspector (services need one)
Objects come in pairs: `*_a` in every scoped user's scope, `*_b` in nobody's but the administrator's.
Administrators and inspectors have a confirmed TOTP device, as production requires of them."""
import datetime
import io
from dataclasses import dataclass, field
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessment.ledger import services as ledger_services
from assessment.ledger.models import MonthlyRecord, RecordEvidence
from assessment.models import Campaign, Enrolment, RubricVersion, Stage
from assessment.services.rubric import rubric_new_version
from assessment.workflow import enrolment_transition
from inspections.evaluation.models import EvaluationTarget
from inspections.evaluation.services.evaluation import round_add_targets, round_create, round_set_status
from inspections.reports.models import Report, ReportKind
from inspections.reports.services import report_render, report_request
from tests.assessment.rubric_campaign_helpers import import_rubric, make_campaign
from tests.factories import DistrictFactory, UnitFactory, UserFactory
from tests.inspections.conftest import enrol
from tests.ledger.conftest import save_year
from tests.otp import confirmed_device
from units.models import District, Role, Unit, User

LEDGER_YEAR = 2025
ROLE_USERNAMES = {"director": "director_a", "inspector": "inspector_a", "leader": "leader_a", "admin": "admin1"}


def _png(color) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), color).save(buffer, format="PNG")
    return SimpleUploadedFile("电表照片.png", buffer.getvalue(), content_type="image/png")


@dataclass
class World:
    district_a: District
    district_b: District
    unit_a: Unit
    unit_b: Unit
    users: dict[str, User]  # role → user, as tests/conftest.py's role_users
    director_b: User
    rubric: RubricVersion  # published, used by the campaign
    draft: RubricVersion  # version 2, a draft (publish / delete act on it)
    campaign: Campaign
    enrolment_a: Enrolment
    enrolment_b: Enrolment
    record_a: MonthlyRecord
    record_b: MonthlyRecord
    ledger_evidence_a: RecordEvidence
    ledger_evidence_b: RecordEvidence
    reports: dict[str, Report] = field(default_factory=dict)  # role → that user's finished report on unit_a
    report_b: Report | None = None  # director_b's finished report on unit_b
    evaluation_target_a: EvaluationTarget | None = None  # unit_a's public questionnaire (round open)


# A stand-in for WeasyPrint's output: the matrix checks who may fetch a report, not its typesetting
# (tests/reports/test_pdf.py does that), and a real render costs 1–3 s a report.
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
    b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _finished_unit_report(user, unit, campaign) -> Report:
    report = report_request(actor=user, kind=ReportKind.UNIT, unit=unit, campaign=campaign)
    # What the worker does after commit (the module's transaction never commits, so no task is sent):
    # the report's data is gathered and its HTML rendered as usual, only the PDF step is stubbed.
    with mock.patch("inspections.reports.rendering.render_pdf", return_value=TINY_PDF):
        assert report_render(report_id=report.pk) == "rendered"
    report.refresh_from_db()
    return report


def build_world() -> World:
    district_a = DistrictFactory(code="DA", name="甲区")
    district_b = DistrictFactory(code="DB", name="乙区")
    unit_a = UnitFactory(district=district_a, name="甲区发展和改革局")
    unit_b = UnitFactory(district=district_b, name="乙区财政局")
    users = {
        "director": UserFactory(username="director_a", role=Role.DIRECTOR, units=[unit_a]),
        "inspector": UserFactory(username="inspector_a", role=Role.INSPECTOR, districts=[district_a]),
        "leader": UserFactory(username="leader_a", role=Role.LEADER, districts=[district_a]),
        "admin": UserFactory(username="admin1", role=Role.ADMIN, is_staff=True),
    }
    director_b = UserFactory(username="director_b", role=Role.DIRECTOR, units=[unit_b])
    for role in ("admin", "inspector"):
        confirmed_device(users[role])

    rubric = import_rubric()
    draft = rubric_new_version(actor=None, rubric=rubric)
    campaign = make_campaign(rubric=rubric)
    enrolment_a, enrolment_b = enrol(campaign, unit_a), enrol(campaign, unit_b)

    save_year(unit_a, LEDGER_YEAR, months=range(1, 4))
    save_year(unit_b, LEDGER_YEAR, months=range(1, 4))
    record_a = MonthlyRecord.objects.get(unit=unit_a, year=LEDGER_YEAR, month=1)
    record_b = MonthlyRecord.objects.get(unit=unit_b, year=LEDGER_YEAR, month=1)

    world = World(
        district_a=district_a, district_b=district_b, unit_a=unit_a, unit_b=unit_b, users=users,
        director_b=director_b, rubric=rubric, draft=draft, campaign=campaign,
        enrolment_a=enrolment_a, enrolment_b=enrolment_b, record_a=record_a, record_b=record_b,
        ledger_evidence_a=ledger_services.evidence_add(actor=None, record=record_a, file=_png("red")),
        ledger_evidence_b=ledger_services.evidence_add(actor=None, record=record_b, file=_png("blue")),
    )
    for role, user in users.items():
        world.reports[role] = _finished_unit_report(user, unit_a, campaign)
    world.report_b = _finished_unit_report(director_b, unit_b, campaign)
    # The city's reviewer (市级评审): city-wide on the city review only; no unit report of its own.
    users["reviewer"] = UserFactory(username="reviewer1", role=Role.REVIEWER)

    # unit_a under review with an open public evaluation: its questionnaire is a public page.
    for stage in (Stage.SUBMITTED, Stage.ACCEPTED):
        enrolment_transition(enrolment=enrolment_a, to_stage=stage, actor=None)
    today, three_days = datetime.date.today(), datetime.timedelta(days=3)
    evaluation = round_create(actor=users["admin"], campaign=campaign, title="", start_date=today - three_days,
                              end_date=today + three_days)
    round_set_status(actor=users["admin"], round_=evaluation, status="open")
    round_add_targets(actor=users["admin"], round_=evaluation)
    world.evaluation_target_a = EvaluationTarget.objects.get(enrolment=enrolment_a)
    return world
