"""Fixtures of the security tests: two-factor enforcement switched on as in production, a client that
has passed the second factor, and the assessment data the hostile-input tests post into."""
import pytest
from django.test import Client

from assessment.models import Campaign, Enrolment, RubricItem
from assessment.services.self_assessment import self_assessment_start
from tests.assessment.conftest import build_rubric
from tests.otp import confirmed_device, login_with_otp

PRODUCTION_2FA_ROLES = ["admin", "inspector"]


@pytest.fixture
def require_2fa(settings):
    """Enforce two-factor log-in for administrators and inspectors, as base and production settings do
    (greenoffice/settings/test.py turns it off for the other suites)."""
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = PRODUCTION_2FA_ROLES
    return settings


@pytest.fixture
def otp_client(require_2fa):
    """login(user) → a Client signed in as `user` with the second factor passed."""

    def login(user) -> Client:
        client = Client()
        login_with_otp(client, user)
        return client

    return login


@pytest.fixture
def device_of():
    return confirmed_device


@pytest.fixture
def rubric(db):
    return build_rubric()


@pytest.fixture
def campaign(rubric):
    return Campaign.objects.create(year=2026, name="2026年度绿色机关创建", rubric=rubric, is_current=True,
                                   target_certified_count=50)


@pytest.fixture
def enrolment_a(campaign, unit_a):
    return Enrolment.objects.create(campaign=campaign, unit=unit_a)


@pytest.fixture
def enrolment_b(campaign, unit_b):
    return Enrolment.objects.create(campaign=campaign, unit=unit_b)


@pytest.fixture
def items(rubric):
    return {item.code: item for item in RubricItem.objects.filter(rubric=rubric).prefetch_related("deductions")}


@pytest.fixture
def assessment_a(enrolment_a, director_a):
    return self_assessment_start(actor=director_a, enrolment=enrolment_a)
