"""Reads of two-factor state: who must use it and which device a user has."""
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from units.models import Role

#: Session key: does this session's user have a confirmed device (so owes a code)? Set at log-in
#: (units.two_factor.signals) so the gate costs no query on ordinary requests.
SESSION_HAS_DEVICE = "greenoffice_otp_has_device"


def two_factor_required_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "GREENOFFICE_REQUIRE_2FA_ROLES", ()) or ())


def two_factor_required_for(user) -> bool:
    """Must `user` use two-factor log-in because of their role? (Superusers count as administrators.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = two_factor_required_roles()
    return user.role in roles or (user.is_superuser and Role.ADMIN in roles)


def totp_device_for(user, *, confirmed: bool = True) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_confirmed_device(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """True once this session entered a valid code (django-otp's OTPMiddleware tracks the device)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())
