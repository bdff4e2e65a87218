"""The data behind each report: read-only selectors that return plain template contexts.

Every function here runs a fixed number of queries whatever the number of items, files, findings or
units (the tests assert it), and reads stored results (YearEndReview's totals, grade, certified,
provenance) rather than recomputing them: the report must say what the bureau decided.

Scope is passed in explicitly (`district_ids`, None = city-wide) because a worker renders the report
long after the request, without the requester's session."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import figures
from assessment.ledger.selectors import unit_carbon_report
from assessment.models import (
    BonusItem,
    Campaign,
    Enrolment,
    Evidence,
    ItemResponse,
    RubricItem,
    Stage,
)
from assessment.rubric_schema import format_points
from assessment.selectors.deadlines import self_assessment_overdue
from assessment.selectors.rubric import rubric_blocks_published, rubric_scoring_rules
from inspections.evaluation.selectors.awards import award_winners
from inspections.models import (
    Certificate,
    CertificateStatus,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionStatus,
    ItemVerification,
    OrderStatus,
    ReviewStatus,
    Severity,
    SpotCheckRound,
    VerificationDecision,
    YearEndReview,
)
from inspections.reports.charts import Bar, block_bar_chart, ranking_bar_chart
from inspections.selectors.forecast import FORECAST_COUNTERS, forecast_annotations, forecast_counts
from inspections.selectors.year_end import review_suggestion_view
from units.models import District, Unit

ZERO = Decimal(0)


class ReportDataError(ValueError):
    """The subject can't be reported on (e.g. the unit is not enrolled); the message is shown to users."""


def pts(value) -> str:
    return "—" if value is None else format_points(value)


def _scope_q(district_ids, prefix: str = "") -> Q:
    if district_ids is None:
        return Q()
    return Q(**{f"{prefix}district_id__in": list(district_ids)})


# -- unit report ------------------------------------------------------------------------------------

@dataclass
class FindingRow:
    id: int
    severity: str
    description: str
    found_on: object
    kind: str
    rectified: bool
    order_number: str = ""
    order_status: str = ""
    deadline: object = None
    overdue: bool = False

    @property
    def rectification_label(self) -> str:
        if self.rectified:
            return _("已整改")
        if self.order_number:
            label = f"{self.order_status}(时限 {self.deadline:%Y-%m-%d})"
            return label + (_(",已逾期") if self.overdue else "")
        return _("未整改")


@dataclass
class ItemRow:
    code: str
    title: str
    max_points: Decimal
    method: str
    must_pass: bool
    self_score: Decimal | None = None
    self_deductions: list = field(default_factory=list)
    explanation: str = ""
    responsible: str = ""
    verified_score: Decimal | None = None
    verification: str = ""
    verified_deductions: list = field(default_factory=list)
    reason: str = ""
    findings: list = field(default_factory=list)
    provenance: list = field(default_factory=list)
    evidence_count: int = 0
    suggestion_notice: str = ""  # the ledger data changed after the review kept its suggestion

    @property
    def lost_points(self) -> Decimal | None:
        if self.verified_score is None or self.verified_score >= self.max_points:
            return None
        return self.max_points - self.verified_score

    def _explains(self, lines) -> bool:
        """Whether a line says where the points went: a deduction, an override and its reason, a kept
        suggestion, a must-pass failure; a finding is printed under the item separately."""
        markers = ("扣分", "改为", "理由", "建议得分", "必达项", "督查员说明")
        return bool(self.findings) or any(marker in line for line in lines for marker in markers)

    @cached_property
    def basis(self) -> list[str]:
        """What the report prints beside the scores: why points were lost or changed.

        A finalised year gives the stored provenance minus the lines that only restate the score
        columns (满分, 自评得分, 认可自评); a year not yet reviewed gives the self-assessment's
        deductions. An item that lost nothing and was accepted as self-scored prints nothing, so the
        27-row table stays one or two lines a row."""
        if self.provenance:
            restated = {
                f"满分{pts(self.max_points)}分",
                f"自评得分{pts(self.self_score)}分",
                f"督查员核定:认可自评得分{pts(self.verified_score)}分",
            }
            lines = [line for line in dict.fromkeys(self.provenance) if line not in restated]
            if self.lost_points and not self._explains(lines):
                # Every lost point says why: here the self-score itself, accepted as it was.
                lines.insert(0, _("失分%(lost)s分:单位自评即为%(self)s分(未列扣分项),督查员核定认可")
                             % {"lost": pts(self.lost_points), "self": pts(self.self_score)})
            if self.suggestion_notice:
                lines.append(self.suggestion_notice)
            return lines
        lines = [_("自评扣分:%(text)s") % {"text": text} for text in self.self_deductions]
        if self.verification:
            lines.append(f"{self.verification}:{self.reason}" if self.reason else self.verification)
        lines.extend(_("核定扣分:%(text)s") % {"text": text} for text in self.verified_deductions)
        if self.self_score is None:
            lines.append(_("未自评"))
        return lines


