"""What a form's JSON Schema may say: the keywords the pages draw, and every problem of a form a designer edits.

The task pages draw a form with ``web/forms.py`` and ``_form.html``; the server checks submissions with
the same schema (``task_forms``). A form is usable when it is valid JSON, a valid JSON Schema (draft
2020-12), uses only keywords the pages draw or deliberately leave to the server check, carries valid
``x-ref`` and ``x-personal`` annotations and declares no field a task may not set. ``problems``
lists each breach with the JSON path of the place in the schema (``$.properties.parties.items.type``);
``notes`` lists what is allowed but reads badly (a title without its English half).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from jsonschema import Draft202012Validator

from . import form_messages, json_input, privacy, references, task_forms
from .errors import BadRequest

# Every schema keyword the renderer understands (drawn, or left to the server check on purpose:
# ``pattern``, ``uniqueItems``, ``if``/``then`` are enforced by the server, which names the field).
SUPPORTED = {
    "$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties",
    "items", "const", "enum", "oneOf", "format", "minLength", "maxLength", "minimum", "maximum",
    "minItems", "maxItems", "uniqueItems", "pattern", "if", "then", "allOf",
    form_messages.PATTERN_MESSAGE, references.KEYWORD, privacy.KEYWORD,
}
FORMATS = {"date"}
# Keywords whose value is one subschema, or a list of them, that the renderer walks into.
_ONE = ("items", "if", "then")
_MANY = ("oneOf", "allOf")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form: where in the schema (a JSON path) and what."""

    path: str
    message: str
    zh: str = ""  # the same in Chinese, for the pages


def _json_path(parts) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if str(part).isidentifier() else f"[{json.dumps(part, ensure_ascii=False)}]")
    return out


def _subschemas(schema, where: str = "", at: tuple = ()) -> Iterator[tuple[str, tuple, object]]:
    """``(data path, schema path, subschema)`` of every subschema the renderer reads, the form first."""
    yield where or "(form)", at, schema
    if not isinstance(schema, Mapping):
        return
    properties = schema.get("properties")
    for key, sub in (properties.items() if isinstance(properties, Mapping) else ()):
        yield from _subschemas(sub, f"{where}.{key}" if where else key, (*at, "properties", key))
    for word in _ONE:
        if word in schema:
            yield from _subschemas(schema[word], f"{where}.{word}" if where else word, (*at, word))
    for word in _MANY:
        subs = schema.get(word)
        for i, sub in enumerate(subs if isinstance(subs, list) else []):
            yield from _subschemas(sub, f"{where}.{word}.{i}" if where else f"{word}.{i}", (*at, word, i))


def _keywords(schema) -> Iterator[tuple[str, tuple, str, object]]:
    """``(data path, schema path, keyword, value)`` of every keyword where the renderer reads one."""
    for where, at, node in _subschemas(schema):
        for key, value in (node.items() if isinstance(node, Mapping) else ()):
            yield where, (*at, key), key, value


def unsupported(schema) -> list[str]:
    """Where a schema uses a keyword or format the renderer does not draw (``"parties.items: format email"``)."""
    found = []
    for where, _, key, value in _keywords(schema):
        if key not in SUPPORTED:
            found.append(f"{where}: {key}")
        elif key == "format" and value not in FORMATS:
            found.append(f"{where}: format {value}")
    return found


def _types(node: Mapping) -> list:
    declared = node.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def _unsupported_problems(schema: dict) -> Iterator[Problem]:
    for _, at, node in _subschemas(schema):
        if not isinstance(node, Mapping):
            yield Problem(_json_path(at), "the task pages draw a field from an object here, not true or false",
                          "任务页面需要在此处用一个对象描述字段,不能是 true 或 false")
        elif "array" in _types(node) and "items" not in node:
            yield Problem(_json_path((*at, "items")), "a list field needs \"items\" to say what each entry is",
                          "列表字段需要用 \"items\" 说明每一项是什么")
    for _, at, key, value in _keywords(schema):
        if key not in SUPPORTED:
            yield Problem(_json_path(at), f"the task pages do not draw the keyword {key!r}",
                          f"任务页面不支持关键字 {key!r}")
        elif key == "format" and value not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            yield Problem(_json_path(at), f"the task pages do not draw format {value!r} (known: {known})",
                          f"任务页面不支持格式 {value!r}(支持:{known})")


