"""Every diagram is complete for the modeler and follows the designer's conventions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

import handlers
from engine import expressions
from engine.decisions import HIT_POLICIES

from .conftest import FORMS, PROCESSES, library_parser, specs

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
      "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
ROLES = {"grid_worker", "mediator", "centre_staff", "department", "leader", "admin", "designer"}
BPMN_FILES = sorted(PROCESSES.glob("*.bpmn"))
DMN_FILES = sorted(PROCESSES.glob("*.dmn"))
FLOW_ELEMENTS = ("startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent", "userTask", "serviceTask",
                 "scriptTask", "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway",
                 "parallelGateway", "sequenceFlow", "task", "manualTask")


def _xml(path: Path):
    return etree.parse(str(path))


def test_library_parses_with_schema_validation_and_resolves_every_called_process():
    parser = library_parser()
    called = set(parser.get_subprocess_specs("dispute_case"))
    assert {p.stem for p in BPMN_FILES} == called | {"dispute_case"}


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_every_element_lane_and_pool_has_di(path):
    doc = _xml(path)
    drawn = {s.get("bpmnElement") for s in doc.xpath("//bpmndi:BPMNShape | //bpmndi:BPMNEdge", namespaces=NS)}
    needed = [el.get("id") for tag in (*FLOW_ELEMENTS, "lane", "participant")
              for el in doc.xpath(f"//bpmn:{tag}", namespaces=NS)]
    assert needed and not set(needed) - drawn
    edges = doc.xpath("//bpmndi:BPMNEdge", namespaces=NS)
    assert all(len(e.xpath("./*[local-name()='waypoint']")) >= 2 for e in edges)


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_every_process_has_role_lanes_holding_all_its_nodes(path):
    doc = _xml(path)
    lanes = doc.xpath("//bpmn:process/bpmn:laneSet/bpmn:lane", namespaces=NS)
    assert lanes and {lane.get("name") for lane in lanes} <= ROLES
    in_lanes = {ref.text for ref in doc.xpath("//bpmn:flowNodeRef", namespaces=NS)}
    nodes = {el.get("id") for tag in FLOW_ELEMENTS if tag != "sequenceFlow"
             for el in doc.xpath(f"//bpmn:process/bpmn:{tag}", namespaces=NS)}
    assert nodes == in_lanes


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_no_sequence_flow_loops_back(path):
    """Repeating rounds are standard loops: a back-edge breaks SpiffWorkflow past depth 1000."""
    doc = _xml(path)
    graph: dict[str, list[str]] = {}
    for flow in doc.xpath("//bpmn:sequenceFlow", namespaces=NS):
        graph.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    state: dict[str, int] = {}

    def visit(node):
        state[node] = 1
        for nxt in graph.get(node, []):
            assert state.get(nxt) != 1, f"cycle through {node} -> {nxt}"
            if nxt not in state:
                visit(nxt)
        state[node] = 2

    for node in list(graph):
        if node not in state:
            visit(node)


def _all_task_specs():
    spec, subprocess_specs = specs()
    for process in (spec, *subprocess_specs.values()):
        yield from process.task_specs.values()


def test_every_user_task_has_a_role_lane_and_a_valid_form():
    user_tasks = [ts for ts in _all_task_specs() if type(ts).__name__ == "UserTask"]
    assert len(user_tasks) >= 15
    for ts in user_tasks:
        assert ts.lane in ROLES, ts.bpmn_id
        form = ts.extensions["properties"]["formJsonSchemaFilename"]
        assert form.endswith(f"/{ts.bpmn_id}.schema.json"), form
        schema = json.loads((FORMS / form).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["required"]


def test_every_form_file_belongs_to_a_user_task():
    named = {ts.extensions["properties"]["formJsonSchemaFilename"]
             for ts in _all_task_specs() if type(ts).__name__ == "UserTask"}
    on_disk = {str(p.relative_to(FORMS)) for p in FORMS.rglob("*.schema.json")}
    assert on_disk == named


def test_every_service_operator_is_registered():
    operators = {ts.operation_name for ts in _all_task_specs() if hasattr(ts, "operation_name")}
    assert operators and operators <= set(handlers.REGISTRY)


def _expressions(doc):
    for el in doc.xpath("//bpmn:conditionExpression | //bpmn:timeDuration | //bpmn:timeCycle"
                        " | //bpmn:loopCondition", namespaces=NS):
        yield el.text, "eval"
    for el in doc.xpath("//spiffworkflow:parameter", namespaces=NS):
        yield el.get("value"), "eval"
    for el in doc.xpath("//bpmn:script | //spiffworkflow:preScript | //spiffworkflow:postScript",
                        namespaces=NS):
        yield el.text, "exec"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_expressions_pass_the_engine_sandbox(path):
    found = list(_expressions(_xml(path)))
    assert found
    for source, mode in found:
        expressions.check(source, mode)


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.stem)
def test_tables_have_one_decision_with_an_allowed_hit_policy(path):
    doc = _xml(path)
    decisions = doc.xpath("//dmn:decision", namespaces=NS)
    assert len(decisions) == 1 and decisions[0].get("id") == path.stem
    assert doc.xpath("//dmn:decisionTable/@hitPolicy", namespaces=NS)[0] in HIT_POLICIES
    for text in doc.xpath("//dmn:outputEntry/dmn:text/text()", namespaces=NS):
        expressions.check(text, "eval")
