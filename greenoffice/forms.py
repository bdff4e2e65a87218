from django import forms
from django.utils.translation import gettext_lazy as _


class AuditSearchForm(forms.Form):
    unit = forms.CharField(label=_("单位(编号或名称)"), required=False, max_length=100)
    user = forms.CharField(label=_("操作人(账号或姓名)"), required=False, max_length=100)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.CharField(label=_("操作"), required=False, max_length=80)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        return data
