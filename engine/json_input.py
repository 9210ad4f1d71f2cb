"""JSON the engine can keep: strict decoding of untrusted input, naming the path of what is refused.

Python's ``json`` accepts ``NaN``, ``Infinity``, ``1e999``, integers of any size, lone surrogates
(``"\\udfff"``) and nesting until the interpreter's recursion limit. Each of those is stored
without complaint and breaks later: surrogates cannot be encoded in a reply, PostgreSQL refuses
NUL characters and non-finite numbers, SQLite refuses integers beyond 64 bits. Input is checked
here once, before anything is written.
"""

from __future__ import annotations

import json
import math
import re

from .errors import BadRequest

MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Characters no stored string may hold: NUL (PostgreSQL refuses it) and UTF-16 surrogates (not UTF-8).
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    bad = _BAD_CHARS.search(value)
    if bad is None:
        return None
    return "contains a NUL character" if bad.group() == "\x00" else "contains a lone surrogate (not valid Unicode)"


def path_name(path) -> str:
    """A dotted path (``parties.0.phone``) that is safe to send back even if a key was refused."""
    parts = [str(p).encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00") for p in path]
    return ".".join(parts) or "(body)"


def _int(digits: str) -> int:
    # Longer than any 64-bit integer: stand in with one out of range rather than converting it.
    return int(digits) if len(digits) <= 20 else INT_MAX + 1


def _value_problem(value) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (NaN, Infinity and overflowing numbers are not JSON)"
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        return "integer outside the signed 64-bit range"
    return None


def problem(value, path: tuple = ()) -> tuple[tuple, str] | None:
    """The first ``(path, message)`` in a decoded value that cannot be stored, or None."""
    stack = [(path, value, 0)]
    while stack:
        where, item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return where, f"nested deeper than {MAX_DEPTH} levels"
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in reversed(list(pairs)):
                if isinstance(key, str) and (why := text_problem(key)):
                    return (*where, key), f"key {why}"
                stack.append(((*where, key), child, depth + 1))
        elif why := _value_problem(item):
            return where, why
    return None


def _deep_path(text: str) -> tuple:
    """Where a document too deep for the decoder first passes ``MAX_DEPTH`` (scanned, not decoded)."""
    stack: list[list] = []
    last = None
    for token in _TOKENS.findall(text):
        if token in ("[", "{"):
            if len(stack) >= MAX_DEPTH:
                break
            stack.append([token, 0 if token == "[" else None])
        elif token in ("]", "}"):
            stack = stack[:-1]
        elif token == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
        elif token == ":" and stack:
            stack[-1][1] = last
        elif token.startswith('"'):
            last = json.loads(token)
    return tuple(entry[1] for entry in stack)


def loads(raw: bytes | str) -> object:
    """Decode a JSON document, or raise ``BadRequest`` naming the path of the first value refused."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text", fields={"(body)": "not UTF-8"}) from None
    try:
        value = json.loads(text, parse_int=_int)
    except RecursionError:
        found = (_deep_path(text), f"nested deeper than {MAX_DEPTH} levels")
    except ValueError as err:
        raise BadRequest(f"the body is not valid JSON: {err}", fields={"(body)": "not valid JSON"}) from None
    else:
        found = problem(value)
    if found is None:
        return value
    where, why = found
    name = path_name(where)
    raise BadRequest(f"{name}: {why}", fields={name: why})
