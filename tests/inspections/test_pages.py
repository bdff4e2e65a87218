"""The inspections pages end to end through the test client: forms reach the services, bad input keeps
what was typed, lists keep a fixed number of queries, and no page carries inline styles or scripts."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import (
    Notification,
    OrderStatus,
    RectificationOrder,
    SpotCheckRound,
    YearEndReview,
)
from inspections.services.rectification import order_acknowledge, order_issue, proof_submit, rectification_verify
from inspections.services.year_end import review_finalise, review_start
from tests.factories import UnitFactory
from tests.inspections.conftest import enrol, make_findings
from tests.inspections.test_year_end import verify_all


def _no_inline(html: str):
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)


def test_round_pages_create_and_draw(client, campaign, enrolment_a, inspector_a, inspector_city):
    client.force_login(inspector_a)
    response = client.post(reverse("inspections:round_create"),
                           {"month": "2026-05", "sample_size": "", "sample_share": "", "no_repeat_months": 3})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写抽查数量或抽查比例" in html and 'value="2026-05"' in html
    response = client.post(reverse("inspections:round_create"),
                           {"month": "2026-05", "sample_size": 1, "risk_weighting": "on", "no_repeat_months": 3,
                            "seed": 9})
    spot_round = SpotCheckRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:round_detail",
                                                                           args=[spot_round.pk])
    client.post(reverse("inspections:round_draw", args=[spot_round.pk]))
    spot_round.refresh_from_db()
    assert spot_round.is_drawn and spot_round.drawn_unit_ids == [enrolment_a.unit_id]
    html = client.get(reverse("inspections:round_detail", args=[spot_round.pk])).content.decode()
    assert "结果一致" in html and enrolment_a.unit.name in html
    _no_inline(html)
    # The edit page of a drawn round sends the user back with the reason.
    response = client.get(reverse("inspections:round_edit", args=[spot_round.pk]), follow=True)
    assert "记录不可更改" in response.content.decode()


def test_visit_create_page_plans_a_visit(client, campaign, enrolment_a, inspector_a):
    client.force_login(inspector_a)
    response = client.post(reverse("inspections:visit_create"),
                           {"enrolment": enrolment_a.pk, "kind": "unannounced", "scheduled_date": "2026-07-01"})
    assert response.status_code == 302
    visit = enrolment_a.inspections.get()
    assert visit.kind == "unannounced" and list(visit.inspectors.all()) == [inspector_a]
    response = client.post(reverse("inspections:visit_create"),
                           {"enrolment": enrolment_a.pk, "kind": "spot_check", "scheduled_date": "2026-07-01"})
    assert response.status_code == 400


def test_order_flow_through_the_pages(client, enrolment_a, inspector_a, inspector_a2, director_a):
    finding = make_findings(enrolment_a, actor=inspector_a, severities=["serious"])[0]
    client.force_login(inspector_a)
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post(reverse("inspections:order_create", args=[finding.pk]),
                           {"required_action": "配齐容器", "deadline": deadline})
    order = RectificationOrder.objects.get()
    assert response["Location"] == reverse("inspections:order_detail", args=[order.pk])

    client.force_login(director_a)
    assert "签收整改通知" in client.get(reverse("inspections:order_detail", args=[order.pk])).content.decode()
    client.post(reverse("inspections:order_acknowledge", args=[order.pk]))
    response = client.post(reverse("inspections:order_proof", args=[order.pk]), {"note": ""})
    assert response.status_code == 400 and "整改情况说明" in response.content.decode()
    client.post(reverse("inspections:order_proof", args=[order.pk]), {"note": "已配齐"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PROOF_SUBMITTED

    client.force_login(inspector_a2)
    response = client.post(reverse("inspections:order_verify", args=[order.pk]), {"decision": "reopened", "reason": ""})
    assert response.status_code == 400 and "必须说明原因" in response.content.decode()
    client.post(reverse("inspections:order_verify", args=[order.pk]), {"decision": "closed", "reason": "现场核实"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    html = client.get(reverse("inspections:order_detail", args=[order.pk])).content.decode()
    assert "整改验收" in html and "签收" in html  # the timeline in words
    _no_inline(html)


def test_order_page_tells_the_submitter_someone_else_verifies(client, enrolment_a, inspector_a, director_a):
    finding = make_findings(enrolment_a, actor=inspector_a, severities=["minor"])[0]
    order = order_issue(actor=inspector_a, finding=finding, required_action="整改",
                        deadline=timezone.localdate() + datetime.timedelta(days=3))
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=inspector_a, order=order, note="复查现场已整改")
    client.force_login(inspector_a)
    html = client.get(reverse("inspections:order_detail", args=[order.pk])).content.decode()
    assert "须由其他督查员验收" in html
    response = client.post(reverse("inspections:order_verify", args=[order.pk]), {"decision": "closed"})
    assert response.status_code == 400 and "不能验收本人提交的整改材料" in response.content.decode()


def test_order_list_queries_do_not_grow_with_orders(client, campaign, enrolment_a, inspector_a, district_a,
                                                   django_assert_max_num_queries):
    def add_orders(n):
        for _ in range(n):
            unit = UnitFactory(district=district_a)
            finding = make_findings(enrol(campaign, unit), actor=inspector_a, severities=["minor"])[0]
            order_issue(actor=inspector_a, finding=finding, required_action="整改",
                        deadline=timezone.localdate() + datetime.timedelta(days=3))

    client.force_login(inspector_a)
    add_orders(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("inspections:order_list"))
    add_orders(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("inspections:order_list")).content.decode()
    assert html.count("整改〔2026〕第") == 8


def test_visit_list_queries_do_not_grow_with_visits(client, campaign, enrolment_a, inspector_a,
                                                   django_assert_max_num_queries):
    client.force_login(inspector_a)
    make_findings(enrolment_a, actor=inspector_a, severities=["minor"])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("inspections:visit_list"))
    for _ in range(5):
        make_findings(enrolment_a, actor=inspector_a, severities=["minor"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("inspections:visit_list"))
    assert response.content.decode().count(enrolment_a.unit.name) >= 6


def test_review_page_shows_provenance_and_keeps_the_stored_result(client, accepted_a, inspector_a, inspector_a2,
                                                                  director_a, django_assert_max_num_queries):
    serious = make_findings(accepted_a, actor=inspector_a, severities=["serious"])[0]
    review = review_start(actor=inspector_a, enrolment=accepted_a)
    client.force_login(inspector_a)
    with django_assert_max_num_queries(40):
        html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert "未核定" in html and "未整改 −1" in html
    _no_inline(html)
    item = accepted_a.campaign.rubric.items.get(code="2.2")
    response = client.post(reverse("inspections:review_item", args=[review.pk, item.pk]),
                           {f"v{item.pk}-decision": "override", f"v{item.pk}-score": "4", f"v{item.pk}-reason": ""})
    assert response.status_code == 400 and "必须填写改分理由" in response.content.decode()
    verify_all(review, inspector_a)
    review_finalise(actor=inspector_a, review=review)
    review.refresh_from_db()
    assert review.pass_score == 99

    # Rectified after the decision: the stored result stays what was decided (and what reports show).
    order = order_issue(actor=inspector_a, finding=serious, required_action="整改",
                        deadline=timezone.localdate() + datetime.timedelta(days=3))
    order_acknowledge(actor=director_a, order=order)
    proof_submit(actor=director_a, order=order, note="已整改")
    rectification_verify(actor=inspector_a2, order=order, decision="closed")
    client.force_login(director_a)
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    assert "考核结果" in html and ">99<" in html
    assert "提出异议" in html
    assert YearEndReview.objects.get(pk=review.pk).supervision_deduction == 1


def test_review_list_tabs_and_director_view(client, accepted_a, inspector_a, director_a):
    client.force_login(inspector_a)
    html = client.get(reverse("inspections:review_list")).content.decode()
    assert "开始考核" in html and accepted_a.unit.name in html
    review = review_start(actor=inspector_a, enrolment=accepted_a)
    client.force_login(director_a)
    assert accepted_a.unit.name not in client.get(reverse("inspections:review_list")).content.decode()
    verify_all(review, inspector_a)
    review_finalise(actor=inspector_a, review=review)
    assert accepted_a.unit.name in client.get(reverse("inspections:review_list")).content.decode()


def test_notification_page_counts_unread_and_marks_read(client, director_a, enrolment_a, inspector_a):
    finding = make_findings(enrolment_a, actor=inspector_a, severities=["minor"])[0]
    order = order_issue(actor=inspector_a, finding=finding, required_action="整改",
                        deadline=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(director_a)
    html = client.get(reverse("inspections:notification_list")).content.decode()
    assert order.number in html and "data-unread-count>1<" in html
    notice = Notification.objects.get(user=director_a)
    response = client.post(reverse("inspections:notification_read"),
                           {"id": notice.pk, "next": reverse("inspections:order_detail", args=[order.pk])})
    assert response["Location"] == reverse("inspections:order_detail", args=[order.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    response = client.post(reverse("inspections:notification_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("inspections:notification_list")


def test_notifications_of_others_are_untouched(client, director_a, inspector_a, enrolment_a):
    other = Notification.objects.create(user=inspector_a, title="x")
    client.force_login(director_a)
    client.post(reverse("inspections:notification_read"), {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.parametrize("name", ["round_list", "visit_list", "order_list", "review_list", "certification_list",
                                  "notification_list", "public_certified"])
def test_list_pages_have_no_inline_styles_or_scripts(client, campaign, admin_user, name):
    client.force_login(admin_user)
    response = client.get(reverse(f"inspections:{name}"))
    assert response.status_code == 200
    _no_inline(response.content.decode())
