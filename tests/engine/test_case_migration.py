import re

import pytest

from engine import case_migration, cases, deploy, tasks, timers
from engine.errors import BadRequest, Forbidden, NotFound
from engine.models import AuditEvent, Case, CaseState, Incident, TaskItem, Timer
from engine.runner import CaseRun
from tests.helpers import FIXTURES, small_org


def deploy_version(session, fixture: str) -> None:
    """Both versions are one file, ``migrating.bpmn``, as a designer would deploy an edited diagram."""
    source = deploy.SourceFile("migrating.bpmn", (FIXTURES / fixture).read_bytes())
    deploy.deploy(session, [source], "test", max_bytes=10**6, forms_dir=FIXTURES / "forms")
    session.commit()


@pytest.fixture
def world(session):
    units, users = small_org(session)
    deploy_version(session, "migrating_v1.bpmn")
    return units, users


def open_case(session, users, data=None) -> Case:
    case = cases.open_case(session, users["staff"], "migrating", data or {})
    session.commit()
    return case


def only_task(session, case) -> TaskItem:
    rows = cases.open_tasks(session, case)
    assert len(rows) == 1
    return rows[0]


def advance(session, users, case, *spec_ids) -> None:
    """Complete the case's open task, expecting each named element in turn."""
    for spec_id in spec_ids:
        row = only_task(session, case)
        assert row.spec_id == spec_id
        tasks.complete(session, users["admin"], row.id, {"note": f"{spec_id} done"})
        session.commit()


def migrate(session, users, **kw):
    kw.setdefault("dry_run", False)
    return case_migration.migrate(session, users["designer"], "migrating", 1, 2, **kw)


def by_code(report) -> dict:
    return {plan.code: plan for plan in report.cases}


def assert_rows_match_workflow(session, case) -> None:
    """Open task rows are the ready user tasks and waiting timer rows the waiting timers, id for id."""
    session.expire_all()
    run = CaseRun(session, session.get(Case, case.id), "test")
    workflow = run.load()
    ready = {str(t.id): t.task_spec.bpmn_id for t in run.ready_user_tasks()}
    rows = {r.spiff_task_id: r.spec_id for r in cases.open_tasks(session, case)}
    assert rows == ready
    waiting = {str(t.id): t.task_spec.bpmn_id for t in timers.waiting_timers(workflow)}
    timer_rows = {r.spiff_task_id: r.spec_id
                  for r in session.query(Timer).filter_by(case_id=case.id, state="waiting")}
    assert timer_rows == waiting


def test_a_case_waiting_on_an_element_kept_by_id_moves_with_its_data_task_row_and_timer(session, world):
    _, users = world
    case = open_case(session, users, {"note": "from the counter"})
    row = only_task(session, case)
    tasks.save_draft(session, users["staff"], row.id, {"note": "half written"})
    session.commit()
    timer = session.query(Timer).filter_by(case_id=case.id, state="waiting").one()
    due, spiff_id, row_id = timer.due_at, row.spiff_task_id, row.id
    deploy_version(session, "migrating_v2.bpmn")

    plan = by_code(migrate(session, users))[case.code]

    assert plan.status == "moved", plan.as_dict()
    assert [m.as_dict() for m in plan.moves] == [
        {"process": "migrating", "old": "intake", "new": "intake", "how": "same", "state": "ready"},
        {"process": "migrating", "old": "intake_remind", "new": "intake_remind", "how": "same", "state": "waiting"}]
    session.expire_all()
    case = session.get(Case, case.id)
    assert case.process_version.version == 2
    row = only_task(session, case)
    assert (row.id, row.spiff_task_id, row.name, row.draft) == (row_id, spiff_id, "受理登记（新）", {"note": "half written"})
    timer = session.query(Timer).filter_by(case_id=case.id, state="waiting").one()
    assert timer.due_at == due  # the case keeps its deadline
    workflow = CaseRun(session, case, "t").load()
    assert timers.find_task(workflow, timer.spiff_task_id)._get_internal_data("event_value") == due.isoformat()
    assert timers.find_task(workflow, spiff_id).data["note"] == "from the counter"
    event = session.query(AuditEvent).filter_by(case_id=case.id, kind="case_migrated").one()
    assert (event.actor, event.detail["from_version"], event.detail["to_version"], event.detail["mapping"]) == (
        "designer", 1, 2, {})
    assert_rows_match_workflow(session, case)


def test_a_case_inside_a_call_activity_moves_with_the_called_process_of_the_new_version(session, world):
    _, users = world
    case = open_case(session, users)
    advance(session, users, case, "intake")
    deploy_version(session, "migrating_v2.bpmn")

    plan = by_code(migrate(session, users))[case.code]

    assert plan.status == "moved"
    assert {(m.process, m.old, m.how) for m in plan.moves} == {("migrating", "review", "same"),
                                                               ("migrating_check", "check", "same")}
    session.expire_all()
    assert only_task(session, case).name == "核查（新）"
    assert_rows_match_workflow(session, case)


