"""Fixtures of the report tests: the default rubric, a campaign, enrolled units and one unit taken
through a whole scored year by the real services (inspections.reports.sample_data)."""
import random

import pytest

from assessment.models import Enrolment
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create, campaign_enrol_units
from assessment.services.rubric import rubric_import, rubric_publish
from inspections.reports.sample_data import build_scored_unit, sample_actors
from tests.factories import UnitFactory

YEAR = 2026


@pytest.fixture
def rubric(db):
    version = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    return rubric_publish(actor=None, rubric=version)


@pytest.fixture
def campaign(rubric):
    return campaign_create(actor=None, year=YEAR, rubric=rubric, is_current=True, target_certified_count=2,
                           target_year=2028)


@pytest.fixture
def enrolled(campaign, unit_a, unit_b):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    return {e.unit_id: e for e in Enrolment.objects.filter(campaign=campaign).select_related("unit", "campaign")}


@pytest.fixture
def actors(db):
    return sample_actors()


@pytest.fixture
def scored_a(enrolled, unit_a, actors):
    """unit_a with an accepted self-assessment, a visit with two findings and one order, and a finalised
    year-end review."""
    return build_scored_unit(enrolment=enrolled[unit_a.pk], actors=actors, rng=random.Random(7))


@pytest.fixture
def unit_a2(district_a):
    return UnitFactory(district=district_a, name="甲区财政局")


@pytest.fixture
def no_send(monkeypatch):
    """Record the report ids handed to the broker instead of running them."""
    sent = []
    from inspections.reports.tasks import render_report_task

    monkeypatch.setattr(render_report_task, "delay", lambda report_id: sent.append(report_id))
    return sent
