"""Two-factor log-in helpers for any test suite.

- `confirmed_device(user)`: a confirmed TOTP device (made through the set-up services, like a user would).
- `totp_code(device)`: the 6-digit code the user's phone shows now.
- `login_with_otp(client, user)`: sign `client` in as `user` with a session that has passed the second
  factor (force_login + the device marked in the session, which is what django_otp.login() stores).
- `login_via_forms(client, user)`: the real way: the log-in form, then the code page.

Test settings set GREENOFFICE_REQUIRE_2FA_ROLES = [] so suites that use client.force_login() keep
working; tests/security switches it on with the `require_2fa` fixture (tests/security/conftest.py).
"""
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from units.two_factor.selectors import SESSION_HAS_DEVICE
from units.two_factor.services import totp_setup_confirm, totp_setup_start

# A real log-in is authenticated by ModelBackend (django-axes only watches); force_login would pick it too.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the phone shows now (or `offset_steps` 30-second windows away: -1 is the previous one).
    The phone's clock is right: the drift the server learned is not applied here."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{value:0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    existing = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if existing is not None:
        return existing
    device = totp_setup_start(user=user)
    # The set-up code uses the previous time step so a later log-in code (current step) is still new.
    return totp_setup_confirm(actor=user, device=device, token=totp_code(device, offset_steps=-1))


def login_with_otp(client, user, *, device: TOTPDevice | None = None) -> TOTPDevice:
    """Sign in `user` with a session that has entered its code; returns the device."""
    device = device or confirmed_device(user)
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_HAS_DEVICE] = True
    session.save()
    return device


def login_via_forms(client, user, *, password: str = PASSWORD, device: TOTPDevice | None = None):
    """Log in through the pages: password, then the current code. Returns the code page's response."""
    device = device or confirmed_device(user)
    response = client.post(reverse("login"), {"username": user.get_username(), "password": password})
    assert response.status_code == 302, "password log-in failed"
    return client.post(reverse("two_factor:verify"), {"token": totp_code(device)})
