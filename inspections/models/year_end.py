"""The year-end review (年终检查) of one enrolment: item verifications, the stored result and objections.

The numbers on YearEndReview are written by the finalising service from assessment.scoring and are
what dashboards and reports read; nobody recomputes them elsewhere."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.models import Enrolment, RubricItem
from greenoffice.models import TimeStampedModel


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("考核中")
    FINALISED = "finalised", _("已出结论")


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", _("考核通过")
    RECTIFYING = "rectifying", _("限期整改")
    FAILED = "failed", _("未通过")


def _points(verbose):
    return models.DecimalField(verbose, max_digits=6, decimal_places=2, null=True, blank=True)


class YearEndReview(TimeStampedModel):
    enrolment = models.OneToOneField(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                     related_name="year_end_review")
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT,
                              db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # {"B.1": "evidence note", ...}: the bonus items ticked with their evidence
    bonus_claims = models.JSONField(_("创新加分"), default=dict, blank=True)
    vetoes = models.JSONField(_("一票否决情形"), default=list, blank=True)
    # The computed result, stored at finalisation (and at an objection's re-score).
    self_total = _points(_("自评总分"))
    verified_total = _points(_("核定总分"))
    supervision_deduction = _points(_("督查扣分"))
    pass_score = _points(_("合格判定得分"))
    bonus = _points(_("创新加分"))
    final_score = _points(_("最终得分"))
    gap = _points(_("自评与核定差值"))
    # The self basis (assessment.figures): the items with both a self-score and a verified score. The
    # self total and the gap are over it; these say what it holds, so "84 / 85" can be printed.
    self_verified = _points(_("自评项目核定合计"))
    self_max = _points(_("自评项目满分合计"))
    self_items = models.PositiveSmallIntegerField(_("自评项目数"), null=True, blank=True)
    verified_max = _points(_("考评项目满分合计"))
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    certified = models.BooleanField(_("予以认定"), default=False)
    outcome = models.CharField(_("考核结论"), max_length=12, choices=ReviewOutcome.choices, blank=True)
    not_certified_reasons = models.JSONField(_("不予认定原因"), default=list, blank=True)
    provenance = models.JSONField(_("得分来源"), default=dict, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("考核人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    # The suggested scores shown when the review was finalised (assessment.Suggestion): pages and reports
    # print these, not the live computation, and say when the data changed afterwards.
    kept_suggestions = models.ManyToManyField("assessment.Suggestion", verbose_name=_("结论时的建议得分"),
                                              blank=True, related_name="+")
    # A unit told to rectify (70–79.9) is re-checked (复查) and then passes or fails; the scores stay.
    recheck_outcome = models.CharField(_("复查结论"), max_length=12, choices=ReviewOutcome.choices, blank=True)
    recheck_note = models.TextField(_("复查意见"), blank=True, max_length=3000)
    recheck_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复查人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    recheck_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年终考核")
        verbose_name_plural = _("年终考核")
        ordering = ["enrolment__unit__code"]

    def __str__(self):
        return f"{self.enrolment} 年终考核"

    @property
    def is_finalised(self) -> bool:
        return self.status == ReviewStatus.FINALISED


class VerificationDecision(models.TextChoices):
    ACCEPT = "accept", _("认可自评")
    OVERRIDE = "override", _("核定改分")


class ItemVerification(TimeStampedModel):
    """The inspector's verdict on one item: the self-score accepted, or an own score (by ticked
    deductions or, for tiered items, a direct score) with a reason when it differs from the self-score."""

    review = models.ForeignKey(YearEndReview, on_delete=models.CASCADE, related_name="verifications")
    item = models.ForeignKey(RubricItem, verbose_name=_("考评项目"), on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("核定方式"), max_length=10, choices=VerificationDecision.choices)
    deduction_ids = models.JSONField(_("核定扣分项"), default=list, blank=True)
    verified_score = models.DecimalField(_("核定得分"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("改分理由"), blank=True, max_length=2000)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核定人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("逐项核定")
        verbose_name_plural = _("逐项核定")
        ordering = ["review", "item__order"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="verification_unique_item")]


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("维持原结论")
    CHANGED = "changed", _("改变结论")


class Objection(TimeStampedModel):
    """The unit's one objection (异议) to its year-end result; OneToOne makes "once" a database rule."""

    review = models.OneToOneField(YearEndReview, verbose_name=_("年终考核"), on_delete=models.CASCADE,
                                  related_name="objection")
    reason = models.TextField(_("异议理由"), max_length=5000)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING, db_index=True)
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    ruled_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    ruling = models.TextField(_("裁定意见"), blank=True, max_length=5000)
    # The result before the ruling, so a changed result can be compared with the original.
    original_result = models.JSONField(_("原考核结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("考核异议")
        verbose_name_plural = _("考核异议")
        ordering = ["-raised_at"]
