"""Logs an operator can use: one line per request and one per Celery task, each with a request id, in
JSON in production (GREENOFFICE_LOG_FORMAT=json), and optional error reporting through sentry-sdk when
SENTRY_DSN is set. Platform code: imports no app.

- `RequestLogMiddleware` (first in MIDDLEWARE) gives every request an id (nginx's X-Request-ID when it
  looks like one, else a new one), returns it in the X-Request-ID header, and logs `request` on the
  `greenoffice.request` logger with method, path, status, duration_ms, user_id and client address.
- `RequestIdFilter` stamps the current request id on every log record, so an error logged deep inside
  a view can be matched with its request line.
- `connect_task_logging()` (greenoffice/celery.py) logs `task` on `greenoffice.task` with the task's
  name, id, state and duration_ms when each task ends.
- `JsonFormatter` writes a record as one JSON object per line, with those fields at the top level."""
import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("greenoffice_request_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_logger = logging.getLogger("greenoffice.request")
task_logger = logging.getLogger("greenoffice.task")

# Fields passed with `extra=` that the JSON formatter puts at the top level.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id", "client", "task", "task_id",
          "state", "event")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


# Path segments that are secrets: a password-reset token, a personal invitation code. The request line
# keeps the shape of the path and drops the secret.
_SECRET_PATHS = (
    (re.compile(r"^(/accounts/password/reset/[^/]+/)[^/]+(/)$"), r"\1***\2"),
    (re.compile(r"^(/p/[^/]+/)[A-Za-z0-9]{10}(/)$"), r"\1***\2"),  # not /p/<code>/thanks/
)


def loggable_path(path: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


def _user_id(request):
    # Only a user already loaded by the view: loading it here would cost queries on public pages.
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            from greenoffice.security import client_address

            request_logger.info(
                "request", extra={
                    "event": "request", "request_id": request_id, "method": request.method,
                    "path": loggable_path(request.path), "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": _user_id(request), "client": client_address(request),
                })
            request_id_var.reset(token)


_task_started: dict[str, float] = {}


def _task_prerun(task_id=None, task=None, **kwargs):
    _task_started[task_id] = time.monotonic()


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    duration = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    level = logging.INFO if state in ("SUCCESS", None) else logging.WARNING
    task_logger.log(level, "task", extra={
        "event": "task", "task": getattr(task, "name", "?"), "task_id": task_id, "state": state,
        "duration_ms": duration,
    })


def connect_task_logging() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_prerun, dispatch_uid="greenoffice_task_prerun", weak=False)
    task_postrun.connect(_task_postrun, dispatch_uid="greenoffice_task_postrun", weak=False)


def sentry_init(dsn: str, *, environment: str = "production", traces_sample_rate: float = 0.0) -> bool:
    """Error reporting through sentry-sdk (Django and Celery integrations), off unless a DSN is given.
    No personal data: user names, addresses and request bodies are not sent (send_default_pii off)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate,
                    send_default_pii=False, integrations=[DjangoIntegration(), CeleryIntegration()])
    return True


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler, plain or JSON, request ids on every record."""
    formatter = "json" if log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "greenoffice.observability.RequestIdFilter"},
                    "expected_refusals": {"()": "greenoffice.security.ExpectedRefusalFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "greenoffice.observability.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": formatter,
                                 "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "greenoffice.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # The request and task lines, the operator's main record.
            "greenoffice.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "greenoffice.task": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # 403/404 are answers, not errors: the request line and the security log record them, so
            # Django's own line (with its traceback) is dropped (greenoffice.security.ExpectedRefusalFilter);
            # 5xx keep theirs.
            "django.request": {"handlers": ["console"], "filters": ["expected_refusals"], "level": "WARNING",
                               "propagate": False},
        },
    }
