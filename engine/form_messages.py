"""What a form's validation says to staff: one message per field, in Chinese with English.

The JSON Schema validator speaks to programmers ("'x' is a required property", a regular
expression). Each of its errors is rewritten here from the field's ``title`` ("联系电话 Phone":
the Chinese part first, then the English) and the keyword that failed:
「请填写联系电话 Phone is required」. A ``pattern`` is described by the field's
``x-pattern-message`` annotation, never shown. Fields are keyed by their dotted data path
(``parties.0.phone``), so a page puts each message beside its input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jsonschema import ValidationError

PATTERN_MESSAGE = "x-pattern-message"
FORM = "(form)"  # the key of a message about the whole submission

# "联系电话 Phone" -> ("联系电话", "Phone"): the English part follows the first space after the last
# Chinese character ("涉及金额(元) Amount involved (yuan)", "12345热线 12345 hotline").
_TITLE = re.compile(r"^(?P<zh>.*[^\x00-\x7f]\S*)\s+(?P<en>[\x00-\x7f]+)$")

TYPE_NAMES = {
    "string": ("文字", "text"), "integer": ("整数", "a whole number"), "number": ("数字", "a number"),
    "boolean": ("是或否", "yes or no"), "array": ("列表", "a list"), "object": ("一组内容", "a group of fields"),
    "null": ("留空", "empty"),
}
FORMAT_NAMES = {"date": ("日期,如 2031-03-03", "a date such as 2031-03-03")}


def split_title(title: str | None, fallback: str = "") -> tuple[str, str]:
    """A bilingual title as ``(chinese, english)``; a title in one language serves as both."""
    text = (title or fallback or "").strip()
    match = _TITLE.match(text)
    return (match["zh"], match["en"]) if match else (text, text)


def _walk(schema: dict, path: Iterable) -> list[dict]:
    """The subschemas from the form down to the field at a data path (``{}`` where none is declared)."""
    nodes = [schema]
    for part in path:
        node = nodes[-1]
        sub = (node.get("properties") or {}).get(part) if isinstance(part, str) else node.get("items")
        nodes.append(sub if isinstance(sub, dict) else {})
    return nodes


def title_at(schema: dict, path: Iterable) -> tuple[str, str]:
    """The title of the field at a data path, else of the nearest field above it that has one."""
    path = list(path)
    titles = [node.get("title") for node in _walk(schema, path)[1:] if node.get("title")]
    return split_title(titles[-1] if titles else None, str(path[-1]) if path else "")


def _dotted(parts: Iterable) -> str:
    return ".".join(str(p) for p in parts)


def _shown(value) -> tuple[str, str]:
    if value is True:
        return "是", "yes"
    if value is False:
        return "否", "no"
    return str(value), str(value)


def _options(err: ValidationError) -> tuple[str, str]:
    """The choices a field offers, from its ``oneOf`` titles or its ``enum`` values."""
    if err.validator == "enum":
        labels = [_shown(v) for v in err.validator_value]
    else:
        labels = [split_title(o.get("title"), str(o.get("const", ""))) if isinstance(o, dict) else ("", "")
                  for o in err.validator_value]
    return "、".join(zh for zh, _ in labels), ", ".join(en for _, en in labels)


def _types(value) -> tuple[str, str]:
    names = [TYPE_NAMES.get(t, (t, t)) for t in ([value] if isinstance(value, str) else value)]
    return "或".join(zh for zh, _ in names), " or ".join(en for _, en in names)


def _limit(err: ValidationError, zh: str, en: str) -> str:
    n = err.validator_value
    return {
        "minLength": f"{zh}至少{n}个字 {en} needs at least {n} characters",
        "maxLength": f"{zh}最多{n}个字 {en} allows at most {n} characters",
        "minimum": f"{zh}不能小于{n} {en} must be at least {n}",
        "maximum": f"{zh}不能大于{n} {en} must be at most {n}",
        "exclusiveMinimum": f"{zh}必须大于{n} {en} must be more than {n}",
        "exclusiveMaximum": f"{zh}必须小于{n} {en} must be less than {n}",
        "minItems": f"{zh}至少{n}项 {en} needs at least {n} items",
        "maxItems": f"{zh}最多{n}项 {en} allows at most {n} items",
    }[err.validator]


def _pattern(err: ValidationError, node: dict, zh: str, en: str) -> str:
    described = err.schema.get(PATTERN_MESSAGE) if isinstance(err.schema, dict) else None
    described = described or node.get(PATTERN_MESSAGE)
    return described or f"{zh}格式不正确 {en} is not in the expected format"


def _message(err: ValidationError, schema: dict) -> str:
    """The staff message for one validator error (``required`` and ``additionalProperties`` aside)."""
    zh, en = title_at(schema, err.absolute_path)
    keyword = err.validator
    if keyword in ("enum", "oneOf") and isinstance(err.validator_value, list) and (
            keyword == "enum" or all(isinstance(o, dict) and "const" in o for o in err.validator_value)):
        options_zh, options_en = _options(err)
        return f"只能选择:{options_zh} Choose one of: {options_en}"
    if keyword == "const":
        if err.validator_value is True:
            return f"请确认{zh} {en} must be confirmed"
        value_zh, value_en = _shown(err.validator_value)
        return f"{zh}只能是:{value_zh} {en} must be {value_en}"
    if keyword == "type":
        type_zh, type_en = _types(err.validator_value)
        return f"{zh}应为{type_zh} {en} must be {type_en}"
    if keyword == "minLength" and err.instance == "":
        return f"请填写{zh} {en} is required"
    if keyword in ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                   "minItems", "maxItems"):
        return _limit(err, zh, en)
    if keyword == "pattern":
        return _pattern(err, _walk(schema, err.absolute_path)[-1], zh, en)
    if keyword == "format":
        form_zh, form_en = FORMAT_NAMES.get(err.validator_value, ("规定的格式", "in the expected format"))
        return f"{zh}应为{form_zh} {en} must be {form_en}"
    if keyword == "uniqueItems":
        return f"{zh}有重复的选项 {en} has the same choice twice"
    return f"{zh}填写有误 {en} is not valid"


def _messages(err: ValidationError, schema: dict) -> Iterable[tuple[str, str]]:
    """``(field path, message)`` pairs for one error; a missing or unexpected field is named itself."""
    here = list(err.absolute_path)
    if err.validator == "required" and isinstance(err.instance, dict):
        for name in err.validator_value:
            if name not in err.instance:
                zh, en = title_at(schema, [*here, name])
                yield _dotted([*here, name]), f"请填写{zh} {en} is required"
    elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = set(err.schema.get("properties") or {})
        for name in err.instance:
            if name not in known:
                yield _dotted([*here, name]), "表单中没有这一项 This field is not part of the form"
    else:
        yield _dotted(here) or FORM, _message(err, schema)


def explain(errors: Iterable[ValidationError], schema: dict) -> dict[str, str]:
    """One message per field path for the validator's errors (the first error of a field wins)."""
    out: dict[str, str] = {}
    for err in errors:
        for path, message in _messages(err, schema):
            out.setdefault(path, message)
    return out
