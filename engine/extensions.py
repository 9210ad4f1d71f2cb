"""Camunda's ``camunda:`` extensions: refused at deploy, naming each element and attribute.

Diagrams drawn in Camunda Modeler for Camunda 7 can carry ``camunda:`` attributes and
extension elements (assignees, input/output mappings, listeners, form fields). SpiffWorkflow
does not read them, so a diagram relying on them would deploy and then quietly behave
differently; instead the deployment is refused and the designer told what to replace. Two
attributes that only describe the diagram are accepted and ignored: ``historyTimeToLive``
(which Camunda Modeler adds to every new process) and ``versionTag``.
"""

from __future__ import annotations

CAMUNDA_NAMESPACES = ("http://camunda.org/schema/1.0/bpmn", "http://camunda.org/schema/1.0/dmn")
IGNORED_ATTRIBUTES = frozenset({"historyTimeToLive", "versionTag"})


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _owner_id(element) -> str:
    """The id of the element itself or of the nearest enclosing element that has one."""
    while element is not None:
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return "(document)"


def foreign_extensions(root) -> list[tuple[str, str]]:
    """``(element id, "camunda:name")`` for every Camunda attribute and outermost Camunda element."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        namespace, local = _split(element.tag)
        if namespace in CAMUNDA_NAMESPACES:
            parent = element.getparent()
            if parent is None or _split(parent.tag)[0] not in CAMUNDA_NAMESPACES:
                found.append((_owner_id(parent), f"camunda:{local}"))
            continue
        for attribute in element.attrib:
            namespace, local = _split(attribute)
            if namespace in CAMUNDA_NAMESPACES and local not in IGNORED_ATTRIBUTES:
                found.append((_owner_id(element), f"camunda:{local}"))
    return found


def refusal(found: list[tuple[str, str]]) -> str:
    """One message naming every element and Camunda extension found."""
    listed = "; ".join(f"element {element!r} uses {name}" for element, name in found)
    return (f"Camunda extensions are not supported ({listed}); remove them and use the spiffworkflow "
            "extensions Mediate reads (lanes for roles, properties for forms, service task operators)")
