"""The modeler's engine side: the deploy-time checks without deploying (with element ids), the diff
against the deployed version, and deploying an edited diagram as the next version."""

from __future__ import annotations

import pytest

from engine import demo, deploy, modeler
from engine.config import ROOT
from engine.errors import Conflict, DeploymentRejected, Forbidden
from engine.models import ProcessVersion, User

LIMIT = 2_000_000
FORMS = ROOT / "forms"


@pytest.fixture
def library(session):
    deploy.deploy(session, deploy.read_directories(ROOT / "processes", FORMS), "test", max_bytes=LIMIT, forms_dir=FORMS)
    demo.load(session)
    session.commit()
    return session


def _user(session, name):
    return session.query(User).filter_by(username=name).one()


def _xml(session) -> str:
    return modeler.workbench(session, _user(session, "designer"), "dispute_case")["xml"]


def _check(session, xml: str) -> dict[str, list[str]]:
    problems = modeler.check(session, _user(session, "designer"), "dispute_case", xml.encode(),
                             max_bytes=LIMIT, forms_dir=FORMS)
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p["element"], []).append(p["message"])
    return out


def test_the_deployed_diagram_passes_the_check(library):
    assert _check(library, _xml(library)) == {}


def test_check_names_each_offending_element_and_writes_nothing(library):
    before = library.query(ProcessVersion).count()
    xml = _xml(library)
    xml = xml.replace('value="dispute_case/register.schema.json"', 'value="dispute_case/nope.schema.json"')
    xml = xml.replace('<spiffworkflow:property name="assignee" value="reported_by" />',
                      '<spiffworkflow:property name="assignee" value="reported_by +" />', 1)
    xml = xml.replace('serviceTaskOperator id="pool_mediator"', 'serviceTaskOperator id="no_such_operator"')
    xml = xml.replace("handling_duration</bpmn:timeDuration>", "handling_duration +</bpmn:timeDuration>", 1)
    xml = xml.replace('name="leader"><bpmn:flowNodeRef>', 'name="boss"><bpmn:flowNodeRef>')
    assert '<spiffworkflow:property name="unit" value="centre" />' in xml
    xml = xml.replace('<spiffworkflow:property name="unit" value="centre" />',
                      '<spiffworkflow:property name="unit" value="somewhere" />', 1)
    found = _check(library, xml)
    register = " | ".join(found["register"])
    assert "form 'dispute_case/nope.schema.json' not found" in register
    assert "assignee 'reported_by +' does not compile" in register
    assert "unknown unit rule 'somewhere'" in register
    assert found["find_mediator"] == ["unknown service operator 'no_such_operator'"]
    assert any("timer" in m and "handling_duration +" in m for m in found["spot_overdue"])
    assert any("lane 'boss' names no role" in m for m in found["leader_signoff"])
    assert library.query(ProcessVersion).count() == before


def test_an_unknown_timer_kind_is_refused_at_its_event(library):
    opening = '<bpmn:boundaryEvent id="spot_overdue" name="当日未办结" attachedToRef="resolve_on_spot" cancelActivity="true">'
    kind = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="timerKind" value="{}" />'
            "</spiffworkflow:properties></bpmn:extensionElements>")
    xml = _xml(library)
    assert opening in xml
    assert _check(library, xml.replace(opening, opening + kind.format("handling_deadline"))) == {}
    found = _check(library, xml.replace(opening, opening + kind.format("whenever")))
    assert any("unknown timerKind 'whenever'" in m for m in found["spot_overdue"])


def test_a_diagram_that_drops_its_process_or_is_not_xml_is_a_problem(library):
    renamed = _xml(library).replace('<bpmn:process id="dispute_case"', '<bpmn:process id="other_case"')
    assert "must keep the process id 'dispute_case'" in _check(library, renamed)[""][0]
    assert "not well-formed XML" in _check(library, "<bpmn:definitions")[""][0]


