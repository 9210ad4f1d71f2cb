"""The Alembic history builds exactly the schema the models describe, and upgrades keep the data."""

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import select

from api import create_app
from api.extensions import db
from engine.config import ROOT
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


def _unmarked(node):
    """A form as it was before fields carried ``x-personal``."""
    if isinstance(node, dict):
        return {k: _unmarked(v) for k, v in node.items() if k != "x-personal"}
    return [_unmarked(v) for v in node] if isinstance(node, list) else node


def test_stored_forms_get_their_marks_and_stored_audit_data_is_masked(tmp_path):
    register = json.loads((ROOT / "forms/dispute_case/register.schema.json").read_text(encoding="utf-8"))
    register["properties"].pop("contact_phone")  # added to the form after this migration: no stored form has it
    own = {"properties": {"people": {"type": "array", "items": {"properties": {"mobile": {"type": "string"}}}}}}
    forms = {"dispute_case/register.schema.json": _unmarked(register), "mine/own.schema.json": own}
    data = {"parties": [{"name": "张三", "id_number": "441581198001011234", "phone": "13800138000"}],
            "people": [{"mobile": "13900139000"}], "summary": "邻里纠纷"}
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    with app.app_context():
        upgrade(revision="0005_state_revision")
        with db.engine.begin() as conn:
            for sql, args in [
                ("INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')", ()),
                ("INSERT INTO org_unit (id, code, name, kind, path) VALUES (1, 'c', 'County', 'county', '/1/')", ()),
                ("INSERT INTO process_version VALUES (1, 'p', 1, '', 1, 'p.bpmn', 'hash', '', '', ?, 1,"
                 " '2031-01-01 00:00:00')", (json.dumps(forms),)),
                ("INSERT INTO \"case\" (id, code, process_id, process_version_id, status, org_unit_id, title,"
                 " opened_by, opened_at) VALUES (1, 'C-1', 'p', 1, 'open', 1, '', 'x', '2031-01-01 00:00:00')", ()),
                ("INSERT INTO audit_event (id, case_id, kind, actor, at, detail) VALUES"
                 " (1, 1, 'task_completed', 'x', '2031-01-01 00:00:00', ?),"
                 " (2, 1, 'task_claimed', 'x', '2031-01-01 00:00:00', '{\"note\": \"13800138000\"}')",
                 (json.dumps({"task": "register", "data": data}),)),
            ]:
                conn.exec_driver_sql(sql, args)
        upgrade()
        with db.engine.connect() as conn:
            stored_forms, content_hash = conn.exec_driver_sql("SELECT forms, content_hash FROM process_version").one()
            details = dict(conn.exec_driver_sql("SELECT id, detail FROM audit_event").all())
        db.engine.dispose()
    assert json.loads(stored_forms) == {"dispute_case/register.schema.json": register, "mine/own.schema.json": {
        "properties": {"people": {"type": "array", "items": {"properties": {
            "mobile": {"type": "string", "x-personal": "phone"}}}}}}}
    assert content_hash == "hash"
    assert json.loads(details[1]) == {"task": "register", "data": {
        "parties": [{"name": "张*", "id_number": "441581********1234", "phone": "138****8000"}],
        "people": [{"mobile": "139****9000"}], "summary": "邻里纠纷"}}
    assert json.loads(details[2]) == {"note": "13800138000"}  # only submitted form data is rewritten


def test_versions_deployed_before_the_mark_are_startable_unless_a_diagram_calls_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    calls_sub = '<bpmn:callActivity id="c" calledElement="sub" />'
    with app.app_context():
        upgrade(revision="0007_session_version")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')")
            for vid, (pid, version, xml) in enumerate([("top", 1, calls_sub), ("top", 2, calls_sub),
                                                       ("sub", 1, '<bpmn:process id="sub" />'),
                                                       ("alone", 1, "")], 1):
                conn.exec_driver_sql(
                    "INSERT INTO process_version (id, process_id, version, name, deployment_id, file_name,"
                    " content_hash, bpmn_xml, spec_json, forms, executable, created_at) VALUES"
                    " (?, ?, ?, '', 1, 'p.bpmn', ?, ?, '', '{}', 1, '2031-01-01 00:00:00')",
                    (vid, pid, version, f"h{vid}", xml))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT process_id, version, startable FROM process_version ORDER BY id")
            assert rows.all() == [("top", 1, 1), ("top", 2, 1), ("sub", 1, 0), ("alone", 1, 1)]
        db.engine.dispose()


def test_the_party_name_index_is_filled_for_cases_stored_before_it(tmp_path, echo_handler):
    from flask_migrate import downgrade

    from engine import party_index
    from engine.models import PartyName
    from tests.engine.test_party_index import _form
    from tests.helpers import FIXTURES, fixture_file, small_org

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    with app.app_context():
        upgrade()
        from engine import cases, deploy, tasks
        _, users = small_org(db.session)
        deploy.deploy(db.session, [fixture_file("simple.bpmn"), _form("register"), _form("mediate")], "test",
                      max_bytes=1_000_000, forms_dir=FIXTURES / "forms")
        case = cases.open_case(db.session, users["staff"], "simple", {})
        register = cases.open_tasks(db.session, case)[0]
        tasks.complete(db.session, users["staff"], register.id, {
            "title": "邻里纠纷", "parties_count": 2, "parties": [{"name": "张三"}, {"name": "Li Ming"}]})
        mediate = cases.open_tasks(db.session, case)[0]
        tasks.complete(db.session, users["mediator"], mediate.id,
                       {"outcome": "failed", "parties": [{"name": "张三"}, {"name": "王五"}]})
        db.session.commit()
        expected = {party_index.digest("张三"), party_index.digest("王五")}
        assert set(db.session.scalars(select(PartyName.digest))) == expected
        db.session.remove()
        downgrade(revision="0013_case_search_tracking")
        upgrade()
        assert set(db.session.scalars(select(PartyName.digest))) == expected
        db.session.remove()
        db.engine.dispose()
