"""Expected refusals (403, 404) log without a traceback: the request line (and for a gate's refusal the
security line) and not Django's own record; server errors keep theirs."""
import logging

import pytest
from django.urls import reverse


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_log():
    """What the django.request and security loggers let through (their filters run before handlers)."""
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("django.request", "greenoffice.security", "greenoffice.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_request_logging_forbidden_page_is_one_line_without_traceback(client, director_a, request_log):
    client.force_login(director_a)
    request_log.clear()  # the log-in's own line
    response = client.get(reverse("assessment:review_queue"))  # inspectors' page: 403 for a director
    assert response.status_code == 403
    assert [r.name for r in request_log] == ["greenoffice.security", "greenoffice.request"]
    assert "access_refused kind=forbidden" in request_log[0].getMessage()
    assert all(r.exc_info is None for r in request_log)


@pytest.mark.django_db
def test_request_logging_unknown_url_is_one_line_without_traceback(client, director_a, request_log):
    client.force_login(director_a)
    request_log.clear()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() or "找不到" in response.content.decode()
    assert [(r.name, r.exc_info) for r in request_log] == [("greenoffice.request", None)]


def test_request_logging_server_error_keeps_its_traceback():
    from greenoffice.security import ExpectedRefusalFilter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", (),
                               exc_info)
    record.status_code = 500
    assert ExpectedRefusalFilter().filter(record) and record.exc_info is exc_info
    record.status_code = 404
    assert not ExpectedRefusalFilter().filter(record)
