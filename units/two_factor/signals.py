"""At log-in, remember in the session whether the user has a confirmed device, so the gate knows
without a query on every request that this session owes a code. Connected in UnitsConfig.ready()."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from units.two_factor.selectors import SESSION_HAS_DEVICE, has_confirmed_device


@receiver(user_logged_in, dispatch_uid="greenoffice_two_factor_login")
def remember_device_at_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_HAS_DEVICE] = has_confirmed_device(user)
