"""The two-factor pages: enter the code after the password, set up an authenticator app, the
"账号安全" page (turn it on; turn it off where the role allows), and the administrators' reset.

Every page needs a logged-in user; the code and set-up pages are the only ones the gate
(middleware.py) lets an unverified session open. Codes entered, right or wrong, go to the
`greenoffice.security` log with who, when (UTC) and from where."""
import logging
from base64 import b32encode
from datetime import UTC, datetime
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenoffice.security import client_address
from units.two_factor import services
from units.two_factor.forms import TokenForm, TwoFactorResetForm
from units.two_factor.qr import grouped_secret, qr_svg_data_uri
from units.two_factor.selectors import (
    SESSION_HAS_DEVICE,
    is_verified,
    totp_device_for,
    two_factor_required_for,
)

security_log = logging.getLogger("greenoffice.security")


def _log(event: str, request, **fields):
    extra = " ".join(f"{key}={value}" for key, value in fields.items())
    security_log.log(
        logging.WARNING if event.endswith("failed") else logging.INFO,
        "%s user=%s at=%s ip=%s %s", event, request.user.get_username(),
        datetime.now(UTC).isoformat(timespec="seconds"), client_address(request), extra,
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _verified(request, device):
    """Mark this session as having passed the second factor."""
    django_otp.login(request, device)
    # A new session key for the now fully trusted session (as Django does at log-in).
    request.session.cycle_key()
    request.session[SESSION_HAS_DEVICE] = True


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@login_required
def verify(request):
    next_url = _next_url(request)
    if is_verified(request.user):
        return redirect(next_url or "home")
    if totp_device_for(request.user) is None:
        # The device was removed (an administrator's reset) since this session began.
        request.session[SESSION_HAS_DEVICE] = False
        if two_factor_required_for(request.user):
            return redirect(_with_next("two_factor:setup", next_url))
        return redirect(next_url or "home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
            _log("otp_failed", request, reason=exc.code or "invalid")
        else:
            _verified(request, device)
            _log("otp_ok", request)
            return redirect(next_url or "home")
    elif request.method == "POST":
        _log("otp_failed", request, reason="malformed")
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


@login_required
def setup(request):
    next_url = _next_url(request)
    user = request.user
    if totp_device_for(user) is not None:
        if is_verified(user):
            messages.info(request, _("您已启用两步验证"))
            return redirect("two_factor:security")
        return redirect(_with_next("two_factor:verify", next_url))
    device = services.totp_setup_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_setup_confirm(actor=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
            _log("otp_setup_failed", request, reason=exc.code or "invalid")
        else:
            _verified(request, device)
            _log("otp_setup_ok", request)
            messages.success(request, _("两步验证已启用:以后登录时,输入密码后还需输入身份验证器上的6位数字"))
            return redirect(next_url or "two_factor:security")
    secret = b32encode(device.bin_key).decode("ascii")
    return render(request, "registration/otp_setup.html", {
        "form": form,
        "next": next_url,
        "required": two_factor_required_for(user),
        "qr_data_uri": qr_svg_data_uri(device.config_url),
        "secret": grouped_secret(secret),
    })


@login_required
def security(request):
    user = request.user
    device = totp_device_for(user)
    required = two_factor_required_for(user)
    disable_form = TokenForm()
    # The page is about more than this field: don't jump into it.
    disable_form.fields["token"].widget.attrs.pop("autofocus", None)
    disable_form.fields["token"].help_text = _("输入身份验证器上当前的6位数字以确认关闭")
    return render(request, "registration/otp_security.html", {
        "device": device,
        "required": required,
        "can_disable": device is not None and not required,
        "disable_form": disable_form,
        "can_reset_others": user.is_admin_role,
    })


@login_required
@require_POST
def disable(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(actor=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            _log("otp_disable_failed", request, reason=exc.code or "invalid")
        else:
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            request.session[SESSION_HAS_DEVICE] = False
            _log("otp_disabled", request)
            messages.success(request, _("两步验证已关闭"))
    else:
        for message in form.errors.get("token", []):
            messages.error(request, message)
    return redirect("two_factor:security")


@login_required
def reset(request):
    if not request.user.is_admin_role:
        raise PermissionDenied
    form = TwoFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_reset(actor=request.user, user=form.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    form.add_error(field, error)
        else:
            _log("otp_reset", request, target=form.user.get_username())
            messages.success(request, _("已重置用户“%(name)s”的两步验证,该用户下次登录时需重新设置")
                             % {"name": form.user.display_name})
            return redirect("two_factor:reset")
    return render(request, "registration/otp_reset.html", {"form": form})
