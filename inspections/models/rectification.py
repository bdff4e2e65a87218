"""Findings and rectification orders (整改通知) with the unit's proof and the inspector's verification."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign, Enrolment, RubricItem
from greenoffice.models import TimeStampedModel
from inspections.models.visits import ChecklistEntry, Inspection
from units.models import Unit


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    SERIOUS = "serious", _("严重")


class Finding(TimeStampedModel):
    """A problem seen on a visit. It counts against the year-end score until `rectified_at` is set,
    either on the spot or when its rectification order is closed."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("检查"), on_delete=models.PROTECT,
                                   related_name="findings")
    entry = models.OneToOneField(ChecklistEntry, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="finding")
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="findings")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                  related_name="findings")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(RubricItem, verbose_name=_("考评项目"), on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("问题性质"), max_length=10, choices=Severity.choices, db_index=True)
    description = models.TextField(_("问题描述"), max_length=2000)
    rectified_on_site = models.BooleanField(_("当场整改"), default=False)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发现人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("发现问题")
        verbose_name_plural = _("发现问题")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enrolment", "rectified_at"])]

    def __str__(self):
        return f"{self.get_severity_display()}问题#{self.pk} {self.item.code}"

    @property
    def is_rectified(self) -> bool:
        return self.rectified_at is not None


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("已下发")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    PROOF_SUBMITTED = "proof_submitted", _("待验收")
    CLOSED = "closed", _("已验收销号")


class RectificationOrder(TimeStampedModel):
    """整改通知书. A reopened order goes back to acknowledged; `reopen_count` and the proofs keep the story."""

    finding = models.OneToOneField(Finding, verbose_name=_("发现问题"), on_delete=models.PROTECT,
                                   related_name="order")
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="rectification_orders")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="rectification_orders")
    year = models.PositiveIntegerField(_("年份"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("通知编号"), max_length=40, unique=True)
    required_action = models.TextField(_("整改要求"), max_length=3000)
    deadline = models.DateField(_("整改时限"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.ISSUED,
                              db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下发人"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(_("下发时间"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("退回次数"), default=0)
    # Durable "sent" markers: the beat task sends each message once however often it runs.
    reminder_sent_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期通报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="order_unique_year_sequence")]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == OrderStatus.CLOSED

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_closed and self.deadline < today


class ProofDecision(models.TextChoices):
    CLOSED = "closed", _("验收通过,销号")
    REOPENED = "reopened", _("退回重新整改")


class RectificationProof(models.Model):
    """One answer of the unit (整改材料) and the verification of it. The verifier is never the submitter."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="proofs")
    note = models.TextField(_("整改情况说明"), max_length=3000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decision = models.CharField(_("验收结论"), max_length=10, choices=ProofDecision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("验收人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    decision_reason = models.TextField(_("验收意见"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        ordering = ["order", "submitted_at", "id"]

    def __str__(self):
        return f"{self.order} 整改材料#{self.pk}"


def proof_upload_to(instance, filename):
    return f"rectification/{instance.proof.order_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ProofFile(models.Model):
    proof = models.ForeignKey(RectificationProof, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to=proof_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    gps_latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("整改材料文件")
        verbose_name_plural = _("整改材料文件")
        ordering = ["proof", "id"]

    def __str__(self):
        return self.original_name
