"""Task forms drawn from their JSON Schema: which control each field gets, its label, and reading a post back.

The schema in ``forms/`` is the only definition of a form: the macros in ``_form.html`` draw it
and ``engine/task_forms.py`` checks the data against the same file. Titles are bilingual,
"中文 English"; ``engine.form_messages.split_title`` splits them (and the engine's messages)
so Chinese pages show the Chinese part and English pages the English one.

Field names in the page are dotted data paths (``parties.0.phone``), the same keys the engine's
``FormInvalid.fields`` uses, so each message lands beside its input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import url_for
from flask_babel import get_locale

from engine import form_messages, form_schema, json_input, references

# The keywords and formats the renderer draws live in the engine, which checks forms a designer edits.
SUPPORTED, FORMATS = form_schema.SUPPORTED, form_schema.FORMATS
unsupported = form_schema.unsupported
# A text longer than this gets a text area.
LONG_TEXT = 200
# Up to this many choices show as radio buttons, more as a select.
RADIOS_UP_TO = 4
_INTEGER = re.compile(r"^[+-]?\d{1,15}$")
_NUMBER = re.compile(r"^[+-]?(\d{1,15}(\.\d*)?|\.\d+)$")


def english() -> bool:
    return str(get_locale()) == "en"


def pick(text: str | None, fallback: str = "") -> str:
    """The user's language's part of a bilingual text ("调解结果 Result", or an engine message)."""
    zh, en = form_messages.split_title(text, fallback)
    return en if english() else zh


def types(node: Mapping) -> list[str]:
    declared = node.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def choices(node: Mapping) -> list[tuple[object, str]]:
    """``(value, label)`` of a field's ``oneOf`` consts (titled) or ``enum`` values."""
    if "oneOf" in node:
        return [(o["const"], pick(o.get("title"), str(o["const"]))) for o in node["oneOf"] if "const" in o]
    return [(v, str(v)) for v in node.get("enum", [])]


def kind(node: Mapping) -> str:
    """The control a field gets: rows, refs, checks, ref, choice, boolean, number, date, textarea or text."""
    if "array" in types(node):
        items = node.get("items") or {}
        if "object" in types(items):
            return "rows"
        if references.KEYWORD in items:
            return "refs"
        return "checks"
    if references.KEYWORD in node:
        return "ref"
    if "oneOf" in node or "enum" in node:
        return "choice"
    if "boolean" in types(node):
        return "boolean"
    if {"integer", "number"} & set(types(node)):
        return "number"
    if node.get("format") == "date":
        return "date"
    if (node.get("maxLength") or 0) > LONG_TEXT:
        return "textarea"
    return "text"


# -- reading a post back into data -------------------------------------------------------------
def read(schema: Mapping, form) -> dict:
    """The data a posted form stands for, typed as the schema declares; what the server check then judges.

    A blank field is left out (so the check asks for it by name), except a required text box, which is
    sent empty (a form may accept that, or its minimum length asks for it), and a field that may be null. Empty party rows are dropped.
    """
    return _object(schema, form, "")


def _object(node: Mapping, form, prefix: str) -> dict:
    required = set(node.get("required") or [])
    out = {}
    for key, sub in (node.get("properties") or {}).items():
        present, value = _value(sub, form, prefix + key, key in required)
        if present:
            out[key] = value
    return out


def _value(node: Mapping, form, name: str, required: bool) -> tuple[bool, object]:
    control = kind(node)
    if control == "rows":
        rows = [_object(node["items"], form, f"{name}.{i}.") for i in _row_indices(form, name)
                if any(str(v).strip() for k, v in form.items(multi=True) if k.startswith(f"{name}.{i}."))]
        return bool(rows) or required, rows
    if control in ("refs", "checks"):
        values = [_scalar(node.get("items") or {}, v.strip()) for v in form.getlist(name) if v.strip()]
        return bool(values) or required, values
    raw = (form.get(name) or "").strip()
    if not raw:
        if "null" in types(node):
            return True, None
        if required and control in ("text", "textarea"):
            return True, ""
        return False, None
    return True, _scalar(node, raw)


def _row_indices(form, name: str) -> list[int]:
    head = name + "."
    found = {key[len(head):].split(".", 1)[0] for key in form if key.startswith(head)}
    return sorted(int(i) for i in found if i.isdigit() and len(i) < 5)


def _scalar(node: Mapping, raw: str):
    """``raw`` as the field's type; text that is not a number stays text (the check says what is expected)."""
    kinds = types(node)
    if "boolean" in kinds and raw in ("true", "false"):
        return raw == "true"
    if "integer" in kinds and _INTEGER.match(raw):
        return int(raw)
    if "number" in kinds and _NUMBER.match(raw):
        number = float(raw)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return raw


def lookup_url(node: Mapping) -> str:
    """Where a reference field's picker asks for rows: the page lookup of its kind, with its declared filter."""
    mark = node[references.KEYWORD]
    args = {key: [str(v).lower() if isinstance(v, bool) else v for v in (value if isinstance(value, list) else [value])]
            for key, value in (mark.get("filter") or {}).items()}
    return url_for(f"pages.pick_{mark['kind']}", **args)


def text_problems(form) -> dict[str, str]:
    """A message per posted field whose text could not be stored (a NUL, a lone surrogate): refused before the engine."""
    return {json_input.path_name([name]): "含有无法保存的字符 This text contains a character that cannot be stored"
            for name, value in form.items(multi=True) if json_input.text_problem(name) or json_input.text_problem(value)}
