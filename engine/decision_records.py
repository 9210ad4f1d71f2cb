"""Recording what each decision table was asked and answered, case by case.

When a business-rule task evaluates a table, the case's run adds one ``DecisionRecord`` row in
the transaction of the step: the decision, the deployed DMN file's deployment and version, the
values of the table's input expressions, the outcome and the time. Administrators replay these
inputs through a changed table before publishing it (``engine.rules``).

Nothing personal is copied in clear. The tables' inputs are types, tiers, counts and flags; an
input expression that reads a field some form marks personal (``x-personal``) keeps only a
number or a yes/no (``len(parties)``), anything else it gives is withheld. Objects are withheld
whatever their source, text is cut to ``MAX_TEXT`` characters, and the outcome is stored with
personal fields masked as the audit log stores form data.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from . import clock, privacy
from .models import Case, DecisionRecord

MAX_TEXT = 200
MAX_ITEMS = 20


def _names(expression: str) -> set[str]:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _plain(value) -> bool:
    """A value safe to keep: a number, a flag, short text, or a short list of those."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if isinstance(value, list | tuple):
        return len(value) <= MAX_ITEMS and all(
            item is None or isinstance(item, bool | int | float | str) and len(str(item)) <= MAX_TEXT
            for item in value)
    return False


def kept_input(expression: str, value, personal_roots: set[str]) -> dict:
    """``{"expression", "value"}``, or ``{"expression", "withheld": True}`` for a value not to be kept."""
    reads_personal = bool(_names(expression) & personal_roots)
    if not _plain(value) or (reads_personal and not isinstance(value, bool | int | float)):
        return {"expression": expression, "withheld": True}
    return {"expression": expression, "value": list(value) if isinstance(value, tuple) else value}


def input_values(task, table) -> Iterator[tuple[str, object, bool]]:
    """``(expression, value, found)`` of each input of ``table`` over the task's data."""
    script_engine = task.workflow.script_engine
    for inp in table.inputs:
        expression = inp.expression or ""
        try:
            yield expression, script_engine.evaluate(task, expression), True
        except Exception:  # a column every rule ignores may read data the case does not have
            yield expression, None, False


def record(session: Session, case: Case, task, engine, outcome: dict) -> DecisionRecord:
    """Add the row for one evaluation (the caller's transaction carries it with the step)."""
    paths = privacy.version_paths(case.process_version)
    roots = {path[0] for path in paths}
    inputs = []
    for expression, value, found in input_values(task, engine.decision_table):
        entry = kept_input(expression, value, roots)
        if not found:
            entry = {"expression": expression, "missing": True}
        inputs.append(entry)
    kept = privacy.mask_data(paths, dict(outcome))
    kept = {k: (v if _plain(v) else privacy.WITHHELD) for k, v in kept.items()}
    deployment_id, version = engine.source or (None, None)
    row = DecisionRecord(case_id=case.id, decision_id=engine.decision_id, inputs=inputs, outcome=kept,
                         task_spec=(task.task_spec.bpmn_id or task.task_spec.name or "")[:120],
                         deployment_id=deployment_id, dmn_version=version, decided_at=clock.now())
    session.add(row)
    return row


def recent(session: Session, decision_id: str, cases: int) -> list[DecisionRecord]:
    """The records of ``decision_id`` for the ``cases`` cases that used it last, newest first.

    Reads the decision's index backwards and stops after ``cases`` distinct cases (or after
    ``20 × cases`` rows, for cases that evaluated the table many times).
    """
    query = (select(DecisionRecord).options(joinedload(DecisionRecord.case))
             .where(DecisionRecord.decision_id == decision_id)
             .order_by(DecisionRecord.id.desc()).limit(cases * 20))
    seen: set[int] = set()
    out = []
    for row in session.scalars(query):
        if row.case_id not in seen:
            if len(seen) == cases:
                break
            seen.add(row.case_id)
        out.append(row)
    return out
