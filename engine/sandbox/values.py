"""Which values code may leave behind, and how they cross to and from a child process as JSON."""

from __future__ import annotations

import json
import math
import struct
from datetime import date, datetime, timedelta

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
# Most elements a case's data may hold, all values together (a guard against pathological data).
MAX_ELEMENTS = 1_000_000


class UnstorableValue(ValueError):
    """Code left a value in the case's data that cannot be stored; the message names where."""


def _problem(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if _INT_MIN <= value <= _INT_MAX else "an integer beyond 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"the number {value}"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text with a lone surrogate character"
        return None
    if isinstance(value, datetime | timedelta):
        return None
    return f"a value of type {type(value).__name__}"


_PLAIN = (str, bool, type(None), datetime, timedelta)


def check_storable(value, where: str) -> None:
    """Raise ``UnstorableValue`` unless ``value`` is JSON-like data (plus datetimes) the case can keep."""
    stack, seen = [(value, where)], 0
    while stack:
        item, path = stack.pop()
        seen += 1
        if seen > MAX_ELEMENTS:
            raise UnstorableValue(f"{where!r} holds more than {MAX_ELEMENTS:,} elements")
        if type(item) is dict:
            for key, child in item.items():
                if type(key) is not str:
                    raise UnstorableValue(f"the code left a key of type {type(key).__name__} in {path!r}")
                kind = type(child)
                if (kind in _PLAIN and (kind is not str or child.isascii())) or \
                        (kind is int and _INT_MIN <= child <= _INT_MAX):
                    continue  # the common cases, checked without a trip round the loop
                stack.append((child, f"{path}.{key}" if path else key))
        elif type(item) in (list, tuple):
            stack.extend((child, f"{path}.{i}") for i, child in enumerate(item))
        elif (problem := _problem(item)) is not None:
            raise UnstorableValue(f"the code left {problem} in {path!r}; only text, numbers, true/false, "
                                  "lists, objects, datetimes and durations can be stored")


# Each request to the sandbox server and each answer is prefixed with its length.
HEADER = struct.Struct(">I")

_TAG = "__mediate_value__"


def _encode(value):
    if isinstance(value, datetime):
        return {_TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "value": value.isoformat()}
    if isinstance(value, timedelta):
        return {_TAG: "timedelta", "days": value.days, "seconds": value.seconds,
                "microseconds": value.microseconds}
    raise TypeError(f"a value of type {type(value).__name__} cannot be passed")


def _decode(obj: dict):
    kind = obj.get(_TAG)
    if kind == "datetime":
        return datetime.fromisoformat(obj["value"])
    if kind == "date":
        return date.fromisoformat(obj["value"])
    if kind == "timedelta":
        return timedelta(days=obj["days"], seconds=obj["seconds"], microseconds=obj["microseconds"])
    return obj


def dumps(value) -> bytes:
    """JSON bytes for storable values (never pickle: a child's answer is untrusted)."""
    return json.dumps(value, default=_encode, ensure_ascii=False, allow_nan=False).encode("utf-8")


def loads(blob: bytes):
    """The value ``dumps`` wrote."""
    return json.loads(blob.decode("utf-8"), object_hook=_decode)
