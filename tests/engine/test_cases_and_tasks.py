import pytest

import handlers
from engine import accounts, case_codes, cases, deploy, tasks
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.models import SUPERVISOR_ROLES, AuditEvent, Case, CaseState, Incident, ServiceCall, TaskItem
from handlers.errors import HandlerError
from tests.helpers import FIXTURES, deploy_fixture, fixture_file, small_org


@pytest.fixture
def world(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    return units, users


def _open(session, user):
    case = cases.open_case(session, user, "simple", {})
    session.commit()
    return case


def _only_task(session, case):
    rows = cases.open_tasks(session, case)
    assert len(rows) == 1
    return rows[0]


def _kinds(session, case):
    return [e.kind for e in session.query(AuditEvent).filter_by(case_id=case.id).order_by(AuditEvent.id)]


def test_open_case_runs_to_the_first_user_task_in_the_openers_unit(session, world):
    units, users = world
    case = _open(session, users["staff"])
    row = _only_task(session, case)
    assert (case.status, case.org_unit_id) == ("open", units["town"].id)
    assert case.code.startswith("C0UNTY-") and case_codes.is_valid(case.code)  # county "county"
    assert (row.spec_id, row.role, row.org_unit_id, row.form) == (
        "register", "centre_staff", units["town"].id, "simple/register.schema.json")
    assert set(row.candidates) == {users["staff"].username, users["staff2"].username}
    assert _kinds(session, case) == ["case_opened", "task_created"]


def test_only_processes_marked_startable_can_be_opened(session, world):
    _, users = world
    unmarked = fixture_file("simple.bpmn").content.replace(
        b'<spiffworkflow:property name="startable" value="true" />', b"")
    deploy.deploy(session, [deploy.SourceFile("simple.bpmn", unmarked)], "test", max_bytes=10**6,
                  forms_dir=FIXTURES / "forms")
    with pytest.raises(FormInvalid) as refused:
        cases.open_case(session, users["staff"], "simple", {})
    assert refused.value.fields == {"process_id": "not a startable process"}
    assert "'simple' version 2" in refused.value.message and "startable" in refused.value.message
    assert session.query(Case).count() == 0
    assert cases.open_case(session, users["staff"], "simple", {}, version=1).process_version.version == 1


def test_state_is_stored_without_the_spec(session, world):
    _, users = world
    case = _open(session, users["staff"])
    state = session.get(CaseState, case.id)
    assert state.serializer_version
    assert '"spec"' not in state.state_json and "task_specs" not in state.state_json


def test_complete_validates_against_the_form_and_changes_nothing_on_failure(session, world):
    _, users = world
    case = _open(session, users["staff"])
    row = _only_task(session, case)
    with pytest.raises(FormInvalid) as err:
        tasks.complete(session, users["staff"], row.id, {"title": "", "phone": "12"})
    session.rollback()
    assert set(err.value.fields) == {"title", "parties_count", "phone"}
    assert session.get(TaskItem, row.id).state == "ready"


def test_reserved_names_cannot_be_submitted(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    with pytest.raises(FormInvalid) as err:
        tasks.complete(session, users["staff"], row.id, {"title": "x", "parties_count": 1, "now": 1})
    assert "now" in err.value.fields


@pytest.mark.parametrize("key", ["now", "datetime", "due_after", "received_at", "__builtins__"])
def test_reserved_names_cannot_open_a_case(session, world, key):
    _, users = world
    events = session.query(AuditEvent).count()
    with pytest.raises(FormInvalid) as err:
        cases.open_case(session, users["staff"], "simple", {"title": "x", key: 1})
    assert list(err.value.fields) == [f"data.{key}"]
    assert session.query(Case).count() == 0 and session.query(AuditEvent).count() == events


def test_full_path_runs_service_task_once_and_closes(session, world, echo_handler):
    _, users = world
    case = _open(session, users["staff"])
    tasks.complete(session, users["staff"], _only_task(session, case).id, {"title": "邻里纠纷", "parties_count": 2})
    session.commit()
    mediate = _only_task(session, case)
    assert (mediate.spec_id, mediate.role) == ("mediate", "mediator")
    assert echo_handler[0][1] == {"text": "邻里纠纷"}
    assert session.query(ServiceCall).filter_by(case_id=case.id, operator="echo").count() == 1
    tasks.complete(session, users["mediator"], mediate.id, {"outcome": "resolved"})
    session.commit()
    assert case.status == "closed" and case.closed_at is not None
    assert _kinds(session, case)[-3:] == ["task_created", "task_completed", "case_closed"]


def test_second_completion_is_a_conflict(session, world):
    _, users = world
    case = _open(session, users["staff"])
    row = _only_task(session, case)
    tasks.complete(session, users["staff"], row.id, {"title": "a", "parties_count": 1})
    session.commit()
    with pytest.raises(Conflict):
        tasks.complete(session, users["staff"], row.id, {"title": "a", "parties_count": 1})


def test_claim_rules(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    with pytest.raises(Forbidden):
        tasks.claim(session, users["mediator"], row.id)  # wrong role
    with pytest.raises(Forbidden):
        tasks.claim(session, users["other_staff"], row.id)  # other unit
    tasks.claim(session, users["staff"], row.id)
    with pytest.raises(Conflict):
        tasks.claim(session, users["staff2"], row.id)
    with pytest.raises(Conflict):
        tasks.complete(session, users["staff2"], row.id, {"title": "a", "parties_count": 1})
    tasks.unclaim(session, users["staff"], row.id)
    assert row.assignee is None


def test_reassign_is_for_supervisors_and_needs_the_role(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    with pytest.raises(Forbidden):
        tasks.reassign(session, users["mediator"], row.id, "staff2")
    with pytest.raises(Exception, match="cannot work"):
        tasks.reassign(session, users["staff"], row.id, "mediator")
    tasks.reassign(session, users["leader"], row.id, "staff2")
    assert row.assignee.username == "staff2"


def test_draft_is_kept_without_validation(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    tasks.save_draft(session, users["staff"], row.id, {"title": "半"})
    session.commit()
    assert session.get(TaskItem, row.id).draft == {"title": "半"}


def _mediate_task_claimed_by_mediator(session, users):
    case = _open(session, users["staff"])
    tasks.complete(session, users["staff"], _only_task(session, case).id, {"title": "x", "parties_count": 1})
    row = _only_task(session, case)
    tasks.claim(session, users["mediator"], row.id)
    session.commit()
    return row


def _holder(session, row):
    session.expire_all()
    return row.assignee.username if row.assignee else None


@pytest.mark.parametrize("username", ["peer", "designer", "grid_worker"])
def test_only_the_assignee_or_a_supervisor_releases_a_task(session, world, username):
    units, users = world
    users["peer"] = accounts.add_user(session, "peer", "pw", "mediator", units["town"])  # same role and unit
    row = _mediate_task_claimed_by_mediator(session, users)
    with pytest.raises(Forbidden):
        tasks.unclaim(session, users[username], row.id)
    session.rollback()
    assert _holder(session, row) == "mediator"
    assert "task_unclaimed" not in _kinds(session, row.case)
    tasks.unclaim(session, users["mediator"], row.id)  # the assignee, who is no supervisor
    session.commit()
    assert _holder(session, row) is None


SUPERVISORS = ["staff2", "leader", "admin"]  # one user of each supervisor role


@pytest.mark.parametrize("username", SUPERVISORS)
def test_a_supervisor_releases_someone_elses_claim(session, world, username):
    _, users = world
    assert {users[u].role for u in SUPERVISORS} == set(SUPERVISOR_ROLES)
    row = _mediate_task_claimed_by_mediator(session, users)
    tasks.unclaim(session, users[username], row.id)
    session.commit()
    assert _holder(session, row) is None
    assert _kinds(session, row.case)[-1] == "task_unclaimed"


def test_a_draft_is_not_saved_over_another_users_claim(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    tasks.save_draft(session, users["staff2"], row.id, {"title": "未领取时"})  # unclaimed: anyone with the role
    tasks.claim(session, users["staff"], row.id)
    session.commit()
    with pytest.raises(Conflict, match="claimed by staff"):
        tasks.save_draft(session, users["staff2"], row.id, {"title": "覆盖"})
    session.rollback()
    with pytest.raises(Forbidden):
        tasks.save_draft(session, users["mediator"], row.id, {"title": "别的角色"})
    session.rollback()
    session.expire_all()
    assert session.get(TaskItem, row.id).draft == {"title": "未领取时"}
    assert _kinds(session, row.case).count("task_draft_saved") == 1
    tasks.save_draft(session, users["staff"], row.id, {"title": "本人"})
    session.commit()
    assert session.get(TaskItem, row.id).draft == {"title": "本人"}


def test_inbox_scopes(session, world):
    _, users = world
    row = _only_task(session, _open(session, users["staff"]))
    assert [r.id for r in tasks.inbox(session, users["staff"], "claimable")[0]] == [row.id]
    assert tasks.inbox(session, users["mediator"], "claimable")[0] == []
    assert tasks.inbox(session, users["other_staff"], "unit")[0] == []
    assert [r.id for r in tasks.inbox(session, users["leader"], "unit")[0]] == [row.id]
    assert tasks.inbox(session, users["staff"], "mine")[0] == []
    tasks.claim(session, users["staff"], row.id)
    assert [r.id for r in tasks.inbox(session, users["staff"], "mine")[0]] == [row.id]


def test_cases_are_visible_only_in_the_subtree(session, world):
    _, users = world
    case = _open(session, users["staff"])
    assert cases.get_case(session, users["leader"], case.code).id == case.id
    with pytest.raises(Forbidden):
        cases.get_case(session, users["other_staff"], case.code)
    with pytest.raises(Forbidden):
        cases.get_case(session, users["grid_worker"], case.code)
    with pytest.raises(NotFound):
        cases.get_case(session, users["staff"], "nope")
    assert [c.id for c in cases.list_cases(session, users["admin"])[0]] == [case.id]
    assert cases.list_cases(session, users["other_staff"])[0] == []


def test_handler_failure_becomes_incident_that_keeps_the_completion_and_can_be_retried(
        session, world, monkeypatch):
    _, users = world
    case = _open(session, users["staff"])
    row = _only_task(session, case)

    def broken(params, ctx):
        raise RuntimeError("registry down")

    monkeypatch.setitem(handlers.REGISTRY, "echo", broken)
    tasks.complete(session, users["staff"], row.id, {"title": "x", "parties_count": 1})
    session.commit()
    incident = session.query(Incident).one()
    assert (case.status, incident.task_spec, incident.state) == ("incident", "stamp", "open")
    assert "registry down" in incident.message
    assert session.get(TaskItem, row.id).state == "completed"
    assert cases.open_tasks(session, case) == []

    monkeypatch.setitem(handlers.REGISTRY, "echo", lambda p, c: {"ok": True})
    cases.retry_incident(session, users["staff"], incident.id)
    session.commit()
    assert (incident.state, case.status) == ("resolved", "open")
    assert _only_task(session, case).spec_id == "mediate"


def test_handler_error_without_a_boundary_event_is_an_incident(session, world, monkeypatch):
    _, users = world
    case = _open(session, users["staff"])

    def refuse(params, ctx):
        raise HandlerError("no_mediator", "no mediator available")

    monkeypatch.setitem(handlers.REGISTRY, "echo", refuse)
    tasks.complete(session, users["staff"], _only_task(session, case).id, {"title": "x", "parties_count": 1})
    session.commit()
    assert case.status == "incident"
    assert "no mediator available" in session.query(Incident).one().message


def test_handler_error_caught_by_a_boundary_event_takes_the_error_path(session, world, monkeypatch):
    _, users = world
    deploy_fixture(session, "catch.bpmn")

    def refuse(params, ctx):
        raise HandlerError("no_mediator", "no mediator available")

    monkeypatch.setitem(handlers.REGISTRY, "echo", refuse)
    case = cases.open_case(session, users["staff"], "catch", {})
    session.commit()
    assert case.status == "open"
    assert _only_task(session, case).spec_id == "pick_by_hand"
    assert "error_caught" in _kinds(session, case)


def test_unsafe_expression_in_task_data_path_fails_without_executing(session, world, tmp_path):
    """Expressions are checked at run time too, e.g. a condition built from data cannot import."""
    from engine import expressions

    with pytest.raises(expressions.UnsafeExpression):
        expressions.check("__import__('os').system('id')")
    with pytest.raises(expressions.UnsafeExpression):
        expressions.check("().__class__.__bases__")
    with pytest.raises(expressions.UnsafeExpression):
        expressions.check("import os", "exec")
    expressions.check("amount > 10000 and 'x' in flags")
