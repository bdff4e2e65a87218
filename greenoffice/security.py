"""Security logging: failed log-ins and refused accesses go to the `greenoffice.security` logger with
who, what, when (UTC) and from where (ASVS 16.3). Hooked up in GreenOfficeConfig.ready()."""
import logging
from datetime import UTC, datetime

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404

logger = logging.getLogger("greenoffice.security")


def client_address(request) -> str:
    if request is None:
        return "-"
    # Behind the proxy in production the first X-Forwarded-For hop is the client; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "-")


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
            request.refusal_logged = True  # django.request's own line is then dropped (ExpectedRefusalFilter)
            user = getattr(request, "user", None)
            logger.warning(
                "access_refused kind=%s user=%s at=%s ip=%s method=%s path=%s",
                "forbidden" if isinstance(exception, PermissionDenied) else "not_found_or_out_of_scope",
                user.get_username() if user is not None and user.is_authenticated else "anonymous",
                _utc_now(), client_address(request), request.method, request.path,
            )
        return None


class ExpectedRefusalFilter(logging.Filter):
    """For the `django.request` logger: a 403 or 404 is an answer, not an error, so it logs one line
    and no traceback. A refusal RefusedAccessLogMiddleware already logged (with user and address) is
    not logged twice; other 403/404s (an unknown URL, a CSRF failure) keep Django's one-line message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) not in (403, 404):
            return True
        if getattr(getattr(record, "request", None), "refusal_logged", False):
            return False
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
