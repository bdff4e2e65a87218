"""Fixtures of the evaluation tests: the 2026 campaign with the default rubric (from the inspections
fixtures), units taken through review and naming by the real services, an open evaluation round and
helpers to answer questionnaires through the service."""
import datetime
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from assessment.models import Enrolment
from inspections.evaluation.models import EvaluationTarget, Invitation
from inspections.evaluation.questions import QUESTIONS, Rating
from inspections.evaluation.services.evaluation import (
    response_submit,
    round_add_targets,
    round_create,
    round_set_status,
)
from inspections.services.certification import publicity_close, publicity_open
from inspections.services.year_end import review_finalise, review_start
from tests.factories import PersonFactory, city_approve
from tests.inspections import conftest as inspections_fixtures
from tests.inspections.conftest import YEAR, accept_self_assessment, enrol, jpeg_bytes, photo_upload
from tests.inspections.test_year_end import verify_all

# The inspections suite's fixtures, re-used by name: the published default rubric, the 2026 campaign,
# enrolments and unit_a's accepted self-assessment.
rubric = inspections_fixtures.rubric
campaign = inspections_fixtures.campaign
enrolment_a = inspections_fixtures.enrolment_a
enrolment_b = inspections_fixtures.enrolment_b
accepted_a = inspections_fixtures.accepted_a

_devices = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The rate limits live in the (process-wide) locmem cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def accepted_b(enrolment_b, director_b, inspector_city):
    accept_self_assessment(enrolment_b, director=director_b, inspector=inspector_city)
    enrolment_b.refresh_from_db()
    return enrolment_b


@pytest.fixture
def round_(campaign, inspector_a, today):
    return round_create(actor=inspector_a, campaign=campaign, title="", start_date=today - datetime.timedelta(days=10),
                        end_date=today + datetime.timedelta(days=10), threshold=80, min_answers=5)


@pytest.fixture
def open_round(round_, inspector_a):
    return round_set_status(actor=inspector_a, round_=round_, status="open")


@pytest.fixture
def target_a(open_round, accepted_a, inspector_a) -> EvaluationTarget:
    round_add_targets(actor=inspector_a, round_=open_round)
    return EvaluationTarget.objects.select_related("round", "unit").get(enrolment=accepted_a)


@pytest.fixture
def target_b(open_round, accepted_b, admin_user) -> EvaluationTarget:
    round_add_targets(actor=admin_user, round_=open_round)
    return EvaluationTarget.objects.select_related("round", "unit").get(enrolment=accepted_b)


def ratings(overall=Rating.SATISFIED, others=Rating.SATISFIED) -> dict:
    return {q.key: (overall if q.key == "overall" else others) for q in QUESTIONS}


def answer(target, *, overall=Rating.SATISFIED, comment="", device=None, network=None, address=None,
           invitation=None, invited=None):
    """One answer through the service. By default through a new one-use invitation (the answers the
    satisfaction gate counts); an open answer (no invitation) when a device, network or address is
    given or invited=False, from a new device unless one is given."""
    if invited is None:
        invited = invitation is not None or not (device or network or address)
    if invited and invitation is None:
        invitation = Invitation.objects.create(target=target)
    device = device or f"device-{next(_devices)}"
    return response_submit(target=target, ratings=ratings(overall), comment=comment, device_key=device,
                           network_key=network or f"net-{device}", address_key=address or f"addr-{device}",
                           invitation=invitation if invited else None)


def finalise(enrolment, inspector, scores=None):
    review = review_start(actor=inspector, enrolment=enrolment)
    verify_all(review, inspector, scores=scores)
    review = review_finalise(actor=inspector, review=review)
    enrolment.refresh_from_db()
    return review


def certify(enrolment, *, inspector, scores=None, today=None):
    """Year-end review, publicity and naming through the services; returns the enrolment."""
    today = today or timezone.localdate()
    finalise(enrolment, inspector, scores=scores)
    city_approve(enrolment)
    batch = publicity_open(actor=inspector, campaign=enrolment.campaign, title="",
                           start_date=today - datetime.timedelta(days=20), end_date=today - datetime.timedelta(days=10),
                           enrolment_ids=[enrolment.pk])
    publicity_close(actor=inspector, batch=batch, today=today)
    return Enrolment.objects.select_related("unit", "campaign__rubric").get(pk=enrolment.pk)


#: Item overrides that bring the default rubric's 100 points to 87 (合格): no must-pass item touched.
GOOD_NOT_EXCELLENT = {"1.2": 0, "1.3": 0, "1.5": 0}


@pytest.fixture
def person_a(unit_a):
    return PersonFactory(unit=unit_a, name="王节能", position="办公室")


__all__ = ["YEAR", "answer", "certify", "enrol", "finalise", "jpeg_bytes", "photo_upload", "ratings"]
