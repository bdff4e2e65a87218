"""The catalogues are complete, keep their placeholders, and hold every string the code marks."""
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from tests.i18n.conftest import CATALOGUES, ROOT


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_catalogue_msgfmt_reports_no_untranslated_or_fuzzy(lang):
    # msgfmt --check also verifies python-format entries: same %(name)s/%s conversions as the msgid.
    done = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUES[lang])],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    stats = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", stats), stats


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_catalogue_every_entry_translated_and_not_fuzzy(lang, i18n_update):
    cat = i18n_update.Catalogue(CATALOGUES[lang])
    messages = cat.messages()
    assert len(messages) > 1000  # the whole UI, not an empty or truncated file
    assert [e.key for e in messages if not all(e.msgstrs)] == []
    assert [e.key for e in messages if e.fuzzy] == []
    assert not cat.header.fuzzy


def test_catalogue_english_keeps_every_placeholder(i18n_update):
    cat = i18n_update.Catalogue(CATALOGUES["en"])
    wrong = [
        (e.msgid, msgstr)
        for e in cat.messages()
        for msgstr in e.msgstrs
        if i18n_update.placeholders(msgstr) != i18n_update.placeholders(e.msgid)
    ]
    assert wrong == []


def test_catalogue_english_is_english(i18n_update):
    # A msgstr still in Chinese is an untranslated entry in disguise. Names that are Chinese on
    # purpose (the spreadsheet's fixed sheet names, the authenticator's issuer) are quoted.
    han = re.compile(r"[\u4e00-\u9fff]")
    unquoted = [
        (e.msgid, s) for e in i18n_update.Catalogue(CATALOGUES["en"]).messages()
        for s in e.msgstrs if han.search(re.sub(r'"[^"]*"', "", s))
    ]
    assert unquoted == []


def test_catalogue_source_language_repeats_each_msgid(i18n_update):
    cat = i18n_update.Catalogue(CATALOGUES["zh_Hans"])
    assert cat.nplurals == 1
    assert [e.key for e in cat.messages() if e.msgstrs != [e.msgid]] == []


def test_catalogues_hold_the_same_messages(i18n_update):
    en = {e.key for e in i18n_update.Catalogue(CATALOGUES["en"]).messages()}
    zh = {e.key for e in i18n_update.Catalogue(CATALOGUES["zh_Hans"]).messages()}
    assert en == zh


def test_catalogue_is_up_to_date_with_the_source(tmp_path, settings, monkeypatch, i18n_update):
    """Extract the strings afresh (makemessages, ~3 s) and compare with the committed catalogue.

    makemessages walks the current directory and writes into LOCALE_PATHS[0], so it runs in a farm
    of symlinks to the project's source folders (without locale/) with LOCALE_PATHS pointing into
    tmp_path: the committed files are never touched.
    """
    farm = tmp_path / "src"
    farm.mkdir()
    skip = {"locale", ".git", *i18n_update.IGNORE}
    for child in ROOT.iterdir():
        if child.name not in skip and not child.name.startswith("."):
            (farm / child.name).symlink_to(child)
    out = tmp_path / "locale"
    out.mkdir()
    settings.LOCALE_PATHS = [out]
    monkeypatch.chdir(farm)
    call_command("makemessages", locale=["en"], ignore_patterns=list(i18n_update.IGNORE), symlinks=True,
                 no_obsolete=True, verbosity=0)

    fresh = {e.key for e in i18n_update.Catalogue(out / "en" / "LC_MESSAGES" / "django.po").messages()}
    committed = {e.key for e in i18n_update.Catalogue(CATALOGUES["en"]).messages()}
    hint = "run `.venv/bin/python scripts/i18n_update.py` and translate what it lists"
    assert sorted(fresh - committed) == [], f"strings missing from locale/: {hint}"
    assert sorted(committed - fresh) == [], f"strings no longer in the source: {hint}"


def test_catalogue_mo_files_are_not_committed():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", "locale/en/LC_MESSAGES/django.mo"], cwd=ROOT)
    assert ignored.returncode == 0
    tracked = subprocess.run(["git", "ls-files", "locale"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".mo" not in tracked
