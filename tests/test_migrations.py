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


def _stored(**data):
    """A stored workflow waiting at one task, its data kept as the library keeps it (changes from the parent)."""
    return json.dumps({"data": {}, "last_task": "a", "subprocesses": {}, "tasks": {
        "a": {"state": 64, "last_state_change": 1.0, "parent": None, "data": {"received_at": "2031-01-01T00:00:00"}},
        "b": {"state": 16, "last_state_change": 2.0, "parent": "a", "data": {},
              "delta": {"updates": data, "deletions": []}}}})


def test_cases_stored_before_outcomes_get_them_from_their_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    cases = [  # id, status, closed_at, due_at, data
        (1, "closed", "2031-01-05 00:00:00", "2031-01-10 00:00:00",
         {"next_action": "close", "tier": "town", "rating": "满意", "intake_channel": "窗口",
          "tier_due_at": "2031-01-04T00:00:00+00:00"}),
        (2, "closed", "2031-01-03 00:00:00", None, {"next_action": "litigation", "tier": "county"}),
        (3, "open", None, None, {"next_action": None, "risk_flags": ["重复信访"]}),
        (4, "open", None, "2031-01-01 12:00:00",
         {"settled_directly": True, "spot_resolved": True, "location_unit_code": "g", "tier": "village"}),
    ]
    with app.app_context():
        upgrade(revision="0013_case_search_tracking")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')")
            conn.exec_driver_sql("INSERT INTO org_unit (id, code, name, kind, path) VALUES (3, 'c', 'County', 'county',"
                                 " '/3/'), (1, 't', 'Town', 'town', '/3/1/'), (2, 'g', 'Grid', 'grid', '/3/1/2/')")
            conn.exec_driver_sql(
                "INSERT INTO process_version (id, process_id, version, name, deployment_id, file_name, content_hash,"
                " bpmn_xml, spec_json, forms, executable, startable, created_at) VALUES"
                " (1, 'p', 1, '', 1, 'p.bpmn', 'h', '', '', '{}', 1, 1, '2031-01-01 00:00:00')")
            for case_id, status, closed_at, due_at, data in cases:
                conn.exec_driver_sql(
                    "INSERT INTO \"case\" (id, code, process_id, process_version_id, status, org_unit_id, title,"
                    " opened_by, opened_at, closed_at, due_at) VALUES (?, ?, 'p', 1, ?, 1, '', 'x',"
                    " '2031-01-01 00:00:00', ?, ?)", (case_id, f"C-{case_id}", status, closed_at, due_at))
                conn.exec_driver_sql("INSERT INTO case_state (case_id, serializer_version, state_json, updated_at,"
                                     " revision) VALUES (?, '3', ?, '2031-01-02 00:00:00', 1)",
                                     (case_id, _stored(**data)))
            for order_id, status in enumerate(("resolved", "returned", "failed", "timed_out"), 1):
                conn.exec_driver_sql(
                    "INSERT INTO dispatch_order (id, case_id, task_id, order_type, round, to_unit_id, status,"
                    " issued_at, reminders, supervisions) VALUES (?, 1, ?, 'dispatch', 1, 1, ?, '2031-01-01 00:00:00',"
                    " 0, 0)", (order_id, f"t{order_id}", status))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, outcome, resolved_tier, resolved_unit_id, resolve_seconds, met_deadline,"
                " met_tier_deadline, rating, channel, repeat_petition, received_unit_id, received_at IS NOT NULL"
                " FROM \"case\" ORDER BY id").all()
            counted = conn.exec_driver_sql("SELECT id, county_id, orders_dispatched, orders_closed FROM \"case\""
                                           " ORDER BY id").all()
            indexes = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('case')")}
        db.engine.dispose()
    assert rows == [
        (1, "mediated", "town", 1, 4 * 86400, 1, 0, "满意", "窗口", 0, 1, 1),  # resolved when closed
        (2, "litigation", None, None, None, None, None, None, None, 0, 1, 1),
        (3, None, None, None, None, None, None, None, None, 1, 1, 1),
        (4, "on_the_spot", "grid", 2, 86400, 0, None, None, None, 0, 1, 1),  # open: the state's last write
    ]
    # every case is in the county; case 1's resolved and failed orders count, the returned and timed-out not
    assert counted == [(1, 3, 2, 1), (2, 3, 0, 0), (3, 3, 0, 0), (4, 3, 0, 0)]
    assert {"ix_case_county_received", "ix_case_received"} <= indexes


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


