"""The restricted Python that gateways, timers, DMN cells, parameters and scripts run in.

SpiffWorkflow evaluates every expression with plain ``eval``/``exec``. We check each
expression's syntax tree before it runs (and when a process is deployed) and run it with a
whitelist of builtins, so a diagram cannot import modules, open files or reach dunders.
"""

from __future__ import annotations

import ast
import builtins
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

FORBIDDEN_NAMES = frozenset({
    "__import__", "open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr",
    "setattr", "delattr", "input", "breakpoint", "help", "memoryview", "type", "object",
    "__builtins__", "exit", "quit", "classmethod", "staticmethod", "super", "property",
})

_SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance",
    "len", "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str",
    "sum", "tuple", "zip", "True", "False", "None", "ValueError", "KeyError", "Exception",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in _SAFE_BUILTIN_NAMES}


class UnsafeExpression(ValueError):
    """The expression uses something the sandbox does not allow."""


def iso_duration(days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    """An ISO-8601 duration string (``PT36H``) from days, hours and minutes."""
    total = int(round(days * 86400 + hours * 3600 + minutes * 60))
    if total <= 0:
        return "PT0S"
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    time = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    return "P" + (f"{d}D" if d else "") + (f"T{time}" if time else "")


def _check_node(node: ast.AST) -> None:
    if isinstance(node, ast.Import | ast.ImportFrom | ast.Global | ast.Nonlocal):
        raise UnsafeExpression("imports and global statements are not allowed")
    if isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES or node.id.startswith("__")):
        raise UnsafeExpression(f"name {node.id!r} is not allowed")
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise UnsafeExpression(f"attribute {node.attr!r} is not allowed")
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("__"):
        raise UnsafeExpression("dunder strings are not allowed")


@lru_cache(maxsize=4096)
def check(source: str, mode: str = "eval") -> None:
    """Raise ``SyntaxError`` or ``UnsafeExpression`` unless the source is allowed."""
    tree = ast.parse(source, mode=mode)
    for node in ast.walk(tree):
        _check_node(node)


def helpers(now) -> dict:
    """Safe helpers every expression may call; ``now`` is the engine clock."""
    return {
        "__builtins__": SAFE_BUILTINS,
        "now": now,
        "today": lambda: now().date(),
        "datetime": datetime,
        "date": date,
        "timedelta": timedelta,
        "timezone": timezone,
        "iso_duration": iso_duration,
    }
