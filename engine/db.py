"""Connection set-up that is the engine's business rather than the web layer's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
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
