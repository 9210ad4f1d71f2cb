"""Bilingual labels of what forms store: the titles of a field's choices, and of tasks.

Forms keep a choice's stored value (``"邻里纠纷"``) and give it a title in both languages with
``oneOf`` const+title (``"邻里纠纷 Neighbours"``); a task's name comes from its diagram, often in
Chinese alone (``受理登记``), and its form's title carries the English (``受理登记 Registration``).
These helpers return "中文 English" texts that pages split with ``form_messages.split_title``.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import form_messages
from .models import ProcessVersion

# Per version content hash (forms never change after deployment): field name -> value -> title.
_CHOICES: dict[str, dict[str, dict[str, str]]] = {}
_FORM_TITLES: dict[str, dict[str, str]] = {}


def fields_of(node, name: str = "") -> Iterator[tuple[str, dict]]:
    """``(property name, subschema)`` of every field, array items under their array's name."""
    if not isinstance(node, dict):
        return
    if name:
        yield name, node
    for key, sub in (node.get("properties") or {}).items():
        yield from fields_of(sub, key)
    if isinstance(node.get("items"), dict):
        yield from fields_of(node["items"], name)
    for word in ("allOf", "then"):
        subs = node.get(word)
        for sub in (subs if isinstance(subs, list) else [subs] if isinstance(subs, dict) else []):
            for key, field in fields_of(sub):
                yield key, field


def choices(version: ProcessVersion) -> dict[str, dict[str, str]]:
    """Field name -> stored value -> its title, from every ``oneOf`` const+title in the version's forms."""
    found = _CHOICES.get(version.content_hash)
    if found is None:
        found = {}
        for schema in (version.forms or {}).values():
            for name, field in fields_of(schema):
                for option in field.get("oneOf") or []:
                    if isinstance(option, dict) and "const" in option and isinstance(option.get("title"), str):
                        found.setdefault(name, {}).setdefault(str(option["const"]), option["title"])
        _CHOICES[version.content_hash] = found
    return found


def choice(version: ProcessVersion | None, field: str, value) -> str:
    """The bilingual title of ``value`` as ``field`` offers it, else the value as stored."""
    if value is None or value == "":
        return ""
    if version is None:
        return str(value)
    return choices(version).get(field, {}).get(str(value), str(value))


def form_title(version: ProcessVersion, form: str | None) -> str:
    """The title of one of the version's forms ('' when it has none)."""
    titles = _FORM_TITLES.get(version.content_hash)
    if titles is None:
        titles = {path: schema.get("title") for path, schema in (version.forms or {}).items()
                  if isinstance(schema, dict) and isinstance(schema.get("title"), str)}
        _FORM_TITLES[version.content_hash] = titles
    return titles.get(form or "", "")


def task_title(name: str, version: ProcessVersion | None = None, form: str | None = None) -> str:
    """A task's name with an English half: its own, else its form title's (受理登记 + "Registration")."""
    zh, en = form_messages.split_title(name, name)
    if en != zh or version is None or not form:
        return name
    form_zh, form_en = form_messages.split_title(form_title(version, form))
    return f"{name} {form_en}" if form_en and form_en != form_zh else name
