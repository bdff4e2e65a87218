#!/usr/bin/env python
"""Dependency vulnerability audit of the lock files (`make audit`, a CI step).

    .venv/bin/python scripts/dependency_audit.py [requirements-dev.txt ...]

Runs pip-audit on the hashed lock files without installing anything (--disable-pip --require-hashes;
requirements-dev.txt holds the runtime set too), against PyPI's advisory data, then OSV if PyPI's
can't be read. Exit status:
- 1 when any package has a known vulnerability (each one is listed with its fix versions);
- 0 when every package was checked and none has one;
- 0, with a plain "NOT AUDITED" notice, when no advisory source could be reached (a machine whose
  network reaches only a package mirror): the run says so and does not pass itself off as clean.
  DEPENDENCY_AUDIT_STRICT=1 makes that exit 2 instead (for machines that must have the audit).
Packages an otherwise reachable source doesn't know are listed as not audited.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("pypi", "osv")


@dataclass
class Outcome:
    service: str
    audited: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (package, reason)
    vulnerable: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # (pkg, ver, id, fixes)
    error: str = ""

    @property
    def reached(self) -> bool:
        return not self.error and bool(self.audited)


def parse(service: str, returncode: int, stdout: str, stderr: str) -> Outcome:
    """What one pip-audit run (-f json) found. A run that audited no package at all means the advisory
    source was not reached (pip-audit then reports every package as "not found")."""
    outcome = Outcome(service)
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        outcome.error = f"pip-audit failed (exit {returncode}): {last}"
        return outcome
    for dep in data.get("dependencies", []):
        name, version = dep.get("name", "?"), dep.get("version", "?")
        if "skip_reason" in dep:
            outcome.skipped.append((name, dep["skip_reason"]))
            continue
        outcome.audited.append(name)
        for vuln in dep.get("vulns", []):
            outcome.vulnerable.append((name, version, vuln.get("id", "?"), list(vuln.get("fix_versions", []))))
    if not outcome.audited and not outcome.error:
        reason = outcome.skipped[0][1] if outcome.skipped else "no package in the report"
        outcome.error = f"advisory source not reached ({reason})"
    return outcome


def run(service: str, files: list[str]) -> Outcome:
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes", "--progress-spinner", "off",
               "-f", "json", "-s", service]
    for name in files:
        command += ["-r", name]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return Outcome(service, error="pip-audit timed out after 600 s")
    return parse(service, done.returncode, done.stdout, done.stderr)


def report(outcomes: list[Outcome], strict: bool) -> int:
    for outcome in outcomes:
        if not outcome.reached:
            print(f"dependency audit: {outcome.service}: {outcome.error}")
            continue
        total = len(outcome.audited) + len(outcome.skipped)
        print(f"dependency audit: {outcome.service}: {len(outcome.audited)} of {total} packages checked")
        for name, reason in outcome.skipped:
            print(f"dependency audit:   NOT AUDITED {name}: {reason}")
        if outcome.vulnerable:
            for name, version, vuln_id, fixes in outcome.vulnerable:
                fix = ", ".join(fixes) if fixes else "no fixed version yet"
                print(f"dependency audit:   VULNERABLE {name} {version}: {vuln_id} (fixed in: {fix})")
            print(f"dependency audit: FAILED: {len(outcome.vulnerable)} known vulnerabilities")
            return 1
        print("dependency audit: no known vulnerabilities")
        return 0
    print("dependency audit: NOT AUDITED: no advisory source could be reached "
          f"({', '.join(SERVICES)}); no package was checked. Run `make audit` where https://pypi.org/pypi/ "
          "(JSON API) or https://api.osv.dev is reachable.")
    return 2 if strict else 0


def main(argv: list[str]) -> int:
    files = argv or ["requirements-dev.txt"]
    strict = os.environ.get("DEPENDENCY_AUDIT_STRICT") == "1"
    outcomes = []
    for service in SERVICES:
        outcome = run(service, files)
        outcomes.append(outcome)
        if outcome.reached:
            break
    return report(outcomes, strict)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
