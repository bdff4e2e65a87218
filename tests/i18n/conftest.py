"""Fixtures for the translation tests.

The pages are rendered with catalogues compiled from the committed .po files into a temporary
directory, so the tests judge the .po files in the repository, not whatever .mo files an earlier
`compilemessages` left in locale/ (those are git-ignored build output).
"""
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
CATALOGUES = {lang: LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("en", "zh_Hans")}


def load_update_script():
    """scripts/i18n_update.py is a script, not a package module: load it by path."""
    spec = importlib.util.spec_from_file_location("i18n_update", ROOT / "scripts" / "i18n_update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def i18n_update():
    return load_update_script()


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) is missing: scripts/setup.sh installs it")
    out = tmp_path_factory.mktemp("locale")
    for lang, po in CATALOGUES.items():
        target = out / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(["msgfmt", "--check", "-o", str(target / "django.mo"), str(po)], check=True)
    return out


@pytest.fixture
def committed_catalogues(settings, compiled_locale):
    # Changing LOCALE_PATHS clears Django's translation cache (django.test.signals), and again
    # when the setting is restored.
    settings.LOCALE_PATHS = [compiled_locale]
    return compiled_locale
