"""Comparing two diagrams by element id: what the engine reads changes, the drawing's layout does not."""

from __future__ import annotations

import pytest

from engine import bpmn_diff
from engine.config import ROOT
from engine.errors import DeploymentRejected

XML = (ROOT / "processes" / "dispute_case.bpmn").read_text(encoding="utf-8")


def _changes(after: str, element: str) -> dict:
    found = next(e for e in bpmn_diff.diff(XML, after)["changed"] if e["id"] == element)
    return {c["field"]: (c["before"], c["after"]) for c in found["changes"]}


def test_operator_parameters_scripts_and_timers_are_compared():
    after = XML.replace('serviceTaskOperator id="pool_mediator"', 'serviceTaskOperator id="match_mediator"')
    after = after.replace('<spiffworkflow:parameter id="username" type="any" value="mediated_by" />',
                          '<spiffworkflow:parameter id="unit_code" type="any" value="unit_code" />')
    after = after.replace("<spiffworkflow:postScript>gold = subsidy_mediator['gold']</spiffworkflow:postScript>", "")
    after = after.replace("handling_duration</bpmn:timeDuration>", "'P2D'</bpmn:timeDuration>", 1)
    assert _changes(after, "find_mediator") == {
        "operator": ("pool_mediator", "match_mediator"),
        "parameter:username": ("mediated_by", None),
        "parameter:unit_code": (None, "unit_code"),
        "postScript": ("gold = subsidy_mediator['gold']", None)}
    assert _changes(after, "spot_overdue") == {"timer": ("timeDuration: handling_duration", "timeDuration: 'P2D'")}


def test_moving_a_task_to_another_lane_is_a_change_moving_its_shape_is_not():
    moved = XML.replace("<bpmn:flowNodeRef>register</bpmn:flowNodeRef>", "", 1)
    moved = moved.replace('name="leader"><bpmn:flowNodeRef>', 'name="leader"><bpmn:flowNodeRef>register</bpmn:flowNodeRef>'
                          "<bpmn:flowNodeRef>")
    assert _changes(moved, "register") == {"lane": ("centre_staff", "leader")}
    shape = XML.index('bpmnElement="register"')
    bounds = XML.index('x="', shape)
    relaid = XML[:bounds] + 'x="9' + XML[bounds + 3:]
    assert relaid != XML and bpmn_diff.diff(XML, relaid) == {"added": [], "removed": [], "changed": []}


def test_untrusted_xml_is_refused():
    with pytest.raises(DeploymentRejected):
        bpmn_diff.elements('<!DOCTYPE x [<!ENTITY e "x">]><x/>')


def test_an_attribute_left_at_its_default_is_no_change():
    opening = '<bpmn:boundaryEvent id="spot_overdue" name="当日未办结" attachedToRef="resolve_on_spot" cancelActivity="true">'
    assert opening in XML
    after = XML.replace(opening, opening.replace(' cancelActivity="true"', ""))
    assert bpmn_diff.diff(XML, after)["changed"] == []
    assert _changes(XML.replace(opening, opening.replace('"true"', '"false"')), "spot_overdue") == {
        "cancelActivity": ("true", "false")}