def _nodes(value, at: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every object in a schema with its path (annotations may sit in any subschema)."""
    if isinstance(value, dict):
        yield at, value
        for key, sub in value.items():
            yield from _nodes(sub, (*at, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _nodes(sub, (*at, i))


def _annotation_problems(schema: dict) -> Iterator[Problem]:
    for at, node in _nodes(schema):
        if references.KEYWORD in node:
            alone = {k: node[k] for k in ("type", references.KEYWORD) if k in node}
            for message in references.schema_problems(alone):
                detail = message.split(": ", 1)[-1]
                yield Problem(_json_path((*at, references.KEYWORD)), detail, f"引用注解无效:{detail}")
        if privacy.KEYWORD in node:
            for message in privacy.schema_problems({privacy.KEYWORD: node[privacy.KEYWORD]}):
                detail = message.split(": ", 1)[-1]
                yield Problem(_json_path((*at, privacy.KEYWORD)), detail, f"个人信息注解无效:{detail}")


def _field_problems(schema: dict) -> Iterator[Problem]:
    if schema.get("type") not in ("object", None):
        yield Problem("$.type", "a form is an object: its type must be \"object\"", "表单是一个对象:type 必须是 \"object\"")
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        yield Problem("$.properties", "a form needs at least one field under \"properties\"",
                      "表单至少需要在 \"properties\" 下有一个字段")
        return
    for key in sorted(task_forms.RESERVED_KEYS.intersection(properties)):
        yield Problem(_json_path(("properties", key)), f"the field name {key!r} is reserved: tasks may not set it",
                      f"字段名 {key!r} 是系统保留名称,任务不能使用")


def _parse(text: str) -> tuple[dict | None, Problem | None]:
    """The form a text stands for, or why it is not a JSON object the engine can keep."""
    if why := json_input.text_problem(text):
        return None, Problem("$", f"the text {why}", "内容含有无法保存的字符")
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return None, Problem("$", f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}",
                             f"不是有效的 JSON:第 {err.lineno} 行第 {err.colno} 列:{err.msg}")
    try:
        schema = json_input.loads(text.encode("utf-8"))
    except BadRequest as err:
        return None, Problem("$", err.message, f"含有无法保存的值:{err.message}")
    if not isinstance(schema, dict):
        return None, Problem("$", "a form must be a JSON object (a JSON Schema)", "表单必须是一个 JSON 对象(JSON Schema)")
    return schema, None


def problems(text: str) -> tuple[dict | None, list[Problem]]:
    """The parsed form (None when the text is not a JSON object) and every problem, each with its JSON path."""
    schema, problem = _parse(text)
    if schema is None:
        return None, [problem]
    found = [Problem(_json_path(error.absolute_path), f"not valid JSON Schema: {error.message}",
                     f"不符合 JSON Schema 规范:{error.message}")
             for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema)]
    if found:  # the walks below assume the shapes the metaschema guarantees
        return schema, sorted(found, key=lambda p: p.path)
    found += _field_problems(schema)
    found += _unsupported_problems(schema)
    found += _annotation_problems(schema)
    return schema, sorted(set(found), key=lambda p: (p.path, p.message))


def notes(schema: dict | None) -> list[Problem]:
    """Titles with no English half: the pages then show the Chinese text to English readers too."""
    out = []
    for at, node in _nodes(schema or {}):
        title = node.get("title")
        if isinstance(title, str) and at[-1:] != ("properties",):
            zh, en = form_messages.split_title(title)
            if zh == en:
                out.append(Problem(_json_path((*at, "title")), f"the title {title!r} has no English half "
                                   "(write \"中文 English\")", f"标题 {title!r} 缺少英文部分(应写作“中文 English”)"))
    return out
