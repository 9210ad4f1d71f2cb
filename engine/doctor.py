"""The organisation check: for every task a deployed process can create, who at each unit can do it.

For each user task of each process's latest version, the task's unit rule says which kinds of
unit it can land on (``assignment.UNIT_RULES``); every unit of those kinds needs at least one
active user whose role works the task's lane there (``orgs.roles_working``). A unit without one
is a gap: a case would leave work there that nobody can take. A task that names a person
(``assignee``) still needs its unit covered, for when the data names nobody.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from SpiffWorkflow.spiff.specs.defaults import UserTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import assignment, orgs, spiff
from .errors import Forbidden
from .models import OrgUnit, ProcessVersion, User


@dataclass(frozen=True)
class KindCoverage:
    """Units of one kind a task can land on, and those where nobody can take it."""

    kind: str
    units: int
    uncovered: list[str]


@dataclass(frozen=True)
class TaskCoverage:
    process_id: str
    version: int
    task: str
    name: str
    role: str
    unit_rule: str
    assignee: str | None
    kinds: list[KindCoverage] = field(default_factory=list)

    @property
    def gaps(self) -> int:
        return sum(len(k.uncovered) for k in self.kinds)


@dataclass(frozen=True)
class Report:
    tasks: list[TaskCoverage]

    @property
    def ok(self) -> bool:
        return all(t.gaps == 0 for t in self.tasks)


def latest_versions(session: Session) -> list[ProcessVersion]:
    """The newest version of each deployed process."""
    newest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_id).subquery())
    return list(session.scalars(select(ProcessVersion).join(
        newest, (ProcessVersion.process_id == newest.c.process_id) & (ProcessVersion.version == newest.c.v))
        .order_by(ProcessVersion.process_id)))


def user_tasks(version: ProcessVersion):
    """The user task specs of a version, by id."""
    spec, _ = spiff.version_spec(version.content_hash, lambda: version.spec_json)
    tasks = [t for t in spec.task_specs.values() if isinstance(t, UserTask)]
    return sorted(tasks, key=lambda t: t.bpmn_id or t.name)


def check_as(session: Session, user: User) -> Report:
    """The check, for an administrator."""
    if user.role != "admin":
        raise Forbidden("only administrators run the organisation check")
    return check(session)


def check(session: Session) -> Report:
    """Coverage of every user task of every process's latest version over the organisation."""
    units_by_kind: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.code)):
        units_by_kind[unit.kind].append(unit)
    staffed = set(session.execute(select(User.org_unit_id, User.role).where(User.active.is_(True))).all())
    out = []
    for version in latest_versions(session):
        for task_spec in user_tasks(version):
            role, rule = task_spec.lane or "centre_staff", assignment.unit_rule(task_spec)
            kinds = [KindCoverage(kind, len(units_by_kind[kind]),
                                  [u.code for u in units_by_kind[kind]
                                   if not any((u.id, r) in staffed for r in orgs.roles_working(role, u))])
                     for kind in assignment.UNIT_RULES[rule].kinds if units_by_kind[kind]]
            out.append(TaskCoverage(version.process_id, version.version, task_spec.bpmn_id or task_spec.name,
                                    task_spec.bpmn_name or "", role, rule,
                                    assignment.properties(task_spec).get(assignment.ASSIGNEE_PROPERTY), kinds))
    return Report(out)
