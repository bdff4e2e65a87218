"""Awards: 绿色机关之星 only for named units graded 优秀; 环保卫士 nominated by the unit's director with a
citation; the bureau selects; winners on the public page and in the campaign summary report."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inspections.evaluation.models import AwardKind, Nomination, NominationStatus
from inspections.evaluation.selectors.awards import award_winners, star_eligibility
from inspections.evaluation.services.awards import (
    nomination_decide,
    nomination_guardian,
    nomination_star,
    nomination_withdraw,
)
from inspections.services.certification import certificate_revoke
from tests.evaluation.conftest import GOOD_NOT_EXCELLENT, certify, finalise
from tests.factories import PersonFactory


@pytest.fixture
def excellent_a(accepted_a, inspector_a):
    return certify(accepted_a, inspector=inspector_a)


@pytest.fixture
def good_b(accepted_b, inspector_city):
    return certify(accepted_b, inspector=inspector_city, scores=GOOD_NOT_EXCELLENT)


def test_non_excellent_unit_cannot_be_nominated_as_green_office_star(good_b, inspector_city, director_b):
    assert good_b.stage == "certified" and good_b.year_end_review.grade == "合格"
    for actor in (inspector_city, director_b):
        with pytest.raises(ValidationError) as exc:
            nomination_star(actor=actor, campaign=good_b.campaign, unit=good_b.unit, citation="节能成效突出")
        assert exc.value.message_dict["unit"] == [
            f"“{good_b.unit.name}”年终考核等级为合格,只有等级为优秀的已命名单位可以推荐为绿色机关之星"]
    assert not Nomination.objects.exists()


def test_unnamed_unit_cannot_be_nominated_even_with_top_score(accepted_a, inspector_a, director_a):
    finalise(accepted_a, inspector_a)  # 优秀 but only passed, not named yet
    eligibility = star_eligibility(enrolment=accepted_a)
    assert not eligibility.eligible and "尚未被命名为绿色机关" in eligibility.reason
    with pytest.raises(ValidationError):
        nomination_star(actor=director_a, campaign=accepted_a.campaign, unit=accepted_a.unit, citation="x")


def test_excellent_named_unit_is_nominated_once_and_selected(excellent_a, director_a, inspector_a, leader_a):
    assert excellent_a.year_end_review.grade == "优秀"
    with pytest.raises(PermissionDenied):
        nomination_star(actor=leader_a, campaign=excellent_a.campaign, unit=excellent_a.unit, citation="x")
    nomination = nomination_star(actor=director_a, campaign=excellent_a.campaign, unit=excellent_a.unit,
                                 citation="率先实现无纸化办公")
    with pytest.raises(ValidationError):
        nomination_star(actor=inspector_a, campaign=excellent_a.campaign, unit=excellent_a.unit, citation="again")
    with pytest.raises(PermissionDenied):
        nomination_decide(actor=director_a, nomination=nomination, selected=True)
    nomination_decide(actor=inspector_a, nomination=nomination, selected=True, note="评审会通过")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SELECTED and nomination.decided_by == inspector_a
    winners = award_winners(campaign=excellent_a.campaign)
    assert [n.unit_id for n in winners.stars] == [excellent_a.unit_id] and winners.guardians == []


def test_star_cannot_be_selected_after_its_certificate_is_revoked(excellent_a, director_a, inspector_a):
    nomination = nomination_star(actor=director_a, campaign=excellent_a.campaign, unit=excellent_a.unit,
                                 citation="x")
    certificate_revoke(actor=inspector_a, certificate=excellent_a.certificate, reason="回头看发现问题")
    with pytest.raises(ValidationError):
        nomination_decide(actor=inspector_a, nomination=nomination, selected=True)
    nomination_decide(actor=inspector_a, nomination=nomination, selected=False)


def test_guardian_is_nominated_by_the_units_director_with_a_citation(
        enrolment_a, person_a, director_a, director_b, inspector_a, settings):
    campaign = enrolment_a.campaign
    for actor in (director_b, inspector_a):
        with pytest.raises(PermissionDenied):
            nomination_guardian(actor=actor, campaign=campaign, person=person_a, citation="x")
    with pytest.raises(ValidationError) as exc:
        nomination_guardian(actor=director_a, campaign=campaign, person=person_a, citation="  ")
    assert exc.value.message_dict["citation"] == ["请填写推荐事迹"]
    nomination = nomination_guardian(actor=director_a, campaign=campaign, person=person_a,
                                     citation="坚持随手关灯巡查三年")
    assert nomination.kind == AwardKind.GUARDIAN and nomination.unit_id == person_a.unit_id
    with pytest.raises(ValidationError):
        nomination_guardian(actor=director_a, campaign=campaign, person=person_a, citation="again")
    settings.EVALUATION_GUARDIANS_PER_UNIT = 1
    with pytest.raises(ValidationError) as exc:
        nomination_guardian(actor=director_a, campaign=campaign, person=PersonFactory(unit=person_a.unit),
                            citation="x")
    assert "最多推荐1名" in exc.value.messages[0]
    nomination_withdraw(actor=director_a, nomination=nomination)
    assert not Nomination.objects.exists()


def test_winners_on_the_public_page_and_in_the_summary_report(client, excellent_a, person_a, director_a,
                                                              inspector_a):
    from inspections.reports.gathering import summary_report_data

    star = nomination_star(actor=inspector_a, campaign=excellent_a.campaign, unit=excellent_a.unit,
                           citation="率先实现无纸化办公")
    guardian = nomination_guardian(actor=director_a, campaign=excellent_a.campaign, person=person_a,
                                   citation="坚持随手关灯巡查三年")
    public = reverse("evaluation:public_awards")
    assert person_a.name not in client.get(public).content.decode()  # nominated is not winning
    nomination_decide(actor=inspector_a, nomination=star, selected=True)
    nomination_decide(actor=inspector_a, nomination=guardian, selected=True)
    response = client.get(public)  # anonymous
    html = response.content.decode()
    assert response.status_code == 200
    assert excellent_a.unit.name in html and person_a.name in html and "坚持随手关灯巡查三年" in html
    assert public in client.get(reverse("inspections:public_certified")).content.decode()
    data = summary_report_data(campaign=excellent_a.campaign)
    assert [n.pk for n in data["award_winners"].stars] == [star.pk]
    assert [n.pk for n in data["award_winners"].guardians] == [guardian.pk]
    other_district = summary_report_data(campaign=excellent_a.campaign, district_ids=[-1])
    assert not other_district["award_winners"]


def test_summary_report_pdf_lists_the_winners(excellent_a, inspector_a, person_a, director_a):
    import io

    from django.template.loader import render_to_string
    from pypdf import PdfReader

    from greenoffice.pdf import render_pdf
    from inspections.reports.gathering import summary_report_data

    star = nomination_star(actor=inspector_a, campaign=excellent_a.campaign, unit=excellent_a.unit, citation="x")
    nomination_decide(actor=inspector_a, nomination=star, selected=True)
    context = summary_report_data(campaign=excellent_a.campaign)
    context.update(doc_title="汇总", issuer="市机关事务管理局", verification_code="TEST", generated_at=None)
    pdf = render_pdf(render_to_string("reports/pdf/summary_report.html", context))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "六、绿色机关之星与环保卫士" in text and excellent_a.unit.name in text


def test_nomination_page_shows_refusal_and_keeps_the_citation(client, good_b, director_b):
    client.force_login(director_b)
    response = client.post(reverse("evaluation:nominate_star"), {"unit": good_b.unit_id, "citation": "节能成效突出"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "只有等级为优秀的已命名单位可以推荐为绿色机关之星" in html and "节能成效突出" in html
