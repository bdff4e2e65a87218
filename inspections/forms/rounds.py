import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import District


class MonthField(forms.DateField):
    """<input type="month"> (YYYY-MM), stored as the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day if day is None else datetime.date(day.year, day.month, 1)


class RoundForm(forms.Form):
    month = MonthField(label=_("抽查月份"))
    sample_size = forms.IntegerField(label=_("抽查数量(个)"), min_value=1, required=False)
    sample_share = forms.DecimalField(label=_("或抽查比例(0–1)"), min_value=0, max_value=1, decimal_places=3,
                                      required=False, help_text=_("例如 0.1 表示抽取候选单位的10%;与数量二者填其一"))
    district = forms.ModelChoiceField(label=_("限定区域"), queryset=District.objects.none(), required=False,
                                      empty_label=_("全市"))
    risk_weighting = forms.BooleanField(label=_("按风险加权(逾期整改、得分偏低、自评虚高的单位更易抽中)"),
                                        required=False, initial=True)
    no_repeat_months = forms.IntegerField(label=_("不重复抽查间隔(月)"), min_value=0, max_value=11, initial=3)
    seed = forms.IntegerField(label=_("随机种子(选填)"), min_value=0, required=False,
                              help_text=_("不填则抽取时随机生成并记录;同样的种子和候选单位得到同样的结果"))

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else District.objects.all()
