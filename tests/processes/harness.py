"""Driving one ``dispute_case`` through the engine, the way people and the scheduler would.

Each step is one engine call at a frozen time, followed by a commit: a user completes a task
(``engine.tasks.complete``), or time passes and the sweep fires what is due
(``engine.sweep.sweep_all``). Every step therefore loads the workflow from the database and
saves it again, so each wait state is stored and restored for real. What the scenarios read
comes back from the database too: the workflow via ``engine.runner.CaseRun(...).load()``,
task rows, audit events, service calls and the case row.

The test clock starts in 2031, after the wall clock: SpiffWorkflow compares a timer's target
with the wall clock, so a target in the past would fire at the next engine step by itself
instead of when the sweep says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import cases, clock, sweep, tasks
from engine.models import AuditEvent, Case, Incident, ServiceCall, TaskItem, User
from engine.runner import CaseRun

START = datetime(2031, 3, 3, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Beijing
PROCESS = "dispute_case"


class Scenario:
    """One case from its opening to its end, run step by step through the engine."""

    def __init__(self, session, opener: str = "town_staff", now: datetime = START):
        self.session, self.now = session, now
        self.worked: list[tuple[str, str]] = []  # (task, username), in the order they were completed
        self._workflow = None
        with clock.frozen_at(self.now):
            case = cases.open_case(session, self.user(opener), PROCESS, {})
        self.case_id = case.id
        self._commit()

    # -- the people ------------------------------------------------------------------------
    def user(self, username: str) -> User:
        found = self.session.scalar(select(User).where(User.username == username))
        assert found is not None, f"no user {username!r}"
        return found

    def worker_for(self, row: TaskItem) -> User:
        """Who the task reached: the person its diagram names, else the first candidate at its unit.

        Every scenario is a walk over the county: a task nobody at its unit can take fails here.
        """
        if row.assignee is not None:
            return row.assignee
        assert row.candidates, f"nobody at {row.org_unit.code} can work {row.spec_id} (role {row.role})"
        return self.user(row.candidates[0])

    # -- steps -------------------------------------------------------------------------------
    def complete(self, spec_id: str, *, by: str | None = None, **data) -> Scenario:
        """A person submits the task's form (the engine validates it) and the case runs to its next wait."""
        return self.complete_row(self.row(spec_id), by=by, **data)

    def complete_row(self, row: TaskItem, *, by: str | None = None, **data) -> Scenario:
        """``complete`` for one given open row (of a task that may be ready more than once)."""
        user = self.user(by) if by else self.worker_for(row)
        with clock.frozen_at(self.now):
            tasks.complete(self.session, user, row.id, data)
        self.worked.append((row.spec_id, user.username))
        self._commit()
        return self

    def complete_where(self, spec_id: str, key: str, value, *, by: str | None = None, **data) -> Scenario:
        """Complete the one ready ``spec_id`` whose task data has ``key == value``: one instance of a
        task that runs several times at once (a joint consultation's order to each department)."""
        rows = [r for r in self.open_rows() if r.spec_id == spec_id and self.task_data(r).get(key) == value]
        assert len(rows) == 1, f"{len(rows)} ready {spec_id} with {key} == {value!r}"
        user = self.user(by) if by else self.worker_for(rows[0])
        with clock.frozen_at(self.now):
            tasks.complete(self.session, user, rows[0].id, data)
        self.worked.append((spec_id, user.username))
        self._commit()
        return self

    def advance(self, **delta) -> Scenario:
        """Let time pass, then one sweep at the new time fires every timer that is due."""
        self.now += timedelta(**delta)
        with clock.frozen_at(self.now):
            result = sweep.sweep_all(self.session)
        assert result.failed == 0, f"a timer firing failed: {self.incidents()}"
        self._check()
        return self

    def _commit(self) -> None:
        tasks.commit_or_conflict(self.session)
        self._check()

    def _check(self) -> None:
        """After every step: no incident, and the inbox rows are exactly the workflow's ready tasks."""
        self._workflow = None  # the step stored a new state
        assert self.incidents() == [], self.incidents()
        for row in self.open_rows():  # every task reaches someone who can take it, at its own unit or by name
            assert row.assignee is not None or row.candidates, \
                f"nobody at {row.org_unit.code} can work {row.spec_id} (role {row.role})"
        ready = sorted(t.task_spec.bpmn_id for t in self.workflow().get_tasks(state=TaskState.READY, manual=True))
        assert self.ready() == ready

    # -- reading what the engine stored ------------------------------------------------------
    @property
    def case(self) -> Case:
        return self.session.get(Case, self.case_id)

    def workflow(self):
        """The case's workflow as stored after the last step (loaded once per step)."""
        if self._workflow is None:
            self._workflow = CaseRun(self.session, self.case, "test").load()
        return self._workflow

    def task_data(self, row: TaskItem) -> dict:
        """The data of the workflow task behind an inbox row."""
        return self.workflow().get_task_from_id(UUID(row.spiff_task_id)).data

    def open_rows(self) -> list[TaskItem]:
        return list(self.session.scalars(select(TaskItem).where(
            TaskItem.case_id == self.case_id, TaskItem.state == "ready").order_by(TaskItem.id)))

    def cancelled(self) -> list[TaskItem]:
        """Task rows the engine withdrew (an interrupting timer, an escalation), oldest first."""
        return list(self.session.scalars(select(TaskItem).where(
            TaskItem.case_id == self.case_id, TaskItem.state == "cancelled").order_by(TaskItem.id)))

    def ready(self) -> list[str]:
        """Ids of the tasks waiting for someone (from the inbox rows), sorted."""
        return sorted(row.spec_id for row in self.open_rows())

    def row(self, spec_id: str) -> TaskItem:
        found = [r for r in self.open_rows() if r.spec_id == spec_id]
        assert len(found) == 1, f"{spec_id} not ready; ready: {self.ready()}"
        return found[0]

    def offered_to(self, spec_id: str) -> tuple[str, str, str]:
        """``(role, unit code, the user who would work it)`` of a ready task."""
        row = self.row(spec_id)
        return row.role, row.org_unit.code, self.worker_for(row).username

    def _completed(self) -> list:
        # Filtering by state in get_tasks would not descend into running subprocesses.
        done = [t for t in self.workflow().get_tasks() if t.state == TaskState.COMPLETED]
        return sorted(done, key=lambda t: t.last_state_change)

    def path(self) -> list[str]:
        """BPMN ids of completed elements, in the order they completed."""
        return [t.task_spec.bpmn_id for t in self._completed() if t.task_spec.bpmn_id]

    def data_of(self, bpmn_id: str) -> list[dict]:
        """The data of each completed run of one element, oldest first."""
        return [t.data for t in self._completed() if t.task_spec.bpmn_id == bpmn_id]

    def value(self, key):
        """The latest value of ``key`` in any completed task's data."""
        for task in reversed(self._completed()):
            if key in task.data:
                return task.data[key]
        raise KeyError(key)

    def operators(self) -> list[str]:
        """Service operators the engine called for this case, in order."""
        return list(self.session.scalars(select(ServiceCall.operator).where(ServiceCall.case_id == self.case_id)
                                         .order_by(ServiceCall.id)))

    def events(self, kind: str | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).where(AuditEvent.case_id == self.case_id)
        if kind:
            query = query.where(AuditEvent.kind == kind)
        return list(self.session.scalars(query.order_by(AuditEvent.id)))

    def moves(self) -> list[tuple[str, str]]:
        """``(from, to)`` unit codes of every move of the case."""
        return [(e.detail["from"], e.detail["to"]) for e in self.events("case_moved")]

    def fired(self) -> list[tuple[str, str]]:
        """``(timer element, kind)`` of every timer firing."""
        return [(e.detail["task"], e.detail["kind"]) for e in self.events("timer_fired")]

    def incidents(self) -> list[str]:
        return list(self.session.scalars(select(Incident.message).where(
            Incident.case_id == self.case_id, Incident.state == "open")))

    def where(self) -> tuple[str | None, str]:
        """The case row's ``(tier, unit code)``."""
        case = self.case
        return case.tier, case.org_unit.code

    @property
    def done(self) -> bool:
        """The workflow completed and the case row says closed."""
        return self.workflow().is_completed() and self.case.status == "closed"
