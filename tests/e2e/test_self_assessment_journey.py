"""Journey 1: a director fills and submits the self-assessment with evidence, an inspector returns it,
the director corrects it and resubmits. All 27 items by hand would be slow: 21 self-scored items are
answered through the services first, and the browser answers the other three the three ways a
director can (a ticked deduction with an explanation and a PNG, full marks with a PDF, a typed tier
score). The campaign has a calendar: the director's home page shows the deadline (自评截止) and links the
timeline, which shows the current phase."""
import datetime

import pytest
from playwright.sync_api import expect

from assessment.models import AssessmentStatus, Evidence, RubricItem, Stage, SubmissionRound
from assessment.services.campaign import campaign_update
from assessment.services.self_assessment import self_assessment_start
from tests.assessment.conftest import PDF_BYTES, answer_all, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BY_HAND = ("1.1", "1.2", "2.1")


def card(page, code):
    return page.locator(f"#item-{code.replace('.', '-')}")


def save_card(actor, code):
    """Press 保存本项 on an item card (htmx swaps the card) and wait for its saved notice."""
    item_card = card(actor.page, code)
    item_card.get_by_role("button", name="保存本项").click()
    expect(card(actor.page, code).get_by_role("status")).to_contain_text(f"第{code}项已保存")
    actor.check()


def test_self_assessment_submit_return_resubmit(journey, enrolment_a, director_a, inspector_a, today):
    deadline = today + datetime.timedelta(days=10)
    campaign_update(actor=None, campaign=enrolment_a.campaign,
                    self_assessment_start=today - datetime.timedelta(days=30), self_assessment_end=deadline,
                    application_deadline=today + datetime.timedelta(days=20))
    items = {i.code: i for i in RubricItem.objects.filter(rubric=enrolment_a.campaign.rubric)}
    assessment = self_assessment_start(actor=director_a, enrolment=enrolment_a)
    answer_all(assessment, director_a, items, skip=BY_HAND)

    # --- the director logs in and answers the last three items ------------------------------------------
    director = journey.person(director_a)
    login_page = director.open("/accounts/login/")
    expect(login_page.locator("h1")).to_contain_text("登录")
    director.look("login")
    page = director.login()
    director.look("home-director")
    # The deadline, labelled 截止, and the campaign's timeline with the current phase.
    expect(page.get_by_test_id("home-due")).to_contain_text(f"自评截止 {deadline.month}月{deadline.day}日")
    page.get_by_role("link", name="创建日程").click()
    page.wait_for_url("**/timeline/")
    expect(page.locator('[data-phase="self_assessment"]')).to_contain_text("当前阶段")
    director.look("campaign-timeline-director")
    page.go_back()
    # From the home page's tiles, which are the same at both widths (the menu collapses on a phone).
    page.locator("main").get_by_role("link", name="自评", exact=True).click()
    page.wait_for_url("**/assessment/self-assessments/")
    page.get_by_role("link", name="填报自评").click()
    page.wait_for_url(f"**/assessment/self-assessments/{enrolment_a.pk}/")
    expect(page.locator("#sa-submit")).to_contain_text("还有3个项目未填报")
    director.look("self-assessment-director")

    item = card(page, "1.1")
    item.get_by_label("责任未落实到人").check()
    item.get_by_label("情况说明").fill("领导小组已成立,分工表正在修订。")
    item.get_by_label("上传佐证材料").set_input_files(
        files=[{"name": "领导小组文件.png", "mimeType": "image/png", "buffer": png_bytes()}])
    expect(item.locator("[data-score-preview]")).to_have_text("2")  # 3 points − 1, previewed before saving
    save_card(director, "1.1")
    expect(card(page, "1.1")).to_contain_text("领导小组文件.png")

    item = card(page, "1.2")
    item.get_by_label("满分(无扣分项)").check()
    item.get_by_label("上传佐证材料").set_input_files(
        files=[{"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    save_card(director, "1.2")
    expect(card(page, "1.2")).to_contain_text("实施方案.pdf")

    item = card(page, "2.1")
    item.get_by_label("或按评分办法填写自评得分").fill("7")
    save_card(director, "2.1")

    expect(page.locator("#sa-submit")).to_contain_text("全部项目已填报")
    director.click_through(page.locator("#sa-submit").get_by_role("button", name="提交自评"))
    expect(page.locator(".alert-success")).to_contain_text("已提交第1轮自评")
    expect(page.locator("#sa-submit")).to_contain_text("等待督查员审核")

    # --- an inspector (two-factor log-in) returns it with a reason ---------------------------------------
    inspector = journey.person(inspector_a)
    page_i = inspector.login()
    inspector.look("home-inspector")
    inspector.open("/assessment/review/")
    row = page_i.locator(".list-group-item", has_text=enrolment_a.unit.name)
    expect(row).to_contain_text("第1轮")
    inspector.look("review-queue")
    row.get_by_role("link", name="审核").click()
    page_i.wait_for_url(f"**/assessment/review/{enrolment_a.pk}/")
    expect(page_i.locator("#item-1-1")).to_contain_text("领导小组文件.png")
    inspector.look("review-detail")
    page_i.get_by_label("审核意见").fill("1.1 领导小组分工未落实到人,请补充分工表后重新提交。")
    inspector.click_through(page_i.get_by_role("button", name="退回修改"), expect_url="**/assessment/review/")
    expect(page_i.locator(".alert-success")).to_contain_text("已退回")

    # --- the director sees why, corrects 1.1 and resubmits ----------------------------------------------
    director.open(f"/assessment/self-assessments/{enrolment_a.pk}/")
    expect(page.locator(".alert-warning").first).to_contain_text("第1轮自评被退回修改")
    expect(page.locator(".alert-warning").first).to_contain_text("请补充分工表")
    director.look("self-assessment-returned")
    item = card(page, "1.1")
    item.get_by_label("满分(无扣分项)").check()
    expect(item.get_by_label("责任未落实到人")).not_to_be_checked()  # full marks clears the deductions
    item.get_by_label("情况说明").fill("已补充分工表,责任落实到人。")
    save_card(director, "1.1")
    director.click_through(page.locator("#sa-submit").get_by_role("button", name="重新提交"))
    expect(page.locator(".alert-success")).to_contain_text("已提交第2轮自评")

    # --- the inspector's queue shows the resubmission -----------------------------------------------------
    inspector.open("/assessment/review/")
    row = page_i.locator(".list-group-item", has_text=enrolment_a.unit.name)
    expect(row).to_contain_text("第2轮")
    expect(row).to_contain_text("重新提交")

    journey.check()
    journey.close()
    assessment.refresh_from_db()
    enrolment_a.refresh_from_db()
    assert (assessment.status, assessment.round) == (AssessmentStatus.SUBMITTED, 2)
    assert enrolment_a.stage == Stage.RESUBMITTED
    first, second = SubmissionRound.objects.filter(assessment=assessment).order_by("number")
    assert first.decision == "returned" and "分工表" in first.comment
    assert second.snapshot["items"]["1.1"]["self_score"] == "3.00"
    assert first.snapshot["items"]["1.1"]["self_score"] == "2.00"
    assert second.snapshot["items"]["2.1"]["self_score"] == "7.00"
    names = set(Evidence.objects.filter(response__assessment=assessment).values_list("original_name", flat=True))
    assert names == {"领导小组文件.png", "实施方案.pdf"}
