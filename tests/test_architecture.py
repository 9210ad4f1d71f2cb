"""Imports run one way: api → engine → handlers. engine/ and handlers/ never import Flask."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield path, [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, [node.module]


@pytest.mark.parametrize("folder,forbidden", [
    ("engine", ("flask", "flask_sqlalchemy", "flask_migrate", "api", "werkzeug")),
    ("handlers", ("flask", "flask_sqlalchemy", "api", "engine")),
])
def test_import_direction(folder, forbidden):
    offenders = [(p.relative_to(ROOT).as_posix(), name) for p, names in _imports(folder) for name in names
                 if name.split(".")[0] in forbidden]
    assert offenders == []


def test_modules_stay_small():
    big = [p.relative_to(ROOT).as_posix() for folder in ("engine", "handlers", "api")
           for p in (ROOT / folder).rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 400]
    assert big == []
