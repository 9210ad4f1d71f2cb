"""Deploy-time checks that SpiffWorkflow does not make: operators, forms, lanes, expressions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from jsonschema import Draft202012Validator, SchemaError
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ScriptTask, ServiceTask, UserTask

from . import assignment, expressions, privacy, references, timers
from .models import ROLES, TIMER_KINDS

FORM_PROPERTY = "formJsonSchemaFilename"
# A process property: "true" marks a process people open cases of; without it a process is only
# called from another one.
STARTABLE_PROPERTY = "startable"
_PROCESS_PROPERTY = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name=$name]/@value"
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
       "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def form_path(task_spec) -> str | None:
    """The form a user task names in its ``spiffworkflow:properties``."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(FORM_PROPERTY)


def startable(process_node) -> bool | None:
    """Whether a ``bpmn:process`` element is marked startable: False without the property, None if it is not true/false."""
    values = process_node.xpath(_PROCESS_PROPERTY, namespaces=_NS, name=STARTABLE_PROPERTY)
    if not values:
        return False
    return {"true": True, "false": False}.get(values[-1].strip().lower())


def _expr(source, mode="eval") -> str | None:
    try:
        expressions.check(source, mode)
    except SyntaxError as err:
        return f"expression {source!r} does not compile: {err.msg}"
    except expressions.UnsafeExpression as err:
        return f"expression {source!r} is not allowed: {err}"
    return None


# SpiffWorkflow's DMN engine reads "?" (outside quotes) as the column's input value.
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def _dmn_cell(text: str) -> str | None:
    """DMN input cells are expressions, comparisons like ``> 5``, or use ``?`` for the input."""
    text = _QUESTION_MARK.sub("dmninputexpr", text)
    if _expr(text) is None or _expr(f"v {text}") is None:
        return None
    return _expr(text)


def expression_problem(source: str, mode: str = "eval") -> str | None:
    """Why the sandbox refuses an expression (None when it accepts it)."""
    return _expr(source, mode)


def dmn_cell_problem(text: str) -> str | None:
    """Why the sandbox refuses a DMN input cell (an expression, ``> 5``, or one using ``?``)."""
    return _dmn_cell(text)


def _dmn_problems(task_spec) -> Iterator[str]:
    table = task_spec.dmnEngine.decision_table
    for inp in table.inputs:
        if inp.expression and (p := _expr(inp.expression)):
            yield f"decision {table.id}: input {inp.label or inp.id}: {p}"
    for rule in table.rules:
        for entry in rule.inputEntries:
            for text in entry.lhs:
                if text and text.strip() not in ("", "-") and (p := _dmn_cell(text)):
                    yield f"decision {table.id}, rule {rule.row_number}: {p}"
        for entry in rule.outputEntries:
            if entry.text and (p := _expr(entry.text)):
                yield f"decision {table.id}, rule {rule.row_number}: {p}"


def _scripts(task_spec) -> Iterator[str]:
    for source in (getattr(task_spec, "prescript", None), getattr(task_spec, "postscript", None)):
        if source and (p := _expr(source, "exec")):
            yield p
    if isinstance(task_spec, ScriptTask) and task_spec.script and (p := _expr(task_spec.script, "exec")):
        yield p


def _event_expressions(definition) -> Iterator[tuple[str, str]]:
    """Expressions of an event definition: timers, conditions, message payloads, correlations."""
    if definition is None:
        return
    kind = "timer" if isinstance(definition, TimerEventDefinition) else "event"
    if isinstance(getattr(definition, "expression", None), str):
        yield kind, definition.expression
    for prop in getattr(definition, "correlation_properties", None) or []:
        if isinstance(getattr(prop, "retrieval_expression", None), str):
            yield "correlation", prop.retrieval_expression
    for inner in getattr(definition, "event_definitions", None) or []:
        yield from _event_expressions(inner)


def _conditions(task_spec) -> Iterator[str]:
    found = []
    for cond, _ in getattr(task_spec, "cond_task_specs", []) or []:
        source = cond.args[0] if getattr(cond, "args", None) else None
        found.append(("condition", source))
    for attr in ("condition", "cardinality", "completion_condition"):
        found.append((attr, getattr(task_spec, attr, None)))
    found += _event_expressions(getattr(task_spec, "event_definition", None))
    for kind, source in found:
        if isinstance(source, str) and (p := _expr(source)):
            yield f"{kind}: {p}"


def _timer_kind(task_spec) -> Iterator[str]:
    kind = assignment.properties(task_spec).get(timers.KIND_PROPERTY)
    if kind is not None and kind not in TIMER_KINDS:
        yield f"unknown {timers.KIND_PROPERTY} {kind!r} (one of: {', '.join(TIMER_KINDS)})"


def _service(task_spec, operators) -> Iterator[str]:
    if task_spec.operation_name not in operators:
        yield f"unknown service operator {task_spec.operation_name!r}"
    for name, param in task_spec.operation_params.items():
        if p := _expr(param["value"]):
            yield f"parameter {name}: {p}"


def _user_task(task_spec, find_form) -> Iterator[str]:
    if not task_spec.lane:
        yield "user task is outside any lane (lanes name the role that works it)"
    elif task_spec.lane not in ROLES:
        yield f"lane {task_spec.lane!r} names no role (one of: {', '.join(ROLES)})"
    yield from assignment.problems(task_spec)
    path = form_path(task_spec)
    if not path:
        yield f"user task names no form (spiffworkflow:property {FORM_PROPERTY})"
        return
    schema = find_form(path)
    if schema is None:
        yield f"form {path!r} not found in the deployment or in forms/"
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        yield f"form {path!r} is not a valid JSON Schema: {err.message}"
        return
    for problem in privacy.schema_problems(schema) + references.schema_problems(schema):
        yield f"form {path!r}: {problem}"


def check_spec(spec, operators, find_form: Callable[[str], dict | None]) -> Iterator[tuple[str, str]]:
    """Yield ``(element id, problem)`` for every task spec of one process spec."""
    for task_spec in spec.task_specs.values():
        element = getattr(task_spec, "bpmn_id", None) or task_spec.name
        problems = list(_scripts(task_spec)) + list(_conditions(task_spec)) + list(_timer_kind(task_spec))
        if isinstance(task_spec, ServiceTask):
            problems += list(_service(task_spec, operators))
        if isinstance(task_spec, UserTask):
            problems += list(_user_task(task_spec, find_form))
        if isinstance(task_spec, BusinessRuleTask):
            problems += list(_dmn_problems(task_spec))
        for problem in problems:
            yield element, problem