def _deduction_texts(item: RubricItem, ids) -> list[str]:
    by_id = {d.pk: d for d in item.deductions.all()}
    texts = []
    for deduction_id in ids or ():
        deduction = by_id.get(deduction_id)
        if deduction is not None:
            texts.append(f"{deduction.text} −{format_points(deduction.points)}")
    return texts


def _reverse_one(instance, name: str):
    """The select_related reverse one-to-one `name`, or None when there is no such row."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def unit_report_data(*, unit: Unit, campaign: Campaign) -> dict:
    """Everything the unit scored report prints (15 queries; 12 once the published rubric is in memory,
    4 of them the carbon account from the ledger)."""
    enrolment = (
        Enrolment.objects.select_related(
            "unit__district", "campaign__rubric", "self_assessment", "certificate",
            "year_end_review__finalised_by",
        )
        .filter(unit=unit, campaign=campaign).first()
    )
    if enrolment is None:
        raise ReportDataError(_("%(unit)s 未参加%(year)s年度创建,无法生成考评报告")
                              % {"unit": unit.name, "year": campaign.year})
    rubric = enrolment.campaign.rubric
    blocks = rubric_blocks_published(rubric)

    assessment = _reverse_one(enrolment, "self_assessment")
    responses, evidence = {}, []
    if assessment is not None:
        responses = {
            r.item_id: r for r in ItemResponse.objects.filter(assessment=assessment).select_related("responsible")
        }
        evidence = list(
            Evidence.objects.filter(response__assessment=assessment, is_withdrawn=False)
            .select_related("response__item").order_by("response__item__order", "created_at", "id")
        )

    review = _reverse_one(enrolment, "year_end_review")
    finalised = review is not None and review.status == ReviewStatus.FINALISED
    verifications = {}
    if finalised:
        verifications = {
            v.item_id: v for v in ItemVerification.objects.filter(review=review).select_related("verified_by")
        }

    findings_by_item = defaultdict(list)
    today = timezone.localdate()
    findings = list(
        Finding.objects.filter(enrolment=enrolment)
        .select_related("order", "inspection").order_by("created_at", "id")
    )
    for finding in findings:
        order = getattr(finding, "order", None)
        findings_by_item[finding.item_id].append(FindingRow(
            id=finding.pk,
            severity=finding.get_severity_display(),
            description=finding.description,
            found_on=finding.inspection.scheduled_date,
            kind=finding.inspection.get_kind_display(),
            rectified=finding.rectified_at is not None,
            order_number=order.number if order else "",
            order_status=order.get_status_display() if order else "",
            deadline=order.deadline if order else None,
            overdue=bool(order and order.is_overdue(today)),
        ))

    inspections = list(
        Inspection.objects.filter(enrolment=enrolment).exclude(status=InspectionStatus.CANCELLED)
        .order_by("scheduled_date", "id")
    )
    assignments = defaultdict(list)
    for assignment in (InspectionAssignment.objects.filter(inspection__in=[i.pk for i in inspections])
                       .select_related("inspector").order_by("id")):
        assignments[assignment.inspection_id].append(assignment.inspector.display_name)
    certificate = _reverse_one(enrolment, "certificate")
    bonus_items = {b.code: b for b in BonusItem.objects.filter(rubric=rubric)}
    # The suggestions the review kept, beside today's computation (a notice when the ledger changed).
    kept_suggestions = review_suggestion_view(review) if finalised else {}

    evidence_count = Counter(e.response.item_id for e in evidence)
    provenance = (review.provenance or {}) if finalised else {}
    block_rows, chart_bars = [], []
    for block in blocks:
        items = []
        for item in block.items.all():
            response = responses.get(item.pk)
            verification = verifications.get(item.pk)
            row = ItemRow(
                code=item.code, title=item.title, max_points=item.points, method=item.get_method_display(),
                must_pass=item.must_pass, findings=findings_by_item.get(item.pk, []),
                evidence_count=evidence_count.get(item.pk, 0),
                provenance=list(provenance.get(item.code, ())),
            )
            kept = kept_suggestions.get(item.code)
            if kept is not None and kept.changed:
                live = kept.live.score if kept.live is not None else None
                row.suggestion_notice = (
                    _("台账数据在结论后有变动(按现有数据建议得分%(score)s分);考核结论按结论时的建议得分")
                    % {"score": pts(live)} if live is not None
                    else _("台账数据在结论后有变动(按现有数据无法计算建议得分);考核结论按结论时的建议得分"))
            if response is not None and response.answered:
                row.self_score = response.self_score
                row.self_deductions = _deduction_texts(item, response.deduction_ids)
                row.explanation = response.explanation
                row.responsible = str(response.responsible) if response.responsible else ""
            if verification is not None:
                row.verified_score = verification.verified_score
                row.verification = verification.get_decision_display()
                if verification.decision == VerificationDecision.OVERRIDE:
                    row.verified_deductions = _deduction_texts(item, verification.deduction_ids)
                    row.reason = verification.reason
            items.append(row)
        self_sum = sum((r.self_score for r in items if r.self_score is not None), ZERO)
        verified_sum = sum((r.verified_score for r in items if r.verified_score is not None), ZERO) \
            if finalised else None
        # Each side over its own maximum: the self column covers only the self-scored items.
        self_max = sum((r.max_points for r in items if r.self_score is not None), ZERO)
        block_rows.append({"code": block.code, "title": block.title, "points": block.points, "items": items,
                           "self_total": self_sum, "self_max": self_max, "verified_total": verified_sum})
        chart_bars.append(Bar(label=f"{block.code} {block.title}", max_points=block.points,
                              self_score=self_sum, verified_score=verified_sum,
                              self_max=self_max if finalised else None))

    inspector_names = []
    for inspection in inspections:
        inspector_names.extend(assignments.get(inspection.pk, []))
    inspector_names.extend(v.verified_by.display_name for v in verifications.values() if v.verified_by)
    if finalised and review.finalised_by:
        inspector_names.append(review.finalised_by.display_name)

    item_count = sum(len(b["items"]) for b in block_rows)
    self_total = assessment.self_total if assessment is not None and assessment.self_total is not None else \
        sum((r.self_score or ZERO for b in block_rows for r in b["items"]), ZERO)
    return {
        "unit": enrolment.unit,
        "campaign": enrolment.campaign,
        "rubric": rubric,
        "enrolment": enrolment,
        "stage_label": enrolment.get_stage_display(),
        # 逾期 on the day the report is made (no query once the self-assessment is in).
        "overdue": self_assessment_overdue(enrolment, assessment, timezone.localdate()),
        "assessment": assessment,
        "review": review if finalised else None,
        "figures": figures.from_stored(review) if finalised else None,
        "review_pending": not finalised,
        "self_total": self_total,
        "blocks": block_rows,
        "item_count": item_count,
        "chart": block_bar_chart(chart_bars),
        "evidence": evidence,
        "findings_total": len(findings),
        "findings_open": sum(1 for f in findings if f.rectified_at is None),
        "inspections": [
            {"date": i.scheduled_date, "kind": i.get_kind_display(), "status": i.get_status_display(),
             "inspectors": "、".join(assignments.get(i.pk, [])) or "—"}
            for i in inspections
        ],
        "inspector_names": list(dict.fromkeys(inspector_names)),
        "certificate": certificate,
        "certification_label": _certification_label(enrolment, review if finalised else None, certificate),
        "bonus_claims": [
            {"code": code, "title": getattr(bonus_items.get(code), "title", ""), "note": note,
             "points": getattr(bonus_items.get(code), "points", None)}
            for code, note in sorted((review.bonus_claims or {}).items())
        ] if finalised else [],
        # Live from the ledger, like the ledger page: the year-end decision does not store emissions.
        "carbon": unit_carbon_report(unit=enrolment.unit, year=enrolment.campaign.year, campaign=enrolment.campaign),
        "summary_lines": list(provenance.get("summary", ())),
        "supervision_lines": list(provenance.get("supervision", ())),
        # Each bonus item is printed once, with its claim; the provenance adds only the totals and the cap.
        "bonus_lines": [line for line in provenance.get("bonus", ())
                        if not any(line.startswith(f"创新加分{code}") for code in bonus_items)],
    }


def _certification_label(enrolment: Enrolment, review, certificate) -> str:
    if certificate is not None:
        if certificate.status == CertificateStatus.REVOKED:
            return _("已撤销称号(原证书编号 %(number)s)") % {"number": certificate.number}
        return _("已命名,证书编号 %(number)s,有效期至 %(until)s") % {
            "number": certificate.number, "until": certificate.valid_until.strftime("%Y-%m-%d")}
    if review is None:
        return _("尚未完成年终考核(当前阶段:%(stage)s)") % {"stage": enrolment.get_stage_display()}
    if review.certified:
        return _("考核通过,待公示命名(当前阶段:%(stage)s)") % {"stage": enrolment.get_stage_display()}
    return _("不予认定(当前阶段:%(stage)s)") % {"stage": enrolment.get_stage_display()}


# -- round bulletin -----------------------------------------------------------------------------------

def round_report_data(*, spot_round: SpotCheckRound, district_ids=None) -> dict:
    """The bulletin of one spot-check round (6 queries)."""
    spot_round = SpotCheckRound.objects.select_related("campaign__rubric", "district").get(pk=spot_round.pk)
    rules = rubric_scoring_rules(spot_round.campaign.rubric)
    inspections = list(
        Inspection.objects.filter(_scope_q(district_ids, "unit__"), round=spot_round)
        .exclude(status=InspectionStatus.CANCELLED)
        .select_related("unit__district").order_by("unit__district__sort_order", "unit__code")
    )
    assignments = defaultdict(list)
    for assignment in (InspectionAssignment.objects.filter(inspection__in=[i.pk for i in inspections])
                       .select_related("inspector").order_by("id")):
        assignments[assignment.inspection_id].append(assignment.inspector.display_name)
    findings = list(
        Finding.objects.filter(inspection__in=[i.pk for i in inspections])
        .select_related("item", "unit", "order").order_by("item__order", "unit__code", "id")
    )

    per_unit = defaultdict(lambda: {"minor": 0, "serious": 0})
    by_item = {}
    orders = []
    for finding in findings:
        per_unit[finding.unit_id][finding.severity] += 1
        entry = by_item.setdefault(finding.item.code, {"code": finding.item.code, "title": finding.item.title,
                                                       "minor": 0, "serious": 0, "units": set()})
        entry[finding.severity] += 1
        entry["units"].add(finding.unit.name)
        order = getattr(finding, "order", None)
        if order is not None:
            orders.append({"number": order.number, "unit": finding.unit.name, "item": finding.item.code,
                           "severity": finding.get_severity_display(), "action": order.required_action,
                           "deadline": order.deadline, "status": order.get_status_display(),
                           "closed": order.status == OrderStatus.CLOSED})

    units_checked = []
    for inspection in inspections:
        counts = per_unit[inspection.unit_id]
        deduction = counts["minor"] * rules.minor_deduction + counts["serious"] * rules.serious_deduction
        units_checked.append({
            "unit": inspection.unit, "district": inspection.unit.district.name,
            "date": inspection.scheduled_date, "kind": inspection.get_kind_display(),
            "status": inspection.get_status_display(),
            "inspectors": "、".join(assignments.get(inspection.pk, [])) or "—",
            "minor": counts["minor"], "serious": counts["serious"], "deduction": deduction,
        })
    ranking = sorted(units_checked, key=lambda row: (row["deduction"], row["serious"], row["unit"].code))
    for position, row in enumerate(ranking, start=1):
        row["rank"] = position
    items = sorted(by_item.values(), key=lambda e: (-(e["minor"] + e["serious"]), e["code"]))
    for entry in items:
        entry["units"] = "、".join(sorted(entry["units"]))
    return {
        "round": spot_round,
        "campaign": spot_round.campaign,
        "units_checked": units_checked,
        "ranking": ranking,
        "items": items,
        "orders": orders,
        "findings_total": len(findings),
        "serious_total": sum(1 for f in findings if f.severity == Severity.SERIOUS),
        "minor_deduction": rules.minor_deduction,
        "serious_deduction": rules.serious_deduction,
        "clean_units": [row for row in units_checked if row["minor"] + row["serious"] == 0],
    }


# -- campaign summary ---------------------------------------------------------------------------------

SUMMARY_RANKING_SIZE = 20


def summary_report_data(*, campaign: Campaign, district_ids=None) -> dict:
    """Progress to targets, by district, ranking, top problem items, certified list, award winners (9 queries)."""
    campaign = Campaign.objects.select_related("rubric").get(pk=campaign.pk)
    today = timezone.localdate()
    districts = list(District.objects.filter(Q() if district_ids is None else Q(pk__in=district_ids))
                     .order_by("sort_order", "code"))
    active_units = dict(
        Unit.objects.filter(_scope_q(district_ids), is_active=True).order_by()
        .values_list("district_id").annotate(n=Count("id"))
    )
    stage_rows = (
        Enrolment.objects.filter(_scope_q(district_ids, "unit__"), campaign=campaign).order_by()
        .values("unit__district_id", "stage")
        .annotate(n=Count("id"), **forecast_annotations(pass_mark=campaign.rubric.pass_mark))
    )
    stages = defaultdict(Counter)
    forecast_totals = Counter()
    for row in stage_rows:
        stages[row["unit__district_id"]][row["stage"]] += row["n"]
        forecast_totals.update({name: row[name] for name in FORECAST_COUNTERS})
    reviews = (
        YearEndReview.objects.filter(_scope_q(district_ids, "enrolment__unit__"), enrolment__campaign=campaign,
                                     status=ReviewStatus.FINALISED)
    )
    review_by_district = {
        row["enrolment__unit__district_id"]: row for row in
        reviews.order_by().values("enrolment__unit__district_id")
        .annotate(n=Count("id"), avg=Avg("final_score"), certified=Count("id", filter=Q(certified=True)))
    }
    ranking = list(
        reviews.select_related("enrolment__unit__district").order_by("-final_score", "enrolment__unit__code")
        [:SUMMARY_RANKING_SIZE]
    )
    problem_items = list(
        Finding.objects.filter(_scope_q(district_ids, "unit__"), campaign=campaign).order_by()
        .values("item__code", "item__title")
        .annotate(n=Count("id"), serious=Count("id", filter=Q(severity=Severity.SERIOUS)),
                  open=Count("id", filter=Q(rectified_at__isnull=True)), units=Count("unit", distinct=True))
        .order_by("-n", "item__code")[:10]
    )
    certificates = list(
        Certificate.objects.filter(_scope_q(district_ids, "unit__"), enrolment__campaign=campaign,
                                   status=CertificateStatus.VALID)
        .select_related("unit__district").order_by("sequence")
    )
    # The multi-year goal counts every unit holding a valid certificate today, whatever its year.
    certified_now = (
        Certificate.objects.filter(_scope_q(district_ids, "unit__"), status=CertificateStatus.VALID,
                                   valid_until__gte=today, unit__is_active=True)
        .values("unit").distinct().count()
    )

    certified_stage = {Stage.CERTIFIED}
    pipeline_stages = {Stage.PASSED, Stage.PUBLICITY}
    district_rows, totals = [], Counter()
    for district in districts:
        counts = stages.get(district.pk, Counter())
        enrolled = sum(counts.values())
        review_row = review_by_district.get(district.pk, {})
        row = {
            "district": district.name,
            "units": active_units.get(district.pk, 0),
            "enrolled": enrolled,
            "submitted": sum(n for s, n in counts.items()
                             if s not in (Stage.NOT_STARTED, Stage.SELF_ASSESSING)),
            "reviewed": review_row.get("n", 0),
            "passed": sum(counts[s] for s in pipeline_stages),
            "certified": sum(counts[s] for s in certified_stage),
            "failed": counts[Stage.FAILED] + counts[Stage.RECTIFYING],
            "average": review_row.get("avg"),
        }
        district_rows.append(row)
        for key in ("units", "enrolled", "submitted", "reviewed", "passed", "certified", "failed"):
            totals[key] += row[key]

    # The forecast: the dashboard's method and counts (assessment.figures, inspections.selectors.forecast).
    forecast = figures.forecast(forecast_counts(forecast_totals))
    target = campaign.target_certified_count or 0
    share_target = campaign.target_share or ZERO
    share_now = (Decimal(certified_now) * 100 / totals["units"]) if totals["units"] else ZERO
    averages = [(row["district"], row["average"]) for row in district_rows if row["average"] is not None]
    return {
        "campaign": campaign,
        "scope_label": "、".join(d.name for d in districts) if district_ids is not None else _("全市"),
        "districts": district_rows,
        "totals": totals,
        "target": target,
        "certified_count": totals["certified"],
        "target_percent": min(100, round(totals["certified"] * 100 / target)) if target else None,
        "forecast": forecast,
        "share_target": share_target,
        "share_now": share_now.quantize(Decimal("0.1")),
        "certified_now": certified_now,
        "ranking": [
            {"rank": n, "unit": r.enrolment.unit.name, "district": r.enrolment.unit.district.name,
             "final_score": r.final_score, "grade": r.grade, "certified": r.certified}
            for n, r in enumerate(ranking, start=1)
        ],
        "district_chart": ranking_bar_chart(
            sorted(averages, key=lambda pair: -pair[1]), maximum=Decimal(100)) if averages else "",
        "problem_items": problem_items,
        "certificates": certificates,
        # 绿色机关之星 and 环保卫士 selected by the bureau (inspections.evaluation; one query).
        "award_winners": award_winners(campaign=campaign, district_ids=district_ids),
    }


def bulk_unit_ids(*, campaign: Campaign, district_ids=None) -> list[int]:
    """Every enrolled unit of the campaign in scope, in a stable order (1 query)."""
    return list(
        Enrolment.objects.filter(_scope_q(district_ids, "unit__"), campaign=campaign)
        .order_by("unit__code").values_list("unit_id", flat=True)
    )
