import pytest

from engine import deploy
from engine.errors import DeploymentRejected
from engine.models import ProcessVersion
from tests.helpers import FIXTURES, deploy_fixture, fixture_file


def _deploy(session, files):
    return deploy.deploy(session, files, "test", max_bytes=100_000, forms_dir=FIXTURES / "forms")


def _problems(err):
    return {(d["file"], d["element"]) : d["message"] for d in err.value.details}


def test_first_deploy_makes_version_one_and_stores_xml_and_forms(session, echo_handler):
    result = deploy_fixture(session)
    assert result["versions"] == [{"process_id": "simple", "version": 1, "name": "简单流程 Simple", "created": True}]
    pv = session.query(ProcessVersion).one()
    assert "<bpmn:definitions" in pv.bpmn_xml
    assert set(pv.forms) == {"simple/register.schema.json", "simple/mediate.schema.json"}


def test_identical_content_makes_no_new_version(session, echo_handler):
    deploy_fixture(session)
    again = deploy_fixture(session)
    assert again["deployment"] is None
    assert again["versions"][0]["created"] is False
    assert session.query(ProcessVersion).count() == 1


def test_a_change_makes_the_next_version(session, echo_handler):
    deploy_fixture(session)
    changed = fixture_file("simple.bpmn").content.replace(b'name="\xe7\xbb\x93\xe6\x9d\x9f"', b'name="end2"')
    result = _deploy(session, [deploy.SourceFile("simple.bpmn", changed)])
    assert result["versions"][0]["version"] == 2
    assert [v.version for v in session.query(ProcessVersion).order_by(ProcessVersion.version)] == [1, 2]


def test_changed_form_makes_a_new_version(session, echo_handler):
    deploy_fixture(session)
    form = (FIXTURES / "forms/simple/mediate.schema.json").read_bytes().replace(b"2000", b"1000")
    result = _deploy(session, [fixture_file("simple.bpmn"), deploy.SourceFile("simple/mediate.schema.json", form)])
    assert result["versions"][0]["version"] == 2
    latest = session.query(ProcessVersion).filter_by(version=2).one()
    assert latest.forms["simple/mediate.schema.json"]["properties"]["notes"]["maxLength"] == 1000


def test_unknown_operator_is_refused_with_file_and_element(session):
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, [fixture_file("simple.bpmn")])
    assert "unknown service operator 'echo'" in _problems(err)[("simple.bpmn", "stamp")]


def test_missing_form_and_lane_and_bad_expression_are_refused(session, echo_handler):
    xml = fixture_file("simple.bpmn").content
    xml = xml.replace(b"simple/mediate.schema.json", b"simple/nope.schema.json")
    xml = xml.replace(b'outcome == "resolved"', b"outcome ==")
    xml = xml.replace(b"<bpmn:flowNodeRef>register</bpmn:flowNodeRef>", b"")
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, [deploy.SourceFile("simple.bpmn", xml)])
    problems = _problems(err)
    assert "not found" in problems[("simple.bpmn", "mediate")]
    assert "outside any lane" in problems[("simple.bpmn", "register")]
    assert "does not compile" in problems[("simple.bpmn", "gw")]


def test_invalid_json_schema_form_is_refused(session, echo_handler):
    bad = deploy.SourceFile("simple/mediate.schema.json", b'{"type": "objekt"}')
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, [fixture_file("simple.bpmn"), bad])
    assert "not a valid JSON Schema" in _problems(err)[("simple.bpmn", "mediate")]


def test_import_in_an_expression_is_refused_at_deploy(session, echo_handler):
    xml = fixture_file("simple.bpmn").content.replace(
        b'outcome == "resolved"', b"__import__('os').system('touch /tmp/pwned') == 0")
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, [deploy.SourceFile("simple.bpmn", xml)])
    assert "not allowed" in _problems(err)[("simple.bpmn", "gw")]


def test_doctype_with_external_entity_is_refused(session, echo_handler):
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + \
        fixture_file("simple.bpmn").content.split(b"?>", 1)[1]
    with pytest.raises(DeploymentRejected, match="DOCTYPE"):
        _deploy(session, [deploy.SourceFile("simple.bpmn", xml)])


def test_file_over_the_size_limit_is_refused(session, echo_handler):
    with pytest.raises(DeploymentRejected, match="larger than the limit"):
        deploy.deploy(session, [fixture_file("simple.bpmn")], "t", max_bytes=100, forms_dir=FIXTURES / "forms")


@pytest.mark.parametrize("name", ["../x.bpmn", "/etc/x.bpmn", "x.exe", "a\x00.bpmn", "a\udfff.bpmn"])
def test_bad_file_names_are_refused(session, name):
    with pytest.raises(DeploymentRejected):
        _deploy(session, [deploy.SourceFile(name, b"<x/>")])


@pytest.mark.parametrize("content", [b'{"type": "object", "maximum": NaN}', b'{"title": "\\udfff"}',
                                     b'{"properties": ' + b"[" * 200 + b"]" * 200 + b"}"])
def test_form_json_that_cannot_be_kept_is_refused(session, echo_handler, content):
    bad = deploy.SourceFile("simple/mediate.schema.json", content)
    with pytest.raises(DeploymentRejected, match="form is not valid JSON"):
        _deploy(session, [fixture_file("simple.bpmn"), bad])


def test_xsd_invalid_bpmn_is_refused(session):
    xml = fixture_file("simple.bpmn").content.replace(b"<bpmn:startEvent", b"<bpmn:startEvnt").replace(
        b"</bpmn:startEvent>", b"</bpmn:startEvnt>")
    with pytest.raises(DeploymentRejected):
        _deploy(session, [deploy.SourceFile("simple.bpmn", xml)])


STARTABLE = b'<spiffworkflow:property name="startable" value="true" />'


def test_the_startable_mark_is_recorded_on_each_version(session, echo_handler):
    deploy_fixture(session)
    unmarked = fixture_file("simple.bpmn").content.replace(STARTABLE, b"")
    _deploy(session, [deploy.SourceFile("simple.bpmn", unmarked)])
    versions = session.query(ProcessVersion).order_by(ProcessVersion.version).all()
    assert [(v.version, v.startable) for v in versions] == [(1, True), (2, False)]
    assert deploy.list_processes(session)[0]["startable"] is False


def test_a_startable_mark_that_is_neither_true_nor_false_is_refused(session, echo_handler):
    odd = fixture_file("simple.bpmn").content.replace(STARTABLE, STARTABLE.replace(b"true", b"yes"))
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, [deploy.SourceFile("simple.bpmn", odd)])
    assert "'startable' must be 'true' or 'false'" in _problems(err)[("simple.bpmn", "simple")]


def test_check_reports_what_deploy_would_refuse_and_writes_nothing(session, echo_handler):
    assert deploy.check(session, [fixture_file("simple.bpmn")], max_bytes=100_000, forms_dir=FIXTURES / "forms") == []
    xml = fixture_file("simple.bpmn").content.replace(b"simple/mediate.schema.json", b"simple/nope.schema.json")
    problems = deploy.check(session, [deploy.SourceFile("simple.bpmn", xml)], max_bytes=100_000,
                            forms_dir=FIXTURES / "forms")
    assert [(p["file"], p["element"]) for p in problems] == [("simple.bpmn", "mediate")]
    assert session.query(ProcessVersion).count() == 0
