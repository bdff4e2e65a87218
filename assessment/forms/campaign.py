"""Forms of the campaign pages. Business rules (date order, published rubric, one current campaign) are
checked by the services; the views put their errors back on these forms."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from assessment.models import Campaign
from assessment.selectors.rubric import rubric_published_list
from assessment.services.campaign import CAMPAIGN_FIELDS
from units.models import District, UnitCategory


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _pair(*names):
    # g-2: the default gutter is wider than the phone-width page padding and would scroll sideways.
    return Row(*(Column(name, css_class="col-12 col-md-6") for name in names), css_class="g-2")


_DATE_FIELDS = (
    "self_assessment_start", "self_assessment_end", "application_deadline", "review_start", "review_end",
    "public_evaluation_start", "public_evaluation_end", "publicity_start", "publicity_end",
)


class CampaignForm(forms.Form):
    """The campaign's fields, taken from the model, without model validation: the service validates
    (a ModelForm would reject "current" while another year still is, before the service could switch)."""

    def __init__(self, *args, instance: Campaign | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=CAMPAIGN_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(
            Campaign,
            fields=CAMPAIGN_FIELDS,
            widgets={name: _DateInput() for name in _DATE_FIELDS},
            help_texts={
                "rubric": _("只能选择已发布的考评细则版本"),
                "target_share": _("例如80表示到目标年份80%的参创单位创成"),
                "is_current": _("设为当前年度后,其他年度自动取消“当前”"),
            },
        ))
        self.fields["rubric"].queryset = rubric_published_list()
        self.fields["rubric"].empty_label = _("请选择考评细则")
        self.fields["name"].required = False
        self.fields["name"].help_text = _("留空则为“XXXX年度绿色机关创建”")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("基本信息"), _pair("year", "name"), "rubric", "is_current"),
            Fieldset(_("目标任务"), _pair("target_certified_count", "target_share"),
                     _pair("target_year", "electricity_grid")),
            Fieldset(
                _("时间安排"),
                _pair("self_assessment_start", "self_assessment_end"),
                _pair("application_deadline"),
                _pair("review_start", "review_end"),
                _pair("public_evaluation_start", "public_evaluation_end"),
                _pair("publicity_start", "publicity_end"),
                _pair("objection_window_days"),
                "public_evaluation_required",
            ),
        )


class EnrolFilterForm(forms.Form):
    """Which active units to enrol: by district and/or category; nothing chosen means all active units."""

    districts = forms.ModelMultipleChoiceField(
        label=_("区域"), queryset=District.objects.order_by("sort_order", "code"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("单位类别"), choices=UnitCategory.choices, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("districts", css_class="col-12 col-md-6"), Column("categories", css_class="col-12 col-md-6"),
                css_class="g-2")
        )
