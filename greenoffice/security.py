"""Security logging: failed log-ins and refused accesses go to the `greenoffice.security` logger with
who, what, when (UTC) and from where (ASVS 16.3). Hooked up in GreenOfficeConfig.ready()."""
import functools
import ipaddress
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

logger = logging.getLogger("greenoffice.security")


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"GREENOFFICE_TRUSTED_PROXIES: {entry!r} is not an IP address or network.") from None
    return tuple(networks)


def trusted_proxies() -> tuple:
    return _networks(tuple(getattr(settings, "GREENOFFICE_TRUSTED_PROXIES", ())))


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks if network.version == ip.version)


def client_address(request) -> str:
    """The client's address, as the security log, django-axes and the questionnaire's limits see it.

    REMOTE_ADDR, unless REMOTE_ADDR is one of GREENOFFICE_TRUSTED_PROXIES: then X-Forwarded-For is read
    from the right (each trusted proxy appends the address it saw) and the first hop that is not a
    trusted proxy is the client. A header sent by anyone else is ignored, so it can't pick its address."""
    if request is None:
        return "-"
    remote = request.META.get("REMOTE_ADDR", "") or "-"
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage where an address should be: fall back to the proxy itself
    return hops[0] if hops else remote


def axes_client_ip(request) -> str | None:
    """client_address for django-axes (AXES_CLIENT_IP_CALLABLE), which wants None when it is unknown."""
    address = client_address(request)
    return None if address == "-" else address


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def log_login_failed(sender, credentials, request=None, **kwargs):
    logger.warning(
        "login_failed username=%s at=%s ip=%s path=%s",
        credentials.get("username", "-"), _utc_now(), client_address(request),
        getattr(request, "path", "-"),
    )


def log_login_succeeded(sender, request, user, **kwargs):
    logger.info("login_ok user=%s at=%s ip=%s", user.get_username(), _utc_now(), client_address(request))


def connect_signals():
    user_login_failed.connect(log_login_failed, dispatch_uid="greenoffice_login_failed")
    user_logged_in.connect(log_login_succeeded, dispatch_uid="greenoffice_login_ok")


class RefusedAccessLogMiddleware:
    """Logs every refused access: PermissionDenied (a role that may not use a page) and Http404 raised by
    an access gate (out of scope looks missing to the user, but the log records the attempt)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied | Http404):
            user = getattr(request, "user", None)
            logger.warning(
                "access_refused kind=%s user=%s at=%s ip=%s method=%s path=%s",
                "forbidden" if isinstance(exception, PermissionDenied) else "not_found_or_out_of_scope",
                user.get_username() if user is not None and user.is_authenticated else "anonymous",
                _utc_now(), client_address(request), request.method, request.path,
            )
        return None


class ExpectedRefusalFilter(logging.Filter):
    """For the `django.request` logger: a 403 or 404 is an answer, not an error. Every request already
    has its one line (greenoffice.observability's request line, with status, user and address), and a
    refusal by an access gate its security line, so Django's own record of it, with its traceback, is
    dropped. 5xx and other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) not in (403, 404)
