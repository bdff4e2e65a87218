"""pytest plugin: with CI=true, a test that needs a service CI provides fails instead of skipping.

`.ci/run` starts PostgreSQL and Redis and installs Chromium, so there a skip of a test marked
`postgres`, `redis`, `worker` (a real Celery worker on Redis) or `browser` (Chromium) means a broken
set-up that would otherwise pass unseen. Elsewhere (a laptop on SQLite) such tests still skip, with
their reason. Loaded by tests/conftest.py (`pytest_plugins`)."""
import os

import pytest

SERVICE_MARKERS = ("postgres", "redis", "worker", "browser")


def ci_requires_services() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and ci_requires_services()) or hasattr(report, "wasxfail"):
        return
    needs = [name for name in SERVICE_MARKERS if item.get_closest_marker(name)]
    if not needs:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"CI=true: this test needs {', '.join(needs)}, which CI provides, so it must run, "
                       f"not skip. Skip reason: {reason}")
