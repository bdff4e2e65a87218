"""Report data: numbers against the stored results, scope, and a fixed number of queries."""
import datetime
import io
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from assessment.models import Enrolment, RubricItem
from assessment.selectors.rubric import _published_blocks
from assessment.services.campaign import campaign_enrol_units
from inspections.models import ChecklistResult, Finding, InspectionAssignment, YearEndReview
from inspections.reports import gathering, rendering
from inspections.reports.sample_data import build_scored_unit
from inspections.services.rectification import order_issue
from inspections.services.rounds import round_create, round_draw
from inspections.services.visits import checklist_record, inspection_complete


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_unit_report_data_reads_the_stored_result(scored_a, unit_a, campaign):
    data = gathering.unit_report_data(unit=unit_a, campaign=campaign)
    review = YearEndReview.objects.get(enrolment__unit=unit_a)
    assert data["review"].final_score == review.final_score
    assert data["review_pending"] is False
    assert data["item_count"] == 27
    assert sum(len(b["items"]) for b in data["blocks"]) == 27
    findings = Finding.objects.filter(unit=unit_a).count()
    assert data["findings_total"] == findings == sum(len(i.findings) for b in data["blocks"] for i in b["items"])
    assert all(row.verified_score is not None for b in data["blocks"] for row in b["items"])
    assert "王督查" in data["inspector_names"] and "李考核" in data["inspector_names"]
    assert len(data["evidence"]) == 3 and all(len(e.sha256) == 64 for e in data["evidence"])


def test_unit_report_data_runs_the_same_queries_whatever_the_amount_of_data(scored_a, unit_a, unit_a2, campaign,
                                                                            actors):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a2])
    enrolment = Enrolment.objects.select_related("unit", "campaign__rubric").get(unit=unit_a2, campaign=campaign)
    build_scored_unit(enrolment=enrolment, actors=actors, rng=random.Random(3), findings=5, evidence_items=8)
    _published_blocks.cache_clear()
    cold = _queries(lambda: gathering.unit_report_data(unit=unit_a, campaign=campaign))
    small = _queries(lambda: gathering.unit_report_data(unit=unit_a, campaign=campaign))
    large = _queries(lambda: gathering.unit_report_data(unit=unit_a2, campaign=campaign))
    assert small == large
    # The published rubric's blocks, items and deductions (3 queries) are read once per process.
    assert cold == large + 3
    # 8, 4 for the carbon account from the ledger, 9 for the suggestions the review kept beside the
    # ledger's computation today (the notice when the data changed after the decision).
    assert large <= 21


def test_summary_report_data_counts_and_scope(scored_a, unit_a, unit_b, district_a, campaign):
    city = gathering.summary_report_data(campaign=campaign, district_ids=None)
    assert city["totals"]["enrolled"] == 2 and city["totals"]["reviewed"] == 1
    assert [row["unit"] for row in city["ranking"]] == [unit_a.name]
    assert sum(p["n"] for p in city["problem_items"]) == Finding.objects.filter(unit=unit_a).count()
    district = gathering.summary_report_data(campaign=campaign, district_ids=[district_a.pk])
    assert [row["district"] for row in district["districts"]] == [district_a.name]
    assert district["totals"]["enrolled"] == 1
    assert unit_b.name not in str(district)
    assert _queries(lambda: gathering.summary_report_data(campaign=campaign, district_ids=None)) <= 10


def test_summary_report_pdf(scored_a, unit_a, campaign):
    document = rendering.render_summary_report(campaign=campaign, district_ids=None,
                                               verification_code="SUMM-ARYX-TEST-CODE")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages)
    assert "创建工作情况汇总" in text and unit_a.name in text and "分区域推进情况" in text


@pytest.fixture
def drawn_round(scored_a, enrolled, campaign, actors, unit_a):
    spot_round = round_create(actor=None, campaign=campaign, month=datetime.date(campaign.year, 10, 1),
                              sample_size=2, seed=42)
    spot_round = round_draw(actor=None, spot_round=spot_round)
    inspection = spot_round.inspections.get(unit=unit_a)
    inspector = InspectionAssignment.objects.filter(inspection=inspection).first().inspector
    item = RubricItem.objects.get(rubric=campaign.rubric, code="3.1")
    checklist_record(actor=inspector, inspection=inspection, item=item, result=ChecklistResult.SERIOUS,
                     note="分类容器缺失")
    inspection_complete(actor=inspector, inspection=inspection)
    finding = Finding.objects.get(inspection=inspection)
    order = order_issue(actor=inspector, finding=finding, required_action="补齐分类容器",
                        deadline=datetime.date.today() + datetime.timedelta(days=10))
    return spot_round, order


