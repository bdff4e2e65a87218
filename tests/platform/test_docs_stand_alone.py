"""The repository's docs and comments point only at files inside it (a newcomer has no shared/ folder)."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"shared/(PRACTICES|DESIGN|GLOSSARY)\.md|\.\./shared/|shared/rubric/")


def test_docs_stand_alone_no_pointer_outside_the_repository():
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.fail("not a git checkout: run the tests from a clone")
    offenders = []
    for name in files.splitlines():
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".sh", ".html", ".toml", ".txt", ".yaml", ".yml", ".js", ".css"}:
            continue
        if "vendor" in path.parts or name == Path(__file__).relative_to(ROOT).as_posix():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert offenders == []
    assert (ROOT / "docs" / "stack-facts.md").exists()
