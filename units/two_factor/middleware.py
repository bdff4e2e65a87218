"""The gate: a logged-in session that owes a TOTP code reaches only the code page, the set-up page and
log-out. Must come after django-otp's OTPMiddleware (which tells whether the session entered a code).

Who owes a code: any user with a confirmed device, and every user whose role is in
GREENOFFICE_REQUIRE_2FA_ROLES (without a device they are sent to set one up). Sessions that entered a
code (django_otp.login) pass. Runs in process_view, after the URL is resolved, so the exempt pages are
named by URL name rather than by path."""
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from units.two_factor.selectors import (
    SESSION_HAS_DEVICE,
    has_confirmed_device,
    is_verified,
    two_factor_required_for,
)

#: Pages an unverified session may open (set_language only sets the language cookie, so the code
#: page can be read in English).
EXEMPT_VIEW_NAMES = frozenset({"two_factor:verify", "two_factor:setup", "logout", "set_language"})


def owes_code(request) -> str | None:
    """"verify" or "setup" when this request's session must first pass that page, else None."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return None
    has_device = request.session.get(SESSION_HAS_DEVICE)
    if has_device is None:
        # A session from before two-factor log-in existed: ask once, then remember.
        has_device = has_confirmed_device(user)
        request.session[SESSION_HAS_DEVICE] = has_device
    if has_device:
        return "verify"
    if two_factor_required_for(user):
        return "setup"
    return None


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in EXEMPT_VIEW_NAMES:
            return None
        step = owes_code(request)
        if step is None:
            return None
        url = reverse(f"two_factor:{step}")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