def test_a_renamed_element_moves_only_with_a_mapping(session, world):
    _, users = world
    case = open_case(session, users)
    advance(session, users, case, "intake", "check")
    state_before = session.get(CaseState, case.id).state_json
    deploy_version(session, "migrating_v2.bpmn")

    dry = by_code(migrate(session, users, dry_run=True))[case.code]
    assert dry.status == "blocked"
    assert [(b.code, b.element, b.suggestion) for b in dry.blockers] == [("removed", "approve", "sign_off")]
    refused = by_code(migrate(session, users))[case.code]
    assert refused.status == "blocked"
    session.expire_all()
    assert session.get(Case, case.id).process_version.version == 1
    assert session.get(CaseState, case.id).state_json == state_before
    assert session.query(AuditEvent).filter_by(case_id=case.id, kind="case_migrated").count() == 0

    moved = by_code(migrate(session, users, mapping={"approve": "sign_off"}))[case.code]

    assert moved.status == "moved", moved.as_dict()
    assert [(m.old, m.new, m.how) for m in moved.moves] == [("approve", "sign_off", "mapped")]
    session.expire_all()
    row = only_task(session, case)
    # The new diagram puts the task in the leader's lane with its own form.
    assert (row.spec_id, row.name, row.role, row.form) == ("sign_off", "签批", "leader", "migrating/sign_off.schema.json")
    event = session.query(AuditEvent).filter_by(case_id=case.id, kind="case_migrated").one()
    assert event.detail["mapping"] == {"approve": "sign_off"}
    assert session.query(AuditEvent).filter_by(case_id=case.id, kind="task_replaced").count() == 1
    assert_rows_match_workflow(session, case)


def test_a_moved_case_runs_to_its_end_on_the_new_version(session, world):
    _, users = world
    case = open_case(session, users)
    deploy_version(session, "migrating_v2.bpmn")
    assert by_code(migrate(session, users))[case.code].status == "moved"

    advance(session, users, case, "intake", "check", "sign_off")

    session.expire_all()
    case = session.get(Case, case.id)
    assert case.status == "closed"
    assert cases.open_tasks(session, case) == []
    assert session.query(Timer).filter_by(case_id=case.id, state="waiting").count() == 0


def test_a_removed_waiting_element_is_reported_and_never_moved(session, world):
    _, users = world
    waiting = open_case(session, users)
    advance(session, users, waiting, "intake", "check")
    fresh = open_case(session, users)
    deploy_version(session, "migrating_v2.bpmn")

    report = migrate(session, users)

    plans = by_code(report)
    assert (plans[waiting.code].status, plans[fresh.code].status) == ("blocked", "moved")
    assert "approve" in plans[waiting.code].blockers[0].message
    assert report.counts() == {"blocked": 1, "moved": 1}
    session.expire_all()
    assert session.get(Case, waiting.id).process_version.version == 1
    assert only_task(session, waiting).spec_id == "approve"


def test_mapping_to_an_element_of_another_type_is_refused(session, world):
    _, users = world
    case = open_case(session, users)
    advance(session, users, case, "intake", "check")
    deploy_version(session, "migrating_v2.bpmn")

    plan = by_code(migrate(session, users, mapping={"approve": "review"}))[case.code]

    assert [(b.code, b.element) for b in plan.blockers] == [("type_changed", "approve")]
    session.expire_all()
    assert session.get(Case, case.id).process_version.version == 1


def test_cases_with_an_open_incident_or_already_moved_are_reported(session, world):
    _, users = world
    stuck, other = open_case(session, users), open_case(session, users)
    session.add(Incident(case_id=stuck.id, message="boom"))
    session.commit()
    deploy_version(session, "migrating_v2.bpmn")
    assert by_code(migrate(session, users, codes=[other.code]))[other.code].status == "moved"

    plans = by_code(migrate(session, users, codes=[stuck.code, other.code, "NOPE"], dry_run=True))

    assert [b.code for b in plans[stuck.code].blockers] == ["incident"]
    assert [b.code for b in plans[other.code].blockers] == ["already_on_target"]
    assert [b.code for b in plans["NOPE"].blockers] == ["not_found"]


