"""Imports run one way: api and web → engine → handlers. engine/ and handlers/ never import Flask.

The pages (web/) share the app's extensions and the engine-error status table with the API
(``api.extensions``, ``api.errors``) but never its routes or its token sign-in; the API reaches
the pages only where the app factory registers them.
"""

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
    ("engine", ("flask", "flask_sqlalchemy", "flask_migrate", "api", "werkzeug", "web")),
    ("handlers", ("flask", "flask_sqlalchemy", "api", "engine", "web")),
])
def test_import_direction(folder, forbidden):
    offenders = [(p.relative_to(ROOT).as_posix(), name) for p, names in _imports(folder) for name in names
                 if name.split(".")[0] in forbidden]
    assert offenders == []


# What of api/ the pages may use: the shared extensions and the error-status table.
WEB_MAY_USE = {"api.extensions", "api.errors"}


def test_pages_use_the_engine_not_the_api_s_routes():
    offenders = [(p.relative_to(ROOT).as_posix(), name) for p, names in _imports("web") for name in names
                 if name.split(".")[0] == "api" and name not in WEB_MAY_USE]
    assert offenders == []
    # No queries in the pages: they call engine functions (the session comes from the shared extension);
    # of SQLAlchemy they know only the exceptions a write can end in.
    queries = [(p.relative_to(ROOT).as_posix(), name) for p, names in _imports("web") for name in names
               if name.split(".")[0] == "sqlalchemy" and name not in ("sqlalchemy.exc", "sqlalchemy.orm.exc")]
    assert queries == []


def test_only_the_app_factory_registers_the_pages():
    importers = sorted({p.relative_to(ROOT).as_posix() for p, names in _imports("api") for name in names
                        if name.split(".")[0] == "web"})
    assert importers == ["api/__init__.py"]


def test_modules_stay_small():
    big = [p.relative_to(ROOT).as_posix() for folder in ("engine", "handlers", "api", "web")
           for p in (ROOT / folder).rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 400]
    assert big == []
