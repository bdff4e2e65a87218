"""Who is answering a public questionnaire, as far as a site without log-in can tell — and no further.

- The device key comes from a random id in a signed, HttpOnly cookie set when the questionnaire is
  first shown (SameSite=Lax, a year long). A missing or tampered cookie falls back to the network key.
- The network key is a keyed hash of the client address and the user agent. It is the fallback for a
  browser that keeps no cookies and the key of the per-address rate limits.
Both are HMACs keyed with SECRET_KEY: the database never holds an IP address or a cookie value that
could be matched against other logs without the key.

The client address is greenoffice.security.client_address: REMOTE_ADDR, or behind the reverse proxies
listed in GREENOFFICE_TRUSTED_PROXIES the address they saw (X-Forwarded-For read from the right), so a
client can't pick its own address by sending the header. The same address django-axes locks.
"""
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing

from greenoffice.security import client_address

DEVICE_COOKIE = "go_eval_device"
DEVICE_COOKIE_SALT = "evaluation.device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def client_ip(request) -> str:
    return client_address(request)


def _digest(kind: str, value: str) -> str:
    key = f"{settings.SECRET_KEY}:evaluation:{kind}".encode()
    return hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def network_key(request) -> str:
    agent = request.META.get("HTTP_USER_AGENT", "")[:500]
    return _digest("network", f"{client_ip(request)}|{agent}")


def address_key(request) -> str:
    """The client address alone (hashed): the key of the per-address rate limit."""
    return _digest("address", client_ip(request))


def device_id_from(request) -> str | None:
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT,
                                          max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if value and len(value) == 32 else None


def device_key(request) -> str:
    device_id = device_id_from(request)
    if device_id:
        return _digest("device", device_id)
    return network_key(request)


def ensure_device_cookie(request, response) -> None:
    """Give the browser a device id once; later visits keep theirs."""
    if device_id_from(request):
        return
    response.set_signed_cookie(
        DEVICE_COOKIE, secrets.token_hex(16), salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True, samesite="Lax", secure=request.is_secure(),
    )
