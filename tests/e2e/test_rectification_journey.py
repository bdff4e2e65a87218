"""Journey 2: an inspector draws this month's spot-check round, records a visit on the phone with a
photo and issues a rectification order; the unit's director signs for it and answers with proof; a
different inspector verifies it and closes it. The self-assessment was accepted through the services."""
import pytest
from playwright.sync_api import expect

from assessment.models import RubricItem
from inspections.models import Finding, InspectionKind, OrderStatus, RectificationOrder
from tests.assessment.conftest import PDF_BYTES
from tests.e2e.conftest import days_from
from tests.inspections.conftest import accept_self_assessment, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKED_ITEM = "1.4"  # 宣传阵地: checked on site


def test_spot_check_visit_order_answer_and_verify(journey, enrolment_a, director_a, inspector_a, inspector_a2,
                                                  today):
    accept_self_assessment(enrolment_a, director=director_a, inspector=inspector_a)
    item = RubricItem.objects.get(rubric=enrolment_a.campaign.rubric, code=CHECKED_ITEM)

    # --- an inspector draws the month's round: district A's two inspectors are assigned ----------------
    inspector = journey.person(inspector_a)
    page = inspector.login()
    inspector.open("/inspections/rounds/")
    inspector.click_through(page.get_by_role("link", name="新建抽查批次"), expect_url="**/inspections/rounds/new/")
    page.get_by_label("抽查月份").fill(f"{today:%Y-%m}")
    page.get_by_label("抽查数量(个)").fill("1")
    inspector.click_through(page.get_by_role("button", name="保存"), expect_url="**/inspections/rounds/*/")
    expect(page.locator(".alert-success")).to_contain_text("抽查批次已创建")
    inspector.click_through(page.get_by_role("button", name="抽取"))
    expect(page.locator("h1")).to_contain_text("已抽取")
    visits = page.locator("table", has_text="检查人员").locator("tbody tr")
    expect(visits).to_have_count(1)
    expect(visits.first).to_contain_text(enrolment_a.unit.name)
    expect(visits.first).to_contain_text(inspector_a.display_name)
    expect(visits.first).to_contain_text(inspector_a2.display_name)
    inspector.look("round-detail")

    # --- the visit: a minor problem on 1.4 with a photo, then the visit is completed ---------------------
    inspector.click_through(visits.first.get_by_role("link", name="检查表"), expect_url="**/inspections/visits/*/")
    inspector.look("inspection-checklist")
    entry = page.locator(f"#item-{item.pk}")
    entry.locator("label", has_text="一般问题").click()
    entry.get_by_label("情况记录").fill("大厅无节水节电提示标识")
    entry.get_by_label("拍照/上传照片").set_input_files(
        files=[{"name": "大厅.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    entry.get_by_role("button", name="保存本项").click()
    entry = page.locator(f"#item-{item.pk}")  # htmx swapped the card
    expect(entry.get_by_role("status")).to_contain_text("已保存")
    expect(entry.get_by_role("img", name="大厅.jpg")).to_be_visible()
    expect(entry.get_by_role("img", name="大厅.jpg")).to_have_js_property("naturalWidth", 64)
    inspector.check()
    page.get_by_label("检查小结").fill("宣传阵地基本健全,提示标识缺失。")
    inspector.click_through(page.get_by_role("button", name="完成检查"))
    expect(page.locator(".alert-success")).to_contain_text("检查已完成")

    # --- ... and a rectification order from the finding ------------------------------------------------
    inspector.click_through(page.get_by_role("link", name="下发整改通知"),
                            expect_url="**/inspections/findings/*/order/")
    page.get_by_label("整改要求").fill("在大厅、卫生间补设节水节电提示标识,拍照上报。")
    page.get_by_label("整改时限").fill(days_from(today, 14))
    inspector.click_through(page.get_by_role("button", name="下发"), expect_url="**/inspections/orders/*/")
    expect(page.locator(".alert-success")).to_contain_text("已下发")
    order_url = page.url
    inspector.look("order-detail-issued")

    # --- the director signs for it and sends proof --------------------------------------------------------
    director = journey.person(director_a)
    page_d = director.login()
    page_d.locator("main").get_by_role("link", name="整改通知", exact=True).click()
    page_d.wait_for_url("**/inspections/orders/")
    director.check()
    page_d.get_by_role("link", name=enrolment_a.unit.name).first.click()
    page_d.wait_for_url(order_url)
    expect(page_d.get_by_text("在大厅、卫生间补设节水节电提示标识")).to_be_visible()
    director.look("order-detail-director")
    director.click_through(page_d.get_by_role("button", name="签收整改通知"))
    expect(page_d.locator(".alert-success")).to_contain_text("已签收")
    page_d.get_by_label("整改情况说明").fill("已在大厅和卫生间张贴提示标识,见照片和通知。")
    page_d.get_by_label("整改材料").set_input_files(files=[
        {"name": "标识照片.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
        {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    ])
    director.click_through(page_d.get_by_role("button", name="提交", exact=True))
    expect(page_d.locator(".alert-success")).to_contain_text("整改材料已提交")
    expect(page_d.get_by_role("link", name="整改报告.pdf")).to_be_visible()

    # --- a different inspector verifies and closes it ------------------------------------------------------
    verifier = journey.person(inspector_a2)
    page_v = verifier.login()
    verifier.open(order_url)
    expect(page_v.get_by_text("待验收").first).to_be_visible()
    verifier.look("order-detail-verify")
    page_v.get_by_label("验收通过,销号").check()
    page_v.get_by_label("验收意见").fill("提示标识已补设,照片清晰。")
    verifier.click_through(page_v.get_by_role("button", name="提交验收结论"))
    expect(page_v.locator(".alert-success")).to_contain_text("已验收销号")
    expect(page_v.locator("main")).to_contain_text("已验收销号")

    journey.check()
    journey.close()
    order = RectificationOrder.objects.get()
    assert order.status == OrderStatus.CLOSED
    assert (order.issued_by, order.acknowledged_by, order.closed_by) == (inspector_a, director_a, inspector_a2)
    finding = Finding.objects.get()
    assert finding.item == item and finding.inspection.kind == InspectionKind.SPOT_CHECK
    assert finding.is_rectified
    assert finding.inspection.entries.get(item=item).photos.count() == 1
    assert sorted(order.proofs.get().files.values_list("original_name", flat=True)) == ["整改报告.pdf", "标识照片.jpg"]
