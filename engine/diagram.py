"""A case's path on its diagrams: which elements it has completed and where it waits, per process.

The case page highlights them on the diagram of the case's own process version; a call activity
opens the called process's diagram with the path of its runs for this case (all runs of a looped
call activity together).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import Case, ProcessVersion, TaskItem
from .runner import CaseRun

WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Marks:
    """Element ids of one process: completed, and current (ready tasks, running call activities, timers)."""

    done: set[str] = field(default_factory=set)
    current: set[str] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {"done": sorted(self.done - self.current), "current": sorted(self.current)}


def _element(task) -> str | None:
    spec = task.task_spec
    return getattr(spec, "bpmn_id", None)


def path(session: Session, case: Case) -> dict[str, Marks]:
    """Process id → the case's marks on it, from its workflow state and its task rows."""
    out: dict[str, Marks] = {}
    if case.state is None:
        return out
    run = CaseRun(session, case, "")
    workflow = run.load()
    for each in [workflow, *workflow.subprocesses.values()]:
        marks = out.setdefault(each.spec.name, Marks())
        for task in each.get_tasks_iterator(skip_subprocesses=True):
            element = _element(task)
            if element is None:
                continue
            if task.state == TaskState.COMPLETED:
                marks.done.add(element)
            elif task.state & WAITING:
                marks.current.add(element)
    # Runs of a sub-process that ended may have left the state: their user tasks are still on record.
    for process_id, spec_id, state in session.execute(
            select(TaskItem.process_id, TaskItem.spec_id, TaskItem.state).where(TaskItem.case_id == case.id)):
        marks = out.setdefault(process_id, Marks())
        (marks.current if state == "ready" else marks.done).add(spec_id)
    return out


def called_version(session: Session, case: Case, process_id: str) -> ProcessVersion:
    """The version of ``process_id`` the case's own version was deployed with (its latest at that deployment)."""
    own = case.process_version
    if process_id == own.process_id:
        return own
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                     ProcessVersion.deployment_id <= own.deployment_id)
                        .order_by(ProcessVersion.version.desc()).limit(1))
    if pv is None:
        raise NotFound(f"no deployed process {process_id!r}", fields={"process": "unknown process"})
    return pv
