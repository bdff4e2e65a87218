"""Journey 3: the year-end review certifies the unit and a leader downloads its report.

An inspector starts the review, accepts the remaining self-scores in one go, scores the on-site items
(one with a deduction), finalises; the city's reviewer (市级评审) approves its naming with a reason; the
inspector opens a publicity batch that has already run its course and closes it, which names the unit;
the public list shows it. A leader then opens the dashboard, the unit list and the reports page, asks
for the unit's PDF (rendered by the Celery task, eager in tests) and downloads it. The self-assessment
was accepted through the services."""
import re
import subprocess

import pytest
from playwright.sync_api import expect

from assessment.models import Method, RubricItem, Stage
from inspections.models import Certificate, YearEndReview
from inspections.reports.models import Report
from tests.e2e.conftest import days_from
from tests.factories import UserFactory
from tests.inspections.conftest import accept_self_assessment
from units.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEDUCTION_ITEM = "4.4"  # 无吸烟现象: one standard deduction ticked on site


def test_year_end_certification_and_leader_report(journey, enrolment_a, director_a, inspector_a, leader_a, today):
    accept_self_assessment(enrolment_a, director=director_a, inspector=inspector_a)
    unit = enrolment_a.unit
    onsite = list(RubricItem.objects.filter(rubric=enrolment_a.campaign.rubric, method=Method.ONSITE)
                  .prefetch_related("deductions").order_by("order"))
    deduction = next(i for i in onsite if i.code == DEDUCTION_ITEM).deductions.all()[0]

    # --- the year-end review ---------------------------------------------------------------------------
    inspector = journey.person(inspector_a)
    page = inspector.login()
    inspector.open("/inspections/reviews/")
    row = page.locator("tr", has_text=unit.name)
    expect(row).to_contain_text("初审通过")
    inspector.click_through(row.get_by_role("button", name="开始考核"), expect_url="**/inspections/reviews/*/")
    review_url = page.url
    inspector.click_through(page.get_by_role("button", name=re.compile("认可其余未核定项目的自评得分")))
    expect(page.locator(".alert-success")).to_contain_text("项目的自评得分")
    expect(page.get_by_text(f"还有{len(onsite)}个项目未核定")).to_be_visible()
    for item in onsite:
        card = page.locator(f"#item-{item.pk}")
        card.locator("label", has_text="现场评分").click()
        if item.code == DEDUCTION_ITEM:
            card.get_by_label(deduction.text).check()
        inspector.click_through(card.get_by_role("button", name="保存核定"))
        expect(page.locator(".alert-success")).to_contain_text(f"已核定:{item.code}")
    inspector.look("year-end-review")
    inspector.click_through(page.get_by_role("button", name="出具考核结论"), expect_url=review_url)
    expect(page.locator(".alert-success")).to_contain_text("年终考核已出结论")
    result = page.locator("#result")
    expect(result).to_contain_text("考核结果")
    expect(result).to_contain_text("予以认定")
    inspector.look("year-end-review-finalised")

    # --- the city's review: no publicity before its 同意命名 ----------------------------------------------
    reviewer = journey.person(UserFactory(username="reviewer_j", role=Role.REVIEWER, full_name="钱评审"))
    page_r = reviewer.login()
    reviewer.open("/inspections/city-review/")
    row = page_r.locator("tr", has_text=unit.name)
    expect(row).to_contain_text("待评审")
    expect(row).to_contain_text("优秀")
    reviewer.click_through(row.get_by_role("link", name=re.compile("评审")),
                           expect_url="**/inspections/city-review/*/")
    page_r.get_by_label("同意命名").check()
    page_r.get_by_label("理由").fill("年终考核优秀,无未整改问题,同意命名")
    reviewer.look("city-review-decide")
    reviewer.click_through(page_r.get_by_role("button", name="提交评审结论"),
                           expect_url="**/inspections/city-review/")
    expect(page_r.locator(".alert-success")).to_contain_text("同意命名")
    reviewer.look("city-review-list")

    # --- publicity: a batch whose period is over, closed, names the unit ----------------------------------
    inspector.open("/inspections/certification/")
    inspector.click_through(page.get_by_role("link", name=re.compile("新建公示")),
                            expect_url="**/inspections/certification/new/")
    expect(page.get_by_label(unit.name)).to_be_checked()
    page.get_by_label("公示开始").fill(days_from(today, -10))
    page.get_by_label("公示结束").fill(days_from(today, -1))
    inspector.click_through(page.get_by_role("button", name="开始公示"), expect_url="**/inspections/certification/*/")
    expect(page.locator("table")).to_contain_text("公示")
    inspector.click_through(page.get_by_role("button", name="公示结束,命名并发放证书"))
    expect(page.locator(".alert-success")).to_contain_text("1个单位已命名")
    certificate = page.locator("main li", has_text=unit.name)
    expect(certificate).to_contain_text("有效期至")
    inspector.look("publicity-closed")

    # --- anyone can read the public list ---------------------------------------------------------------
    visitor = journey.person()
    page_p = visitor.open("/inspections/public/certified/")
    expect(page_p.locator("table")).to_contain_text(unit.name)
    visitor.look("public-certified")

    # --- a leader: dashboard, units, the unit's PDF -------------------------------------------------------
    leader = journey.person(leader_a)
    page_l = leader.login()
    page_l.locator("main").get_by_role("link", name="数据看板").click()
    page_l.wait_for_url("**/dashboard/")
    expect(page_l.locator(".go-panel-loading")).to_have_count(0)  # every htmx panel has loaded
    expect(page_l.locator("[data-panel]").first).not_to_be_empty()
    leader.look("dashboard")
    leader.open("/units/")
    expect(page_l.locator("main")).to_contain_text(unit.name)
    leader.look("unit-list")
    leader.open("/reports/")
    unit_form = page_l.locator("form", has=page_l.locator("input[name=kind][value=unit]"))
    unit_form.get_by_label("单位").select_option(label=unit.name)
    leader.click_through(unit_form.get_by_role("button", name="生成"), expect_url="**/reports/*/")
    download_link = page_l.get_by_role("link", name=re.compile("下载"))
    expect(download_link).to_be_visible()
    leader.look("report-detail")
    with page_l.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    assert download.suggested_filename.endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(download.path()), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert unit.name in text and "优秀" in text  # the unit's own report, with the grade it was given
    leader.check()

    journey.check()
    journey.close()
    review = YearEndReview.objects.get(enrolment=enrolment_a)
    enrolment_a.refresh_from_db()
    assert enrolment_a.stage == Stage.CERTIFIED
    # Full marks everywhere but the one deduction ticked on site.
    assert review.certified and review.verified_total == 100 - deduction.points
    assert Certificate.objects.get(enrolment=enrolment_a).unit == unit
    report = Report.objects.get()
    assert (report.requested_by, report.status, report.kind) == (leader_a, "done", "unit")
