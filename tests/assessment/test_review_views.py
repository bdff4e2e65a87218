"""The review queue and the accept / return page."""
import pytest
from django.urls import reverse

from assessment.models import AssessmentStatus, ItemReviewComment, SelfAssessment, SubmissionRound
from assessment.services.self_assessment import assessment_submit
from tests.assessment.conftest import answer_all
from tests.factories import UnitFactory
from units.models import Membership

pytestmark = pytest.mark.django_db


def review_url(enrolment):
    return reverse("assessment:review_detail", args=[enrolment.pk])


def test_review_queue_lists_submitted_in_scope_oldest_first(
    client, inspector_a, director_a, director_b, answered_a, answered_b, campaign, district_a, items,
    django_assert_max_num_queries,
):
    from assessment.models import Enrolment
    from assessment.services.self_assessment import self_assessment_start

    # A second unit in district A submits after unit_a.
    unit_a2 = UnitFactory(district=district_a, name="甲区教育局")
    Membership.objects.create(user=director_a, unit=unit_a2)
    enrolment_a2 = Enrolment.objects.create(campaign=campaign, unit=unit_a2)
    assessment_a2 = self_assessment_start(actor=director_a, enrolment=enrolment_a2)
    answer_all(assessment_a2, director_a, items)
    assessment_submit(actor=director_a, assessment=answered_a)
    assessment_submit(actor=director_a, assessment=assessment_a2)
    assessment_submit(actor=director_b, assessment=answered_b)

    client.force_login(inspector_a)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("assessment:review_queue")).content.decode()
    assert html.index("甲区发展和改革局") < html.index("甲区教育局")
    assert "乙区财政局" not in html  # out of inspector_a's scope
    assert "88" in html


def test_review_queue_hides_drafts_and_decided(client, inspector_a, answered_a):
    client.force_login(inspector_a)
    assert "甲区发展和改革局" not in client.get(reverse("assessment:review_queue")).content.decode()


def test_review_return_without_reason_keeps_the_item_comments(client, inspector_a, director_a, answered_a,
                                                              enrolment_a, items):
    assessment_submit(actor=director_a, assessment=answered_a)
    client.force_login(inspector_a)
    comment_field = f"c_{items['1.1'].pk}"
    response = client.post(review_url(enrolment_a), {"decision": "return", "comment": "", comment_field: "缺成立文件"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "退回修改必须填写退回原因" in html
    assert "缺成立文件" in html
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.SUBMITTED


def test_review_return_with_reason_and_item_comments(client, inspector_a, director_a, answered_a, enrolment_a,
                                                     items):
    assessment_submit(actor=director_a, assessment=answered_a)
    client.force_login(inspector_a)
    data = {"decision": "return", "comment": "材料不全", f"c_{items['1.1'].pk}": "缺成立文件"}
    response = client.post(review_url(enrolment_a), data, follow=True)
    assert "已退回甲区发展和改革局第1轮自评" in response.content.decode()
    answered_a.refresh_from_db()
    assert answered_a.status == AssessmentStatus.RETURNED
    assert list(ItemReviewComment.objects.values_list("item__code", "comment")) == [("1.1", "缺成立文件")]
    # The director sees the remark on the item and the reason at the top.
    client.force_login(director_a)
    page = client.get(reverse("assessment:self_assessment", args=[enrolment_a.pk])).content.decode()
    assert "材料不全" in page and "缺成立文件" in page and "重新提交" in page


def test_review_accept_and_repeat_is_harmless(client, inspector_a, director_a, answered_a, enrolment_a):
    assessment_submit(actor=director_a, assessment=answered_a)
    client.force_login(inspector_a)
    client.post(review_url(enrolment_a), {"decision": "accept", "comment": ""})
    again = client.post(review_url(enrolment_a), {"decision": "accept", "comment": ""}, follow=True)
    assert again.status_code == 200
    assert "无需重复审核" in again.content.decode()
    assert SelfAssessment.objects.get().status == AssessmentStatus.ACCEPTED
    assert SubmissionRound.objects.get().decided_by == inspector_a


def test_review_page_offers_no_way_to_change_self_scores(client, inspector_a, director_a, answered_a, enrolment_a):
    assessment_submit(actor=director_a, assessment=answered_a)
    client.force_login(inspector_a)
    html = client.get(review_url(enrolment_a)).content.decode()
    assert "data-item-form" not in html
    assert "-full_marks" not in html and "-self_score" not in html
    assert 'value="accept"' in html and 'value="return"' in html
