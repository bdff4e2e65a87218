#!/usr/bin/env python
"""Refresh the translation catalogues and list what still needs an English translation.

    .venv/bin/python scripts/i18n_update.py                  # extract, fill zh_Hans, list missing English
    .venv/bin/python scripts/i18n_update.py --apply FILE.json  # also write those translations into en
    .venv/bin/python scripts/i18n_update.py --check            # no extraction, no writes: exit 1 if incomplete

Source strings are Simplified Chinese, so the zh_Hans catalogue simply repeats each msgid (msgstr =
msgid) and is filled by this script; the English catalogue is translated by hand. The translations live
in locale/en/LC_MESSAGES/django.po itself: there is no second dictionary to keep in step.

Steps of a normal run:
1. `manage.py makemessages -l en -l zh_Hans` with the project's ignore list (new strings come in
   untranslated; msgmerge may pre-fill a similar old translation and mark it fuzzy).
2. zh_Hans: every entry gets msgstr = msgid, no fuzzy flags.
3. en: with --apply, translations from a JSON object {msgid: "English"} (plural entries:
   {msgid: ["singular", "plural"]}; an entry with a context: key "context\\u0004msgid") are written
   in and their fuzzy flags cleared.
4. Every English entry that is still empty or fuzzy, or whose %(name)s / {name} / %s placeholders
   differ from its msgid's, is listed and written to var/i18n_todo.json in the --apply format (fuzzy
   entries carry msgmerge's guess, to be checked). Fill that file in, then run with --apply.
5. compilemessages, so runserver shows the new strings.

Exit status 1 while anything is missing, so `make`/CI can use it. Only the standard library and
GNU gettext are needed (the .po files are edited as text, entry by entry).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGS = ("en", "zh_Hans")
# Kept in one place: the test that checks the catalogue is up to date extracts with the same list.
IGNORE = (".venv", "var", "static/vendor", "node_modules", "staticfiles", "media", "tests")
TODO = ROOT / "var" / "i18n_todo.json"
CTX_SEP = "\x04"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %(name)s
    r"|%[-#0+]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %s, %d (no space flag: "80% of" is text)
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # {name} (str.format)
)


def po_unquote(raw: str) -> str:
    """The value of one quoted po string ("..." with C escapes)."""
    body = raw.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a po string: {raw!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def po_quote(value: str) -> str:
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\t", "\\t").replace("\r", "\\r")) + '"'


def placeholders(text: str) -> list[str]:
    """The interpolation markers of a string, sorted (a translation may reorder named ones)."""
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text.replace("%%", "")))


class Entry:
    """One block of a .po file. Comment lines are kept as they are; the msg* fields are parsed."""

    def __init__(self, lines: list[str]):
        self.comments: list[str] = []
        self.fields: dict[str, str] = {}
        self.raw: dict[str, list[str]] = {}
        self.obsolete = bool(lines) and all(line.startswith("#~") for line in lines)
        key = None
        for line in lines:
            if self.obsolete or line.startswith("#"):
                self.comments.append(line)
            elif line.startswith('"'):
                self.fields[key] += po_unquote(line)
                self.raw[key].append(line)
            else:
                key, _, rest = line.partition(" ")
                self.fields[key] = po_unquote(rest)
                self.raw[key] = [line]

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgctxt(self) -> str | None:
        return self.fields.get("msgctxt")

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}{CTX_SEP}{self.msgid}"

    @property
    def plural(self) -> bool:
        return "msgid_plural" in self.fields

    @property
    def msgstrs(self) -> list[str]:
        if self.plural:
            return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr[")]
        return [self.fields.get("msgstr", "")]

    @property
    def flags(self) -> list[str]:
        for line in self.comments:
            if line.startswith("#,"):
                return [f.strip() for f in line[2:].split(",") if f.strip()]
        return []

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return all(self.msgstrs) and not self.fuzzy

    def set_translation(self, values: list[str], nplurals: int = 2) -> None:
        """Write msgstr (or msgstr[0..nplurals-1]) and drop the fuzzy flag and msgmerge's
        previous-msgid lines."""
        if self.plural:
            for key in [k for k in self.fields if k.startswith("msgstr[")]:
                del self.fields[key], self.raw[key]
            values = (values + [values[-1]] * nplurals)[:nplurals]
            for i, value in enumerate(values):
                self._set(f"msgstr[{i}]", value)
        else:
            self._set("msgstr", values[0])
        flags = [f for f in self.flags if f != "fuzzy"]
        kept = []
        for line in self.comments:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            kept.append(line)
        self.comments = kept

    def _set(self, key: str, value: str) -> None:
        self.fields[key] = value
        if "\n" in value.rstrip("\n"):
            parts = value.splitlines(keepends=True)
            self.raw[key] = [f'{key} ""'] + [po_quote(p) for p in parts]
        else:
            self.raw[key] = [f"{key} {po_quote(value)}"]

    def render(self) -> str:
        lines = list(self.comments)
        for key in self.raw:
            lines.extend(self.raw[key])
        return "\n".join(lines)


class Catalogue:
    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        blocks = [b for b in re.split(r"\n\s*\n", text.strip("\n")) if b.strip()]
        self.entries = [Entry(b.splitlines()) for b in blocks]

    @property
    def header(self) -> Entry:
        return self.entries[0]

    @property
    def nplurals(self) -> int:
        found = re.search(r"nplurals\s*=\s*(\d+)", self.header.fields.get("msgstr", ""))
        return int(found.group(1)) if found else 2

    def messages(self) -> list[Entry]:
        """Every live entry but the header (msgid "")."""
        return [e for e in self.entries if not e.obsolete and e.msgid]

    def save(self) -> None:
        self.path.write_text("\n\n".join(e.render() for e in self.entries) + "\n", encoding="utf-8")


def tidy_header(cat: Catalogue, language: str) -> None:
    """makemessages writes a template header marked fuzzy; give it real values once."""
    head = cat.header
    if head.msgid:
        return
    text = head.fields.get("msgstr", "")
    text = re.sub(r"Project-Id-Version: .*\n", "Project-Id-Version: greenoffice\n", text)
    text = re.sub(r"Language: .*\n", f"Language: {language}\n", text)
    text = re.sub(r"Last-Translator: .*\n", "Last-Translator: Green Office team\n", text)
    text = re.sub(r"PO-Revision-Date: YEAR.*\n", "PO-Revision-Date: 2026-11-27 12:00+0800\n", text)
    text = re.sub(r"Language-Team: .*\n", f"Language-Team: {language}\n", text)
    head._set("msgstr", text)
    head.comments = [f"# Green Office (绿色机关创建管理) — {language} catalogue. "
                     "Refresh with scripts/i18n_update.py."]


def extract() -> None:
    cmd = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    for lang in LANGS:
        cmd += ["-l", lang]
    for pattern in IGNORE:
        cmd += ["--ignore", pattern]
    subprocess.run(cmd, cwd=ROOT, check=True)


def fill_source_language(path: Path) -> int:
    cat = Catalogue(path)
    tidy_header(cat, "zh_Hans")
    changed = 0
    count = cat.nplurals
    for entry in cat.messages():
        want = [entry.msgid] * (count if entry.plural else 1)
        if entry.msgstrs != want or entry.fuzzy:
            entry.set_translation(want, count)
            changed += 1
    cat.save()
    return changed


def apply_translations(cat: Catalogue, translations: dict) -> int:
    by_key = {e.key: e for e in cat.messages()}
    applied = 0
    for key, value in translations.items():
        entry = by_key.get(key)
        values = value if isinstance(value, list) else [value]
        if entry is None or not all(isinstance(v, str) and v.strip() for v in values):
            continue
        entry.set_translation(values, cat.nplurals)
        applied += 1
    return applied


def problems(cat: Catalogue) -> list[tuple[Entry, str]]:
    found = []
    for entry in cat.messages():
        if not all(entry.msgstrs):
            found.append((entry, "untranslated"))
        elif entry.fuzzy:
            found.append((entry, "fuzzy"))
        else:
            want = placeholders(entry.msgid)
            for msgstr in entry.msgstrs:
                if placeholders(msgstr) != want:
                    found.append((entry, f"placeholders {want} ≠ {placeholders(msgstr)}"))
                    break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apply", type=Path, help="JSON file of English translations to write in")
    parser.add_argument("--no-extract", action="store_true", help="skip makemessages")
    parser.add_argument("--check", action="store_true", help="report only: no extraction, no writes")
    args = parser.parse_args(argv)

    en_path = LOCALE / "en" / "LC_MESSAGES" / "django.po"
    zh_path = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not args.check:
        if not args.no_extract:
            extract()
        print(f"zh_Hans: {fill_source_language(zh_path)} entries filled (msgstr = msgid)")

    cat = Catalogue(en_path)
    if not args.check:
        tidy_header(cat, "en")
        if args.apply:
            translations = json.loads(args.apply.read_text(encoding="utf-8"))
            print(f"en: {apply_translations(cat, translations)} translations applied from {args.apply}")
        cat.save()

    todo = problems(cat)
    total = len(cat.messages())
    print(f"en: {total - len(todo)}/{total} entries translated")
    for entry, why in todo:
        print(f"  [{why}] {entry.key!r}")
    if not args.check:
        if todo:
            TODO.parent.mkdir(exist_ok=True)
            skeleton = {}
            for entry, why in todo:
                guess = entry.msgstrs if why != "untranslated" else [""] * len(entry.msgstrs)
                skeleton[entry.key] = guess if entry.plural else guess[0]
            TODO.write_text(json.dumps(skeleton, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"Fill in {TODO.relative_to(ROOT)} and run: .venv/bin/python scripts/i18n_update.py "
                  f"--no-extract --apply {TODO.relative_to(ROOT)}")
        elif TODO.exists():
            TODO.unlink()
        subprocess.run([sys.executable, "manage.py", "compilemessages", "--ignore", ".venv",
                        "--ignore", "node_modules"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
