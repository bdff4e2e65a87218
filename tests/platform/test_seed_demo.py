"""seed_demo: the demo city with a campaign in progress.

The full seed takes a while (every record goes through the services), so it runs once for the module
inside an outer transaction that is rolled back at the end; each test runs in a savepoint within it."""
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    Campaign,
    Enrolment,
    Evidence,
    ItemResponse,
    RubricItem,
    RubricStatus,
    RubricVersion,
    SelfAssessment,
    Stage,
    StageTransition,
    SubmissionRound,
)
from greenoffice.demo import story
from greenoffice.demo.calendar import DemoCalendar
from greenoffice.demo.context import SeedContext
from greenoffice.demo.data import DEMO_USERS
from greenoffice.models import AuditEvent
from inspections.models import (
    Certificate,
    ChecklistEntry,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionStatus,
    Notification,
    Objection,
    ObjectionStatus,
    OrderStatus,
    PublicityBatch,
    RectificationOrder,
    RectificationProof,
    SpotCheckRound,
    YearEndReview,
)
from tests.demo_city import demo_city_built
from units.credit_code import credit_code_checksum_ok
from units.models import District, DistrictKind, Membership, Person, Role, Unit, User

DEMO_PASSWORD = "Green-Office-2026"
DEMO_USERNAMES = [row[0] for row in DEMO_USERS]
COUNTED = (District, Unit, Person, User, Membership, RubricVersion, RubricItem, Campaign, Enrolment, StageTransition,
           SelfAssessment, ItemResponse, SubmissionRound, Evidence, SpotCheckRound, Inspection, ChecklistEntry, Finding,
           RectificationOrder, RectificationProof, YearEndReview, Objection, PublicityBatch, Certificate, Notification,
           AuditEvent)


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seed_media(tmp_path_factory):
    return tmp_path_factory.mktemp("seed-media")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, seed_media):
    """The seed's output; the data stays for the module's tests and is rolled back after them."""
    with demo_city_built(django_db_blocker, seed_media) as printed:
        yield printed


@pytest.fixture
def campaign(seeded, db):
    return Campaign.objects.get(is_current=True)