def test_cases_stored_before_risks_get_their_party_digests_and_signals(tmp_path):
    from engine import party_keys

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    forms = {"register": {"type": "object", "properties": {"parties": {"type": "array", "items": {
        "type": "object", "properties": {"phone": {"type": "string", "x-personal": "phone"},
                                         "id_number": {"type": "string", "x-personal": "id_number"}}}}}}}
    cases = [  # id, data
        (1, {"parties": [{"phone": "138-0000-1111", "id_number": "44158119800101123x"}, {"phone": "0660-8812345"}],
             "risk_flags": ["群体性"]}),
        (2, {"parties": [{"phone": "13800001111"}], "risk_flags": ["极端"]}),
        (3, {"summary": "no parties yet"}),
    ]
    with app.app_context():
        upgrade(revision="0019_analysis_ledger")  # the revision before 0020_risks
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')")
            conn.exec_driver_sql("INSERT INTO org_unit (id, code, name, kind, path, active) VALUES (1, 't', 'Town',"
                                 " 'town', '/1/', 1)")
            conn.exec_driver_sql(
                "INSERT INTO process_version (id, process_id, version, name, deployment_id, file_name, content_hash,"
                " bpmn_xml, spec_json, forms, executable, startable, created_at) VALUES"
                " (1, 'p', 1, '', 1, 'p.bpmn', 'h', '', '', ?, 1, 1, '2031-01-01 00:00:00')", (json.dumps(forms),))
            for case_id, data in cases:
                conn.exec_driver_sql(
                    "INSERT INTO \"case\" (id, code, process_id, process_version_id, status, org_unit_id, title,"
                    " opened_by, opened_at, repeat_petition, orders_dispatched, orders_closed) VALUES"
                    " (?, ?, 'p', 1, 'open', 1, '', 'x', '2031-01-01 00:00:00', 0, 0, 0)", (case_id, f"C-{case_id}"))
                conn.exec_driver_sql("INSERT INTO case_state (case_id, serializer_version, state_json, updated_at,"
                                     " revision) VALUES (?, '3', ?, '2031-01-02 00:00:00', 1)",
                                     (case_id, _stored(**data)))
        upgrade()
        with db.engine.connect() as conn:
            keys = set(conn.exec_driver_sql("SELECT case_id, kind, digest FROM party_key").all())
            signals = conn.exec_driver_sql("SELECT case_id, party_count, mass, extreme FROM case_signal"
                                           " ORDER BY case_id").all()
        db.engine.dispose()
        phone = party_keys.digest("phone", "13800001111")
        assert keys == {(1, "phone", phone), (1, "phone", party_keys.digest("phone", "06608812345")),
                        (1, "id_number", party_keys.digest("id_number", "44158119800101123X")), (2, "phone", phone)}
    assert signals == [(1, 2, 1, 0), (2, 1, 0, 1)]


def test_cases_stored_before_address_keys_get_their_address_digests(tmp_path):
    from flask_migrate import downgrade

    from engine import party_keys

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(settings_for(url))
    forms = {"register": {"type": "object", "properties": {
        "address": {"type": "string", "x-personal": "address"},
        "parties": {"type": "array", "items": {"type": "object", "properties": {
            "phone": {"type": "string", "x-personal": "phone"},
            "address": {"type": "string", "x-personal": "address"}}}}}}}
    cases = [  # id, data
        (1, {"address": "五华县水寨镇幸福里3栋", "parties": [{"phone": "13800001111", "address": "五华县水寨镇幸福里 3 栋"},
                                                      {"address": "五华县华城镇新一村5号"}]}),
        (2, {"address": "大坪村", "parties": [{"address": "五华县水寨镇幸福里３栋"}]}),
        (3, {"summary": "no address"}),
    ]
    with app.app_context():
        upgrade(revision="0021_risk_letter_escalation")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO deployment VALUES (1, 'h', '2031-01-01 00:00:00', 'admin')")
            conn.exec_driver_sql("INSERT INTO org_unit (id, code, name, kind, path, active) VALUES (1, 't', 'Town',"
                                 " 'town', '/1/', 1)")
            conn.exec_driver_sql(
                "INSERT INTO process_version (id, process_id, version, name, deployment_id, file_name, content_hash,"
                " bpmn_xml, spec_json, forms, executable, startable, created_at) VALUES"
                " (1, 'p', 1, '', 1, 'p.bpmn', 'h', '', '', ?, 1, 1, '2031-01-01 00:00:00')", (json.dumps(forms),))
            for case_id, data in cases:
                conn.exec_driver_sql(
                    "INSERT INTO \"case\" (id, code, process_id, process_version_id, status, org_unit_id, title,"
                    " opened_by, opened_at, repeat_petition, orders_dispatched, orders_closed) VALUES"
                    " (?, ?, 'p', 1, 'open', 1, '', 'x', '2031-01-01 00:00:00', 0, 0, 0)", (case_id, f"C-{case_id}"))
                conn.exec_driver_sql("INSERT INTO case_state (case_id, serializer_version, state_json, updated_at,"
                                     " revision) VALUES (?, '3', ?, '2031-01-02 00:00:00', 1)",
                                     (case_id, _stored(**data)))
            conn.exec_driver_sql("INSERT INTO party_key (case_id, kind, digest) VALUES (1, 'phone', 'p')")
        upgrade()

        def keys():
            with db.engine.connect() as conn:
                return set(conn.exec_driver_sql("SELECT case_id, kind, digest FROM party_key").all())

        building = party_keys.digest("address", "五华县水寨镇幸福里3栋")
        assert keys() == {(1, "phone", "p"), (1, "address", building), (2, "address", building),
                          (1, "address", party_keys.digest("address", "五华县华城镇新一村5号"))}
        downgrade(revision="0021_risk_letter_escalation")
        assert keys() == {(1, "phone", "p")}
        db.engine.dispose()
