"""The inbox and the work done on one task: claim, unclaim, reassign, draft, complete."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, contains_eager, lazyload
from sqlalchemy.orm.exc import StaleDataError

from . import (
    assignment,
    audit,
    clock,
    doctor,
    form_labels,
    inbox_letters,
    orgs,
    privacy,
    task_forms,
    validation,
)
from .errors import BadRequest, Conflict, Forbidden, NotFound
from .models import SUPERVISOR_ROLES, Case, CaseState, TaskItem, User
from .runner import CaseRun, StepFailed, open_incident

SCOPES = ("mine", "unit", "claimable", "reported")


def inbox(session: Session, user: User, scope: str = "mine", *, case_id=None, spec_id=None,
          overdue: bool | None = None, code: str | None = None, page: int = 1,
          per_page: int = 50, letters: bool = False) -> tuple[list, bool]:
    """Open tasks for the user; reads only inbox rows, through their indexes (``code``: part of a case code).

    ``letters``: also the open warning letters the user answers (``RiskLetter`` rows among the tasks,
    paged with them; ``engine/inbox_letters.py``).
    """
    if scope not in SCOPES:
        raise BadRequest(f"scope must be one of {', '.join(SCOPES)}", fields={"scope": "unknown scope"})
    query = select(TaskItem.id).where(TaskItem.state == "ready")
    if scope == "mine":
        query = query.where(TaskItem.assignee_id == user.id)
    elif scope == "reported":
        query = query.where(TaskItem.case_id.in_(select(Case.id).where(Case.opened_by == user.username)))
    else:
        visible = orgs.visible_unit_ids(session, user)
        if visible is not None:
            query = query.where(TaskItem.org_unit_id.in_(visible))
        if scope == "claimable":
            query = query.where(or_(TaskItem.assignee_id.is_(None),
                                    TaskItem.open_to_unit.is_(True) & (TaskItem.assignee_id != user.id)))
            if user.role != "admin":
                query = query.where(TaskItem.role.in_(orgs.workable_roles(user)))
    query = _filtered(query, case_id=case_id, spec_id=spec_id, overdue=overdue, code=code)
    letter_query = (inbox_letters.query(user, scope, case_id=case_id, spec_id=spec_id, overdue=overdue, code=code)
                    if letters else None)
    if letter_query is not None:
        return inbox_letters.page(session, query, letter_query, page, per_page)
    order = (TaskItem.created_at, TaskItem.id)
    # Pick the page on the task table alone, then load it with its joined rows: joining first
    # makes the database join every matching task before it can sort and cut (300 ms at 100k).
    page_ids = query.order_by(*order).offset((page - 1) * per_page).limit(per_page + 1).scalar_subquery()
    rows = list(session.scalars(select(TaskItem).where(TaskItem.id.in_(page_ids)).order_by(*order)))
    return rows[:per_page], len(rows) > per_page


def _filtered(query, *, case_id, spec_id, overdue, code):
    if case_id is not None:
        query = query.where(TaskItem.case_id == case_id)
    if spec_id:
        query = query.where(TaskItem.spec_id == spec_id)
    if overdue is not None:
        query = query.where(TaskItem.overdue.is_(overdue))
    if code:
        query = query.where(TaskItem.case_id.in_(select(Case.id).where(Case.code.icontains(code, autoescape=True))))
    return query


def task_kinds(session: Session) -> list[tuple[str, str]]:
    """``(task id, name)`` of every user task of the processes' latest versions, by name (a list filter);
    names are "中文 English" where the task's form titles it in English."""
    kinds: dict[str, str] = {}
    for version in doctor.latest_versions(session):
        for spec in doctor.user_tasks(version):
            name = spec.bpmn_name or spec.bpmn_id or spec.name
            kinds.setdefault(spec.bpmn_id or spec.name,
                             form_labels.task_title(name, version, validation.form_path(spec)))
    return sorted(kinds.items(), key=lambda kind: (kind[1], kind[0]))


@dataclass(frozen=True)
class Actions:
    """What a list may offer the user on an open task; the commands check again when used."""

    claim: bool
    reassign: bool


def actions(user: User, row: TaskItem) -> Actions:
    """The commands on ``row`` the user's role and the task's holder allow (the row is one they see)."""
    if row.state != "ready":
        return Actions(False, False)
    offered = row.assignee_id is None or (row.open_to_unit and row.assignee_id != user.id)
    works = user.role == "admin" or user.role in orgs.roles_working(row.role, row.org_unit)
    return Actions(claim=offered and works, reassign=user.role in SUPERVISOR_ROLES)


def get_task(session: Session, user: User, task_id: int) -> TaskItem:
    """A task row the user may see: in their units, or named for them."""
    row = session.get(TaskItem, task_id)
    if row is None:
        raise NotFound(f"no task {task_id}")
    _require_visible(session, user, row)
    return row


