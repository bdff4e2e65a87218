"""Inspections (visits) and their checklists: one entry per rubric item checked, with photos."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign, Enrolment, RubricItem
from greenoffice.models import TimeStampedModel
from inspections.models.rounds import SpotCheckRound
from units.models import Unit


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("平时督查")
    SPOT_CHECK = "spot_check", _("月度抽查")
    UNANNOUNCED = "unannounced", _("随机暗访")
    YEAR_END = "year_end", _("年终检查")
    RECHECK = "recheck", _("复查")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("待检查")
    IN_PROGRESS = "in_progress", _("检查中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Inspection(TimeStampedModel):
    """One visit to one unit. `unit` repeats `enrolment.unit` so scoping and the sampling queries
    need no join; the services keep the two equal."""

    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices, db_index=True)
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="inspections")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                  related_name="inspections")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="inspections")
    round = models.ForeignKey(SpotCheckRound, verbose_name=_("抽查批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="inspections")
    scheduled_date = models.DateField(_("计划检查日期"))
    status = models.CharField(_("状态"), max_length=12, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED, db_index=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人员"),
                                        through="InspectionAssignment", related_name="assigned_inspections")
    summary = models.TextField(_("检查小结"), blank=True, max_length=5000)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("完成人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("督查检查")
        verbose_name_plural = _("督查检查")
        ordering = ["-scheduled_date", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "scheduled_date"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit} · {self.scheduled_date:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status in (InspectionStatus.COMPLETED, InspectionStatus.CANCELLED)


class InspectionAssignment(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督查员"), on_delete=models.PROTECT,
                                  related_name="inspection_assignments")
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查人员指派")
        verbose_name_plural = _("检查人员指派")
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "inspector"], name="assignment_unique")]

    def __str__(self):
        return f"{self.inspector} → {self.inspection}"


class ChecklistResult(models.TextChoices):
    COMPLIANT = "compliant", _("符合")
    MINOR = "minor", _("一般问题")
    SERIOUS = "serious", _("严重问题")


class ChecklistEntry(TimeStampedModel):
    """What the inspectors saw on one rubric item during one visit."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(RubricItem, verbose_name=_("考评项目"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("检查结果"), max_length=10, choices=ChecklistResult.choices)
    note = models.TextField(_("情况记录"), blank=True, max_length=2000)
    rectified_on_site = models.BooleanField(_("已当场整改"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["inspection", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="entry_unique_item")]

    def __str__(self):
        return f"{self.inspection} · {self.item.code} {self.get_result_display()}"


def photo_upload_to(instance, filename):
    # Never the user's file name: the content hash names the stored file.
    return f"inspections/{instance.entry.inspection_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class InspectionPhoto(models.Model):
    entry = models.ForeignKey(ChecklistEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # From the camera's EXIF before re-encoding strips it: when and where the photo was taken.
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    gps_latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["entry", "id"]

    def __str__(self):
        return self.original_name
