"""Forms of the units pages. They shape and label input; the services validate and write."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from units.credit_code import credit_code_normalize
from units.models import Person, Unit, UnitCategory
from units.spreadsheets import MAX_UPLOAD_BYTES


class UnitFilterForm(forms.Form):
    """The list page's search box and filters (GET). Invalid values are ignored, not shown as errors."""

    STATUS_CHOICES = (("", _("全部状态")), ("active", _("启用")), ("inactive", _("停用")))

    q = forms.CharField(label=_("搜索"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "placeholder": _("名称、简称、单位编号或信用代码"), "type": "search", "autocomplete": "off",
    }))
    district = forms.ModelChoiceField(label=_("所属区域"), queryset=None, required=False, empty_label=_("全部区域"))
    category = forms.ChoiceField(label=_("单位类别"), required=False,
                                 choices=(("", _("全部类别")), *UnitCategory.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"
            field.widget.attrs["aria-label"] = field.label

    def filters(self) -> dict:
        """The keyword arguments for units.selectors.unit_filter; a bad value drops only its filter."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status")
        district = data.get("district")
        return {
            "q": data.get("q", ""),
            "district_id": district.pk if district else None,
            "category": data.get("category", ""),
            "is_active": {"active": True, "inactive": False}.get(status),
        }


def _two_columns(*names):
    return Row(*(Column(name, css_class="col-12 col-md-6") for name in names))


class UnitForm(forms.ModelForm):
    # Longer than the 18 stored characters: codes pasted with spaces are normalised, not refused.
    credit_code = forms.CharField(
        label=Unit._meta.get_field("credit_code").verbose_name, max_length=40,
        help_text=_("18位,数字或大写字母,含校验位"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "text-uppercase"}),
    )

    class Meta:
        model = Unit
        fields = (
            "code", "name", "short_name", "credit_code", "district", "category", "address", "headcount",
            "floor_area", "contact_name", "contact_phone",
        )
        help_texts = {"code": _("本系统内的单位编号,导入表格时以此匹配已有单位")}
        widgets = {"contact_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].empty_label = _("请选择区域")
        self.fields["category"].choices = [("", _("请选择类别")), *UnitCategory.choices]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            _two_columns("code", "credit_code"),
            _two_columns("name", "short_name"),
            _two_columns("district", "category"),
            "address",
            _two_columns("headcount", "floor_area"),
            _two_columns("contact_name", "contact_phone"),
        )

    def clean_credit_code(self):
        return credit_code_normalize(self.cleaned_data.get("credit_code"))

    def validate_unique(self):
        # The service checks uniqueness itself and names the unit that already holds the code,
        # which says more than the generic "already exists" message.
        pass


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ("name", "position", "phone", "is_leadership_group", "is_active")
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new person is employed; the switch matters only when someone leaves.
            del self.fields["is_active"]
        self.helper = FormHelper()
        self.helper.form_tag = False


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件(.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
        error_messages={
            "required": _("请选择要导入的 .xlsx 文件"),
            "empty": _("上传的文件是空的(0 字节),请检查后重新上传"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("请使用导入模板填写;单个文件不超过 %(mb)d MB") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只支持 .xlsx 格式(Excel 2007 及以上);.xls 或 .csv 文件请在 Excel 中另存为 .xlsx"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件过大:上限为 %(mb)d MB,请分批导入") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
