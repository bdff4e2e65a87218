"""Public evaluation (公开评议), media feedback, public-welfare activities and awards.

One campaign has at most one evaluation round; every unit under review in it is a target with its own
short public link. Answers never store an IP address: only keyed hashes of the device and of IP + user
agent, enough to refuse a second answer and to spot floods, not to identify anyone."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign, Enrolment
from greenoffice.models import TimeStampedModel
from inspections.evaluation.questions import COMMENT_MAX_LENGTH, Rating
from units.models import Person, Unit

# No 0/o, 1/l/i: the short link is typed from a printed poster by people on phones.
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TARGET_TOKEN_LENGTH = 8
INVITATION_TOKEN_LENGTH = 10


def new_token(length: int) -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


def new_target_token() -> str:
    return new_token(TARGET_TOKEN_LENGTH)


def new_invitation_token() -> str:
    return new_token(INVITATION_TOKEN_LENGTH)


def default_min_answers() -> int:
    return int(getattr(settings, "EVALUATION_MIN_ANSWERS", 10))


def default_open_per_address() -> int:
    return int(getattr(settings, "EVALUATION_OPEN_PER_ADDRESS", 3))


def default_open_per_unit() -> int:
    return int(getattr(settings, "EVALUATION_OPEN_PER_UNIT", 50))


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("未开始")
    OPEN = "open", _("评议中")
    CLOSED = "closed", _("已结束")


class EvaluationRound(TimeStampedModel):
    """The campaign's public evaluation: its dates, the satisfaction threshold and the minimum number
    of answers the satisfaction gate needs (both per campaign)."""

    campaign = models.OneToOneField(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                    related_name="evaluation_round")
    title = models.CharField(_("评议名称"), max_length=200)
    start_date = models.DateField(_("评议开始"))
    end_date = models.DateField(_("评议结束"))
    threshold = models.DecimalField(_("满意率门槛(%)"), max_digits=5, decimal_places=2, default=80)
    min_answers = models.PositiveIntegerField(_("最少有效评议份数"), default=default_min_answers)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT,
                              db_index=True)
    intro = models.TextField(_("评议说明"), blank=True, max_length=2000)
    # Which answers count toward the satisfaction gate. By default only those given through a one-use
    # invitation (邀请码): a questionnaire open to anyone can be stuffed by a client that drops its
    # cookies. A round may let open answers count too, within the two limits below.
    open_answers_count = models.BooleanField(_("公开链接答卷计入满意率"), default=False)
    open_per_address = models.PositiveIntegerField(_("每个网络地址每天计入份数(每单位)"),
                                                   default=default_open_per_address)
    open_per_unit = models.PositiveIntegerField(_("每个单位计入的公开链接答卷上限"), default=default_open_per_unit)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公开评议")
        verbose_name_plural = _("公开评议")
        ordering = ["-campaign__year"]

    def __str__(self):
        return self.title


class EvaluationTarget(TimeStampedModel):
    """One unit under public evaluation: its questionnaire is /p/<token>/."""

    round = models.ForeignKey(EvaluationRound, verbose_name=_("公开评议"), on_delete=models.CASCADE,
                              related_name="targets")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                  related_name="evaluation_targets")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="evaluation_targets")
    token = models.CharField(_("短链接码"), max_length=16, unique=True, default=new_target_token)

    class Meta:
        verbose_name = _("评议单位")
        verbose_name_plural = _("评议单位")
        ordering = ["round", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["round", "enrolment"], name="evaluation_target_unique")]

    def __str__(self):
        return f"{self.round} · {self.unit}"


class Invitation(models.Model):
    """A personal invitation (e.g. a slip handed to a visitor of a service hall): one answer each,
    whatever device it is used on, so a shared tablet does not lock out the next visitor."""

    target = models.ForeignKey(EvaluationTarget, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(_("邀请码"), max_length=16, unique=True, default=new_invitation_token)
    note = models.CharField(_("备注"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("评议邀请码")
        verbose_name_plural = _("评议邀请码")
        ordering = ["target", "id"]

    def __str__(self):
        return self.token


class CommentStatus(models.TextChoices):
    NONE = "none", _("无意见")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未采用")


def _rating(label):
    return models.CharField(label, max_length=12, choices=Rating.choices)


def counted_answers_q(prefix: str = "", *, round_field: str = "target__round__") -> models.Q:
    """The answers the satisfaction gate counts: given through an invitation, or open answers within the
    limits when their round lets open answers count. `prefix` leads from the queried model to the
    response, `round_field` from there to its round (one definition for the gate, lists and pages)."""
    invited = models.Q(**{f"{prefix}invitation__isnull": False})
    open_counted = models.Q(**{f"{prefix}invitation__isnull": True, f"{prefix}within_limits": True,
                               f"{round_field}open_answers_count": True})
    return invited | open_counted


class EvaluationResponse(models.Model):
    """One answer to a unit's questionnaire. Without an invitation, one per device per local day
    (a database constraint, so two taps at once still make one row)."""

    target = models.ForeignKey(EvaluationTarget, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="response")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    day = models.DateField(_("提交日期"))
    device_key = models.CharField(_("设备标识(摘要)"), max_length=64)
    network_key = models.CharField(_("网络标识(摘要)"), max_length=64, db_index=True)
    address_key = models.CharField(_("网络地址(摘要)"), max_length=64, blank=True, db_index=True)
    # An open answer (no invitation) that was within the round's per-address and per-unit limits when
    # it was given; it counts toward the gate only while the round lets open answers count.
    within_limits = models.BooleanField(_("在计入限额内"), default=False)
    rating_energy = _rating(_("节能降耗成效"))
    rating_waste = _rating(_("垃圾分类"))
    rating_environment = _rating(_("办公环境"))
    rating_overall = _rating(_("总体满意度"))
    comment = models.TextField(_("意见建议"), blank=True, max_length=COMMENT_MAX_LENGTH)
    comment_status = models.CharField(_("意见审核"), max_length=10, choices=CommentStatus.choices,
                                      default=CommentStatus.NONE, db_index=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议答卷")
        verbose_name_plural = _("评议答卷")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "device_key", "day"], condition=models.Q(invitation__isnull=True),
                                    name="evaluation_response_one_per_device_day"),
        ]
        indexes = [models.Index(fields=["target", "comment_status"])]

    def __str__(self):
        return f"{self.target} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Tone(models.TextChoices):
    POSITIVE = "positive", _("正面")
    NEGATIVE = "negative", _("负面")


class MediaFeedback(TimeStampedModel):
    """A news or media report about a unit (or the campaign as a whole), recorded by hand."""

    round = models.ForeignKey(EvaluationRound, verbose_name=_("公开评议"), on_delete=models.CASCADE,
                              related_name="media_feedback")
    target = models.ForeignKey(EvaluationTarget, verbose_name=_("评议单位"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="media_feedback")
    source = models.CharField(_("媒体来源"), max_length=100)
    published_on = models.DateField(_("报道日期"))
    summary = models.TextField(_("内容摘要"), max_length=2000)
    tone = models.CharField(_("倾向"), max_length=10, choices=Tone.choices)
    url = models.URLField(_("原文链接"), blank=True, max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("媒体评议")
        verbose_name_plural = _("媒体评议")
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return f"{self.source} {self.published_on:%Y-%m-%d}"


# --- public-welfare activities ----------------------------------------------------------------------

class ActivityKind(models.TextChoices):
    TREE_PLANTING = "tree_planting", _("植树")
    ENERGY_WEEK = "energy_week", _("节能宣传周")
    CLEAN_PLATE = "clean_plate", _("光盘行动")
    LOW_CARBON_DAY = "low_carbon_day", _("全国低碳日")
    WASTE_SORTING = "waste_sorting", _("垃圾分类宣传")
    OTHER = "other", _("其他环保公益活动")


class Activity(TimeStampedModel):
    """A public-welfare environmental activity the bureau publishes for units to take part in."""

    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("活动日期"), db_index=True)
    location = models.CharField(_("活动地点"), max_length=200, blank=True)
    description = models.TextField(_("活动内容"), blank=True, max_length=5000)
    is_cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("公益活动")
        verbose_name_plural = _("公益活动")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class Participation(TimeStampedModel):
    """A unit's part in an activity, with photos; it counts toward rubric item 1.6."""

    activity = models.ForeignKey(Activity, verbose_name=_("公益活动"), on_delete=models.PROTECT,
                                 related_name="participations")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="activity_participations")
    participants = models.PositiveIntegerField(_("参加人数"), default=1)
    summary = models.TextField(_("参与情况"), max_length=2000)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("活动参与")
        verbose_name_plural = _("活动参与")
        ordering = ["activity", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["activity", "unit"], name="participation_unique")]

    def __str__(self):
        return f"{self.unit} · {self.activity}"


