"""The Alembic history builds exactly the schema the models describe, and upgrades keep the data."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from api import create_app
from api.extensions import db
from engine.models import Base
from tests.conftest import settings_for


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_moving_the_revision_to_the_state_keeps_each_case_s_value(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    with app.app_context():
        upgrade(revision="0004_inbox_order")
        with db.engine.begin() as conn:
            for sql in [
                "INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')",
                "INSERT INTO org_unit (id, code, name, kind, path) VALUES (1, 'c', 'County', 'county', '/1/')",
                "INSERT INTO process_version VALUES (1, 'p', 1, '', 1, 'p.bpmn', 'h', '', '', '{}', 1,"
                " '2031-01-01 00:00:00')",
                "INSERT INTO \"case\" (id, code, process_id, process_version_id, status, org_unit_id, title,"
                " opened_by, opened_at, revision) VALUES (1, 'C-1', 'p', 1, 'open', 1, '', 'x',"
                " '2031-01-01 00:00:00', 7)",
                "INSERT INTO case_state VALUES (1, '3', '{}', '2031-01-01 00:00:00')",
                "INSERT INTO task (id, case_id, spiff_task_id, spec_id, name, process_id, role, org_unit_id,"
                " candidates, state, created_at, overdue, reminders) VALUES (1, 1, 'u', 's', 's', 'p', 'mediator',"
                " 1, '[]', 'ready', '2031-01-01 00:00:00', 0, 0)",
            ]:
                conn.exec_driver_sql(sql)
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT case_id, revision FROM case_state").all() == [(1, 7)]
            assert "revision" not in [row[1] for row in conn.exec_driver_sql("PRAGMA table_info('case')")]
            assert conn.exec_driver_sql("SELECT count(*) FROM task").scalar() == 1  # rows pointing at the case stay
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        db.engine.dispose()