def test_diff_names_added_removed_and_changed_elements(library):
    xml = _xml(library)
    edited = xml.replace('value="dispute_case/register.schema.json"', 'value="dispute_case/assess.schema.json"')
    edited = edited.replace('name="受理登记"', 'name="登记"', 1)
    edited = edited.replace('<bpmn:scriptTask id="spot_timeout"', '<bpmn:scriptTask id="spot_timeout_2"')
    result = modeler.diff(library, _user(library, "designer"), "dispute_case", edited.encode())
    assert result["version"] == 1
    assert [e["id"] for e in result["added"]] == ["spot_timeout_2"]
    assert [e["id"] for e in result["removed"]] == ["spot_timeout"]
    register = next(e for e in result["changed"] if e["id"] == "register")
    assert {c["field"]: (c["before"], c["after"]) for c in register["changes"]} == {
        "name": ("受理登记", "登记"),
        "property:formJsonSchemaFilename": ("dispute_case/register.schema.json", "dispute_case/assess.schema.json")}
    assert modeler.diff(library, _user(library, "designer"), "dispute_case", xml.encode()) == {
        "version": 1, "added": [], "removed": [], "changed": []}


def test_deploy_makes_the_next_version_with_the_other_files_as_deployed(library):
    designer = _user(library, "designer")
    edited = _xml(library).replace('value="dispute_case/register.schema.json"', 'value="dispute_case/assess.schema.json"')
    result = modeler.deploy_edited(library, designer, "dispute_case", edited.encode(), base_version=1,
                                   max_bytes=LIMIT, forms_dir=None)
    made = {v["process_id"]: v for v in result["versions"]}
    assert made["dispute_case"] == {"process_id": "dispute_case", "version": 2, "name": "矛盾纠纷案件 Dispute case",
                                    "created": True}
    assert not made["mediation"]["created"]  # a called process stays as deployed
    v2 = library.query(ProcessVersion).filter_by(process_id="dispute_case", version=2).one()
    assert "dispute_case/assess.schema.json" in v2.forms and "dispute_case/register.schema.json" not in v2.forms
    with pytest.raises(Conflict):  # opened version 1, version 2 exists now
        modeler.deploy_edited(library, designer, "dispute_case", edited.encode(), base_version=1,
                              max_bytes=LIMIT, forms_dir=None)


def test_deploy_refuses_a_diagram_with_problems(library):
    bad = _xml(library).replace('serviceTaskOperator id="pool_mediator"', 'serviceTaskOperator id="nope"')
    with pytest.raises(DeploymentRejected) as err:
        modeler.deploy_edited(library, _user(library, "designer"), "dispute_case", bad.encode(), base_version=None,
                              max_bytes=LIMIT, forms_dir=FORMS)
    assert {d["element"] for d in err.value.details} == {"find_mediator"}
    assert library.query(ProcessVersion).filter_by(process_id="dispute_case").count() == 1


def test_catalogue_lists_the_registry_the_deployed_forms_and_decisions(library):
    found = modeler.catalogue(library, _user(library, "admin"))
    operators = {o["id"]: o for o in found["operators"]}
    assert "username" in operators["pool_mediator"]["parameters"]
    assert operators["notify"]["description"]
    assert "dispute_case/register.schema.json" in found["forms"]
    assert "triage" in {d["id"] for d in found["decisions"]}
    assert "centre" in {r["id"] for r in found["unit_rules"]}
    schema = modeler.form_schema(library, _user(library, "designer"), "dispute_case/register.schema.json")
    assert schema["type"] == "object"


@pytest.mark.parametrize("name", ["county_staff", "village_mediator", "leader"])
def test_only_designers_and_admins_use_the_modeler(library, name):
    user = _user(library, name)
    with pytest.raises(Forbidden):
        modeler.workbench(library, user, "dispute_case")
    with pytest.raises(Forbidden):
        modeler.check(library, user, "dispute_case", b"<x/>", max_bytes=LIMIT, forms_dir=FORMS)
    with pytest.raises(Forbidden):
        modeler.catalogue(library, user)