def participation_photo_upload_to(instance, filename):
    return f"activities/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ParticipationPhoto(models.Model):
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=participation_photo_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["participation", "id"]

    def __str__(self):
        return self.original_name


# --- awards -------------------------------------------------------------------------------------------

class AwardKind(models.TextChoices):
    STAR = "star", _("绿色机关之星")
    GUARDIAN = "guardian", _("环保卫士")


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("已推荐")
    SELECTED = "selected", _("当选")
    NOT_SELECTED = "not_selected", _("未当选")


class Nomination(TimeStampedModel):
    """A nomination for an award of the campaign: a unit (绿色机关之星) or a staff member (环保卫士)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="nominations")
    kind = models.CharField(_("奖项"), max_length=10, choices=AwardKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="nominations")
    person = models.ForeignKey(Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="nominations")
    citation = models.TextField(_("推荐事迹"), max_length=1000)
    status = models.CharField(_("状态"), max_length=12, choices=NominationStatus.choices,
                              default=NominationStatus.NOMINATED, db_index=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评选人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("评选时间"), null=True, blank=True)
    decision_note = models.TextField(_("评选意见"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("评选推荐")
        verbose_name_plural = _("评选推荐")
        ordering = ["campaign", "kind", "unit__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "unit"], condition=models.Q(kind="star"),
                                    name="nomination_star_once_per_unit"),
            models.UniqueConstraint(fields=["campaign", "kind", "person"], condition=models.Q(kind="guardian"),
                                    name="nomination_guardian_once_per_person"),
            models.CheckConstraint(
                condition=(models.Q(kind="star", person__isnull=True)
                           | models.Q(kind="guardian", person__isnull=False)),
                name="nomination_person_matches_kind"),
        ]

    def __str__(self):
        who = self.person.name if self.person_id else self.unit.name
        return f"{self.get_kind_display()} · {who}"
