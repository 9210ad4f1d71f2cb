"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL when asked), app and client.

Set ``MEDIATE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mediate_test`` to run the
whole suite on PostgreSQL; the database is recreated once per run and emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from api import create_app
from api.extensions import db as flask_db
from engine.config import ROOT, Settings
from engine.db import recreate_postgres
from engine.models import Base

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("MEDIATE_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")
TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long"


def settings_for(url: str, **extra) -> Settings:
    values = dict(database_url=url, secret_key=TEST_SECRET, scheduler=False,
                  processes_dir=ROOT / "processes", forms_dir=ROOT / "forms",
                  # Tests sign in hundreds of times from one address; the throttle has tests of its own.
                  login_limit="10000 per minute", login_address_limit="10000 per minute",
                  public_limit="10000 per minute")
    values.update(extra)
    return Settings(**values)


def _migrate(url: str) -> None:
    app = create_app(settings_for(url))
    with app.app_context():
        upgrade()
        flask_db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def private_instance_folder(tmp_path_factory):
    """Commands run from the environment (CLI tests, sweeper subprocesses) keep their generated key
    here, never in the repository's ``instance/``."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MEDIATE_INSTANCE_DIR", str(tmp_path_factory.mktemp("instance")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> str:
    """A migrated database: a SQLite file to copy, or the PostgreSQL test database."""
    if ON_POSTGRES:
        url = recreate_postgres(PG_URL)
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(template_db, tmp_path) -> str:
    if ON_POSTGRES:
        engine = create_engine(template_db)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template_db
    target = tmp_path / "mediate.sqlite"
    shutil.copy(template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url):
    app = create_app(settings_for(database_url))
    app.config["TESTING"] = True
    yield app
    with app.app_context():
        flask_db.session.remove()
        flask_db.engine.dispose()


@pytest.fixture
def session(app):
    """The Flask-SQLAlchemy session inside an app context, for engine-level tests."""
    with app.app_context():
        yield flask_db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def echo_handler(monkeypatch):
    """Registers the ``echo`` operator the fixture diagrams use."""
    import handlers

    calls = []

    def echo(params, ctx):
        calls.append((ctx.task_id, params))
        return {"echo": params.get("text"), "case": ctx.case.code}

    monkeypatch.setitem(handlers.REGISTRY, "echo", echo)
    return calls


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """scrypt at full cost is deliberately slow; tests hash with a small work factor."""
    from engine import accounts

    monkeypatch.setattr(accounts, "_N", 2**4)


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    """Each test sees the decision tables and users of its own database at once."""
    from engine import decisions, inbox

    decisions.forget()
    monkeypatch.setattr(decisions, "CHECK_SECONDS", 0.0)
    monkeypatch.setattr(inbox, "CANDIDATE_SECONDS", 0.0)
    yield
    decisions.forget()
