"""Publicity batches (公示) and certificates (命名 / 授牌) with revocation (撤销称号)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign, Enrolment
from greenoffice.models import TimeStampedModel
from units.models import Unit


class PublicityBatch(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="publicity_batches")
    title = models.CharField(_("公示名称"), max_length=200)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示结束"))
    is_closed = models.BooleanField(_("已结束"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("命名人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("命名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示批次")
        verbose_name_plural = _("公示批次")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title


class PublicityEntry(models.Model):
    batch = models.ForeignKey(PublicityBatch, on_delete=models.CASCADE, related_name="entries")
    enrolment = models.OneToOneField(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                     related_name="publicity_entry")
    withdrawn_reason = models.TextField(_("撤出公示原因"), blank=True)

    class Meta:
        verbose_name = _("公示单位")
        verbose_name_plural = _("公示单位")
        ordering = ["batch", "enrolment__unit__code"]

    def __str__(self):
        return f"{self.batch} · {self.enrolment}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")


class Certificate(TimeStampedModel):
    enrolment = models.OneToOneField(Enrolment, verbose_name=_("参创登记"), on_delete=models.PROTECT,
                                     related_name="certificate")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="certificates")
    batch = models.ForeignKey(PublicityBatch, verbose_name=_("公示批次"), null=True, on_delete=models.PROTECT,
                              related_name="certificates")
    year = models.PositiveIntegerField(_("年份"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("命名日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID, db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("命名人"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("绿色机关证书")
        verbose_name_plural = _("绿色机关证书")
        ordering = ["year", "sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="certificate_unique_year_sequence")]

    def __str__(self):
        return self.number
