"""Forms of the ledger pages. They only check the shape of input; the services own the rules."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.ledger import indicators
from assessment.ledger.models import MonthlyRecord
from assessment.models import Campaign
from assessment.uploads import IMAGE, PDF, accept_attribute
from units.models import Unit, UnitCategory


def _quantity_field(name: str) -> forms.DecimalField:
    model_field = MonthlyRecord._meta.get_field(name)
    return forms.DecimalField(
        label=model_field.verbose_name, min_value=0, max_digits=14, decimal_places=2, required=True,
        initial=0, error_messages={"min_value": _("不能为负数")},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class MonthlyRecordForm(forms.Form):
    headcount = forms.IntegerField(label=_("用能人数(人)"), min_value=0, required=False,
                                   help_text=_("留空则按单位登记的人数"),
                                   error_messages={"min_value": _("不能为负数")})
    floor_area = forms.DecimalField(label=_("建筑面积(m²)"), min_value=0, max_digits=10, decimal_places=1,
                                    required=False, help_text=_("留空则按单位登记的面积"),
                                    error_messages={"min_value": _("不能为负数")})
    note = forms.CharField(label=_("备注"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in reversed(indicators.FIELD_NAMES):
            self.fields = {name: _quantity_field(name), **self.fields}
        self.helper = FormHelper()
        self.helper.form_tag = False

        def cols(names):
            return Row(*[Column(n, css_class="col-12 col-sm-6 col-lg-4") for n in names])

        self.helper.layout = Layout(
            Fieldset(_("能源"), cols(["electricity_kwh", "gas_m3", "heat_mj", "gasoline_l", "diesel_l"])),
            Fieldset(_("公务车用油(单独统计,不计入单位面积能耗)"), cols(["vehicle_gasoline_l", "vehicle_diesel_l"])),
            Fieldset(_("水和纸"), cols(["water_m3", "paper_reams"])),
            Fieldset(_("人数与面积"), cols(["headcount", "floor_area"])),
            "note",
            Div(Submit("save", _("保存本月数据")), css_class="mt-2"),
        )

    @classmethod
    def initial_for(cls, record: MonthlyRecord | None) -> dict:
        if record is None:
            return {}
        initial = {name: getattr(record, name) for name in indicators.FIELD_NAMES}
        initial.update(headcount=record.headcount, floor_area=record.floor_area, note=record.note)
        return initial


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("电费单、水费单或抄表照片"),
                           help_text=_("图片或PDF,每次一个文件"),
                           widget=forms.ClearableFileInput(attrs={"accept": accept_attribute({IMAGE, PDF})}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("年度台账表格(.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class PanelFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    district = forms.TypedChoiceField(label=_("区域"), coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label=_("单位类别"), required=False)

    def __init__(self, *args, years, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        self.fields["district"].choices = [("", _("全部区域"))] + [(d.pk, d.name) for d in districts]
        self.fields["category"].choices = [("", _("全部类别"))] + list(UnitCategory.choices)


class TargetForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("创建年度"), queryset=Campaign.objects.order_by("-year"))
    unit = forms.ModelChoiceField(label=_("单位(针对单个单位时选择)"), queryset=Unit.objects.filter(is_active=True)
                                  .order_by("code"), required=False)
    category = forms.ChoiceField(label=_("单位类别(针对一类单位时选择)"), required=False,
                                 choices=[("", _("—"))] + list(UnitCategory.choices))
    per_capita_kgce = forms.DecimalField(label=_("人均综合能耗目标(kgce/人)"), min_value=0, max_digits=10,
                                         decimal_places=2, required=False)
    per_area_kgce = forms.DecimalField(label=_("单位建筑面积能耗目标(kgce/m²)"), min_value=0, max_digits=10,
                                       decimal_places=3, required=False)
    per_capita_tco2 = forms.DecimalField(label=_("人均碳排放目标(tCO₂/人)"), min_value=0, max_digits=10,
                                         decimal_places=3, required=False)
    per_area_kgco2 = forms.DecimalField(label=_("单位建筑面积碳排放目标(kgCO₂/m²)"), min_value=0, max_digits=10,
                                        decimal_places=2, required=False)
    baseline_year = forms.IntegerField(label=_("基准年"), min_value=2000, max_value=2100)
    electricity_reduction_pct = forms.DecimalField(label=_("用电量下降目标(%)"), min_value=0, max_value=100,
                                                   decimal_places=2, initial=5)
    water_reduction_pct = forms.DecimalField(label=_("人均用水量下降目标(%)"), min_value=0, max_value=100,
                                             decimal_places=2, initial=10)
    paper_reduction_pct = forms.DecimalField(label=_("用纸量下降目标(%)"), min_value=0, max_value=100,
                                             decimal_places=2, initial=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(*[Column(n, css_class="col-12 col-md-4") for n in ("campaign", "unit", "category")]),
            Row(*[Column(n, css_class="col-12 col-md-4") for n in ("per_capita_kgce", "per_area_kgce",
                                                                   "baseline_year")]),
            Row(*[Column(n, css_class="col-12 col-md-4") for n in ("electricity_reduction_pct",
                                                                   "water_reduction_pct", "paper_reduction_pct")]),
            Row(*[Column(n, css_class="col-12 col-md-4") for n in ("per_capita_tco2", "per_area_kgco2")]),
            Submit("save", _("保存目标")),
        )

    def clean(self):
        data = super().clean()
        if data.get("unit") and data.get("category"):
            raise forms.ValidationError(_("单位和单位类别只能选择一个;都不选表示全部单位"))
        return data