def test_round_bulletin_lists_units_findings_orders_and_ranking(drawn_round, unit_a, unit_b):
    spot_round, order = drawn_round
    data = gathering.round_report_data(spot_round=spot_round)
    assert {row["unit"].pk for row in data["units_checked"]} == {unit_a.pk, unit_b.pk}
    assert [entry["code"] for entry in data["items"]] == ["3.1"]
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert [row["unit"].pk for row in data["ranking"]] == [unit_b.pk, unit_a.pk]  # fewer problems first
    document = rendering.render_round_report(spot_round=spot_round, district_ids=None,
                                             verification_code="ROUN-DXXX-TEST-CODE")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages)
    assert "通报" in text and order.number in text and unit_b.name in text


def test_round_bulletin_of_a_district_user_shows_only_their_units(drawn_round, unit_a, unit_b, district_a):
    spot_round, _order = drawn_round
    data = gathering.round_report_data(spot_round=spot_round, district_ids=[district_a.pk])
    assert [row["unit"].pk for row in data["units_checked"]] == [unit_a.pk]


def test_item_basis_drops_the_lines_that_restate_the_score_columns():
    """The report prints the reasons for lost or changed points beside the scores; the provenance
    lines that only repeat the 分值, 自评 and 核定 columns are left out, the rest kept in order."""
    from decimal import Decimal

    accepted = gathering.ItemRow(
        code="1.2", title="实施方案", max_points=Decimal(4), method="自评", must_pass=False,
        self_score=Decimal(3), verified_score=Decimal(3),
        provenance=["满分4分", "自评扣分:任务未分解到人 −1", "自评得分3分", "督查员核定:认可自评得分3分"],
    )
    assert accepted.basis == ["自评扣分:任务未分解到人 −1"]

    full = gathering.ItemRow(
        code="1.1", title="领导小组", max_points=Decimal(3), method="自评", must_pass=False,
        self_score=Decimal(3), verified_score=Decimal(3),
        provenance=["满分3分", "自评得分3分", "督查员核定:认可自评得分3分"],
    )
    assert full.basis == []

    overridden = gathering.ItemRow(
        code="2.2", title="节约用电", max_points=Decimal(6), method="自评+核查", must_pass=False,
        self_score=Decimal(6), verified_score=Decimal(2),
        provenance=["满分6分", "自评得分6分", "核定扣分:未达到下降5%指标 −4",
                    "督查员核定:改为2分,理由:现场核查发现台账不全"],
    )
    assert overridden.basis == ["核定扣分:未达到下降5%指标 −4", "督查员核定:改为2分,理由:现场核查发现台账不全"]

    pending = gathering.ItemRow(
        code="3.1", title="垃圾分类", max_points=Decimal(4), method="自评", must_pass=False,
        self_deductions=["标识不清 −1"], self_score=Decimal(3),
    )
    assert pending.basis == ["自评扣分:标识不清 −1"]
    unanswered = gathering.ItemRow(code="3.2", title="清运", max_points=Decimal(3), method="自评", must_pass=False)
    assert unanswered.basis == ["未自评"]


def test_unit_report_pdf_prints_deduction_reasons_and_finding_status(scored_a, unit_a, campaign):
    data = gathering.unit_report_data(unit=unit_a, campaign=campaign)
    document = rendering.render_unit_report(unit=unit_a, campaign=campaign, verification_code="TEST-TEST-TEST-TEST")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages).replace("\n", "")
    lines = [line for b in data["blocks"] for row in b["items"] for line in row.basis]
    assert lines, "the sample unit has deductions"
    missing = [line for line in lines if line.replace(" ", "") not in text.replace(" ", "")]
    assert missing == []
    for row in (row for b in data["blocks"] for row in b["items"]):
        for finding in row.findings:
            assert f"#{finding.id}" in text
