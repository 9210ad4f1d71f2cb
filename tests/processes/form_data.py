"""Random form data a form accepts: a Hypothesis strategy per JSON Schema, for the keywords the library uses.

``hypothesis-jsonschema`` would do this for any schema, but its last release fails with the
Hypothesis that schemathesis needs (``AttributeError: 'many' object has no attribute 'more'``),
so the handful of keywords our forms use are drawn here; the form's own validator has the last
word (``filter``), so a keyword drawn loosely (``if``/``then``) never lets invalid data through.
References (``x-ref``) are drawn from the rows the engine accepts for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import strategies as st

from engine.task_forms import compile_form

# What the API would refuse before a form sees it (engine.json_input): NUL and lone surrogates.
TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(date.isoformat)

Choices = Callable[[dict], list]  # an x-ref annotation -> the values the engine accepts for it


def _types(node: dict) -> list[str]:
    declared = node.get("type", "string")
    return declared if isinstance(declared, list) else [declared]


def _string(node: dict) -> st.SearchStrategy:
    if node.get("format") == "date":
        return DATES
    low, high = node.get("minLength", 0), node.get("maxLength", 200)
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)
    return st.text(TEXT, min_size=low, max_size=high)


def _number(node: dict, integer: bool) -> st.SearchStrategy:
    """Any allowed number, small ones as often as large ones (so decision tables see every band)."""
    low, high = node.get("minimum"), node.get("maximum")
    near = [st.integers(low, min(high, low + span)) for span in (3, 10_000)] if low is not None and high else []
    drawn = st.one_of(*near, st.integers(low, high))
    return drawn if integer else drawn | st.floats(low, high, allow_nan=False, allow_infinity=False)


def _object(node: dict, choices: Choices) -> st.SearchStrategy:
    properties = node.get("properties") or {}
    required = set(node.get("required") or [])
    return st.fixed_dictionaries(
        {key: value(sub, choices) for key, sub in properties.items() if key in required},
        optional={key: value(sub, choices) for key, sub in properties.items() if key not in required})


def _array(node: dict, choices: Choices) -> st.SearchStrategy:
    return st.lists(value(node.get("items") or {}, choices), min_size=node.get("minItems", 0),
                    max_size=min(node.get("maxItems", 5), 5), unique_by=repr if node.get("uniqueItems") else None)


def _typed(node: dict, kind: str, choices: Choices) -> st.SearchStrategy:
    return {
        "string": lambda: _string(node), "integer": lambda: _number(node, True), "number": lambda: _number(node, False),
        "boolean": st.booleans, "null": st.none, "object": lambda: _object(node, choices),
        "array": lambda: _array(node, choices),
    }[kind]()


def value(node: dict, choices: Choices) -> st.SearchStrategy:
    """Values of one (sub)schema."""
    if "x-ref" in node:
        drawn = st.sampled_from(choices(node["x-ref"]))
        return st.none() | drawn if "null" in _types(node) else drawn
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if node.get("oneOf") and all("const" in option for option in node["oneOf"]):
        return st.sampled_from([option["const"] for option in node["oneOf"]])
    return st.one_of([_typed(node, kind, choices) for kind in _types(node)])


def form_data(schema: dict, choices: Choices) -> st.SearchStrategy:
    """Data the form accepts, as its validator says."""
    validator = compile_form(schema).validator
    return value(schema, choices).filter(validator.is_valid)
