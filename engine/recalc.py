"""Re-deriving the due times of waiting timers from the rules deployed now.

A case keeps the diagram (and the DMN tables copied into it) of the version it started
with. ``recalc`` re-evaluates each waiting timer's expression from the *latest* deployed
version of the case's process against the waiting task's data, after re-running the latest
decision tables of the business-rule tasks the case has completed, and moves the timer
(row, stored workflow and the task rows' due dates) when the result differs.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from itertools import groupby
from types import SimpleNamespace

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.task import TaskState
from SpiffWorkflow.util.deep_merge import DeepMerge
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, spiff, timers
from .cases import lock_case, process_version
from .errors import Forbidden, NotFound
from .models import Case, Timer, User
from .runner import CaseRun

ACTOR = "system"


def _latest_specs(session: Session, case: Case) -> dict:
    """Process name → spec, from the latest deployed version of the case's process."""
    spec, subprocess_specs = spiff.load_spec(process_version(session, case.process_id).spec_json)
    return {spec.name: spec, **subprocess_specs}


def _current_spec(task_spec, specs: dict):
    """The same element in the latest version, or the case's own when it is gone."""
    latest = specs.get(task_spec._wf_spec.name)
    found = latest.task_specs.get(task_spec.name) if latest is not None else None
    return found if found is not None and type(found) is type(task_spec) else task_spec


def _replay_rules(workflow, specs: dict, data: dict) -> dict:
    """Run the latest decision tables of the completed business-rule tasks over ``data``."""
    for done in workflow.get_tasks():
        spec = done.task_spec
        if done.state != TaskState.COMPLETED or not isinstance(spec, BusinessRuleTaskMixin):
            continue
        spec = _current_spec(spec, specs)
        proxy = SimpleNamespace(data=data, workflow=workflow, task_spec=spec, id=done.id)
        try:
            data = DeepMerge.merge(data, spec.dmnEngine.result(proxy))
        except Exception:  # a table that no longer fits the data keeps the case's own result
            continue
    return data


def rederive(task, row: Timer, specs: dict) -> datetime | None:
    """The due time the current rules give the waiting timer, or None when it cannot be derived."""
    spec = _current_spec(task.task_spec, specs)
    definition = spec.event_definition
    if not isinstance(definition, TimerEventDefinition):
        return None
    data = _replay_rules(task.workflow.top_workflow, specs, copy.deepcopy(task.data))
    try:
        value = task.workflow.script_engine.environment.evaluate(definition.expression, data)
        if isinstance(definition, CycleTimerEventDefinition):
            return _cycle_due(task, row, definition, value)
        if isinstance(definition, DurationTimerEventDefinition):
            return row.created_at + timers.duration_from(value, row.created_at)
        return TimerEventDefinition.parse_time_or_duration(value)
    except Exception:
        return None


def _cycle_due(task, row: Timer, definition, value: str) -> datetime | None:
    """The next round of a cycle, counted from its previous round with the new period."""
    parts = value.upper().replace("--", "/").strip("R").split("/")
    current = task._get_internal_data("event_value")
    if len(parts) != 2 or not parts[1].startswith("P") or not isinstance(current, dict):
        return None  # an explicit start or end does not depend on when the timer started
    previous = row.due_at - timedelta(seconds=float(current["duration"]))
    period = timers.duration_from(parts[1], previous)
    task._set_internal_data(event_value=dict(current, duration=period.total_seconds()))
    return previous + period


def _recalc_case(session: Session, case_id: int, rows: list[Timer]) -> list[dict]:
    case = lock_case(session, case_id)
    run = CaseRun(session, case, ACTOR)
    run.script_engine.decided = None  # re-deriving a due time decides nothing for the case
    workflow = run.load()
    specs = _latest_specs(session, case)
    moved = []
    for row in rows:
        task = timers.find_task(workflow, row.spiff_task_id)
        if task is None or task.state != TaskState.WAITING:
            continue
        due = rederive(task, row, specs)
        if due is None or due == row.due_at:
            continue
        moved.append({"case": case.code, "timer": row.id, "task": row.spec_id, "kind": row.kind,
                      "from": row.due_at.isoformat(), "to": due.isoformat()})
        row.due_at = row.fire_at = due
        row.attempts, row.last_error = 0, None
        timers.set_due(task, due)
    if moved:
        run.persist()
        audit.record(session, "timers_recalculated", ACTOR, case_id=case.id, detail={"moved": moved})
    return moved


def recalc(session: Session, case_id: int | None = None) -> dict:
    """Re-derive every waiting timer (of one case, or all) from the current rules; reports what moved."""
    query = select(Timer).where(Timer.state == "waiting")
    if case_id is not None:
        query = query.where(Timer.case_id == case_id)
    rows = list(session.scalars(query.order_by(Timer.case_id, Timer.id)))
    moved: list[dict] = []
    for cid, group in groupby(rows, key=lambda r: r.case_id):
        moved += _recalc_case(session, cid, list(group))
    return {"checked": len(rows), "moved": moved}


def recalc_by_code(session: Session, case_code: str | None = None) -> dict:
    """``recalc`` for one case named by code, or for every case."""
    if not case_code:
        return recalc(session)
    case = session.scalar(select(Case).where(Case.code == case_code))
    if case is None:
        raise NotFound(f"no case {case_code!r}")
    return recalc(session, case.id)


def recalc_as(session: Session, user: User, case_code: str | None = None) -> dict:
    """``recalc`` on behalf of a user: administrators only."""
    if user.role != "admin":
        raise Forbidden("only administrators can recalculate timers")
    return recalc_by_code(session, case_code)
