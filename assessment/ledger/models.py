"""The energy and resource ledger (能源资源消耗台账): dated conversion factors, a unit's monthly
consumption records with their bills as evidence, and the bureau's targets per campaign.

Indicators are never stored: they are computed from the records by assessment.ledger.indicators, so a
corrected month or a new factor shows everywhere at once."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment import power_grids
from assessment.ledger import carbon, indicators
from assessment.models import Campaign
from greenoffice.models import TimeStampedModel
from units.models import Unit, UnitCategory


class EnergyKind(models.TextChoices):
    ELECTRICITY = indicators.ELECTRICITY, _("电力(kgce/kWh)")
    NATURAL_GAS = indicators.NATURAL_GAS, _("天然气(kgce/m³)")
    GASOLINE = indicators.GASOLINE, _("汽油(kgce/kg)")
    DIESEL = indicators.DIESEL, _("柴油(kgce/kg)")
    HEAT = indicators.HEAT, _("热力(kgce/MJ)")


class ConversionFactor(TimeStampedModel):
    """kgce per unit of an energy kind from a date on; a month uses the factor valid on its first day."""

    kind = models.CharField(_("能源品种"), max_length=20, choices=EnergyKind.choices)
    kgce_per_unit = models.DecimalField(_("折标准煤系数"), max_digits=12, decimal_places=6,
                                        validators=[MinValueValidator(0)])
    density = models.DecimalField(_("密度(kg/L)"), max_digits=8, decimal_places=4, null=True, blank=True,
                                  validators=[MinValueValidator(0)],
                                  help_text=_("汽油、柴油按升记录,先按密度折算为千克"))
    valid_from = models.DateField(_("启用日期"))
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("折标准煤系数")
        verbose_name_plural = _("折标准煤系数")
        ordering = ["kind", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "valid_from"], name="ledger_factor_unique_kind_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.kgce_per_unit} ({self.valid_from:%Y-%m-%d})"

    def as_factor(self) -> indicators.Factor:
        return indicators.Factor(kind=self.kind, kgce_per_unit=self.kgce_per_unit, valid_from=self.valid_from,
                                 density=self.density)


class EmissionKind(models.TextChoices):
    ELECTRICITY = indicators.ELECTRICITY, _("电力(kgCO₂/kWh)")
    NATURAL_GAS = indicators.NATURAL_GAS, _("天然气(kgCO₂/m³)")
    GASOLINE = indicators.GASOLINE, _("汽油(kgCO₂/kg)")
    DIESEL = indicators.DIESEL, _("柴油(kgCO₂/kg)")
    HEAT = indicators.HEAT, _("热力(kgCO₂/MJ)")


class EmissionFactor(TimeStampedModel):
    """kgCO₂ per unit of an energy kind for a data year and, for electricity, a grid (the nation, a
    regional grid or a province). A year uses the latest row of its grid published for that year or
    before (assessment.ledger.carbon). Defaults: assessment/ledger/data/emission_factors.yaml."""

    kind = models.CharField(_("能源品种"), max_length=20, choices=EmissionKind.choices)
    grid = models.CharField(_("电网"), max_length=20, blank=True,
                            choices=[(code, label) for code, label in power_grids.GRID_LABELS.items()],
                            help_text=_("仅电力填写;天然气、汽油、柴油、热力留空"))
    year = models.PositiveIntegerField(_("数据年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kgco2_per_unit = models.DecimalField(_("排放因子"), max_digits=12, decimal_places=6,
                                         validators=[MinValueValidator(0)])
    source = models.CharField(_("来源"), max_length=300)
    verified = models.CharField(_("核实情况"), max_length=20, blank=True,
                                help_text=_("official:与发布原文一致;press:据媒体转述;unchecked:未与原文核对"))

    class Meta:
        verbose_name = _("二氧化碳排放因子")
        verbose_name_plural = _("二氧化碳排放因子")
        ordering = ["kind", "grid", "-year"]
        constraints = [models.UniqueConstraint(fields=["kind", "grid", "year"],
                                               name="ledger_emission_factor_unique")]

    def __str__(self):
        grid = f" {power_grids.grid_label(self.grid)}" if self.grid else ""
        return f"{self.get_kind_display()}{grid} {self.kgco2_per_unit} ({self.year})"

    def as_factor(self) -> carbon.EmissionFactor:
        return carbon.EmissionFactor(kind=self.kind, grid=self.grid, year=self.year,
                                     kgco2_per_unit=self.kgco2_per_unit, source=self.source)


def _quantity(label):
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0,
                               validators=[MinValueValidator(0)])


class MonthlyRecord(TimeStampedModel):
    """One unit's consumption in one month. Official-vehicle fuel is kept apart from other fuel
    because energy per floor area leaves it out. Headcount and floor area are snapshots."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="ledger_records")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    electricity_kwh = _quantity(_("用电量(kWh)"))
    water_m3 = _quantity(_("用水量(m³)"))
    gas_m3 = _quantity(_("天然气(m³)"))
    gasoline_l = _quantity(_("汽油(L,不含公务车)"))
    diesel_l = _quantity(_("柴油(L,不含公务车)"))
    heat_mj = _quantity(_("外购热力(MJ)"))
    paper_reams = _quantity(_("用纸量(令)"))
    vehicle_gasoline_l = _quantity(_("公务车汽油(L)"))
    vehicle_diesel_l = _quantity(_("公务车柴油(L)"))
    headcount = models.PositiveIntegerField(_("用能人数(人)"))
    floor_area = models.DecimalField(_("建筑面积(m²)"), max_digits=10, decimal_places=1,
                                     validators=[MinValueValidator(0)])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月度能源资源消耗")
        verbose_name_plural = _("月度能源资源消耗")
        ordering = ["unit", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month"], name="ledger_record_unique_unit_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="ledger_record_month_range"),
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self):
        return f"{self.unit} {self.year}年{self.month}月"

    def as_month_input(self) -> indicators.MonthInput:
        return indicators.MonthInput(
            month=self.month,
            quantities={name: getattr(self, name) for name in indicators.FIELD_NAMES},
            headcount=self.headcount,
            floor_area=self.floor_area,
        )


