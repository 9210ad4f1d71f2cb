"""Inbox rows: one per ready user task, kept in step with the workflow state."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from . import assignment, audit, clock, orgs, validation
from .models import Case, OrgUnit, TaskItem, User

# How long a process reuses a candidate list: a task's candidates are a snapshot of who could
# take it when it became ready, and re-reading them for every new task costs a query each.
CANDIDATE_SECONDS = 30.0
_candidate_cache: dict[tuple[str, int], tuple[float, list[str]]] = {}


def _candidates(session: Session, role: str, unit: OrgUnit) -> list[str]:
    """Usernames of the active users at ``unit`` whose role works a ``role`` task there."""
    key = (role, unit.id)
    now = time.monotonic()
    cached = _candidate_cache.get(key)
    if cached is not None and now - cached[0] < CANDIDATE_SECONDS:
        return list(cached[1])
    roles = orgs.roles_working(role, unit)
    names = list(session.scalars(select(User.username).where(User.role.in_(roles), User.org_unit_id == unit.id,
                                                             User.active.is_(True)).order_by(User.id).limit(50)))
    _candidate_cache[key] = (now, names)
    return list(names)


def candidate_names(session: Session, role: str, unit: OrgUnit) -> list[str]:
    """Who may take a ``role`` task at ``unit`` (the list a new task row carries)."""
    return _candidates(session, role, unit)


def forget_candidates() -> None:
    """Drop the cached candidate lists (after users change in this process)."""
    _candidate_cache.clear()


def sync(session: Session, case: Case, ready_tasks, actor: str, moved_from: int | None = None, *,
         expect_open: bool = True) -> list[TaskItem]:
    """Insert rows for newly ready tasks; cancel rows whose task is no longer ready.

    Rows placed by the ``case`` rule that sat in the unit the case just left (``moved_from``) follow
    the case. Due times
    are set by ``timers.sync`` from the deadlines watching the task. Nothing is flushed here:
    the rows, their audit events and the state go to the database together at commit.
    ``expect_open=False`` says the case has no open rows left (its stored state had no ready
    user task, or only the one being completed), which spares reading them.
    """
    with session.no_autoflush:
        open_rows = _open_rows(session, case) if expect_open or moved_from is not None else {}
        current = [_row_for(session, case, task, open_rows, actor, moved_from) for task in ready_tasks]
    for row in open_rows.values():
        row.state = "cancelled"
        row.completed_at = clock.now()
        audit.record(session, "task_cancelled", actor, case_id=case.id, task_id=row.id,
                     detail={"task": row.spec_id})
    return current


def _open_rows(session: Session, case: Case) -> dict[str, TaskItem]:
    # A row completed in this transaction but not yet flushed still reads as ready. Their case and
    # units are in the session already: related rows load on use instead of being joined here.
    rows = session.scalars(select(TaskItem).options(lazyload("*"))
                           .where(TaskItem.case_id == case.id, TaskItem.state == "ready"))
    return {row.spiff_task_id: row for row in rows if row.state == "ready"}


def _row_for(session: Session, case: Case, task, open_rows: dict, actor: str, moved_from: int | None) -> TaskItem:
    """The open row of a ready task (taken out of ``open_rows``), or a new one."""
    row = open_rows.pop(str(task.id), None)
    if row is not None:
        if moved_from is not None and row.org_unit_id == moved_from and assignment.unit_rule(task.task_spec) == "case":
            row.org_unit_id = case.org_unit_id
        return row
    spec = task.task_spec
    role = spec.lane or "centre_staff"
    placed = assignment.place(session, case, task)
    candidates = _candidates(session, role, placed.unit)
    if placed.assignee is not None:
        candidates = [placed.assignee.username, *(n for n in candidates if n != placed.assignee.username)]
    row = TaskItem(case_id=case.id, spiff_task_id=str(task.id), spec_id=spec.bpmn_id or spec.name,
                   name=spec.bpmn_name or spec.bpmn_id or spec.name, process_id=spec._wf_spec.name,
                   role=role, org_unit_id=placed.unit.id, org_unit=placed.unit, assignee=placed.assignee,
                   open_to_unit=placed.assignee is not None and placed.shared, form=validation.form_path(spec),
                   created_at=clock.now(), candidates=candidates,
                   state="ready", overdue=False, reminders=0)  # read by timers.sync before the insert
    session.add(row)
    detail = {"task": row.spec_id, "role": role, "unit": placed.unit.code}
    if placed.assignee is not None:
        detail["assignee"] = placed.assignee.username
    audit.record(session, "task_created", actor, case_id=case.id, task=row, detail=detail)
    return row
