"""Monthly spot-check rounds (月度抽查). Once drawn, a round is a record of what happened: the seed,
the candidate list with its risk inputs and the weights are kept so anyone can redo the draw."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign
from greenoffice.models import TimeStampedModel
from units.models import District


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("待抽取")
    DRAWN = "drawn", _("已抽取")


class SpotCheckRound(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                                 related_name="spot_check_rounds")
    month = models.DateField(_("抽查月份"), help_text=_("该月第一天"))
    # Exactly one of the two: a fixed number of units or a share of the candidates.
    sample_size = models.PositiveIntegerField(_("抽查数量"), null=True, blank=True)
    sample_share = models.DecimalField(_("抽查比例"), max_digits=4, decimal_places=3, null=True, blank=True,
                                       help_text=_("0–1 之间,例如 0.1 表示抽取10%"))
    district = models.ForeignKey(District, verbose_name=_("限定区域"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    risk_weighting = models.BooleanField(_("按风险加权"), default=True)
    no_repeat_months = models.PositiveIntegerField(_("不重复抽查间隔(月)"), default=3)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    # [{"unit_id": 1, "open_orders": 0, ...}] sorted by unit id: the exact input of sampling.draw().
    candidates = models.JSONField(_("候选单位"), default=list, blank=True)
    # {"<unit id>": weight} as used in the draw
    weights = models.JSONField(_("抽取权重"), default=dict, blank=True)
    drawn_unit_ids = models.JSONField(_("抽中单位"), default=list, blank=True)
    # must-cover and excluded ids, months left, the effective size: why the draw came out as it did
    draw_log = models.JSONField(_("抽取说明"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度抽查批次")
        verbose_name_plural = _("月度抽查批次")
        ordering = ["-month", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(sample_size__isnull=False, sample_share__isnull=True)
                           | models.Q(sample_size__isnull=True, sample_share__isnull=False)),
                name="round_size_or_share",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y年%m月}抽查"

    @property
    def is_drawn(self) -> bool:
        return self.status == RoundStatus.DRAWN
