"""Timers as rows: every waiting timer of every case, kept in step with the workflow state.

The clock seam. SpiffWorkflow computes a timer's target from the wall clock when the timer
starts waiting (the waiting task's internal ``event_value``) and compares it with the wall
clock on every ``refresh_timers()``. When ``sync`` first sees a waiting timer it recomputes
the target from ``clock.now()``, writes it back into ``event_value`` and into a ``timer`` row,
so the stored workflow, the row and the engine's clock agree. To fire a row, ``make_due``
moves ``event_value`` just behind the wall clock; the next ``refresh_timers()`` fires it.
``sync`` then notices what fired (by the sweep, or by any engine step once a timer is due),
records ``timer_fired`` and flags the task rows the timer was attached to.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from . import audit, clock, orgs
from .errors import BadRequest, Forbidden
from .models import SUPERVISOR_ROLES, TIMER_KINDS, Case, TaskItem, Timer, User

ACTOR = "timer"
KIND_PROPERTY = "timerKind"
DEADLINE_KINDS = frozenset({"acceptance_deadline", "handling_deadline", "supervision", "case_deadline",
                            "review_deadline", "verification_deadline", "answer_deadline"})
_RAN = (TaskState.READY, TaskState.STARTED, TaskState.COMPLETED)


# -- reading SpiffWorkflow's timers ----------------------------------------------------------
def waiting_timers(workflow) -> list:
    """Waiting timer-event tasks of the workflow and its subprocesses."""
    return [t for t in workflow.get_tasks(state=TaskState.WAITING)
            if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]


def find_task(workflow, key: str):
    """The task with this id anywhere in the workflow, or None."""
    try:
        return workflow.get_task_from_id(UUID(key))
    except Exception:  # TaskNotFoundException, or a malformed id
        return None


def kind_of(task_spec) -> str:
    """The ``timerKind`` property of the event, else inferred from its shape."""
    named = (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(KIND_PROPERTY)
    if named in TIMER_KINDS:
        return named
    if isinstance(task_spec.event_definition, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(task_spec, BoundaryEvent):
        return "handling_deadline" if task_spec.cancel_activity else "reminder"
    return "wait"


def _host(task):
    """The task a boundary event is attached to (its sibling under the boundary split)."""
    if not isinstance(task.task_spec, BoundaryEvent) or task.parent is None:
        return None
    return next((s for s in task.parent.children if not isinstance(s.task_spec, BoundaryEvent)), None)


def _firings(task) -> int:
    """How many times the timer has fired: cycles add one child per output and firing."""
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        return len(task.children) // max(1, len(task.task_spec.outputs))
    return 1 if task.state in _RAN else 0


def _wall_clock() -> datetime:
    # SpiffWorkflow compares timers with the wall clock, never with ``clock.now()``.
    return datetime.now(UTC)


# -- due times from the engine's clock -------------------------------------------------------
def duration_from(expression: str, start: datetime) -> timedelta:
    """An ISO-8601 duration (``PT48H``, ``P1M``) measured from ``start``."""
    parsed = TimerEventDefinition.parse_iso_duration(expression)
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def target(definition, value, start: datetime):
    """``(due, event_value)`` for an evaluated timer expression, relative durations counted from ``start``."""
    if isinstance(definition, CycleTimerEventDefinition):
        parts = value.upper().replace("--", "/").strip("R").split("/")
        cycles, first, duration = TimerEventDefinition.parse_iso_recurring_interval(value)
        if len(parts) == 2 and parts[1].startswith("P"):
            first = start + duration_from(parts[1], start)
        return first, {"cycles": cycles, "next": first.isoformat(), "duration": duration.total_seconds()}
    if isinstance(definition, DurationTimerEventDefinition):
        due = start + duration_from(value, start)
        return due, due.isoformat()
    due = TimerEventDefinition.parse_time_or_duration(value)
    return due, value


def retarget(task, start: datetime) -> datetime:
    """Recompute the waiting task's target from our clock and store it back in the task."""
    definition = task.task_spec.event_definition
    current = task._get_internal_data("event_value")
    try:
        value = task.workflow.script_engine.evaluate(task, definition.expression)
        due, event_value = target(definition, value, start)
    except Exception:  # the library evaluated it a moment ago; keep its own target
        return _current_due(definition, current)
    if isinstance(definition, CycleTimerEventDefinition) and isinstance(current, dict):
        event_value = dict(current, next=event_value["next"])
    task._set_internal_data(event_value=event_value)
    return due


