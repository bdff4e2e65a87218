"""Rubric versions, campaigns, enrolments, self-assessments and evidence.

A published rubric version is immutable; a campaign is bound to one version. Item codes are stable
across versions so years compare."""
import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment import power_grids
from greenoffice.models import TimeStampedModel
from units.models import Person, Unit


class RubricStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Method(models.TextChoices):
    SELF = "self", _("自评")
    ONSITE = "onsite", _("现场检查")
    BOTH = "both", _("自评+核查")


class RubricVersion(TimeStampedModel):
    code = models.CharField(_("细则代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RubricStatus.choices, default=RubricStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    total_points = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    pass_mark = models.DecimalField(_("合格线"), max_digits=6, decimal_places=2)
    # [{"min": "90", "grade": "优秀", "grade_en": "Excellent", "certified": true}, ...] highest first
    grade_bands = models.JSONField(_("等级区间"), default=list)
    minor_deduction = models.DecimalField(_("一般问题扣分"), max_digits=5, decimal_places=2)
    serious_deduction = models.DecimalField(_("严重问题扣分"), max_digits=5, decimal_places=2)
    deduction_cap = models.DecimalField(_("督查扣分上限"), max_digits=5, decimal_places=2)
    vetoes = models.JSONField(_("一票否决情形"), default=list)
    bonus_title = models.CharField(_("加分项名称"), max_length=100, blank=True)
    bonus_max = models.DecimalField(_("加分上限"), max_digits=5, decimal_places=2, default=0)
    source_yaml = models.TextField(_("YAML原文"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考评细则版本")
        verbose_name_plural = _("考评细则版本")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="rubric_unique_code_version")]

    def __str__(self):
        return f"{self.title}(第{self.version}版)"

    @property
    def is_published(self) -> bool:
        return self.status == RubricStatus.PUBLISHED


class RubricBlock(models.Model):
    rubric = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField(_("类别编号"), max_length=10)
    title = models.CharField(_("考评类别"), max_length=100)
    title_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("考评类别")
        verbose_name_plural = _("考评类别")
        ordering = ["rubric", "order"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="block_unique_rubric_code")]

    def __str__(self):
        return f"{self.code} {self.title}"


class RubricItem(models.Model):
    rubric = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="items")
    block = models.ForeignKey(RubricBlock, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("项目编号"), max_length=10)
    title = models.TextField(_("考评内容"))
    title_en = models.TextField(_("英文内容"), blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    method = models.CharField(_("考评方式"), max_length=10, choices=Method.choices)
    evidence = models.JSONField(_("佐证材料要求"), default=list, blank=True)
    must_pass = models.BooleanField(_("必达项"), default=False)
    scoring_note = models.TextField(_("评分办法"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("考评项目")
        verbose_name_plural = _("考评项目")
        ordering = ["rubric", "order"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="item_unique_rubric_code")]

    def __str__(self):
        return f"{self.code} {self.title[:30]}"

    @property
    def requires_evidence(self) -> bool:
        return bool(self.evidence) and self.method != Method.ONSITE


class RubricDeduction(models.Model):
    item = models.ForeignKey(RubricItem, on_delete=models.CASCADE, related_name="deductions")
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=2)
    text = models.CharField(_("扣分项"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("扣分项")
        verbose_name_plural = _("扣分项")
        ordering = ["item", "order"]

    def __str__(self):
        return f"{self.text} −{self.points}"


class BonusItem(models.Model):
    rubric = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="bonus_items")
    code = models.CharField(_("加分项编号"), max_length=10)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    title = models.CharField(_("加分内容"), max_length=200)
    title_en = models.CharField(_("英文内容"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("创新工作加分项")
        verbose_name_plural = _("创新工作加分项")
        ordering = ["rubric", "order"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="bonus_unique_rubric_code")]

    def __str__(self):
        return f"{self.code} {self.title}"


class Campaign(TimeStampedModel):
    year = models.PositiveIntegerField(_("创建年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    rubric = models.ForeignKey(RubricVersion, verbose_name=_("考评细则"), on_delete=models.PROTECT,
                               related_name="campaigns")
    target_certified_count = models.PositiveIntegerField(_("本年度创成目标(个)"), default=0)
    target_share = models.DecimalField(_("目标创成比例(%)"), max_digits=5, decimal_places=2, default=80)
    target_year = models.PositiveIntegerField(_("目标年份"), null=True, blank=True)
    self_assessment_start = models.DateField(_("自评开始"), null=True, blank=True)
    self_assessment_end = models.DateField(_("自评截止"), null=True, blank=True)
    application_deadline = models.DateField(_("申报截止"), null=True, blank=True)
    review_start = models.DateField(_("现场考核开始"), null=True, blank=True)
    review_end = models.DateField(_("现场考核结束"), null=True, blank=True)
    public_evaluation_start = models.DateField(_("公开评议开始"), null=True, blank=True)
    public_evaluation_end = models.DateField(_("公开评议结束"), null=True, blank=True)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)
    objection_window_days = models.PositiveIntegerField(_("异议期(天)"), default=7)
    # Public evaluation (公开评议) is on every applicant's path: once the campaign has its round, the
    # city's decision needs the unit to be one of its targets and to meet its gate. Off: the city
    # decides without it (inspections.services.city_review).
    public_evaluation_required = models.BooleanField(
        _("市级评审须经公开评议"), default=True,
        help_text=_("开启时,已设置公开评议的年度,单位须列入公开评议并达到满意度门槛,方可同意命名"))
    is_current = models.BooleanField(_("当前年度"), default=False)
    # The grid whose published electricity CO₂ factor the ledger's carbon account uses; blank: the
    # city-wide default (settings.GREENOFFICE_ELECTRICITY_GRID).
    electricity_grid = models.CharField(
        _("电力排放因子适用电网"), max_length=20, blank=True,
        choices=[(code, label) for code, label in power_grids.GRID_LABELS.items()],
        help_text=_("碳排放核算采用的电力平均二氧化碳排放因子所属省份或区域;留空采用全市默认设置"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("创建年度")
        verbose_name_plural = _("创建年度")
        ordering = ["-year"]
        constraints = [
            # Every "current campaign" screen reads this one row; two would make them disagree.
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                    name="campaign_single_current"),
        ]

    def __str__(self):
        return self.name or f"{self.year}年度"

    @property
    def work_span(self) -> tuple[datetime.date, datetime.date]:
        """The days the campaign's field work (spot checks, visits) may fall on: its calendar year,
        widened to its own dates where they run past it (a campaign opened in December, or whose
        public evaluation and publicity reach into the new year)."""
        dates = [d for d in (self.self_assessment_start, self.publicity_end, self.public_evaluation_end) if d]
        return (min([datetime.date(self.year, 1, 1), *dates]), max([datetime.date(self.year, 12, 31), *dates]))

    def covers(self, day: datetime.date) -> bool:
        first, last = self.work_span
        return first <= day <= last


class Stage(models.TextChoices):
    """A unit's stage in a campaign (DESIGN.md). Allowed moves live in assessment.workflow."""

    NOT_STARTED = "not_started", _("未开始")
    SELF_ASSESSING = "self_assessing", _("自评中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    RESUBMITTED = "resubmitted", _("重新提交")
    ACCEPTED = "accepted", _("初审通过")
    REVIEWED = "reviewed", _("年终已考核")
    RECTIFYING = "rectifying", _("限期整改")
    PASSED = "passed", _("考核通过")
    PUBLICITY = "publicity", _("公示中")
    CERTIFIED = "certified", _("已命名")
    FAILED = "failed", _("未通过")
    REVOKED = "revoked", _("已撤销")


class Enrolment(TimeStampedModel):
    """One unit in one campaign; it owns the unit's stage, which every screen reads."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="enrolments")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="enrolments")
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.NOT_STARTED,
                             db_index=True)
    stage_changed_at = models.DateTimeField(_("阶段变更时间"), null=True, blank=True)
    leadership_group = models.TextField(_("创建工作领导小组"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参创登记")
        verbose_name_plural = _("参创登记")
        ordering = ["campaign", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="enrolment_unique_campaign_unit")]
        indexes = [models.Index(fields=["campaign", "stage"])]

    def __str__(self):
        return f"{self.unit} · {self.campaign}"


class StageTransition(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["enrolment", "at", "id"]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交待审核")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("审核通过")


class SelfAssessment(TimeStampedModel):
    """The unit's self-assessment in a campaign. `round` counts submissions; every round is kept."""

    enrolment = models.OneToOneField(Enrolment, verbose_name=_("参创登记"), on_delete=models.CASCADE,
                                     related_name="self_assessment")
    status = models.CharField(_("状态"), max_length=12, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT, db_index=True)
    round = models.PositiveIntegerField(_("提交轮次"), default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    self_total = models.DecimalField(_("自评总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    # Bumped by every change (answers, files, submit, review): a submit form carries the revision it
    # was rendered with, so a page left open while another tab edited cannot submit stale content.
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自评")
        verbose_name_plural = _("自评")
        # The review queue (submitted, oldest first, 50 a page): an ordered index scan that stops at the
        # page instead of joining and sorting the whole queue (docs/performance.md).
        indexes = [models.Index(fields=["status", "submitted_at", "id"], name="selfassessment_queue_idx")]

    def __str__(self):
        return f"{self.enrolment} 自评"

    @property
    def is_locked(self) -> bool:
        return self.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED)


class ItemResponse(TimeStampedModel):
    """The unit's answer to one rubric item: chosen deductions (ids of RubricDeduction of the item; an
    empty list with `answered` means full marks), explanation, responsible person and the self score."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(RubricItem, verbose_name=_("考评项目"), on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField(_("已填报"), default=False)
    deduction_ids = models.JSONField(_("扣分项"), default=list, blank=True)
    self_score = models.DecimalField(_("自评得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(_("情况说明"), blank=True, max_length=5000)
    responsible = models.ForeignKey(Person, verbose_name=_("责任人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="responsibilities")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自评项目")
        verbose_name_plural = _("自评项目")
        ordering = ["assessment", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="response_unique_item")]


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("审核通过")
    RETURNED = "returned", _("退回修改")


class SubmissionRound(models.Model):
    """One submission and the inspector's decision on it. `snapshot` freezes what was submitted."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("轮次"))
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    snapshot = models.JSONField(_("提交内容"), default=dict)
    decision = models.CharField(_("审核结论"), max_length=10, choices=ReviewDecision.choices, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("提交轮次")
        verbose_name_plural = _("提交轮次")
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="round_unique_number")]

    def __str__(self):
        return f"第{self.number}轮提交"


class ItemReviewComment(models.Model):
    round = models.ForeignKey(SubmissionRound, on_delete=models.CASCADE, related_name="item_comments")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("修改意见"))

    class Meta:
        verbose_name = _("逐项审核意见")
        verbose_name_plural = _("逐项审核意见")

    def __str__(self):
        return f"{self.item.code}: {self.comment[:30]}"


def evidence_upload_to(instance, filename):
    # The stored name never comes from the user: the original name is kept in a field only.
    return f"evidence/{instance.response.assessment_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Evidence(TimeStampedModel):
    """A file behind a claim. Stored privately; once its assessment is submitted it can't be replaced,
    only superseded by a newer file."""

    response = models.ForeignKey(ItemResponse, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_in_round = models.PositiveIntegerField(_("随第几轮提交"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="supersedes")
    is_withdrawn = models.BooleanField(_("已撤回"), default=False)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["response", "created_at", "id"]

    def __str__(self):
        return self.original_name


class SuggestionSource(models.TextChoices):
    LEDGER = "ledger", _("能源资源台账")
    UNIT_WORK = "unit_work", _("单位工作记录")


class Suggestion(TimeStampedModel):
    """One suggested score for one item of one enrolment, as it was computed: the score, its calculation
    lines, the inputs it was computed from, the factor table's version and the time. Written when a
    decision keeps what it was shown (the year-end review at finalisation); later data never edits a
    row, a new computation is a new row."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="suggestions")
    item = models.ForeignKey(RubricItem, verbose_name=_("考评项目"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=12, choices=SuggestionSource.choices)
    score = models.DecimalField(_("建议得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("满分"), max_digits=6, decimal_places=2)
    lines = models.JSONField(_("计算过程"), default=list, blank=True)
    inputs = models.JSONField(_("计算依据"), default=dict, blank=True)
    inputs_digest = models.CharField(_("依据指纹"), max_length=64)
    factor_version = models.CharField(_("折算系数版本"), max_length=64, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("建议得分")
        verbose_name_plural = _("建议得分")
        ordering = ["enrolment_id", "item_id", "-computed_at"]

    def __str__(self):
        return f"{self.item.code} {self.score}"


class DeadlineKind(models.TextChoices):
    """The campaign deadlines that bind a unit's submission (assessment.selectors.deadlines)."""

    SELF_ASSESSMENT = "self_assessment", _("自评截止")
    APPLICATION = "application", _("申报截止")


class DeadlineExtension(models.Model):
    """An extension (延期) of one campaign deadline for one unit, granted by an inspector with a reason and
    a new date. Every grant is kept; the latest one is the unit's deadline."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("参创登记"), on_delete=models.CASCADE,
                                  related_name="extensions")
    kind = models.CharField(_("截止事项"), max_length=20, choices=DeadlineKind.choices)
    new_date = models.DateField(_("延期至"))
    reason = models.TextField(_("延期理由"), max_length=2000)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["enrolment", "kind", "granted_at", "id"]
        indexes = [models.Index(fields=["enrolment", "kind"], name="extension_enrolment_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.new_date}"
