"""With CI=true a test marked as needing a service that CI provides fails when it skips (tests/ci_services.py)."""
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SKIPPING = """
import pytest

@pytest.mark.redis
def test_needs_redis():
    pytest.skip("no Redis here")

@pytest.mark.browser
def test_needs_chromium():
    pytest.skip("no Chromium here")

def test_optional():
    pytest.skip("nothing CI provides")
"""


@pytest.mark.parametrize(("ci", "failed", "skipped"), [("true", 2, 1), ("", 0, 3)])
def test_ci_services_skips_of_provided_services_fail_in_ci(pytester, monkeypatch, ci, failed, skipped):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makepyfile(SKIPPING)
    pytester.makeini("[pytest]\nmarkers =\n    redis: r\n    browser: b\n")
    result = pytester.runpytest_subprocess("-p", "tests.ci_services", "-p", "no:django", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=failed, skipped=skipped)
    if failed:
        result.stdout.fnmatch_lines(["*CI=true: this test needs redis, which CI provides*no Redis here*"])
