"""Issue 18: a suggested score is a stored record; a finalised review keeps the suggestions it showed,
and a verified score more than a point away from a suggestion needs a written reason."""
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from assessment.ledger.selectors import ledger_suggestion_data
from assessment.models import Method, RubricItem, Suggestion, SuggestionSource
from inspections.models import ItemVerification, VerificationDecision
from inspections.reports import gathering
from inspections.selectors.year_end import review_kept_suggestions, review_suggestion_view
from inspections.services.year_end import item_verify, review_accept_remaining, review_finalise, review_start
from tests.inspections.conftest import YEAR
from tests.ledger.conftest import save_year

pytestmark = pytest.mark.django_db

REASON = "已核对全年票据,台账漏记两个月,按实际核定"


@pytest.fixture
def ledger_up(unit_a):
    """Electricity, water and paper all up on the baseline year: 2.2–2.4 suggested below full marks."""
    save_year(unit_a, YEAR - 1, months=range(1, 11))
    save_year(unit_a, YEAR, months=range(1, 11), electricity_kwh=Decimal(60000), water_m3=Decimal(600),
              paper_reams=Decimal(200))
    return ledger_suggestion_data(unit=unit_a, year=YEAR)


@pytest.fixture
def review(accepted_a, inspector_a):
    return review_start(actor=inspector_a, enrolment=accepted_a)


def _item(review, code):
    return RubricItem.objects.get(rubric=review.enrolment.campaign.rubric, code=code)


def test_ledger_suggestion_data_is_a_record_with_inputs_and_factor_version(ledger_up):
    electricity = ledger_up["2.2"]
    assert electricity.source == SuggestionSource.LEDGER
    assert electricity.score is not None and electricity.score < electricity.max_points - 1
    assert Decimal(electricity.inputs["current"]["electricity_kwh"]) == Decimal(600000)
    assert electricity.factor_version.startswith("kgce-")
    assert len(electricity.digest) == 64


def test_item_verify_refuses_an_unexplained_departure_from_the_suggestion(review, inspector_a, ledger_up):
    item = _item(review, "2.2")  # self-scored full marks (6); the ledger suggests less than 5
    with pytest.raises(ValidationError) as exc:
        item_verify(actor=inspector_a, review=review, item=item, decision=VerificationDecision.ACCEPT)
    assert "reason" in exc.value.message_dict
    assert not ItemVerification.objects.filter(review=review, item=item).exists()
    # Within a point of the suggestion: no reason needed, above or below.
    suggested = ledger_up["2.2"].score
    item_verify(actor=inspector_a, review=review, item=item, decision=VerificationDecision.OVERRIDE,
                score=suggested + 1, reason="按台账")
    item_verify(actor=inspector_a, review=review, item=item, decision=VerificationDecision.ACCEPT, reason=REASON)
    assert ItemVerification.objects.get(review=review, item=item).reason == REASON


def test_item_verify_departure_below_the_suggestion_needs_a_reason_too(review, inspector_a, ledger_up):
    item = _item(review, "2.2")
    low = max(Decimal(0), ledger_up["2.2"].score - Decimal("1.5"))
    with pytest.raises(ValidationError):
        # differs from the self-score (needs a reason anyway) and departs from the suggestion
        item_verify(actor=inspector_a, review=review, item=item, decision=VerificationDecision.OVERRIDE, score=low)


def test_review_form_refuses_an_unexplained_departure_and_keeps_the_entered_data(client, review, inspector_a,
                                                                                  ledger_up):
    item = _item(review, "2.2")
    client.force_login(inspector_a)
    response = client.post(reverse("inspections:review_item", args=[review.pk, item.pk]),
                           {f"v{item.pk}-decision": "accept", f"v{item.pk}-reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "必须填写理由" in html
    assert not ItemVerification.objects.filter(review=review, item=item).exists()
    # An override with ticked deductions and no reason: refused, the ticks are kept.
    deduction = item.deductions.order_by("pk").first()
    response = client.post(reverse("inspections:review_item", args=[review.pk, item.pk]),
                           {f"v{item.pk}-decision": "override", f"v{item.pk}-deductions": [deduction.pk]})
    assert response.status_code == 400
    assert re.search(rf'value="{deduction.pk}" id="[^"]+" checked', response.content.decode())


def _verify_rest(review, actor):
    for rubric_item in RubricItem.objects.filter(rubric=review.enrolment.campaign.rubric).order_by("order"):
        if rubric_item.method == Method.ONSITE:
            item_verify(actor=actor, review=review, item=rubric_item, decision=VerificationDecision.OVERRIDE)
    review_accept_remaining(actor=actor, review=review)


def test_accept_remaining_leaves_departures_to_the_inspector_and_finalise_needs_their_reasons(
        review, inspector_a, ledger_up):
    _verify_rest(review, inspector_a)
    departing = [code for code in ("2.1", "2.2", "2.3", "2.4")
                 if ledger_up[code].score is not None and ledger_up[code].score < _item(review, code).points - 1]
    assert "2.2" in departing
    verified = set(ItemVerification.objects.filter(review=review).values_list("item__code", flat=True))
    assert not verified & set(departing)
    with pytest.raises(ValidationError):
        review_finalise(actor=inspector_a, review=review)


def test_finalised_review_keeps_its_suggestions_when_the_ledger_changes(client, review, inspector_a, unit_a,
                                                                         ledger_up, director_a):
    _verify_rest(review, inspector_a)
    for code in ("2.1", "2.2", "2.3", "2.4"):
        if not ItemVerification.objects.filter(review=review, item__code=code).exists():
            item_verify(actor=inspector_a, review=review, item=_item(review, code),
                        decision=VerificationDecision.ACCEPT, reason=REASON)
    review = review_finalise(actor=inspector_a, review=review)
    kept = review_kept_suggestions(review)
    assert set(kept) == {"2.1", "2.2", "2.3", "2.4"}
    assert kept["2.2"].score == ledger_up["2.2"].score
    assert Suggestion.objects.filter(enrolment=review.enrolment).count() == 4
    lines = review.provenance["2.2"]
    assert f"督查员说明:{REASON}" in lines
    assert any(line.startswith("台账建议得分") for line in lines)
    assert any("理由见督查员核定" in line for line in lines)
    assert not any(review_suggestion_view(review)[code].changed for code in kept)

    # The unit fixes its ledger after the decision: electricity back down, 2.2 would now get full marks.
    save_year(unit_a, YEAR, months=range(1, 11), electricity_kwh=Decimal(30000), water_m3=Decimal(600),
              paper_reams=Decimal(200))
    assert ledger_suggestion_data(unit=unit_a, year=YEAR)["2.2"].score != kept["2.2"].score
    review.refresh_from_db()
    after = review_kept_suggestions(review)
    assert after["2.2"].score == kept["2.2"].score  # the decision's number did not move
    view = review_suggestion_view(review)
    assert view["2.2"].changed and view["2.2"].score == kept["2.2"].score

    client.force_login(inspector_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert 'data-suggestion-changed="2.2"' in html
    assert "台账数据在结论后有变动" in html
    assert escape(kept["2.2"].lines[-1]) in html or kept["2.2"].lines[-1] in html

    data = gathering.unit_report_data(unit=unit_a, campaign=review.enrolment.campaign)
    row = next(r for b in data["blocks"] for r in b["items"] if r.code == "2.2")
    assert any(line.startswith("台账数据在结论后有变动") for line in row.basis)
    assert any(line.startswith("台账建议得分") for line in row.basis)
