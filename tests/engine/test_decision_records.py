"""Each evaluation of a decision table by a case is recorded with the step, without personal data."""

from sqlalchemy import func, select

from engine import cases, decision_records, deploy, tasks
from engine.models import DecisionRecord, DeploymentFile, TaskItem
from tests.helpers import FIXTURES, deploy_fixture, small_org


def _complete_register(session, user, case, data):
    row = cases.open_tasks(session, case)[0]
    tasks.complete(session, user, row.id, data)
    return row


def test_the_step_records_inputs_outcome_and_the_dmn_version_in_its_transaction(session):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    case = cases.open_case(session, users["staff"], "rule", {})
    session.commit()
    row = _complete_register(session, users["staff"], case, {"title": "t", "parties_count": 3,
                                                             "phone": "13812345678"})
    record = session.scalars(select(DecisionRecord)).one()  # not committed yet: the step's own transaction
    dmn = session.scalars(select(DeploymentFile).where(DeploymentFile.name == "rule.dmn")).one()
    assert (record.case_id, record.decision_id, record.task_spec) == (case.id, "deadline_rule", "stamp")
    assert (record.deployment_id, record.dmn_version) == (dmn.deployment_id, 1)
    assert record.inputs == [{"expression": "parties_count", "value": 3}]
    assert record.outcome == {"deadline_hours": 24}

    session.rollback()  # the completion and its record go together
    assert session.scalar(select(func.count()).select_from(DecisionRecord)) == 0
    assert session.get(TaskItem, row.id).state == "ready"


def test_a_changed_table_is_recorded_with_its_new_version(session):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    changed = (FIXTURES / "rule.dmn").read_bytes().replace(b"<text>24</text>", b"<text>8</text>")
    deploy.deploy(session, [deploy.SourceFile("rule.dmn", changed)], "admin", max_bytes=10**6,
                  forms_dir=FIXTURES / "forms")
    case = cases.open_case(session, users["staff"], "rule", {})
    _complete_register(session, users["staff"], case, {"title": "t", "parties_count": 2})
    session.commit()
    record = session.scalars(select(DecisionRecord)).one()
    assert (record.dmn_version, record.outcome) == (2, {"deadline_hours": 8})


def test_values_read_from_personal_fields_are_withheld_unless_a_count_or_flag():
    roots = {"parties", "phone"}
    assert decision_records.kept_input("len(parties)", 3, roots) == {"expression": "len(parties)", "value": 3}
    assert decision_records.kept_input("parties[0]['name']", "张三", roots) == {
        "expression": "parties[0]['name']", "withheld": True}
    assert decision_records.kept_input("phone", "13812345678", roots)["withheld"] is True
    assert decision_records.kept_input("parties", [{"name": "张三"}], roots)["withheld"] is True
    assert decision_records.kept_input("tier", "town", roots) == {"expression": "tier", "value": "town"}
    assert decision_records.kept_input("risk_flags", ["群体性"], roots)["value"] == ["群体性"]
    assert decision_records.kept_input("note", {"any": "object"}, roots)["withheld"] is True


def test_recent_returns_the_records_of_the_last_n_cases(session):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    opened = []
    for count in (1, 2, 3):
        case = cases.open_case(session, users["staff"], "rule", {})
        _complete_register(session, users["staff"], case, {"title": "t", "parties_count": count})
        opened.append(case)
    session.commit()
    rows = decision_records.recent(session, "deadline_rule", 2)
    assert [r.case_id for r in rows] == [opened[2].id, opened[1].id]
    assert decision_records.recent(session, "other", 5) == []
