"""The catalogs: every text the pages use is in them, and every Chinese entry is translated.

Babel silently shows the English text for a missing or empty entry, so these checks stand in
for a reader who would notice an English word on a Chinese page.
"""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web import i18n

WEB = i18n.TRANSLATIONS.parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def _catalog(locale: str):
    with (i18n.TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def _used() -> set[str]:
    return {message for _, _, message, _, _ in extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS)}


def test_every_text_of_the_pages_is_in_both_catalogs():
    used = _used()
    assert {"Sign in", "Inbox", "Someone else just completed this task"} <= used
    for locale in i18n.LANGUAGES:
        assert used - {m.id for m in _catalog(locale) if m.id} == set(), locale


def test_every_chinese_entry_is_translated():
    untranslated = [m.id for m in _catalog(i18n.DEFAULT) if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_the_chinese_catalog_is_where_babel_looks(tmp_path):
    from babel import Locale
    assert str(Locale.parse("zh_CN")) == i18n.DEFAULT == "zh_Hans_CN"
    assert (i18n.TRANSLATIONS / i18n.DEFAULT / "LC_MESSAGES" / "messages.po").exists()


def test_missing_compiled_catalogs_are_compiled(tmp_path):
    folder = tmp_path / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes((i18n.TRANSLATIONS / "zh_Hans_CN/LC_MESSAGES/messages.po").read_bytes())
    i18n.compile_catalogs(tmp_path / "translations")
    from babel.support import Translations
    translations = Translations.load(str(tmp_path / "translations"), ["zh_Hans_CN"])
    assert translations.gettext("Sign in") == "登录"
