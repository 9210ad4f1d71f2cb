"""Connection set-up that is the engine's business rather than the web layer's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (inbox queries) run while one writer commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def configure(engine: Engine) -> None:
    """Apply per-connection settings for the engine's dialect."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite database file, so a fresh clone just works."""
    made = make_url(url)
    if made.get_backend_name() == "sqlite" and made.database and made.database != ":memory:":
        Path(made.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def recreate_postgres(url: str) -> str:
    """Drop and create the PostgreSQL database named in ``url`` (tests, benchmarks); returns the psycopg URL."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)