def test_a_failure_rolls_back_that_case_only_and_is_reported(session, world, monkeypatch):
    _, users = world
    first, second = open_case(session, users), open_case(session, users)
    state_before = session.get(CaseState, first.id).state_json
    deploy_version(session, "migrating_v2.bpmn")
    real = case_migration.migrate_workflow
    calls = []

    def flaky(diff, workflow, spec, reset_mask=None):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(diff, workflow, spec, reset_mask)

    monkeypatch.setattr(case_migration, "migrate_workflow", flaky)
    plans = by_code(migrate(session, users))

    assert (plans[first.code].status, plans[first.code].error) == ("failed", "RuntimeError: disk on fire")
    assert plans[second.code].status == "moved"
    session.expire_all()
    assert session.get(Case, first.id).process_version.version == 1
    assert session.get(CaseState, first.id).state_json == state_before
    assert session.get(Case, second.id).process_version.version == 2


def test_only_designers_and_administrators_move_cases_and_input_is_checked(session, world):
    _, users = world
    deploy_version(session, "migrating_v2.bpmn")
    with pytest.raises(Forbidden):
        case_migration.migrate(session, users["staff"], "migrating", 1, 2)
    with pytest.raises(NotFound) as missing:
        case_migration.migrate(session, users["admin"], "migrating", 1, 3)
    assert missing.value.fields == {"to_version": "no such version"}
    with pytest.raises(BadRequest) as bad:
        case_migration.migrate(session, users["admin"], "migrating", 1, 2, mapping={"approve": "nowhere"})
    assert bad.value.fields == {"mapping.approve": "no such element in the target version"}
    with pytest.raises(BadRequest):
        case_migration.migrate(session, users["admin"], "migrating", "1", 2)


def test_a_case_inside_a_call_activity_that_now_calls_another_process_is_not_moved(session, world):
    _, users = world
    case = open_case(session, users)
    advance(session, users, case, "intake")
    v2 = (FIXTURES / "migrating_v2.bpmn").read_text()
    v3 = v2.replace("migrating_check", "migrating_review")  # the called process is replaced by another
    deploy_version(session, "migrating_v2.bpmn")
    deploy.deploy(session, [deploy.SourceFile("migrating.bpmn", v3.encode())], "test", max_bytes=10**6,
                  forms_dir=FIXTURES / "forms")
    session.commit()

    plan = case_migration.migrate(session, users["admin"], "migrating", 1, 3, dry_run=False).cases[0]

    assert plan.status == "blocked"
    assert {(b.code, b.element) for b in plan.blockers} == {("call_changed", "review"),
                                                            ("subprocess_removed", "migrating_check")}
    session.expire_all()
    assert session.get(Case, case.id).process_version.version == 1


def test_an_element_removed_ahead_of_a_case_is_dropped_from_its_path(session, world):
    """``migrating_v3`` drops ``approve``: a case inside the call activity before it moves and ends without
    it; a case waiting on it is reported, with nothing to suggest."""
    _, users = world
    inside = open_case(session, users)
    advance(session, users, inside, "intake")
    at_approve = open_case(session, users)
    advance(session, users, at_approve, "intake", "check")
    deploy_version(session, "migrating_v3.bpmn")

    plans = by_code(migrate(session, users))

    assert plans[inside.code].status == "moved", plans[inside.code].as_dict()
    assert [(b.code, b.element, b.suggestion) for b in plans[at_approve.code].blockers] == [
        ("removed", "approve", None)]
    assert_rows_match_workflow(session, inside)
    advance(session, users, inside, "check")
    session.expire_all()
    assert session.get(Case, inside.id).status == "closed"


def test_a_case_that_passed_an_element_the_new_version_removed_is_reported(session, world):
    _, users = world
    case = open_case(session, users)
    advance(session, users, case, "intake", "check")
    without_intake = re.sub(r'\s*<bpmn:(userTask|boundaryEvent) id="intake.*?</bpmn:\1>', "",
                            (FIXTURES / "migrating_v1.bpmn").read_text(), flags=re.S)
    without_intake = re.sub(r'\s*<bpmn:(endEvent id="intake_reminded"|sequenceFlow id="f_remind"|sequenceFlow '
                            r'id="f1"|sequenceFlow id="f2")[^\n]*', "", without_intake)
    without_intake = re.sub(r"<bpmn:flowNodeRef>intake[a-z_]*</bpmn:flowNodeRef>", "", without_intake)
    without_intake = without_intake.replace('<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3', '<bpmn:incoming>f1'
                                            '</bpmn:incoming><bpmn:outgoing>f3').replace(
        '<bpmn:sequenceFlow id="f3"', '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />\n'
        '    <bpmn:sequenceFlow id="f3"')
    assert "intake" not in without_intake
    deploy.deploy(session, [deploy.SourceFile("migrating.bpmn", without_intake.encode())], "test",
                  max_bytes=10**6, forms_dir=FIXTURES / "forms")
    session.commit()

    plan = by_code(migrate(session, users, dry_run=True))[case.code]

    assert plan.status == "blocked" and plan.moves[0].as_dict()["old"] == "approve"
    assert ("passed_removed", "intake") in {(b.code, b.element) for b in plan.blockers}