def _current_due(definition, event_value) -> datetime:
    if isinstance(event_value, dict):
        return clock.parse(event_value["next"])
    if isinstance(definition, DurationTimerEventDefinition):
        return TimerEventDefinition.get_datetime(event_value)
    return TimerEventDefinition.parse_time_or_duration(event_value)


def set_due(task, due: datetime) -> None:
    """Move the waiting task's target to ``due`` (``recalc``, and after a cycle fired)."""
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        task._set_internal_data(event_value=dict(value, next=due.isoformat()))
    else:
        task._set_internal_data(event_value=due.isoformat())


def make_due(task) -> None:
    """Make SpiffWorkflow see the waiting timer as due: its next ``refresh_timers()`` fires it once."""
    set_due(task, _wall_clock() - timedelta(milliseconds=1))


def _next_cycle(row: Timer, task, now: datetime) -> datetime:
    """After a cycle fired: the first occurrence after now, counted from the row's due time."""
    value = task._get_internal_data("event_value") or {}
    step = timedelta(seconds=float(value.get("duration") or 0))
    due = row.due_at
    if step <= timedelta(0):
        return now
    while due <= now:
        due += step
    return due


# -- keeping rows in step ---------------------------------------------------------------------
class _Sync:
    """One pass over a case's timers after a step; the caller's transaction holds it all."""

    def __init__(self, session: Session, case: Case, workflow, ready_rows: list[TaskItem] | None = None):
        self.session, self.case, self.workflow = session, case, workflow
        self.now = clock.now()
        self.active: list[Timer] = []
        # Rows the inbox cancelled in this step (an interrupting timer's host among them), taken
        # before the first query here flushes them.
        self.just_cancelled = [o for o in session.dirty if isinstance(o, TaskItem)
                               and o.case_id == case.id and o.state == "cancelled"]
        self._rows = None if ready_rows is None else [r for r in ready_rows if r.state == "ready"] + self.just_cancelled

    def run(self, waiting_tasks: list) -> None:
        # One flush at commit instead of one per query: only this pass writes the case's timer rows,
        # and task rows are read by their in-memory state below.
        with self.session.no_autoflush:
            rows = {r.spiff_task_id: r for r in self.session.scalars(
                select(Timer).where(Timer.case_id == self.case.id, Timer.state == "waiting"))}
            # Rows an earlier pass of this transaction added (the sweep syncs after each firing, and a
            # firing may start a new timer) are not flushed yet, so the query above cannot see them.
            rows.update((r.spiff_task_id, r) for r in self.session.new
                        if isinstance(r, Timer) and r.case_id == self.case.id and r.state == "waiting")
            waiting = {str(t.id): t for t in waiting_tasks}
            for key, row in rows.items():
                self.follow(row, waiting.pop(key, None) or find_task(self.workflow, key))
            for task in waiting.values():
                self.create(task)
            self.mark_due_dates()

    def create(self, task) -> None:
        spec = task.task_spec
        host = _host(task)
        due = retarget(task, self.now)
        row = Timer(case_id=self.case.id, spiff_task_id=str(task.id), spec_id=spec.bpmn_id or spec.name,
                    host_task_id=str(host.id) if host is not None else None, kind=kind_of(spec),
                    cancel_activity=bool(getattr(spec, "cancel_activity", False)), state="waiting",
                    due_at=due, fire_at=due, fired_count=0, attempts=0, created_at=self.now)
        self.session.add(row)
        self.active.append(row)

    def follow(self, row: Timer, task) -> None:
        count = _firings(task) if task is not None else row.fired_count
        new = max(0, count - row.fired_count)
        for _ in range(new):
            self.fired(row)
        if task is not None and task.state == TaskState.WAITING:
            if new and isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
                row.due_at = row.fire_at = _next_cycle(row, task, self.now)
                set_due(task, row.due_at)
            self.active.append(row)
            return
        row.state = "fired" if task is not None and task.state in _RAN else "cancelled"

    def fired(self, row: Timer) -> None:
        row.fired_count += 1
        row.fired_at = self.now
        row.attempts, row.last_error = 0, None
        hosts = self.host_rows(row)
        for item in hosts:
            if row.kind == "reminder":
                item.reminders += 1
            elif row.kind in DEADLINE_KINDS:
                item.overdue = True
        audit.record(self.session, "timer_fired", ACTOR, case_id=self.case.id,
                     task_id=hosts[0].id if hosts else None,
                     detail={"timer": row.id, "task": row.spec_id, "kind": row.kind, "firing": row.fired_count,
                             "due_at": row.due_at.isoformat(), "tasks": [i.id for i in hosts]})

    # -- the task rows a timer watches over ----------------------------------------------------
    def task_rows(self) -> list[TaskItem]:
        """The case's ready task rows, and those this step cancelled."""
        if self._rows is None:
            ready = self.session.scalars(select(TaskItem).options(lazyload("*")).where(
                TaskItem.case_id == self.case.id, TaskItem.state == "ready"))
            self._rows = [r for r in ready if r.state == "ready"] + self.just_cancelled
        return self._rows

    def host_rows(self, row: Timer) -> list[TaskItem]:
        """Task rows under the timer's host: the host itself, or the tasks inside a call activity."""
        if row.host_task_id is None:
            return []
        found = []
        for item in self.task_rows():
            task = find_task(self.workflow, item.spiff_task_id)
            if row.host_task_id in self.lineage(task):
                found.append(item)
            elif item.state == "cancelled" and row.cancel_activity and (task is None or task.state == TaskState.CANCELLED):
                found.append(item)  # inside a call activity the interruption just removed
        return found

    def lineage(self, task) -> set[str]:
        """Ids of the task and its ancestors, through call activities up to the top workflow."""
        ids: set[str] = set()
        while task is not None:
            ids.add(str(task.id))
            parent = task.parent
            if parent is None and getattr(task.workflow, "parent_task_id", None) is not None:
                parent = find_task(self.workflow, str(task.workflow.parent_task_id))
            task = parent
        return ids

    def mark_due_dates(self) -> None:
        """A ready task's ``due_at`` is the earliest waiting deadline (or interrupting timer) over it."""
        rows = [r for r in self.active if r.host_task_id and (r.kind in DEADLINE_KINDS or r.cancel_activity)]
        if not rows:
            return
        for item in self.task_rows():
            if item.state != "ready":
                continue
            lineage = self.lineage(find_task(self.workflow, item.spiff_task_id))
            dues = [r.due_at for r in rows if r.host_task_id in lineage]
            if dues and item.due_at != min(dues):
                item.due_at = min(dues)


