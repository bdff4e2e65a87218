"""The city's review (市级评审): the guidance committee office's decision on each applicant after the
bureau's year-end review and the public evaluation, before publicity (公示)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Enrolment


class CityDecisionKind(models.TextChoices):
    APPROVE = "approve", _("同意命名")
    DEFER = "defer", _("暂缓")
    REFUSE = "refuse", _("不予命名")


class CityDecision(models.Model):
    """One decision; every one is kept, the latest is the unit's. It stores the numbers it was made on
    (the year-end result and the public evaluation's gate), which later data never moves."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("参创登记"), on_delete=models.CASCADE,
                                  related_name="city_decisions")
    decision = models.CharField(_("评审结论"), max_length=10, choices=CityDecisionKind.choices)
    reason = models.TextField(_("理由"), max_length=2000)
    basis = models.JSONField(_("评审依据"), default=dict)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评审人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("评审时间"))

    class Meta:
        verbose_name = _("市级评审结论")
        verbose_name_plural = _("市级评审结论")
        ordering = ["enrolment", "decided_at", "id"]
        indexes = [models.Index(fields=["enrolment", "decided_at"], name="citydecision_enrolment_idx")]

    def __str__(self):
        return f"{self.enrolment} · {self.get_decision_display()}"