def _require_visible(session: Session, user: User, row: TaskItem) -> None:
    if row.assignee_id != user.id:
        orgs.require_unit(session, user, row.org_unit_id)


@dataclass(frozen=True)
class TaskDetail:
    """A task with its form, the data its form starts from and its draft, as the reader may see them."""

    task: TaskItem
    schema: dict | None
    data: dict
    draft: dict | None


def task_detail(session: Session, user: User, task_id: int) -> TaskDetail:
    """A task the user may see; parties' personal data masked unless the user works the case."""
    row = get_task(session, user, task_id)
    parts = privacy.shown(session, user, row.case, task_id=row.id,
                          data=current_data(session, row), draft=row.draft)
    return TaskDetail(row, form_schema(row), parts["data"], parts["draft"])


def current_data(session: Session, row: TaskItem) -> dict:
    """The data a ready task would start from (the workflow's view), for prefilling its form."""
    if row.state != "ready":
        return {}
    workflow = CaseRun(session, row.case, "system").load()
    task = workflow.get_task_from_id(UUID(row.spiff_task_id))
    return copy.deepcopy(task.data) if task is not None else {}


def form_schema(row: TaskItem) -> dict | None:
    """The task's JSON Schema, as frozen in the case's process version."""
    return row.case.process_version.forms.get(row.form) if row.form else None


def _require_open(row: TaskItem) -> None:
    if row.state != "ready":
        raise Conflict(f"task {row.id} is already {row.state}")


def _require_role(user: User, row: TaskItem) -> None:
    """The user holds a role that works the task at its unit, or the task is theirs."""
    if user.role != "admin" and row.assignee_id != user.id and user.role not in orgs.roles_working(row.role, row.org_unit):
        raise Forbidden(f"this task is for the role {row.role!r}")


def _require_free(user: User, row: TaskItem) -> None:
    if row.assignee_id not in (None, user.id) and not row.open_to_unit:
        raise Conflict(f"task {row.id} is claimed by {row.assignee.username}")


def _free_for(user: User) -> ColumnElement[bool]:
    """The task is unclaimed, claimed by ``user``, or named for a colleague who may be relieved of it."""
    return or_(TaskItem.assignee_id.is_(None), TaskItem.assignee_id == user.id, TaskItem.open_to_unit.is_(True))


def _held_by(assignee_id: int | None) -> ColumnElement[bool]:
    """The task is still held by whoever held it when it was read (nobody included)."""
    return TaskItem.assignee_id.is_(None) if assignee_id is None else TaskItem.assignee_id == assignee_id