def _stages(campaign) -> Counter:
    return Counter(Enrolment.objects.filter(campaign=campaign).values_list("stage", flat=True))


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(seeded):
    before = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == before
    assert "没有新增任何记录" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_city(seeded):
    assert District.objects.count() == 8
    assert set(District.objects.values_list("kind", flat=True)) == {
        DistrictKind.CITY, DistrictKind.COUNTY, DistrictKind.PARK}
    assert District.objects.get(kind=DistrictKind.CITY).name == "市直"
    assert Unit.objects.count() == 100
    assert Unit.objects.filter(name="示范市发展和改革委员会", district__name="市直").exists()
    assert len(set(Unit.objects.values_list("category", flat=True))) == 7

    codes = list(Unit.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == 100 and all(credit_code_checksum_ok(code) for code in codes)
    for unit in Unit.objects.prefetch_related("people"):
        assert 20 <= unit.headcount <= 400 and 800 <= unit.floor_area <= 30000, unit.name
        assert unit.contact_name and unit.contact_phone and unit.address, unit.name
        people = list(unit.people.all())
        assert 3 <= len(people) <= 6, unit.name
        assert sum(p.is_leadership_group for p in people) >= 3, unit.name


@pytest.mark.django_db
def test_seed_demo_rubric_and_campaign(campaign):
    rubric = RubricVersion.objects.get()
    assert rubric.status == RubricStatus.PUBLISHED
    assert rubric.items.count() == 27 and rubric.blocks.count() == 4

    year = DemoCalendar.for_today(timezone.localdate()).campaign_year
    assert (campaign.year, campaign.is_current, campaign.rubric) == (year, True, rubric)
    assert (campaign.target_certified_count, campaign.target_share, campaign.target_year) == (50, 80, year + 2)
    assert campaign.self_assessment_start < campaign.application_deadline < campaign.publicity_end
    # Today is in the campaign's public-evaluation phase, the deadlines of self-assessment and
    # application are behind it.
    today = timezone.localdate()
    assert campaign.application_deadline < today
    assert campaign.public_evaluation_start <= today <= campaign.public_evaluation_end
    assert Enrolment.objects.filter(campaign=campaign).count() == 100


@pytest.mark.django_db
def test_seed_demo_stages_show_a_campaign_in_progress(campaign):
    stages = _stages(campaign)
    started = 100 - stages[Stage.NOT_STARTED]
    submitted = started - stages[Stage.SELF_ASSESSING]
    accepted = submitted - stages[Stage.SUBMITTED] - stages[Stage.RETURNED] - stages[Stage.RESUBMITTED]
    assert 65 <= started <= 75
    assert 50 <= submitted <= 60
    assert 40 <= accepted <= 50
    assert 2 <= stages[Stage.RETURNED] <= 5 and 1 <= stages[Stage.RESUBMITTED] <= 3
    assert stages[Stage.SUBMITTED] >= 3
    assert 10 <= stages[Stage.CERTIFIED] <= 20
    assert stages[Stage.PUBLICITY] >= 1 and stages[Stage.RECTIFYING] >= 3 and stages[Stage.FAILED] >= 2
    # Every round is kept: some accepted units were returned once before they got through.
    returned_then_accepted = (SubmissionRound.objects.filter(number=2, decision="accepted")
                              .values("assessment").distinct().count())
    assert returned_then_accepted >= 1
    assert SelfAssessment.objects.filter(enrolment__campaign=campaign).count() == started


@pytest.mark.django_db
def test_seed_demo_answers_have_deductions_texts_and_a_few_files(campaign, seed_media):
    responses = ItemResponse.objects.filter(assessment__enrolment__campaign=campaign, answered=True)
    with_deductions = sum(1 for ids in responses.values_list("deduction_ids", flat=True) if ids)
    assert responses.count() > 1000
    assert 0.03 < with_deductions / responses.count() < 0.25
    assert responses.exclude(explanation="").count() > responses.count() / 2
    assert responses.filter(responsible__isnull=False).count() > responses.count() / 2
    files = Evidence.objects.filter(response__assessment__enrolment__campaign=campaign)
    assert 10 <= files.count() <= 80
    assert {"application/pdf", "image/png"} <= set(files.values_list("content_type", flat=True))
    assert all((seed_media / f.file.name).stat().st_size == f.size for f in files)


@pytest.mark.django_db
def test_seed_demo_year_end_grades_spread(campaign):
    finalised = YearEndReview.objects.filter(enrolment__campaign=campaign, status="finalised")
    assert 25 <= finalised.count() <= 35
    grades = Counter(finalised.values_list("grade", flat=True))
    assert set(grades) == {"优秀", "合格", "限期整改", "不合格"}
    must_pass = [r for r in finalised if any("必达项" in reason for reason in r.not_certified_reasons)]
    assert len(must_pass) == 1 and must_pass[0].grade in ("优秀", "合格") and not must_pass[0].certified
    assert finalised.filter(supervision_deduction__gt=0).exists()
    assert finalised.filter(bonus__gt=0).exists()
    assert YearEndReview.objects.filter(enrolment__campaign=campaign, status="draft").exists()
    assert Objection.objects.filter(status=ObjectionStatus.PENDING).count() == 1
    objection = Objection.objects.select_related("review").get()
    assert objection.raised_by.memberships.filter(unit=objection.review.enrolment.unit).exists()


@pytest.mark.django_db
def test_seed_demo_certified_units_have_certificates(campaign, client):
    certified = Enrolment.objects.filter(campaign=campaign, stage=Stage.CERTIFIED)
    certificates = Certificate.objects.filter(enrolment__in=certified)
    assert certified.count() >= 1 and certificates.count() == certified.count()
    assert all(c.valid_until > c.issued_on and c.number.startswith(f"绿机证〔{campaign.year}〕") for c in certificates)
    assert PublicityBatch.objects.filter(is_closed=True).count() == 1
    assert PublicityBatch.objects.filter(is_closed=False).count() == 1

    page = client.get(reverse("inspections:public_certified")).content.decode()
    assert certificates.first().unit.name in page


@pytest.mark.django_db
def test_seed_demo_supervision_rounds_visits_and_orders(campaign):
    rounds = SpotCheckRound.objects.filter(campaign=campaign)
    assert rounds.count() >= 8 and all(r.is_drawn and r.drawn_unit_ids for r in rounds)
    assert len({r.month for r in rounds}) >= 5
    visits = Inspection.objects.filter(campaign=campaign)
    completed = visits.filter(status=InspectionStatus.COMPLETED)
    assert completed.count() >= 30
    assert visits.filter(status=InspectionStatus.IN_PROGRESS).exists()
    # The history is spread over the year, never in the future.
    now = timezone.now()
    months = {timezone.localtime(v.completed_at).month for v in completed}
    assert len(months) >= 6 and all(v.completed_at <= now for v in completed)
    entries = ChecklistEntry.objects.filter(inspection__campaign=campaign)
    compliant = entries.filter(result="compliant").count()
    assert compliant / entries.count() > 0.8
    assert Finding.objects.filter(severity="serious").exists() and Finding.objects.filter(severity="minor").exists()

    orders = RectificationOrder.objects.filter(campaign=campaign)
    today = timezone.localdate()
    overdue = [o for o in orders if o.is_overdue(today)]
    open_in_time = [o for o in orders if not o.is_closed and not o.is_overdue(today)]
    assert orders.filter(status=OrderStatus.CLOSED).count() > len(overdue) >= 1
    assert open_in_time
    assert Notification.objects.filter(kind="order_overdue").exists()
    assert Notification.objects.filter(kind="spot_check_assigned", user__username="inspector2").exists()


@pytest.mark.django_db
def test_seed_demo_history_is_dated_as_the_story_goes(campaign):
    """The services stamp "now"; the seed moves those stamps (and the audit trail's) to the story's days."""
    now = timezone.now()
    transitions = list(StageTransition.objects.filter(enrolment__campaign=campaign).values_list("at", flat=True))
    assert all(at <= now for at in transitions)
    assert len({timezone.localtime(at).month for at in transitions}) >= 8
    for order in RectificationOrder.objects.filter(campaign=campaign):
        issued = AuditEvent.objects.get(action="order_issue", object_id=str(order.pk))
        assert issued.at == order.issued_at
        assert order.acknowledged_at is None or order.issued_at <= order.acknowledged_at
        assert order.closed_at is None or order.acknowledged_at < order.closed_at
    for submission in SubmissionRound.objects.exclude(decided_at=None):
        assert submission.submitted_at < submission.decided_at <= now
    for certificate in Certificate.objects.select_related("enrolment__year_end_review"):
        assert certificate.enrolment.year_end_review.finalised_at.date() < certificate.issued_on


@pytest.mark.django_db
def test_seed_demo_respects_impartiality(campaign):
    """Nobody inspected, reviewed or verified their own unit; no proof was verified by its submitter."""
    members = set(Membership.objects.values_list("user_id", "unit_id"))
    assignments = InspectionAssignment.objects.values_list("inspector_id", "inspection__unit_id")
    assert not members & set(assignments)
    decided = SubmissionRound.objects.exclude(decided_by=None).values_list("decided_by_id",
                                                                           "assessment__enrolment__unit_id")
    assert not members & set(decided)
    reviews = YearEndReview.objects.exclude(finalised_by=None).values_list("finalised_by_id", "enrolment__unit_id")
    assert not members & set(reviews)
    proofs = RectificationProof.objects.exclude(decided_by=None)
    assert proofs.exists() and all(p.decided_by_id != p.submitted_by_id for p in proofs)


@pytest.mark.django_db
def test_seed_demo_went_through_the_services(campaign):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "self_assessment_start", "response_save", "evidence_add", "assessment_submit", "assessment_return",
        "assessment_accept", "round_create", "round_draw", "checklist_record", "inspection_complete", "order_issue",
        "order_acknowledge", "proof_submit", "rectification_verify", "review_start", "item_verify",
        "review_finalise", "objection_raise", "review_recheck", "publicity_open", "publicity_close",
        "certificate_issue", "enrolment_transition",
    } <= actions


