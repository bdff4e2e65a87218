"""Writes of two-factor state: set up a TOTP device, check a code, turn it off, reset it for someone
who lost their phone. Every change is audited; the secret key never goes into the audit trail.

A wrong code is counted on the device (django-otp's throttling: after n failures the next try must
wait 2^(n-1) seconds). That count must survive the failure, so a wrong code is never raised inside the
transaction that recorded it: functions check in one transaction and raise after it committed."""
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from greenoffice.audit import audit_record
from units.two_factor.selectors import two_factor_required_for

DEVICE_NAME = "身份验证器"


def _wrong_code_error(info) -> ValidationError:
    """The message for a refused code: wrong, or too many wrong ones in a row (wait before the next)."""
    if info is not None and info.get("locked_until"):
        wait = max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
        return ValidationError(
            _("验证码错误次数过多,请%(n)s秒后再试") % {"n": wait}, code="throttled",
        )
    return ValidationError(_("验证码不正确或已过期,请输入身份验证器上当前显示的6位数字"), code="invalid")


def _check(device: TOTPDevice, token: str):
    """(ok, throttle info) for `token` on a device already locked by the caller's transaction."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return False, info
    if device.verify_token(token):
        return True, None
    # verify_token counted the failure; say how long to wait if that failure starts a delay.
    _allowed, info = device.verify_is_allowed()
    return False, info if info and info.get("failure_count", 0) > 1 else None


def totp_setup_start(*, user) -> TOTPDevice:
    """The not yet confirmed device whose key the set-up page shows. The same one comes back until it
    is confirmed, so reloading the page keeps the QR code the user may already have scanned."""
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=False).order_by("pk").first())
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_setup_confirm(*, actor, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm a new device with its first code; from now on `actor` logs in with password + code."""
    if device.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            return device  # a double submit: already done
        if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise ValidationError(_("您已启用两步验证,无需重复设置"), code="exists")
        ok, info = _check(device, token)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=actor, confirmed=False).exclude(pk=device.pk).delete()
            audit_record(actor=actor, action="two_factor_enable", obj=device,
                         changes={"user": actor.get_username(), "device": device.name})
    if not ok:
        raise _wrong_code_error(info)
    return device


def totp_verify(*, user, token: str) -> TOTPDevice:
    """Check the log-in code of `user`'s confirmed device; return the device, or raise ValidationError
    (wrong code, or too many wrong codes: wait). A code is accepted once (django-otp keeps the last
    time step used), so a replayed code fails."""
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=True).order_by("pk").first())
        if device is None:
            raise ValidationError(_("您尚未设置身份验证器"), code="no_device")
        ok, info = _check(device, token)
    if not ok:
        raise _wrong_code_error(info)
    return device


def two_factor_disable(*, actor, token: str) -> int:
    """Turn off two-factor log-in for oneself, proved by a current code. Refused for the roles that
    must use it. Returns the number of devices removed."""
    if two_factor_required_for(actor):
        raise ValidationError(_("您的角色必须使用两步验证登录,不能关闭"), code="required")
    totp_verify(user=actor, token=token)
    with transaction.atomic():
        devices = TOTPDevice.objects.select_for_update().filter(user=actor)
        count = len(devices)
        audit_record(actor=actor, action="two_factor_disable", obj=actor,
                     changes={"user": actor.get_username(), "devices": count})
        TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
    return count


@transaction.atomic
def two_factor_reset(*, actor, user, reason: str) -> int:
    """An administrator removes `user`'s devices (a lost or replaced phone). The user sets up a new one
    at the next log-in if their role requires it. Returns the number of devices removed."""
    if not getattr(actor, "is_admin_role", False):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重置原因")}, code="reason")
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
    if not devices:
        raise ValidationError({"username": _("该用户尚未设置两步验证,无需重置")}, code="none")
    audit_record(actor=actor, action="two_factor_reset", obj=user,
                 changes={"user": user.get_username(), "devices": len(devices)}, reason=reason)
    TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
    return len(devices)
