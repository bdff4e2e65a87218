"""The dependency audit (`make audit`): fails on a known vulnerability, passes a clean report, and says
plainly when no advisory source could be reached instead of passing itself off as clean. The lock
files pin and hash every package."""
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load():
    spec = importlib.util.spec_from_file_location("dependency_audit", ROOT / "scripts" / "dependency_audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["dependency_audit"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def report(deps) -> str:
    return json.dumps({"dependencies": deps, "fixes": []})


def test_dependency_audit_fails_on_a_known_vulnerability(capsys):
    audit = load()
    outcome = audit.parse("pypi", 1, report([
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]), "")
    assert audit.report([outcome], strict=False) == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in: 5.2.1)" in capsys.readouterr().out


def test_dependency_audit_passes_a_clean_report(capsys):
    audit = load()
    outcome = audit.parse("pypi", 0, report([{"name": "django", "version": "5.2.19", "vulns": []}]), "")
    assert audit.report([outcome], strict=False) == 0
    assert "1 of 1 packages checked" in capsys.readouterr().out


def test_dependency_audit_says_so_when_no_advisory_source_is_reached(capsys):
    audit = load()
    unreachable = audit.parse("pypi", 0, report([
        {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]), "")
    offline = audit.parse("osv", 1, "", "requests.exceptions.ConnectionError: api.osv.dev")
    assert not unreachable.reached and not offline.reached
    assert audit.report([unreachable, offline], strict=False) == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED: no advisory source could be reached" in out and "no known vulnerabilities" not in out
    assert audit.report([unreachable, offline], strict=True) == 2


def test_lock_files_pin_and_hash_every_package():
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / name).read_text()
        entries = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text,
                             re.M)
        requirement_lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
        assert len(entries) == len(requirement_lines) > 40, name
    runtime = {m.lower() for m in re.findall(r"^([A-Za-z0-9_.-]+)==", (ROOT / "requirements.txt").read_text(), re.M)}
    dev = {m.lower() for m in re.findall(r"^([A-Za-z0-9_.-]+)==", (ROOT / "requirements-dev.txt").read_text(), re.M)}
    assert runtime <= dev  # the dev lock installs the runtime set too
