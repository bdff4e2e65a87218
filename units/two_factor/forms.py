"""Forms of the two-factor pages: they only shape input (a 6-digit code, a user name and a reason)."""
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import User


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6位验证码"), max_length=20,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "class": "form-control form-control-lg text-center font-monospace", "placeholder": "123456",
        }),
        error_messages={"required": _("请输入身份验证器上显示的6位数字")},
    )

    def clean_token(self):
        # Chinese input methods may type full-width digits (１２３); spaces are allowed between groups.
        token = unicodedata.normalize("NFKC", self.cleaned_data["token"])
        token = "".join(token.split())
        if len(token) != 6 or not all("0" <= ch <= "9" for ch in token):
            raise forms.ValidationError(_("验证码应为6位数字"))
        return token


class TwoFactorResetForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    reason = forms.CharField(label=_("重置原因"), max_length=200,
                             help_text=_("例如:手机丢失、更换手机。将记入操作记录。"))

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("没有用户名为“%(name)s”的用户") % {"name": username})
        self.user = user
        return username
