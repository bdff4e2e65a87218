"""Report records: one row per requested PDF (or bulk .zip), which is also the durable job state.

The row, not the broker message, is the truth: a task claims a row with a conditional UPDATE, a
sweeper re-sends rows left queued (broker down at commit time) or stuck running (worker killed)."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign
from inspections.models import SpotCheckRound
from units.models import Unit


class ReportKind(models.TextChoices):
    UNIT = "unit", _("单位考评报告")
    ROUND = "round", _("检查通报")
    SUMMARY = "summary", _("创建工作情况汇总")
    BULK = "bulk", _("全部单位考评报告(批量)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


# No 0/O/1/I/L: the code is read off paper and typed in.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def report_upload_to(instance, filename):
    # Stored under the content hash, never a user-supplied or guessable name.
    extension = ".zip" if instance.kind == ReportKind.BULK else ".pdf"
    return f"reports/{instance.requested_at:%Y/%m}/{instance.sha256}{extension}"


class Report(models.Model):
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    # The subject: unit + campaign (unit report), campaign (summary, bulk), round (bulletin).
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="reports")
    round = models.ForeignKey(SpotCheckRound, verbose_name=_("抽查批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="reports")
    # A bulk job's per-unit reports point at it; they are not listed on their own.
    parent = models.ForeignKey("self", verbose_name=_("批量任务"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    # {"district_ids": [..] | None}: the requester's scope frozen at request time, so the document
    # does not depend on who the requester is by the time a worker renders it.
    parameters = models.JSONField(_("参数"), default=dict, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)

    file = models.FileField(_("文件"), upload_to=report_upload_to, max_length=300, blank=True)
    file_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小(字节)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    verification_code = models.CharField(_("验证码"), max_length=19, unique=True, default=new_verification_code)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                     on_delete=models.SET_NULL, related_name="reports")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    # Last time a message was handed to the broker (None: never, e.g. the broker was down).
    enqueued_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Touched while a job makes progress; a running row whose heartbeat is older than the task's
    # hard time limit belongs to a dead worker and may be claimed again.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    # Bulk jobs: completion is counted here, not in a chord.
    children_total = models.PositiveIntegerField(_("单位总数"), default=0)
    children_done = models.PositiveIntegerField(_("已完成"), default=0)
    children_failed = models.PositiveIntegerField(_("失败"), default=0)
    assemble_enqueued_at = models.DateTimeField(_("打包发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考评报告")
        verbose_name_plural = _("考评报告")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "parent", "-requested_at"]),
            models.Index(fields=["status", "enqueued_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "unit"], name="report_unique_bulk_member",
                                    condition=models.Q(parent__isnull=False)),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def subject_label(self) -> str:
        if self.kind == ReportKind.UNIT and self.unit_id:
            return f"{self.unit.name} · {self.campaign.year}年度" if self.campaign_id else self.unit.name
        if self.kind == ReportKind.ROUND and self.round_id:
            return str(self.round)
        if self.campaign_id:
            return f"{self.campaign.year}年度"
        return ""

    @property
    def content_type(self) -> str:
        return "application/zip" if self.kind == ReportKind.BULK else "application/pdf"
