"""What an edited diagram changes against another: elements added, removed and changed, by element id.

Compared are what the engine reads of each element (its type and name, the Mediate properties —
form, unit rule, assignee, claimable, timer kind —, the service operator and its parameters, pre-
and post-scripts, the called decision or process, scripts, conditions, timers, the lane a task sits
in, the ends of a flow), never its position on the drawing.
"""

from __future__ import annotations

from lxml import etree

from .deploy import SourceFile, parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
# Parts of an element rather than elements of the diagram (bpmn-js gives some of them ids too).
_PARTS = ("EventDefinition", "LoopCharacteristics", "DataItem", "Expression")
_SKIP = {"definitions", "laneSet", "property", "extensionElements", "documentation", "script",
         "conditionExpression", "incoming", "outgoing", "flowNodeRef", "timeDuration", "timeCycle", "timeDate"}
_ATTRIBUTES = ("calledElement", "attachedToRef", "cancelActivity", "sourceRef", "targetRef", "default",
               "processRef", "isInterrupting")


# Attributes bpmn-js leaves out when they hold BPMN's default.
_DEFAULTS = {"cancelActivity": ("boundaryEvent", "true"), "isInterrupting": ("startEvent", "true")}


def _text(node) -> str:
    return (node.text or "").strip() if node is not None else ""


def _is_element(node) -> bool:
    if not isinstance(node.tag, str) or node.get("id") is None:
        return False
    qname = etree.QName(node)
    return qname.namespace == BPMN and qname.localname not in _SKIP and not qname.localname.endswith(_PARTS)


def _extensions(ext) -> dict[str, str]:
    """The Mediate properties, the service operator with its parameters, scripts and called decision."""
    facts = {f"property:{prop.get('name')}": prop.get("value") or ""
             for prop in ext.findall("spiffworkflow:properties/spiffworkflow:property", _NS)}
    operator = ext.find("spiffworkflow:serviceTaskOperator", _NS)
    if operator is not None:
        facts["operator"] = operator.get("id") or ""
        facts["resultVariable"] = operator.get("resultVariable") or ""
        for param in operator.findall("spiffworkflow:parameters/spiffworkflow:parameter", _NS):
            facts[f"parameter:{param.get('id')}"] = param.get("value") or ""
    for tag in ("preScript", "postScript", "calledDecisionId"):
        if (found := ext.find(f"spiffworkflow:{tag}", _NS)) is not None:
            facts[tag] = _text(found)
    return facts


def _facts(node, lanes: dict[str, str]) -> dict[str, str]:
    """What the engine reads of one element, as ``field -> text`` (absent fields left out)."""
    facts = {"type": etree.QName(node).localname, "name": node.get("name") or ""}
    facts |= {attr: node.get(attr) for attr in _ATTRIBUTES if node.get(attr) is not None}
    for attr, (tag, default) in _DEFAULTS.items():
        if facts["type"] == tag:
            facts[attr] = node.get(attr) or default
    if node.get("id") in lanes:
        facts["lane"] = lanes[node.get("id")]
    if (ext := node.find("bpmn:extensionElements", _NS)) is not None:
        facts |= _extensions(ext)
    for tag in ("script", "conditionExpression", "documentation"):
        if (found := node.find(f"bpmn:{tag}", _NS)) is not None:
            facts[tag] = _text(found)
    timer = node.find("bpmn:timerEventDefinition", _NS)
    for child in timer if timer is not None else []:
        if isinstance(child.tag, str):
            facts["timer"] = f"{etree.QName(child).localname}: {_text(child)}"
    return facts


def elements(xml: str | bytes) -> dict[str, dict[str, str]]:
    """Every element of a BPMN document by id, with what the engine reads of it."""
    root = parse_xml(SourceFile("diagram.bpmn", xml.encode("utf-8") if isinstance(xml, str) else xml))
    lanes = {_text(ref): lane.get("name") or lane.get("id")
             for lane in root.iter(f"{{{BPMN}}}lane") for ref in lane.findall("bpmn:flowNodeRef", _NS)}
    return {node.get("id"): _facts(node, lanes) for node in root.iter() if _is_element(node)}


def _summary(element_id: str, facts: dict[str, str]) -> dict:
    return {"id": element_id, "type": facts["type"], "name": facts["name"]}


def diff(before: str | bytes, after: str | bytes) -> dict:
    """``added``, ``removed`` and ``changed`` elements (each change: ``field``, ``before``, ``after``)."""
    old, new = elements(before), elements(after)
    changed = []
    for element_id in sorted(old.keys() & new.keys()):
        a, b = old[element_id], new[element_id]
        changes = [{"field": field, "before": a.get(field), "after": b.get(field)}
                   for field in sorted(a.keys() | b.keys()) if a.get(field) != b.get(field)]
        if changes:
            changed.append(_summary(element_id, b) | {"changes": changes})
    return {"added": [_summary(i, new[i]) for i in sorted(new.keys() - old.keys())],
            "removed": [_summary(i, old[i]) for i in sorted(old.keys() - new.keys())],
            "changed": changed}
