"""A changed decision table applies to cases that are already running."""

from engine import cases, deploy, tasks
from tests.helpers import FIXTURES, deploy_fixture, small_org


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
