"""The designer's overview: versions with who deployed them and the cases on each, decision tables, forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import cases, deploy, designer
from engine.errors import Forbidden
from engine.models import Case
from tests.helpers import FIXTURES, deploy_fixture, fixture_file, small_org


def _version_two_of_simple(session):
    changed = fixture_file("simple.bpmn").content.replace(b'name="\xe7\xbb\x93\xe6\x9d\x9f"', b'name="end2"')
    deploy.deploy(session, [deploy.SourceFile("simple.bpmn", changed)], "designer", max_bytes=1_000_000,
                  forms_dir=FIXTURES / "forms")
    session.commit()


def test_each_version_counts_its_running_and_all_cases(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session, "simple.bpmn", "timers.bpmn")
    first = [cases.open_case(session, users["staff"], "simple", {}) for _ in range(3)]
    _version_two_of_simple(session)
    cases.open_case(session, users["staff"], "simple", {})
    first[0].status = "closed"
    first[1].status = "incident"  # held up, still running
    session.commit()

    rows = {p.process_id: p for p in designer.overview(session, users["designer"]).processes}
    assert list(rows) == ["simple", "timers"]
    simple = rows["simple"]
    assert simple.name == "简单流程 Simple" and simple.startable
    assert [(v.version, v.deployed_by, v.open_cases, v.all_cases) for v in simple.versions] == [
        (1, "test", 2, 3), (2, "designer", 1, 1)]
    assert simple.open_cases == 3 and simple.latest.version == 2
    assert simple.versions[0].deployed_at <= simple.versions[1].deployed_at
    assert simple.versions[1].forms == ("simple/mediate.schema.json", "simple/register.schema.json")
    assert [(v.version, v.open_cases, v.all_cases) for v in rows["timers"].versions] == [(1, 0, 0)]


def test_counts_come_from_one_grouped_query(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    for _ in range(4):
        cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    version_id = session.scalar(select(Case.process_version_id))
    assert designer.case_counts(session) == {version_id: (4, 4)}


def test_decision_tables_list_their_decisions_and_every_version(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    changed = fixture_file("rule.dmn").content.replace(b"</definitions>", b"<!-- v2 --></definitions>")
    deploy.deploy(session, [deploy.SourceFile("rule.dmn", changed)], "admin", max_bytes=1_000_000,
                  forms_dir=FIXTURES / "forms")
    session.commit()
    [table] = designer.overview(session, users["admin"]).decisions
    assert table.name == "rule.dmn" and table.decisions == [("deadline_rule", "期限规则")]
    assert [(v.version, v.deployed_by) for v in table.versions] == [(1, "test"), (2, "admin")]


def test_forms_list_the_versions_carrying_them(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session, "simple.bpmn", "timers.bpmn")
    _version_two_of_simple(session)
    forms = {f.path: f for f in designer.overview(session, users["designer"]).forms}
    assert forms["simple/register.schema.json"].used_by == [("simple", 1), ("simple", 2)]
    assert forms["simple/register.schema.json"].latest_users == ["simple"]
    assert forms["timers/handle.schema.json"].used_by == [("timers", 1)]


@pytest.mark.parametrize("role", ["staff", "mediator", "leader", "grid_worker"])
def test_only_designers_and_administrators_may_look(session, role):
    _, users = small_org(session)
    with pytest.raises(Forbidden):
        designer.overview(session, users[role])
