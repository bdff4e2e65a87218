"""Real-browser journeys: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by
scripts/setup.sh) against pytest-django's live server.

- The live server runs in a thread of the test process, so every journey test is transactional
  (`django_db(transaction=True)`): data made through the services before the browser starts is
  committed and the server sees it. Celery runs eagerly (test settings), so a report asked for in the
  browser is rendered in the server thread when the request commits.
- Two-factor log-in is enforced as in production (administrators and inspectors); an inspector's
  browser log-in enters the code computed from their device's key.
- Each journey runs at desktop width and at 375 px (`viewport`); one Chromium is shared by the
  session, each person gets a browser context of their own.
"""
import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create
from assessment.services.rubric import rubric_import, rubric_publish
from greenoffice.settings import base as base_settings
from tests.e2e.actors import DESKTOP, PHONE, STEP_TIMEOUT_MS, Actor
from tests.factories import UserFactory
from tests.inspections.conftest import enrol
from tests.otp import confirmed_device
from units.models import Role

CHROMIUM = Path("/usr/bin/chromium")
# Root in a container: Chromium's sandbox needs user namespaces it doesn't get; the rest keeps the
# browser from phoning home or doing work the tests don't need.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the journeys of a module.

    Playwright's sync API keeps an asyncio loop running in the test thread while it is started, and
    Django refuses database calls from a thread with a running loop (SynchronousOnlyOperation). The
    test thread only sets data up and checks it while the server thread serves the browser, so the
    guard is lifted while Playwright runs, and only then. Module scope (not package scope, which
    pytest tears down only at the end of the session) stops Playwright and restores the guard
    before another suite's tests run, some of which start Playwright themselves."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is not installed (scripts/setup.sh installs Debian's chromium package)")
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                  headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(params=[DESKTOP, PHONE], ids=lambda v: v.name)
def viewport(request):
    return request.param


@pytest.fixture
def production_2fa(settings):
    """The production rule: administrators and inspectors must pass the code page (the test settings
    switch it off for suites that use force_login)."""
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = list(base_settings.GREENOFFICE_REQUIRE_2FA_ROLES)
    return settings.GREENOFFICE_REQUIRE_2FA_ROLES


class Journey:
    """Makes the people of one journey and closes their browsers afterwards."""

    def __init__(self, *, browser, live_server, viewport, two_factor_roles):
        self.browser = browser
        self.base_url = live_server.url
        self.viewport = viewport
        self.two_factor_roles = two_factor_roles
        self.actors: list[Actor] = []

    def person(self, user=None) -> Actor:
        """A browser for `user` (not yet logged in), or an anonymous visitor. Users of a role that must
        use two-factor log-in get a confirmed authenticator device first, as they would at set-up."""
        device = None
        if user is not None and user.role in self.two_factor_roles:
            device = confirmed_device(user)
        actor = Actor(browser=self.browser, base_url=self.base_url, viewport=self.viewport, user=user,
                      device=device)
        self.actors.append(actor)
        return actor

    def close(self) -> None:
        for actor in self.actors:
            actor.close()
        self.actors = []

    def check(self) -> None:
        for actor in self.actors:
            actor.check()


@pytest.fixture
def journey(browser, live_server, viewport, production_2fa):
    trip = Journey(browser=browser, live_server=live_server, viewport=viewport, two_factor_roles=production_2fa)
    yield trip
    trip.close()


# --- data made through the services ----------------------------------------------------------------
@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def rubric(transactional_db):
    version = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    return rubric_publish(actor=None, rubric=version)


@pytest.fixture
def campaign(rubric, today):
    # This year's campaign, so a spot-check month and an order deadline "from today" fall inside it.
    return campaign_create(actor=None, year=today.year, rubric=rubric, is_current=True, objection_window_days=7,
                           target_certified_count=10)


@pytest.fixture
def enrolment_a(campaign, unit_a):
    return enrol(campaign, unit_a)


@pytest.fixture
def inspector_a2(district_a):
    """The second inspector of district A: a spot check needs two, and a different one verifies."""
    return UserFactory(username="inspector_a2", full_name="王督查", role=Role.INSPECTOR, districts=[district_a])


def days_from(today: datetime.date, days: int) -> str:
    return (today + datetime.timedelta(days=days)).isoformat()
