"""The registry is a literal map to one handler per file, and handlers stay out of engine/ and Flask."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import handlers

HANDLERS = Path(handlers.__file__).parent


def test_registry_names_one_handle_function_per_module():
    for name, func in handlers.REGISTRY.items():
        assert func.__name__ == "handle" and func.__module__ == f"handlers.{name}"
        assert list(inspect.signature(func).parameters) == ["params", "ctx"]
        assert func.__doc__


def test_handlers_import_neither_engine_nor_flask():
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in {"engine", "api", "flask"} for n in names), path.name