def evidence_upload_to(instance, filename):
    # The stored name never comes from the user; the original name is kept in a field only.
    return f"ledger/{instance.record.unit_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class RecordEvidence(TimeStampedModel):
    """A bill or a meter photo behind a month's figures. Private: served only through the gate."""

    record = models.ForeignKey(MonthlyRecord, verbose_name=_("月度记录"), on_delete=models.CASCADE,
                               related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("票据/抄表照片")
        verbose_name_plural = _("票据/抄表照片")
        ordering = ["record", "created_at", "id"]

    def __str__(self):
        return self.original_name


class LedgerTarget(TimeStampedModel):
    """The bureau's targets in a campaign: for one unit, for a category, or (neither) for everyone.
    The most specific row applies: unit, then category, then the campaign-wide row."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("创建年度"), on_delete=models.CASCADE,
                                 related_name="ledger_targets")
    category = models.CharField(_("单位类别"), max_length=20, choices=UnitCategory.choices, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="ledger_targets")
    per_capita_kgce = models.DecimalField(_("人均综合能耗目标(kgce/人)"), max_digits=10, decimal_places=2,
                                          null=True, blank=True, validators=[MinValueValidator(0)])
    per_area_kgce = models.DecimalField(_("单位建筑面积能耗目标(kgce/m²)"), max_digits=10, decimal_places=3,
                                        null=True, blank=True, validators=[MinValueValidator(0)])
    per_capita_tco2 = models.DecimalField(_("人均碳排放目标(tCO₂/人)"), max_digits=10, decimal_places=3,
                                          null=True, blank=True, validators=[MinValueValidator(0)])
    per_area_kgco2 = models.DecimalField(_("单位建筑面积碳排放目标(kgCO₂/m²)"), max_digits=10, decimal_places=2,
                                         null=True, blank=True, validators=[MinValueValidator(0)])
    baseline_year = models.PositiveIntegerField(_("基准年"), validators=[MinValueValidator(2000),
                                                                       MaxValueValidator(2100)])
    electricity_reduction_pct = models.DecimalField(_("用电量下降目标(%)"), max_digits=5, decimal_places=2,
                                                    default=5, validators=[MinValueValidator(0),
                                                                           MaxValueValidator(100)])
    water_reduction_pct = models.DecimalField(_("人均用水量下降目标(%)"), max_digits=5, decimal_places=2,
                                              default=10, validators=[MinValueValidator(0), MaxValueValidator(100)])
    paper_reduction_pct = models.DecimalField(_("用纸量下降目标(%)"), max_digits=5, decimal_places=2,
                                              default=5, validators=[MinValueValidator(0), MaxValueValidator(100)])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("能耗目标")
        verbose_name_plural = _("能耗目标")
        ordering = ["campaign", "unit", "category"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=True) | Q(category=""),
                                   name="ledger_target_unit_or_category"),
            models.UniqueConstraint(fields=["campaign", "unit"], condition=Q(unit__isnull=False),
                                    name="ledger_target_unique_unit"),
            models.UniqueConstraint(fields=["campaign", "category"], condition=Q(unit__isnull=True),
                                    name="ledger_target_unique_category"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.unit_id:
            return str(self.unit)
        if self.category:
            return self.get_category_display()
        return str(_("全部单位"))
