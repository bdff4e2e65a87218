"""Drill: the database connection is killed (pg_terminate_backend from a second connection, as an
administrator, a failover or an idle-session killer would do).

Requests go through Django's real WSGIHandler, as under gunicorn: one thread, one persistent connection
(CONN_MAX_AGE), request_started/request_finished calling close_old_connections. Django's test Client
disconnects close_old_connections around its requests, so it cannot show this behaviour.

What the drill shows:
- killed between requests: the next request gets 200 (CONN_HEALTH_CHECKS notices the dead connection
  and reconnects); without health checks that same request would be a 500;
- killed inside a request: that request gets the Chinese 500 page (no hang), the next one gets 200;
- killed inside the submit transaction: nothing of the submission is half-saved, and submitting again
  works.
"""
import contextlib

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from assessment.models import AssessmentStatus, Enrolment, SelfAssessment, Stage, SubmissionRound
from tests.drills.conftest import answer_all, backend_pid, is_postgres, terminate_backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if not is_postgres():
        pytest.skip("pg_terminate_backend drill: needs PostgreSQL (DATABASE_URL=postgres://..., as CI has)")
    yield
    # Leave a usable connection for the test database's teardown (flush) whatever the drill did.
    if connection.connection is not None and not connection.is_usable():
        connection.close()


class Browser:
    """One logged-in user's requests through the WSGI entry point (cookies + CSRF token)."""

    def __init__(self, client, user):
        client.force_login(user)
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        probe = RequestFactory().get("/")
        self.csrf_token = get_token(probe)
        self.cookies["csrftoken"] = probe.META["CSRF_COOKIE"]
        self.handler = WSGIHandler()

    def request(self, method: str, path: str, data=None) -> tuple[int, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        factory = RequestFactory(HTTP_COOKIE=cookie)
        if method == "POST":
            environ = factory.post(path, {**(data or {}), "csrfmiddlewaretoken": self.csrf_token}).environ
        else:
            environ = factory.get(path, data).environ
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split()[0])

        result = self.handler(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # what a WSGI server does at the end: fires request_finished
        return started["status"], body.decode()


@contextlib.contextmanager
def kill_before(sql_fragment: str):
    """Terminate this connection's server process just before the first query containing `sql_fragment`
    runs, i.e. in the middle of whatever request is being handled."""
    state = {"killed": None}

    def wrapper(execute, sql, params, many, context):
        if state["killed"] is None and sql_fragment in sql:
            state["killed"] = backend_pid()
            terminate_backend(state["killed"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield state
    assert state["killed"], f"no query containing {sql_fragment!r} ran: the drill did not happen"


def test_db_killed_between_requests_next_request_succeeds(client, director_a, unit_a):
    browser = Browser(client, director_a)
    status, body = browser.request("GET", "/")
    assert status == 200 and unit_a.name in body
    pid = backend_pid()
    status, _ = browser.request("GET", "/")
    assert status == 200 and backend_pid() == pid  # persistent: the same server process serves both

    terminate_backend(pid)
    status, body = browser.request("GET", "/")
    assert status == 200 and unit_a.name in body
    assert backend_pid() != pid  # the health check found the dead connection and opened a new one


def test_db_killed_between_requests_without_health_checks_costs_one_500(client, director_a, unit_a):
    # Why settings/base.py turns CONN_HEALTH_CHECKS on: the same kill without it.
    browser = Browser(client, director_a)
    assert browser.request("GET", "/")[0] == 200
    # Read once per connect(): the open connection's flag and the setting for the next one.
    connection.settings_dict["CONN_HEALTH_CHECKS"] = connection.health_check_enabled = False
    try:
        terminate_backend(backend_pid())
        status, body = browser.request("GET", "/")
        assert status == 500 and "系统出错" in body
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = connection.health_check_enabled = True
    status, body = browser.request("GET", "/")  # the failed connection was dropped at the end of the 500
    assert status == 200 and unit_a.name in body


def test_db_killed_inside_a_request_gives_chinese_500_then_recovers(client, director_a, unit_a):
    browser = Browser(client, director_a)
    assert browser.request("GET", "/")[0] == 200
    with kill_before('FROM "units_unit"'):  # the home page's own query, after session and user loaded
        status, body = browser.request("GET", "/")
    assert status == 500
    assert "系统出错" in body and "请稍后再试" in body
    status, body = browser.request("GET", "/")
    assert status == 200 and unit_a.name in body


def test_db_killed_inside_the_submit_transaction_saves_nothing_half(client, director_a, enrolment_a):
    assessment = answer_all(enrolment_a, director_a)
    browser = Browser(client, director_a)
    url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    # Killed after the round was inserted and the status updated, before the stage change's records.
    with kill_before('INSERT INTO "assessment_stagetransition"'):
        status, body = browser.request("POST", url, {"version": assessment.revision})
    assert status == 500 and "系统出错" in body
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and assessment.round == 0
    assert not SubmissionRound.objects.filter(assessment=assessment).exists()
    assert Enrolment.objects.get(pk=enrolment_a.pk).stage == Stage.SELF_ASSESSING

    # The director presses submit again: it goes through, once.
    status, _ = browser.request("POST", url, {"version": assessment.revision})
    assert status == 302
    assessment = SelfAssessment.objects.get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert list(SubmissionRound.objects.filter(assessment=assessment).values_list("number", flat=True)) == [1]
    assert Enrolment.objects.get(pk=enrolment_a.pk).stage == Stage.SUBMITTED
