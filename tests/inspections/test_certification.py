"""Certification: publicity batch → named (certificate number, date, validity from settings),
withdrawal, revocation, and the public page anonymous visitors can read."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment.models import Stage
from inspections.models import CertificateStatus
from inspections.services.certification import (
    add_years,
    certificate_revoke,
    publicity_close,
    publicity_open,
    publicity_withdraw,
)
from inspections.services.year_end import objection_raise, review_finalise, review_start
from tests.factories import city_approve
from tests.inspections.test_year_end import verify_all

START, END = datetime.date(2026, 12, 1), datetime.date(2026, 12, 7)


@pytest.fixture
def passed_a(accepted_a, inspector_a):
    review = review_start(actor=inspector_a, enrolment=accepted_a)
    verify_all(review, inspector_a)
    review_finalise(actor=inspector_a, review=review)
    accepted_a.refresh_from_db()
    assert accepted_a.stage == Stage.PASSED
    return accepted_a


@pytest.fixture
def batch(passed_a, campaign, inspector_a):
    city_approve(passed_a)
    return publicity_open(actor=inspector_a, campaign=campaign, title="", start_date=START, end_date=END)


def test_publicity_then_named_with_certificate_number_and_validity(batch, passed_a, inspector_a, settings,
                                                                   director_a):
    settings.GREENOFFICE_CERTIFICATE_VALID_YEARS = 3
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.PUBLICITY
    assert batch.title == "2026年度绿色机关创建达标单位公示"
    with pytest.raises(ValidationError):
        publicity_close(actor=inspector_a, batch=batch, today=END)  # still running on its last day
    certificates = publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8))
    assert len(certificates) == 1
    certificate = certificates[0]
    assert certificate.number == "绿机证〔2026〕第001号"
    assert certificate.issued_on == datetime.date(2026, 12, 8)
    assert certificate.valid_until == datetime.date(2029, 12, 8)
    assert certificate.status == CertificateStatus.VALID
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.CERTIFIED
    batch.refresh_from_db()
    assert batch.is_closed
    assert publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 9)) == certificates
    assert director_a.notifications.filter(kind="certified").exists()


def test_certificate_validity_follows_the_setting(batch, inspector_a, settings):
    settings.GREENOFFICE_CERTIFICATE_VALID_YEARS = 5
    certificate = publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8))[0]
    assert certificate.valid_until == datetime.date(2031, 12, 8)
    assert add_years(datetime.date(2028, 2, 29), 3) == datetime.date(2031, 2, 28)


def test_publicity_needs_passed_units_and_valid_dates(campaign, inspector_a, leader_a, accepted_a):
    with pytest.raises(ValidationError):
        publicity_open(actor=inspector_a, campaign=campaign, title="x", start_date=START, end_date=END)
    with pytest.raises(PermissionDenied):
        publicity_open(actor=leader_a, campaign=campaign, title="x", start_date=START, end_date=END)


def test_publicity_skips_units_with_a_pending_objection(passed_a, campaign, inspector_a, director_a):
    objection_raise(actor=director_a, review=passed_a.year_end_review, reason="等级应为优秀")
    with pytest.raises(ValidationError):
        publicity_open(actor=inspector_a, campaign=campaign, title="", start_date=START, end_date=END)


def test_publicity_withdraw_fails_the_unit(batch, passed_a, inspector_a):
    entry = batch.entries.get()
    with pytest.raises(ValidationError):
        publicity_withdraw(actor=inspector_a, entry=entry, reason="")
    publicity_withdraw(actor=inspector_a, entry=entry, reason="公示期间收到实名举报并查实")
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.FAILED
    assert publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8)) == []


def test_certificate_revoke_needs_reason_and_revokes_the_stage(batch, passed_a, inspector_a):
    certificate = publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8))[0]
    with pytest.raises(ValidationError):
        certificate_revoke(actor=inspector_a, certificate=certificate, reason=" ")
    revoked = certificate_revoke(actor=inspector_a, certificate=certificate, reason="回头看发现严重浪费")
    assert revoked.status == CertificateStatus.REVOKED and revoked.revoke_reason == "回头看发现严重浪费"
    passed_a.refresh_from_db()
    assert passed_a.stage == Stage.REVOKED


def test_public_page_lists_named_units_without_login(client, batch, inspector_a, passed_a, unit_b, campaign,
                                                     director_b, inspector_city, django_assert_max_num_queries):
    publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8))
    with django_assert_max_num_queries(3):
        response = client.get(reverse("inspections:public_certified"))
    assert response.status_code == 200
    html = response.content.decode()
    assert passed_a.unit.name in html and "绿机证〔2026〕第001号" in html and "2029-12-08" in html
    assert unit_b.name not in html


def test_public_page_hides_revoked_certificates(client, batch, inspector_a, passed_a):
    certificate = publicity_close(actor=inspector_a, batch=batch, today=datetime.date(2026, 12, 8))[0]
    certificate_revoke(actor=inspector_a, certificate=certificate, reason="撤销")
    html = client.get(reverse("inspections:public_certified")).content.decode()
    assert certificate.number not in html


