from datetime import UTC, datetime

import pytest

from engine import camunda, deploy
from engine.errors import BadRequest
from tests.helpers import FIXTURES, deploy_fixture, fixture_file


def _deploy(session, *files):
    answer = camunda.deploy(session, list(files), "designer", name="d", source="Camunda Modeler", max_bytes=100_000,
                            forms_dir=FIXTURES / "forms")
    session.commit()
    return answer


def test_timestamp_is_camundas_format():
    assert camunda.timestamp(datetime(2026, 12, 1, 9, 30, 5, 123456, tzinfo=UTC)) == "2026-12-01T09:30:05.123+0000"
    assert camunda.timestamp(datetime(2026, 12, 1, 9, 30)) == "2026-12-01T09:30:00.000+0000"


@pytest.mark.parametrize("form, field", [({"enable-duplicate-filtering": "yes"}, "enable-duplicate-filtering"),
                                         ({"deploy-changed-only": ""}, "deploy-changed-only"),
                                         ({"tenant-id": "a"}, "tenant-id"),
                                         ({"deployment-activation-time": "2026-12-02T00:00:00"},
                                          "deployment-activation-time"),
                                         ({"deployment-name": "x" * 256}, "deployment-name"),
                                         ({"deployment-source": "a\x00b"}, "deployment-source")])
def test_form_fields_are_checked(form, field):
    with pytest.raises(BadRequest) as err:
        camunda.check_flags(form)
    assert list(err.value.fields) == [field]


def test_accepted_form_fields():
    camunda.check_flags({"enable-duplicate-filtering": "TRUE", "deploy-changed-only": "false", "tenant-id": "",
                         "deployment-name": "调解流程", "deployment-source": "Camunda Modeler"})


def test_deployment_shape_and_duplicates(session, echo_handler):
    deploy_fixture(session)
    changed = deploy.SourceFile("simple.bpmn", fixture_file("simple.bpmn").content.replace(b'id="end" name="',
                                                                                           b'id="end" name="x'))
    first = _deploy(session, changed, fixture_file("rule.dmn"))
    assert set(first["deployedProcessDefinitions"]) == {f"simple:2:{first['id']}"}
    assert set(first["deployedDecisionDefinitions"]) == {f"deadline_rule:1:{first['id']}"}
    assert first["deployedDecisionDefinitions"][f"deadline_rule:1:{first['id']}"]["resource"] == "rule.dmn"
    same = _deploy(session, changed)
    assert same["id"] == first["id"] and same["deployedProcessDefinitions"] is None
    assert same["deploymentTime"] == first["deploymentTime"]
    assert [d["id"] for d in camunda.list_deployments(session, 0, None)] == ["1", first["id"]]
    assert camunda.list_deployments(session, 0, 0) == []
    assert [d["id"] for d in camunda.list_deployments(session, 1, 5)] == [first["id"]]


def test_parse_error_groups_problems_by_file():
    body = camunda.parse_error("2 problem(s)", [{"file": "a.bpmn", "element": "t1", "message": "bad"},
                                                {"file": "a.bpmn", "element": "", "message": "worse"}])
    assert body["type"] == "ParseException"
    assert body["message"] == "ENGINE-09005 Could not parse BPMN process. 2 problem(s)"
    assert body["details"]["a.bpmn"]["errors"] == [
        {"message": "bad", "line": None, "column": None, "mainElementId": "t1", "elementIds": ["t1"]},
        {"message": "worse", "line": None, "column": None, "mainElementId": None, "elementIds": []}]