@pytest.mark.django_db
def test_seed_demo_directors_units_tell_the_demo_route(campaign, seeded):
    stage = dict(Enrolment.objects.filter(campaign=campaign).values_list("unit__name", "stage"))
    assert stage["南湖县人民法院"] == Stage.SELF_ASSESSING
    assert stage["西城区财政局"] == Stage.RETURNED
    assert stage["示范市发展和改革委员会"] == Stage.CERTIFIED
    assert stage["示范市统计局"] == Stage.SUBMITTED
    assert RectificationOrder.objects.filter(unit__name="东城区教育局", status=OrderStatus.ISSUED).exists()
    assert stage["示范经济技术开发区管理委员会办公室"] == Stage.RECTIFYING
    assert "演示路线" in seeded and "director4" in seeded and "/inspections/public/certified/" in seeded


@pytest.mark.django_db
def test_seed_demo_users_and_scopes(seeded):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)
             .prefetch_related("districts", "memberships__unit")}
    assert users["admin"].role == Role.ADMIN and users["admin"].is_superuser
    assert users["inspector1"].role == Role.INSPECTOR and not users["inspector1"].districts.exists()
    assert {d.name for d in users["inspector2"].districts.all()} == {"东城区", "西城区"}
    assert users["leader"].role == Role.LEADER and not users["leader"].districts.exists()
    assert [d.name for d in users["leader_dc"].districts.all()] == ["东城区"]
    directors = [users[f"director{n}"] for n in range(1, 6)]
    assert all(d.role == Role.DIRECTOR for d in directors)
    assert sorted(d.memberships.count() for d in directors) == [1, 1, 1, 1, 2]
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert DEMO_PASSWORD in seeded and "director1" in seeded and "演示" in seeded
    # Every other unit acts through its liaison's account, which can't log in.
    liaisons = User.objects.filter(role=Role.DIRECTOR).exclude(username__in=DEMO_USERNAMES)
    assert liaisons.count() == 94 and not any(u.has_usable_password() for u in liaisons)
    assert not Unit.objects.exclude(memberships__user__role=Role.DIRECTOR).exists()


