"""Moving running cases to another version of their process: a plan per case, a dry run, the move.

A case moves element by element: every task the case waits on (a ready user task, a waiting event,
a running call activity) goes to the element of the new version with the same BPMN id, or to the one
a designer's ``mapping`` names (``{"old id": "new id"}``). SpiffWorkflow's own diff
(``SpiffWorkflow.bpmn.util.diff``) aligns the rest of the tree — the elements a case has passed and
those predicted ahead — by id, then by the shape of the diagram around them; its guess for a waiting
element is only offered as a suggestion, never taken: a waiting element the new version lacks stops
the case until someone maps it. A case moves in its own transaction (like the timer sweep): the
workflow, its version pointer, its task rows and its timer rows change together with a
``case_migrated`` audit event, and a failure rolls back that case only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, migrate_workflow
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import assignment, audit, decisions, inbox, orgs, spiff, timers, validation
from .cases import lock_case
from .errors import BadRequest, Forbidden, NotFound
from .migration_report import Blocker, CasePlan, MigrationReport, TaskMove
from .models import Case, Incident, ProcessVersion, TaskItem, Timer, User
from .runner import CaseRun

MIGRATOR_ROLES = ("designer", "admin")
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# Tasks the library predicts the case will reach; one without a counterpart is dropped and predicted anew.
AHEAD = TaskState.PREDICTED_MASK | TaskState.FUTURE


# -- planning ------------------------------------------------------------------------------------
def _state_name(task) -> str:
    return TaskState.get_name(task.state).lower()


def _candidate(task, new_spec, diff: SpecDiff, mapping: dict):
    """``(new task spec or None, how)`` for one task: mapped, same id, or lined up by the library."""
    name = task.task_spec.name
    if name in mapping:
        return new_spec.task_specs.get(mapping[name]), "mapped"
    head, dot, tail = name.partition(".")  # e.g. ``approve.BoundaryEventSplit`` follows ``approve``
    if dot and head in mapping:
        return new_spec.task_specs.get(f"{mapping[head]}.{tail}"), "mapped"
    if name in new_spec.task_specs:
        return new_spec.task_specs[name], "same"
    return diff.alignment.get(task.task_spec), "aligned"


def _why_not(old, target, how: str) -> str | None:
    """Why a waiting task cannot go to ``target``, or None when it can."""
    if how == "aligned":
        return "removed"
    if target is None:
        return "unknown_target"
    if type(target).__name__ != type(old).__name__:
        return "type_changed"
    if isinstance(old, SubWorkflowTask) and target.spec != old.spec:
        return "call_changed"
    return None


def _plan_workflow(plan: CasePlan, workflow, new_spec, mapping: dict, diffs: dict) -> None:
    """Align every task of one workflow (the case's, or one sub-process's) with ``new_spec``."""
    key = (id(workflow.spec), id(new_spec))  # specs are shared by every case of a version: diff them once
    diff = diffs.get(key)
    if diff is None:
        diff = diffs[key] = SpecDiff(spiff.SERIALIZER.registry, workflow.spec, new_spec)
    process = workflow.spec.name
    alignment, drop = {}, []
    for task in list(workflow.tasks.values()):
        old = task.task_spec
        target, how = _candidate(task, new_spec, diff, mapping)
        element = old.bpmn_id or old.name
        if not task.has_state(ACTIVE):
            if target is None and task.has_state(AHEAD):
                drop.append(task)
            elif target is None:
                plan.blockers.append(Blocker("passed_removed", element, process))
            alignment[task] = target
            continue
        why = _why_not(old, target, how)
        if why is not None:
            suggestion = target.bpmn_id if why == "removed" and target is not None else None
            plan.blockers.append(Blocker(why, element, process, suggestion))
            move = TaskMove(process, element, "", "blocked", _state_name(task))
        else:
            alignment[task] = target
            move = TaskMove(process, element, target.bpmn_id or target.name, how, _state_name(task))
        if old.bpmn_id:  # engine-made tasks (splits, joins) follow their element and are not listed
            plan.waiting.append(move)
            if why is None:
                plan.moves.append(move)
    plan.work.append((workflow, new_spec, alignment, drop))


def plan_case(session: Session, case: Case, target: ProcessVersion, mapping: dict, workflow,
              diffs: dict | None = None) -> CasePlan:
    """The plan for one case already loaded as ``workflow``: where each waiting task goes, or why it cannot.
    ``diffs`` caches the spec diffs across the cases of one run."""
    diffs = {} if diffs is None else diffs
    plan = CasePlan(case.code, case.process_version.version, target.version)
    if case.status == "closed":
        plan.blockers.append(Blocker("closed"))
    if session.scalar(select(Incident.id).where(Incident.case_id == case.id, Incident.state == "open")):
        plan.blockers.append(Blocker("incident"))
    if case.process_version_id == target.id:
        plan.blockers.append(Blocker("already_on_target"))
    if plan.blockers:
        plan.status = "blocked"
        return plan
    spec, deps = _specs(target)
    _plan_workflow(plan, workflow, spec, mapping, diffs)
    for sub in workflow.subprocesses.values():
        new_sub = deps.get(sub.spec.name)
        if new_sub is None:
            plan.blockers.append(Blocker("subprocess_removed", sub.spec.name, sub.spec.name))
        else:
            _plan_workflow(plan, sub, new_sub, mapping, diffs)
    plan.status = "blocked" if plan.blockers else "can_move"
    return plan


def _specs(version: ProcessVersion) -> tuple:
    return spiff.version_spec(version.content_hash, lambda: version.spec_json)


# -- moving one case -----------------------------------------------------------------------------
def _apply(session: Session, run: CaseRun, plan: CasePlan, target: ProcessVersion, mapping: dict) -> None:
    """Move the loaded workflow to ``target`` and bring the case row, task rows and timer rows in line."""
    workflow, case = run.workflow, run.case
    # Resetting a waiting timer forgets when it is due: the case keeps the due times it had.
    due = {t.id: t._get_internal_data("event_value") for t in timers.waiting_timers(workflow)}
    _, deps = _specs(target)
    for each, new_spec, alignment, drop in plan.work:
        parents = _drop_ahead(each, drop)
        migrate_workflow(SimpleNamespace(alignment=alignment), each, new_spec)
        _predict_again(each, parents)
    workflow.subprocess_specs = deps
    for task in timers.waiting_timers(workflow):
        if due.get(task.id) is not None:
            task._set_internal_data(event_value=due[task.id])
    source = case.process_version
    case.process_version, case.process_version_id = target, target.id
    decisions.bind_current(session, workflow)
    rows = run.persist()
    for row in rows:
        _refresh_row(session, case, row, timers.find_task(workflow, row.spiff_task_id), run.actor)
    for row in session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.state == "waiting")):
        task = timers.find_task(workflow, row.spiff_task_id)
        if task is not None:
            row.spec_id, row.kind = task.task_spec.bpmn_id or task.task_spec.name, timers.kind_of(task.task_spec)
    audit.record(session, "case_migrated", run.actor, case_id=case.id,
                 detail={"process_id": case.process_id, "from_version": source.version, "to_version": target.version,
                         "mapping": mapping, "moves": [m.as_dict() for m in plan.moves]})


def _drop_ahead(workflow, drop: list) -> list:
    """Take predicted tasks without a counterpart out of the tree; their parents, to predict again."""
    parents = []
    for task in drop:
        if task.id in workflow.tasks:  # not already gone with an ancestor
            parents.append(task.parent)
            workflow._remove_task(task.id)
    return parents


def _predict_again(workflow, parents: list) -> None:
    """Predict the path anew below a running task whose predicted successors were dropped (a reset
    ready or waiting task has been predicted again by the library already)."""
    for parent in parents:
        if parent.id in workflow.tasks and parent.has_state(TaskState.STARTED):
            parent._sync_children(parent.task_spec.outputs, TaskState.FUTURE)
            for child in parent.children:
                child.task_spec._predict(child, mask=AHEAD)


def _refresh_row(session: Session, case: Case, row: TaskItem, task, actor: str) -> None:
    """Rewrite an open task row as the new diagram describes its task; re-place it if who does it changed."""
    if task is None:
        return
    spec = task.task_spec
    role = spec.lane or "centre_staff"
    rules_before = (row.role, row.spec_id)
    row.spec_id = spec.bpmn_id or spec.name
    row.name = spec.bpmn_name or spec.bpmn_id or spec.name
    row.process_id = spec._wf_spec.name
    row.form = validation.form_path(spec)
    if rules_before == (role, row.spec_id):
        return  # same element in the same lane: who holds it keeps it
    placed = assignment.place(session, case, task)
    row.role, row.org_unit_id, row.org_unit = role, placed.unit.id, placed.unit
    row.assignee = placed.assignee
    row.assignee_id = placed.assignee.id if placed.assignee is not None else None
    row.open_to_unit = placed.assignee is not None and placed.shared
    names = inbox.candidate_names(session, role, placed.unit)
    if placed.assignee is not None:
        names = [placed.assignee.username, *(n for n in names if n != placed.assignee.username)]
    row.candidates = names
    audit.record(session, "task_replaced", actor, case_id=case.id, task_id=row.id,
                 detail={"task": row.spec_id, "role": role, "unit": placed.unit.code,
                         "assignee": placed.assignee.username if placed.assignee is not None else None})


def _move(session: Session, run: CaseRun, plan: CasePlan, job: _Job) -> CasePlan:
    """Move one planned case and commit; a failure rolls back this case alone and is reported."""
    try:
        _apply(session, run, plan, job.target, job.mapping)
        session.commit()
    except Exception as err:  # noqa: BLE001 - any failure leaves this case untouched and is reported
        session.rollback()
        plan.status, plan.error = "failed", f"{type(err).__name__}: {err}"
        return plan
    plan.status = "moved"
    return plan


# -- the entry point -----------------------------------------------------------------------------
def _version(session: Session, process_id: str, version, name: str) -> ProcessVersion:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BadRequest(f"{name} must be a version number", fields={name: "must be a positive integer"})
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                     ProcessVersion.version == version))
    if pv is None:
        raise NotFound(f"no version {version} of process {process_id!r}", fields={name: "no such version"})
    return pv


def _check_mapping(mapping, target: ProcessVersion) -> dict:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise BadRequest("mapping must be an object of old element id → new element id",
                         fields={"mapping": "must be an object"})
    spec, deps = _specs(target)
    known = {name for s in [spec, *deps.values()] for name in s.task_specs}
    for old, new in mapping.items():
        if not isinstance(new, str) or new not in known:
            raise BadRequest(f"mapping: version {target.version} has no element {new!r}",
                             fields={f"mapping.{old}": "no such element in the target version"})
    return dict(mapping)


def _selected(session: Session, visible: list[int] | None, process_id: str, source: ProcessVersion, codes) -> list:
    """``(code, case id or None)`` for the named cases, or every running case of ``source``."""
    query = select(Case.code, Case.id).where(Case.process_id == process_id)
    if visible is not None:
        query = query.where(Case.org_unit_id.in_(visible))
    if codes is None:
        query = query.where(Case.process_version_id == source.id, Case.status.in_(("open", "incident")))
        return [tuple(r) for r in session.execute(query.order_by(Case.id))]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise BadRequest("cases must be a list of case codes", fields={"cases": "must be a list of strings"})
    found = dict(session.execute(query.where(Case.code.in_(codes))).all())
    return [(code, found.get(code)) for code in dict.fromkeys(codes)]


def migrate(session: Session, user: User, process_id: str, from_version, to_version, *, mapping=None,
            codes=None, dry_run: bool = True) -> MigrationReport:
    """Dry run (nothing written) or move the running cases of ``from_version`` (or the named ones) in the
    user's units to ``to_version``; each moved case commits on its own. Designers and administrators only."""
    if user.role not in MIGRATOR_ROLES:
        raise Forbidden("only designers and administrators move cases between versions")
    return migrate_cases(session, user.username, orgs.visible_unit_ids(session, user), process_id, from_version,
                         to_version, mapping=mapping, codes=codes, dry_run=dry_run)


