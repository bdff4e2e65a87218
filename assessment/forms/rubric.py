"""Forms of the rubric pages. The import form only gathers the text; `rubric_import` validates it."""
from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_RUBRIC_BYTES = 512 * 1024  # the shipped rubric is ~20 KB; anything near this limit is not a rubric


class RubricImportForm(forms.Form):
    file = forms.FileField(
        label=_("上传YAML文件"), required=False,
        help_text=_("UTF-8编码的 .yaml / .yml 文件;也可以直接在下方粘贴内容"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )
    text = forms.CharField(
        label=_("或粘贴YAML内容"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace", "spellcheck": "false"}),
    )
    replace_draft = forms.BooleanField(
        label=_("替换同版本草稿"), required=False,
        help_text=_("文件中的代码和版本号已有草稿时,用本文件替换该草稿(已发布的版本不会被替换)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > MAX_RUBRIC_BYTES:
            raise forms.ValidationError(_("文件过大(上限512KB),考评细则文件通常只有几十KB"))
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("请上传 .yaml 或 .yml 文件"))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("考评细则文件必须是UTF-8编码")) from None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = cleaned.get("file") or cleaned.get("text") or ""
        if not text.strip():
            raise forms.ValidationError(_("请上传YAML文件或粘贴YAML内容"))
        if len(text.encode("utf-8")) > MAX_RUBRIC_BYTES:
            raise forms.ValidationError(_("内容过大(上限512KB)"))
        cleaned["source"] = text
        return cleaned

