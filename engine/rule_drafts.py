"""A decision table an administrator is editing: checked as deployment checks it, and evaluated on values.

``parse`` applies the deployment's checks to one DMN document (no DOCTYPE, one decision, a
supported hit policy, SpiffWorkflow's parser, the sandbox on every input expression and cell)
and names each problem by rule and column. ``ValueTable`` evaluates a table on the *values* of
its input expressions, as recorded for a case or typed by an administrator, with SpiffWorkflow's
own rule matching: each input expression is replaced by a name bound to its value.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from types import SimpleNamespace

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import durations, spiff, validation
from .decisions import HitPolicyEngine, hit_policy_problems
from .errors import DeploymentRejected, FormInvalid

MISSING = object()


@dataclass
class Draft:
    """A parsed, checked table: its XML, digest, decision id and engine."""

    xml: bytes
    decision_id: str
    name: str
    engine: HitPolicyEngine

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.xml).hexdigest()

    @property
    def table(self):
        return self.engine.decision_table


def _problem(message: str, rule=None, column: str = "", cell: str = "") -> dict:
    return {"rule": rule.id if rule is not None else "", "row": rule.row_number if rule is not None else 0,
            "column": column, "cell": cell, "message": message}


def _refuse(problems: list[dict]) -> FormInvalid:
    first = problems[0]
    where = ", ".join(p for p in (f"rule {first['row']} ({first['rule']})" if first["rule"] else "",
                                  f"column {first['column']}" if first["column"] else "") if p)
    fields = {".".join(p for p in (pr["rule"] or "table", pr["column"]) if p): pr["message"] for pr in problems}
    return FormInvalid(f"{len(problems)} problem(s); first: {where + ': ' if where else ''}{first['message']}",
                       fields=fields, details=problems)


def _document(decision_id: str, xml: bytes, table_id: str | None):
    """The DMN root, refused unless it holds exactly the decision ``decision_id`` (and its table)."""
    from .deploy import SourceFile, parse_xml
    try:
        root = parse_xml(SourceFile(f"{decision_id}.dmn", xml))
    except DeploymentRejected as err:
        raise _refuse([_problem(err.details[0]["message"])]) from None
    decisions = list(root.iter("{*}decision"))
    if len(decisions) != 1 or decisions[0].get("id") != decision_id:
        found = ", ".join(d.get("id") or "?" for d in decisions) or "none"
        raise _refuse([_problem(f"the file must hold exactly one decision, {decision_id!r} (found: {found})")])
    tables = list(decisions[0].iter("{*}decisionTable"))
    if table_id and (len(tables) != 1 or tables[0].get("id") != table_id):
        raise _refuse([_problem(f"the decision's table must keep its id {table_id!r}: running cases find it by it")])
    if problems := hit_policy_problems(root):
        raise _refuse([_problem(p) for p in problems])
    return root, decisions[0].get("name") or decision_id


def parse(decision_id: str, xml: bytes, table_id: str | None = None) -> Draft:
    """Check a DMN document as deployment would; ``FormInvalid`` lists the problems by rule and column."""
    root, name = _document(decision_id, xml, table_id)
    parser = spiff.build_parser()
    try:
        parser.add_dmn_xml(root, filename=f"{decision_id}.dmn")
        table = parser.get_engine(decision_id, None).decision_table
    except (ValidationException, SpiffWorkflowException) as err:
        raise _refuse([_problem(str(err).split("\n")[0])]) from None
    if problems := list(cell_problems(table)):
        raise _refuse(problems)
    return Draft(xml, decision_id, name, HitPolicyEngine(table, decision_id))


def cell_problems(table):
    """Each input expression, input cell and output cell the sandbox refuses, by rule and column."""
    for inp in table.inputs:
        if not inp.expression:
            yield _problem("the input has no expression", column=inp.label or inp.id, cell=inp.id)
        elif message := validation.expression_problem(inp.expression):
            yield _problem(message, column=inp.label or inp.id, cell=inp.id)
    for rule in table.rules:
        for entry in rule.inputEntries:
            for text in entry.lhs:
                if text and text.strip() not in ("", "-") and (message := validation.dmn_cell_problem(text)):
                    yield _problem(message, rule, entry.input.label or entry.input.id, entry.id)
        for entry in rule.outputEntries:
            if entry.text and (message := _output_problem(entry.text)):
                yield _problem(message, rule, entry.output.label or entry.output.name or entry.output.id, entry.id)


def _output_problem(text: str) -> str | None:
    if message := validation.expression_problem(text):
        return message
    value = durations.literal(text)
    if durations.looks_like_duration(value) and durations.describe(value, _WORDS) is None:
        return f"{value!r} is not an ISO-8601 duration (e.g. 'PT24H', 'P3D')"
    return None


_WORDS = {"day": "d", "hour": "h", "minute": "min", "every": "every"}


def duration_cells(table, labels: dict[str, str]) -> dict[str, str]:
    """Cell id → 「X 天 Y 小时」 for every output cell holding an ISO-8601 duration."""
    out = {}
    for rule in table.rules:
        for entry in rule.outputEntries:
            if (words := durations.describe(durations.literal(entry.text), labels)) is not None:
                out[entry.id] = words
    return out


def _probe(data: dict):
    """What SpiffWorkflow's DMN engine reads of a task, for an evaluation outside any case."""
    workflow = SimpleNamespace(script_engine=spiff.ScriptEngine(), spec=SimpleNamespace(file=""))
    workflow.top_workflow = workflow
    task_spec = SimpleNamespace(bpmn_name="(test)", bpmn_id="(test)", name="(test)")
    return SimpleNamespace(data=data, workflow=workflow, task_spec=task_spec)


class ValueTable:
    """A table evaluated on the values of its input expressions (``{expression: value}``)."""

    def __init__(self, engine: HitPolicyEngine):
        table = copy.deepcopy(engine.decision_table)
        self.expressions = [inp.expression or "" for inp in table.inputs]
        for i, inp in enumerate(table.inputs):
            inp.expression = f"dmn_input_{i}"
        self.engine = HitPolicyEngine(table, engine.decision_id)

    def answer(self, values: dict) -> dict:
        """``{"outcome", "rules"}`` or ``{"error"}``; ``missing`` lists input expressions with no value."""
        data = {name: value for name, value in values.items() if name.isidentifier()}
        missing = []
        for i, expression in enumerate(self.expressions):
            value = values.get(expression, MISSING)
            if value is MISSING:
                missing.append(expression)
                value = None
            data[f"dmn_input_{i}"] = value
        try:
            rules, outcome = self.engine.answer(_probe(data))
        except Exception as err:  # a rule that cannot be evaluated on these values
            return {"error": str(err).split("\n")[0], "missing": missing}
        return {"outcome": dict(outcome), "rules": [r.id for r in rules], "missing": missing}
