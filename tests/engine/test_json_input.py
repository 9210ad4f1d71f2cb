"""Strict decoding of untrusted JSON: what is refused, with the path it is reported at."""

import pytest

from engine import json_input
from engine.errors import BadRequest


@pytest.mark.parametrize("raw,path", [
    ('{"a": {"b": "\\udfff"}}', "a.b"),
    ('{"a": ["ok", "\\ud83d"]}', "a.1"),
    ('{"a": {"\\udc00": 1}}', "a.\\udc00"),
    ('{"a": "x\\u0000"}', "a"),
    ('{"a\\u0000": 1}', "a\\x00"),
    ('{"a": NaN}', "a"),
    ('{"a": [Infinity]}', "a.0"),
    ('{"a": -1e400}', "a"),
    ('{"a": 9223372036854775808}', "a"),
    ('{"a": -9223372036854775809}', "a"),
    ('{"a": ' + "1" * 10_000 + "}", "a"),
    ("[" * 65 + "]" * 65, "0" + ".0" * 63),
    ('{"a": ' + "{" * 5000, "(body)"),
    ("{", "(body)"),
    (b'{"a": "\xff"}', "(body)"),
])
def test_refused_values_are_named_by_path(raw, path):
    with pytest.raises(BadRequest) as err:
        json_input.loads(raw)
    assert list(err.value.fields) == [path]
    assert path in err.value.message or path == "(body)"


def test_deep_documents_beyond_the_decoder_are_refused_at_the_limit():
    raw = '{"k": [1, {"a": ' + '{"b": ' * 5000 + "1" + "}" * 5000 + "}]}"
    with pytest.raises(BadRequest) as err:
        json_input.loads(raw)
    assert list(err.value.fields) == ["k.1.a" + ".b" * (json_input.MAX_DEPTH - 3)]


def test_values_at_the_limits_decode():
    raw = '{"a": [9223372036854775807, -9223372036854775808, 1.7e308, "调解 ✓", true, null]}'
    assert json_input.loads(raw) == {"a": [2**63 - 1, -(2**63), 1.7e308, "调解 ✓", True, None]}
    nested = "[" * json_input.MAX_DEPTH + "]" * json_input.MAX_DEPTH
    assert json_input.loads(nested) is not None


def test_first_problem_in_document_order():
    assert json_input.problem({"a": 1, "b": float("nan"), "c": "\x00"}) == (("b",), json_input.problem(
        {"b": float("nan")})[1])
    assert json_input.problem({"fine": [1, "2", {"3": None}]}) is None
