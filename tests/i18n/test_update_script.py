"""scripts/i18n_update.py edits .po files as text: check it on a small catalogue."""
import json

SAMPLE = r'''# header comment
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: PACKAGE VERSION\n"
"Language: \n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

#: a.py:1
msgid "已保存"
msgstr ""

#: a.py:2
#, fuzzy, python-format
#| msgid "已保存%(name)s"
msgid "已删除%(name)s"
msgstr "已保存%(name)s"

#: b.html:3
#, python-format
msgid "共%(n)s个单位"
msgid_plural "共%(n)s个单位"
msgstr[0] ""
msgstr[1] ""

#: c.html:4
msgid ""
"第一行\n"
"第二行“引号”"
msgstr ""

#~ msgid "旧的"
#~ msgstr "old"
'''


def write(tmp_path, text=SAMPLE):
    path = tmp_path / "django.po"
    path.write_text(text, encoding="utf-8")
    return path


def test_update_script_fills_source_language_with_msgids(tmp_path, i18n_update):
    path = write(tmp_path)
    assert i18n_update.fill_source_language(path) == 4
    cat = i18n_update.Catalogue(path)
    assert [(e.msgid, e.msgstrs, e.fuzzy) for e in cat.messages()] == [
        ("已保存", ["已保存"], False),
        ("已删除%(name)s", ["已删除%(name)s"], False),
        ("共%(n)s个单位", ["共%(n)s个单位"], False),  # nplurals=1: one msgstr[0]
        ("第一行\n第二行“引号”", ["第一行\n第二行“引号”"], False),
    ]
    text = path.read_text(encoding="utf-8")
    assert "#| msgid" not in text and "msgstr[1]" not in text
    assert "#~ msgid \"旧的\"" in text  # obsolete entries are left alone
    assert "#, python-format" in text
    assert "Language: zh_Hans" in text and "#, fuzzy\nmsgid \"\"" not in text
    # The result is a valid catalogue; running again changes nothing.
    assert i18n_update.fill_source_language(path) == 0


def test_update_script_applies_translations_and_lists_the_rest(tmp_path, i18n_update):
    path = write(tmp_path, SAMPLE.replace("nplurals=1; plural=0;", "nplurals=2; plural=(n != 1);"))
    cat = i18n_update.Catalogue(path)
    assert {e.msgid: why for e, why in i18n_update.problems(cat)} == {
        "已保存": "untranslated", "已删除%(name)s": "fuzzy", "共%(n)s个单位": "untranslated",
        "第一行\n第二行“引号”": "untranslated",
    }
    applied = i18n_update.apply_translations(cat, {
        "已保存": "Saved",
        "已删除%(name)s": "Deleted %(nom)s",  # a wrong placeholder is written but reported
        "共%(n)s个单位": ["%(n)s unit", "%(n)s units"],
        "第一行\n第二行“引号”": "",  # empty values are skipped
        "不存在": "Missing",
    })
    assert applied == 3
    cat.save()
    again = i18n_update.Catalogue(path)
    assert {e.msgid: e.msgstrs for e in again.messages()}["共%(n)s个单位"] == ["%(n)s unit", "%(n)s units"]
    reasons = {e.msgid: why for e, why in i18n_update.problems(again)}
    assert reasons["第一行\n第二行“引号”"] == "untranslated"
    assert reasons["已删除%(name)s"].startswith("placeholders")
    assert "已保存" not in reasons and "共%(n)s个单位" not in reasons


def test_update_script_main_check_mode_exits_1_while_incomplete(tmp_path, monkeypatch, i18n_update, capsys):
    locale = tmp_path / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    write(locale / "en" / "LC_MESSAGES")
    monkeypatch.setattr(i18n_update, "LOCALE", locale)
    assert i18n_update.main(["--check"]) == 1
    assert "0/4 entries translated" in capsys.readouterr().out


def test_update_script_placeholders_ignore_literal_percent(i18n_update):
    assert i18n_update.placeholders("到%(year)s年,%(share)s%%的单位") == ["%(share)s", "%(year)s"]
    assert i18n_update.placeholders("80% of units") == []
    assert i18n_update.placeholders("{name} and %d") == ["%d", "{name}"]
    assert json.dumps(i18n_update.placeholders("")) == "[]"