def sync(session: Session, case, workflow, ready_rows: list[TaskItem] | None = None, *,
         may_have_rows: bool = True) -> None:
    """Bring the case's timer rows in line with the workflow's waiting timers.

    ``ready_rows`` are the case's open task rows as the inbox just left them (read from the
    database when not given). ``may_have_rows=False`` says the stored state had no waiting
    timer, hence the case no waiting timer row: with none waiting now either, nothing is read.
    """
    waiting = waiting_timers(workflow)
    if waiting or may_have_rows:
        _Sync(session, case, workflow, ready_rows).run(waiting)


# -- reading rows -----------------------------------------------------------------------------
def list_timers(session: Session, user: User, *, due_before: datetime | None = None, kind: str | None = None,
                case_id: int | None = None, state: str = "waiting", page: int = 1,
                per_page: int = 50) -> tuple[list[Timer], bool]:
    """Timers of cases the user may see, soonest first; for supervisors only."""
    if user.role not in SUPERVISOR_ROLES:
        raise Forbidden("only centre staff, leaders and administrators can list timers")
    if kind is not None and kind not in TIMER_KINDS:
        raise BadRequest(f"kind must be one of {', '.join(TIMER_KINDS)}", fields={"kind": "unknown kind"})
    query = select(Timer).where(Timer.state == state)
    visible = orgs.visible_unit_ids(session, user)
    if visible is not None:
        query = query.join(Case, Case.id == Timer.case_id).where(Case.org_unit_id.in_(visible))
    if due_before is not None:
        query = query.where(Timer.due_at <= due_before)
    if kind:
        query = query.where(Timer.kind == kind)
    if case_id is not None:
        query = query.where(Timer.case_id == case_id)
    query = query.order_by(Timer.due_at, Timer.id).offset((page - 1) * per_page).limit(per_page + 1)
    rows = list(session.scalars(query.options(selectinload(Timer.case).options(load_only(Case.code), lazyload("*")))))
    return rows[:per_page], len(rows) > per_page