def _write_if(session: Session, row: TaskItem, holder: ColumnElement[bool], **values) -> None:
    """Write ``values`` in one conditional UPDATE that matches only while the task is ready and ``holder`` holds.

    The guards above it read the row without a lock; this statement checks them again where two
    writers cannot both pass (PostgreSQL re-evaluates it after the other's commit, SQLite has one
    writer), so of concurrent claims exactly one matches and the others get a ``Conflict``.
    """
    written = session.execute(
        update(TaskItem).where(TaskItem.id == row.id, TaskItem.state == "ready", holder).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if written != 1:
        session.refresh(row)  # whoever got there first, as committed
        _require_open(row)
        if row.assignee is None:
            raise Conflict(f"task {row.id} was released meanwhile; reload and try again")
        raise Conflict(f"task {row.id} is claimed by {row.assignee.username}")
    session.expire(row, [*values, "assignee"])  # read again, as written, when next used


def claim(session: Session, user: User, task_id: int) -> TaskItem:
    """Take an unassigned task."""
    row = get_task(session, user, task_id)
    _require_open(row)
    _require_role(user, row)
    _require_free(user, row)
    previous = row.assignee.username if row.assignee_id not in (None, user.id) else None
    _write_if(session, row, _free_for(user), assignee_id=user.id, open_to_unit=False)
    audit.record(session, "task_claimed", user.username, case_id=row.case_id, task_id=row.id,
                 detail={"from": previous} if previous else None)
    return row


def unclaim(session: Session, user: User, task_id: int) -> TaskItem:
    """Give a task back to its unit (the assignee, or a supervisor)."""
    row = get_task(session, user, task_id)
    _require_open(row)
    if row.assignee_id != user.id and user.role not in SUPERVISOR_ROLES:
        raise Forbidden("only the assignee or a supervisor can release this task")
    _write_if(session, row, _held_by(row.assignee_id), assignee_id=None)
    audit.record(session, "task_unclaimed", user.username, case_id=row.case_id, task_id=row.id)
    return row


def reassign(session: Session, user: User, task_id: int, username: str) -> TaskItem:
    """A supervisor hands the task to another user who holds its role and sees its unit."""
    row = get_task(session, user, task_id)
    _require_open(row)
    if user.role not in SUPERVISOR_ROLES:
        raise Forbidden("only centre staff, leaders and administrators can reassign tasks")
    target = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if target is None:
        raise NotFound(f"no user {username!r}", fields={"username": "unknown user"})
    if not assignment.can_work(session, target, row.role, row.org_unit):
        raise BadRequest(f"{username} cannot work this task (role {row.role!r}, unit)",
                         fields={"username": "lacks the task's role or unit"})
    previous = row.assignee.username if row.assignee else None
    _write_if(session, row, _held_by(row.assignee_id), assignee_id=target.id, open_to_unit=False)
    audit.record(session, "task_reassigned", user.username, case_id=row.case_id, task_id=row.id,
                 detail={"from": previous, "to": username})
    return row


def save_draft(session: Session, user: User, task_id: int, data: dict) -> TaskItem:
    """Keep unfinished form data on the task (not validated until completion)."""
    row = get_task(session, user, task_id)
    _require_open(row)
    _require_role(user, row)
    _require_free(user, row)
    _write_if(session, row, _free_for(user), draft=copy.deepcopy(data))
    audit.record(session, "task_draft_saved", user.username, case_id=row.case_id, task_id=row.id)
    return row


@dataclass(frozen=True)
class Completed:
    """A completed task and its case's open tasks afterwards."""

    task: TaskItem
    open_tasks: list[TaskItem]


def complete(session: Session, user: User, task_id: int, data: dict) -> Completed:
    """Validate, complete the task, run the engine to the next wait, persist it all at once.

    If the engine step fails with nothing in the diagram to catch it, the transaction is rolled
    back (handlers' writes included) and done again without the step: the task is completed,
    its state kept, and the case opens an incident to be retried.
    """
    row = _open_for_completion(session, user, task_id, data)
    try:
        _, open_tasks = _run_completion(session, user, row, data, step=True)
    except StepFailed as failure:
        session.rollback()
        row = _open_for_completion(session, user, task_id, data)
        run, open_tasks = _run_completion(session, user, row, data, step=False)
        open_incident(session, run.case, failure, user.username)
    _flush_or_conflict(session)  # new rows get their ids; the commit then has nothing left to write
    return Completed(row, open_tasks)


def _open_for_completion(session: Session, user: User, task_id: int, data: dict) -> TaskItem:
    """The task row, loaded with its case and workflow state and checked for this completion."""
    row = _load_locked(session, task_id)
    _require_visible(session, user, row)
    _require_role(user, row)
    _require_free(user, row)
    _require_open(row)
    task_forms.validate_form(session, row, data)
    if row.case.status == "incident":
        raise Conflict(f"case {row.case.code} has an open incident; retry it first")
    return row


def _load_locked(session: Session, task_id: int) -> TaskItem:
    """Task, case and state in one query, read afresh; on PostgreSQL the three rows stay locked.

    Locking all three makes a writer that waited re-read each of them once the other commits,
    so it never runs a newer case row against an older workflow state.
    """
    row = session.scalar(
        select(TaskItem).join(TaskItem.case).join(Case.state)
        .options(contains_eager(TaskItem.case).contains_eager(Case.state),
                 # Usually already in the session (the user, the case's unit): read from there when used.
                 lazyload(TaskItem.assignee), lazyload(TaskItem.org_unit))
        .where(TaskItem.id == task_id)
        .with_for_update(of=(TaskItem, Case, CaseState))
        .execution_options(populate_existing=True))
    if row is None:
        raise NotFound(f"no task {task_id}")
    return row


def _run_completion(session: Session, user: User, row: TaskItem, data: dict, *,
                    step: bool) -> tuple[CaseRun, list[TaskItem]]:
    run = CaseRun(session, row.case, user.username)
    task = run.load().get_task_from_id(UUID(row.spiff_task_id))
    run.open_at_load.discard(row.spiff_task_id)  # closed here, below
    task.set_data(**copy.deepcopy(data), last_actor=user.username)
    task.run()
    row.state, row.completed_at, row.completed_by = "completed", clock.now(), user.username
    row.assignee = user
    row.draft = None
    audit.record(session, "task_completed", user.username, case_id=row.case_id, task_id=row.id,
                 detail={"task": row.spec_id, "data": privacy.for_audit(row.case.process_version, data)})
    if step:
        run.step()
    return run, run.persist()


def commit_or_conflict(session: Session) -> None:
    """Commit; a concurrent writer that got there first becomes a ``Conflict``."""
    _or_conflict(session, session.commit)


def _flush_or_conflict(session: Session) -> None:
    _or_conflict(session, session.flush)


def _or_conflict(session: Session, write) -> None:
    try:
        write()
    except StaleDataError:
        session.rollback()
        raise Conflict("the case was changed by someone else; reload and try again") from None
