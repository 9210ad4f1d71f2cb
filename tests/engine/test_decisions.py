"""A changed decision table applies to cases that are already running; tables answer by their hit policy."""

import pytest
from sqlalchemy import select

from engine import cases, deploy, tasks
from engine.errors import DeploymentRejected
from engine.models import Incident
from tests.helpers import FIXTURES, deploy_fixture, fixture_file, small_org


def _mediate_data(session, case):
    row = next(r for r in cases.open_tasks(session, case) if r.spec_id == "mediate")
    return tasks.current_data(session, row)


def test_running_case_uses_the_newest_table(session):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    before = cases.open_case(session, users["staff"], "rule", {})
    session.commit()

    changed = (FIXTURES / "rule.dmn").read_bytes().replace(b"<text>24</text>", b"<text>8</text>")
    result = deploy.deploy(session, [deploy.SourceFile("rule.dmn", changed)], "admin", max_bytes=10**6,
                           forms_dir=FIXTURES / "forms")
    session.commit()
    assert {v["process_id"]: v["version"] for v in result["versions"]} == {"rule": 2}

    for case in (before, cases.open_case(session, users["staff"], "rule", {})):
        row = cases.open_tasks(session, case)[0]
        tasks.complete(session, users["staff"], row.id, {"title": "t", "parties_count": 2})
        session.commit()
        assert _mediate_data(session, case)["deadline_hours"] == 8
    assert before.process_version.version == 1


def _rule_table(policy: str, large_from: str = "10", aggregation: str = "") -> deploy.SourceFile:
    """The fixture table with its hit policy set; ``large_from`` 1 makes both rows match two parties."""
    xml = (FIXTURES / "rule.dmn").read_bytes()
    attrs = f'hitPolicy="{policy}"' + (f' aggregation="{aggregation}"' if aggregation else "")
    xml = xml.replace(b'hitPolicy="UNIQUE"', attrs.encode()).replace(b"&gt;= 10", f"&gt;= {large_from}".encode())
    return deploy.SourceFile("rule.dmn", xml)


def _run_rule(session, users, table: deploy.SourceFile):
    deploy.deploy(session, [fixture_file("rule.bpmn"), table], "admin", max_bytes=10**6,
                  forms_dir=FIXTURES / "forms")
    case = cases.open_case(session, users["staff"], "rule", {})
    session.commit()
    row = cases.open_tasks(session, case)[0]
    tasks.complete(session, users["staff"], row.id, {"title": "t", "parties_count": 2})
    session.commit()
    return case


def test_unique_table_with_two_matching_rules_is_an_incident_naming_them(session):
    _, users = small_org(session)
    case = _run_rule(session, users, _rule_table("UNIQUE", large_from="1"))
    incident = session.scalars(select(Incident).where(Incident.case_id == case.id)).one()
    assert case.status == "incident" and incident.task_spec == "stamp"
    assert "UNIQUE" in incident.message and "r_small, r_large" in incident.message, incident.message


def test_unique_table_with_one_matching_rule_answers(session):
    _, users = small_org(session)
    case = _run_rule(session, users, _rule_table("UNIQUE"))
    assert case.status == "open" and _mediate_data(session, case)["deadline_hours"] == 24


def test_first_table_answers_with_the_first_matching_rule(session):
    _, users = small_org(session)
    case = _run_rule(session, users, _rule_table("FIRST", large_from="1"))
    assert _mediate_data(session, case)["deadline_hours"] == 24


def test_collect_table_answers_with_every_matching_rule_in_order(session):
    _, users = small_org(session)
    case = _run_rule(session, users, _rule_table("COLLECT", large_from="1"))
    assert _mediate_data(session, case)["deadline_hours"] == [24, 72]


@pytest.mark.parametrize("policy, aggregation, named", [
    ("PRIORITY", "", "hit policy PRIORITY"), ("RULE ORDER", "", "hit policy RULE ORDER"),
    ("ANY", "", "hit policy ANY"), ("COLLECT", "SUM", "aggregation SUM")])
def test_deploy_refuses_hit_policies_the_engine_does_not_evaluate(session, policy, aggregation, named):
    with pytest.raises(DeploymentRejected) as refused:
        deploy.deploy(session, [fixture_file("rule.bpmn"), _rule_table(policy, aggregation=aggregation)],
                      "admin", max_bytes=10**6, forms_dir=FIXTURES / "forms")
    assert named in refused.value.message and refused.value.details[0]["file"] == "rule.dmn"
