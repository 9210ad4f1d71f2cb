"""Parts 1 and 2: one user-task completion in plain SpiffWorkflow, then through ``engine/`` with persistence."""

from __future__ import annotations

import copy
import statistics
import time

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.task import TaskState
from sqlalchemy import event, select

from api.extensions import db
from engine import cases, spiff, tasks
from engine.models import TaskItem, User

from . import fixtures as fx


def bench_spec_json() -> str:
    """The bench diagram parsed and serialised the way a deployment stores it."""
    parser = spiff.build_parser()
    parser.add_bpmn_file(str(fx.DIAGRAM))
    return spiff.dump_spec(parser.get_spec(fx.PROCESS_ID), parser.get_subprocess_specs(fx.PROCESS_ID))


def raw_spiff(n_cases: int) -> dict:
    """ms per completion: deserialize → set data, run, engine steps → serialize, nothing else."""
    spec_json = bench_spec_json()
    script_engine = PythonScriptEngine()  # the library's own; the engine adds its sandbox on top
    fx.settle()
    timings = []
    for _ in range(n_cases):
        spec, subprocess_specs = spiff.load_spec(spec_json)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        workflow.task_tree.data.update(copy.deepcopy(fx.OPENING_DATA))
        workflow.do_engine_steps()
        state = spiff.dump_state(workflow)
        while True:
            start = time.perf_counter()
            workflow = spiff.load_state(state, spiff.load_spec(spec_json), script_engine)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            task.set_data(**copy.deepcopy(fx.FORM_DATA[task.task_spec.bpmn_id]))
            task.run()
            workflow.refresh_timers()
            workflow.do_engine_steps()
            state = spiff.dump_state(workflow)
            timings.append((time.perf_counter() - start) * 1000)
    return {"timings": timings, "mean": statistics.fmean(timings), "state_bytes": len(state)}


class StatementCounter:
    """Counts SQL statements sent while ``active``."""

    def __init__(self, engine):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._on_execute)
        self._engine = engine

    def _on_execute(self, *_args):
        if self.active:
            self.count += 1

    def close(self):
        event.remove(self._engine, "before_cursor_execute", self._on_execute)


def open_cases(session, org: fx.Org, count: int, units: list | None = None) -> list[int]:
    """Open ``count`` bench cases round-robin over ``units`` (default: the towns); returns their ids."""
    units = units or org.units["town"]
    openers = {u.code: session.get(User, org.users[(u.code, "centre_staff")][0].id) for u in units}
    ids = []
    for n in range(count):
        unit = units[n % len(units)]
        case = cases.open_case(session, openers[unit.code], fx.PROCESS_ID, copy.deepcopy(fx.OPENING_DATA),
                               title=f"基准案件 {n}")
        ids.append(case.id)
        if n % 200 == 199:
            session.commit()
    session.commit()
    return ids


def ready_tasks_query():
    """``(task id, spec id, unit id)`` of every ready inbox row, as a core select."""
    return (select(TaskItem.id, TaskItem.spec_id, TaskItem.org_unit_id)
            .where(TaskItem.state == "ready"))


def engine_completions(org: fx.Org, n_cases: int) -> dict:
    """ms per ``engine.tasks.complete`` + commit, each in a fresh session as a request would have it."""
    session = db.session
    case_ids = open_cases(session, org, n_cases)
    unit_code = {u.id: u.code for u in org.all_units()}
    counter = StatementCounter(db.engine)
    fx.settle()
    timings = []
    try:
        for case_id in case_ids:
            while True:
                db.session.remove()
                row = session.execute(ready_tasks_query().where(TaskItem.case_id == case_id).limit(1)).first()
                if row is None:
                    break
                task_id, spec_id, unit_id = row
                user_id = org.users[(unit_code[unit_id], fx.TASK_ROLES[spec_id])][0].id
                db.session.remove()
                user = session.get(User, user_id)
                counter.active = True
                start = time.perf_counter()
                tasks.complete(session, user, task_id, copy.deepcopy(fx.FORM_DATA[spec_id]))
                tasks.commit_or_conflict(session)
                timings.append((time.perf_counter() - start) * 1000)
                counter.active = False
    finally:
        counter.close()
        db.session.remove()
    return {"timings": timings, "mean": statistics.fmean(timings),
            "statements": counter.count / max(1, len(timings))}