@pytest.mark.django_db
def test_seed_demo_users_can_log_in(seeded, client):
    for username in ("admin", "inspector2", "leader_dc", "director1"):
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = reverse("home") if username == "director1" else reverse("assessment:campaign_list")
        assert client.get(page).status_code == 200
        client.logout()


@pytest.mark.django_db
def test_seed_demo_two_factor_roles_are_sent_to_set_up(seeded, client, settings):
    """With the production roles (the `make run` default) inspectors must set up 2FA; seed_demo says how."""
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = ["admin", "inspector"]
    client.post(reverse("login"), {"username": "inspector1", "password": DEMO_PASSWORD})
    response = client.get(reverse("assessment:review_queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor:setup"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "两步验证" in out.getvalue() and "GREENOFFICE_REQUIRE_2FA_ROLES=" in out.getvalue()
    assert "inspector1" in out.getvalue().split("两步验证")[1]


@pytest.mark.django_db
def test_seed_demo_reset_passwords(seeded):
    admin = User.objects.get(username="admin")
    admin.set_password("Changed-pass-2026")
    admin.save()
    call_command("seed_demo", stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password("Changed-pass-2026")
    call_command("seed_demo", "--reset-passwords", stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password(DEMO_PASSWORD)


def test_seed_demo_story_plan_is_deterministic():
    class _Unit:
        def __init__(self, code, name, district_id):
            self.code, self.name, self.district_id = code, name, district_id

    units = {f"U{n:03d}": _Unit(f"U{n:03d}", f"单位{n}", n % 4) for n in range(100)}
    plans = [story.plan_stories(units, two_inspector_districts={1}, rng=SeedContext(write=print).rng("plan"))
             for _ in range(2)]
    assert plans[0] == plans[1]
    counts = Counter(plans[0].values())
    assert counts[story.NOT_STARTED] == 37 and counts[story.CERTIFIED] == 14
    assert all(units[code].district_id == 1 for code, plot in plans[0].items() if plot in story.NEEDS_TWO_INSPECTORS)


@pytest.mark.django_db
def test_seed_demo_prints_what_it_wrote(seeded, campaign):
    """The counts and the route's figures are read back from the database, never a fixed text."""
    from assessment.ledger.models import MonthlyRecord

    printed = re.search(r"演示数据已生成:(.+)", seeded).group(1)
    counts = {what: int(n) for what, n in (part.rsplit(" ", 1) for part in printed.split(","))}
    recorded = Inspection.objects.exclude(status=InspectionStatus.PLANNED)
    expected = {
        "districts": District.objects.count(), "units": Unit.objects.count(), "people": Person.objects.count(),
        "campaigns": Campaign.objects.count(), "enrolments": Enrolment.objects.count(),
        "rubric versions": RubricVersion.objects.count(), "ledger months": MonthlyRecord.objects.count(),
        "self-assessments": SelfAssessment.objects.count(), "spot-check rounds": SpotCheckRound.objects.count(),
        "visits": recorded.count(), "rectification orders": RectificationOrder.objects.count(),
        "year-end reviews": YearEndReview.objects.count(), "publicity batches": PublicityBatch.objects.count(),
        "certificates": Certificate.objects.count(),
        "users": User.objects.filter(username__in=DEMO_USERNAMES).count(),
        "liaison accounts": User.objects.exclude(username__in=DEMO_USERNAMES).count(),
    }
    assert {what: counts.get(what) for what in expected} == expected

    certified = Enrolment.objects.filter(campaign=campaign, stage=Stage.CERTIFIED).count()
    assert f"已命名{certified}/{campaign.target_certified_count}" in seeded
    waiting = Enrolment.objects.filter(campaign=campaign, stage__in=(Stage.SUBMITTED, Stage.RESUBMITTED)).count()
    assert f"{waiting}个单位待审核" in seeded
    batch = PublicityBatch.objects.get(is_closed=False)
    assert f"{batch.title}至{batch.end_date:%Y-%m-%d}结束" in seeded


@pytest.mark.django_db
def test_seed_demo_keeps_the_campaigns_time(campaign, seeded):
    """Issue 15: extensions for late self-assessments, city decisions before every publicity, a public
    evaluation under way, and the reviewer's account."""
    from assessment.models import DeadlineExtension
    from assessment.selectors.deadlines import overdue_enrolment_ids
    from inspections.evaluation.models import EvaluationRound, RoundStatus
    from inspections.models import CityDecision, PublicityEntry

    today = timezone.localdate()
    late = SubmissionRound.objects.filter(assessment__enrolment__campaign=campaign,
                                          submitted_at__date__gt=campaign.self_assessment_end)
    assert late.exists()
    extended = set(DeadlineExtension.objects.filter(enrolment__campaign=campaign)
                   .values_list("enrolment_id", flat=True))
    assert set(late.values_list("assessment__enrolment_id", flat=True)) <= extended
    assert AuditEvent.objects.filter(action="deadline_extend").count() == len(extended)
    # director4's draft runs on an extension past today; the other drafts are overdue (逾期).
    court = Enrolment.objects.get(campaign=campaign, unit__name="南湖县人民法院")
    assert DeadlineExtension.objects.get(enrolment=court).new_date > today
    ids = Enrolment.objects.filter(campaign=campaign).values_list("pk", flat=True)
    overdue = overdue_enrolment_ids(campaign=campaign, enrolment_ids=ids, day=today)
    assert court.pk not in overdue and len(overdue) > 10
    # Every unit in publicity (open or closed) had the city's 同意命名 first.
    publicised = set(PublicityEntry.objects.filter(batch__campaign=campaign).values_list("enrolment_id", flat=True))
    approved = set(CityDecision.objects.filter(decision="approve").values_list("enrolment_id", flat=True))
    assert publicised and publicised <= approved
    assert User.objects.get(username="reviewer").role == Role.REVIEWER
    assert "reviewer" in seeded
    # The public evaluation is under way, with answers.
    round_ = EvaluationRound.objects.get(campaign=campaign)
    assert round_.status == RoundStatus.OPEN and round_.start_date <= today <= round_.end_date
    assert round_.targets.exists() and round_.targets.filter(responses__isnull=False).exists()
    # Most answers came through invitation codes, so the gate has counted answers; the open ones are apart.
    from inspections.evaluation.selectors.gate import satisfaction_gate

    gates = [satisfaction_gate(enrolment=target.enrolment) for target in round_.targets.select_related("enrolment")]
    assert all(gate.answers >= 3 and gate.uncounted == 1 for gate in gates)
