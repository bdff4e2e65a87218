"""Logs an operator can use: one line per request (user id, status, duration, request id) and per task,
JSON in production, the request id on every record, and Sentry only when a DSN is set."""
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from greenoffice.observability import JsonFormatter, loggable_path
from inspections.tasks import send_rectification_reminders
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]


def _lines(caplog, logger):
    return [r for r in caplog.records if r.name == logger]


@pytest.fixture
def capture(caplog):
    # The request and task loggers don't propagate (they have their own handler): listen on them directly.
    for name in ("greenoffice.request", "greenoffice.task"):
        logging.getLogger(name).addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    for name in ("greenoffice.request", "greenoffice.task"):
        logging.getLogger(name).removeHandler(caplog.handler)


@pytest.mark.django_db
def test_observability_one_line_per_request_with_user_status_duration_and_id(client, director_a, capture):
    client.force_login(director_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    [line] = _lines(capture, "greenoffice.request")
    assert (line.method, line.path, line.status, line.user_id) == ("GET", "/", 200, director_a.pk)
    assert line.duration_ms >= 0
    assert len(line.request_id) == 32 and response["X-Request-ID"] == line.request_id


@pytest.mark.django_db
def test_observability_request_id_from_the_proxy_is_kept_and_junk_is_replaced(client, capture):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="5f0c1e2d3b4a59687766554433221100")
    assert response["X-Request-ID"] == "5f0c1e2d3b4a59687766554433221100"
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>\n")
    assert response["X-Request-ID"] != "<script>\n" and len(response["X-Request-ID"]) == 32
    anonymous = _lines(capture, "greenoffice.request")
    assert [line.user_id for line in anonymous] == [None, None]


@pytest.mark.django_db
def test_observability_error_responses_are_logged_with_their_status(client, capture, settings):
    settings.ALLOWED_HOSTS = ["lvse.example.gov.cn"]
    client.get("/", HTTP_HOST="evil.example.com")
    [line] = _lines(capture, "greenoffice.request")
    assert line.status == 400


@pytest.mark.django_db
def test_observability_one_line_per_task(capture):
    send_rectification_reminders.apply()
    [line] = _lines(capture, "greenoffice.task")
    assert line.task == "inspections.send_rectification_reminders"
    assert line.state == "SUCCESS" and line.task_id and line.duration_ms >= 0


def test_observability_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("greenoffice.request", logging.INFO, __file__, 1, "request", None, None)
    record.request_id, record.status, record.duration_ms, record.user_id = "abc", 200, 12.5, 7
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "request" and data["level"] == "INFO"
    assert (data["request_id"], data["status"], data["duration_ms"], data["user_id"]) == ("abc", 200, 12.5, 7)


def _production(code, env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_observability_production_logs_json_and_sentry_is_off_without_a_dsn(tmp_path):
    code = ("import greenoffice.settings.production as s;"
            "print(s.LOGGING['handlers']['console']['formatter'], s.SENTRY_ENABLED)")
    result = _production(code, production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["json", "False"]


def test_observability_sentry_is_on_with_a_dsn(tmp_path):
    code = ("import greenoffice.settings.production as s, sentry_sdk;"
            "print(s.SENTRY_ENABLED, sentry_sdk.get_client().is_active(),"
            " sentry_sdk.get_client().options['send_default_pii'])")
    env = production_env(tmp_path, SENTRY_DSN="https://public@sentry.example.invalid/1")
    result = _production(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


def test_observability_request_line_drops_secrets_from_the_path():
    assert loggable_path("/accounts/password/reset/MQ/cx7-0123456789abcdef/") == "/accounts/password/reset/MQ/***/"
    assert loggable_path("/accounts/password/reset/MQ/set-password/") == "/accounts/password/reset/MQ/***/"
    assert loggable_path("/p/abcd2345/k7m9p2q4r6/") == "/p/abcd2345/***/"
    assert loggable_path("/p/abcd2345/") == "/p/abcd2345/"
    assert loggable_path("/p/abcd2345/thanks/") == "/p/abcd2345/thanks/"
    assert loggable_path("/units/12/") == "/units/12/"
