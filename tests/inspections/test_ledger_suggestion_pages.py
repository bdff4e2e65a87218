"""Issue 7: the ledger's suggested scores for 2.1–2.4 appear, with their calculation, on the unit's
self-assessment page and on the year-end reviewer's page."""
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessment.ledger.selectors import ledger_suggestions
from inspections.services.year_end import review_start
from tests.inspections.conftest import YEAR
from tests.ledger.conftest import save_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_years(unit_a):
    save_year(unit_a, YEAR - 1, months=range(1, 11))
    save_year(unit_a, YEAR, months=range(1, 11), electricity_kwh=Decimal(36000), water_m3=Decimal(250))
    return ledger_suggestions(unit=unit_a, year=YEAR)


def test_ledger_suggestion_shown_on_self_assessment_page(client, director_a, enrolment_a, ledger_years):
    client.force_login(director_a)
    html = client.get(reverse("assessment:self_assessment", args=[enrolment_a.pk])).content.decode()
    assert html.count("能源资源台账建议得分") == 4
    electricity = ledger_years["2.2"]
    assert electricity.score == Decimal(6)
    for line in electricity.lines:
        assert escape(line) in html


def test_ledger_suggestion_shown_to_year_end_reviewer(client, accepted_a, inspector_a, ledger_years):
    review = review_start(actor=inspector_a, enrolment=accepted_a)
    client.force_login(inspector_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert html.count("能源资源台账建议得分") == 4
    for line in ledger_years["2.3"].lines:
        assert escape(line) in html