def migrate_cases(session: Session, actor: str, visible: list[int] | None, process_id: str, from_version,
                  to_version, *, mapping=None, codes=None, dry_run: bool = True) -> MigrationReport:
    """``migrate`` for cases in ``visible`` units (``None``: all, as the command line runs it), as ``actor``."""
    source = _version(session, process_id, from_version, "from_version")
    target = _version(session, process_id, to_version, "to_version")
    mapping = _check_mapping(mapping, target)
    job = _Job(source, target, mapping, actor, dry_run)
    plans = [_one(session, code, case_id, job) for code, case_id in _selected(session, visible, process_id, source, codes)]
    return MigrationReport(process_id, source.version, target.version, dry_run, mapping, plans)


@dataclass
class _Job:
    """One dry run or move: the versions, the mapping, who runs it, and the spec diffs shared by its cases."""

    source: ProcessVersion
    target: ProcessVersion
    mapping: dict
    actor: str
    dry_run: bool
    diffs: dict = field(default_factory=dict)


def _one(session: Session, code: str, case_id: int | None, job: _Job) -> CasePlan:
    """Plan one case (a move locks it first and commits or rolls back before the next case)."""
    if case_id is None:
        return CasePlan(code, None, job.target.version, blockers=[Blocker("not_found")], status="blocked")
    case = session.get(Case, case_id) if job.dry_run else lock_case(session, case_id)
    if case.process_version_id not in (job.source.id, job.target.id):
        plan = CasePlan(code, case.process_version.version, job.target.version, blockers=[Blocker("other_version")],
                        status="blocked")
    else:
        run = CaseRun(session, case, job.actor)
        run.load()
        plan = plan_case(session, case, job.target, job.mapping, run.workflow, job.diffs)
        if not job.dry_run and plan.status == "can_move":
            return _move(session, run, plan, job)
    if not job.dry_run:
        session.rollback()  # release the case's lock
    return plan
