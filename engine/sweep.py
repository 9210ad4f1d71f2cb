"""The sweep: claim due timers and fire them through the engine, one case per transaction.

Reads only due rows (``timer.state, timer.fire_at`` index), so its cost follows the number
due, not the number waiting. On PostgreSQL several sweepers run side by side: a timer row is
claimed with ``FOR UPDATE SKIP LOCKED`` and its case with the same (a case another sweeper or a
user holds is left for the next round). Each case commits on its own, so a sweeper killed
mid-sweep loses nothing: what it had not committed is still due for the next sweep, and what it
committed is marked fired in the same transaction as the workflow state.

Each round also sends unanswered warning letters up a tier (``engine/letter_escalation.py``).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from SpiffWorkflow.task import TaskState

try:
    import fcntl
except ImportError:  # not on Windows: SQLite there relies on running one sweeper by configuration
    fcntl = None
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock, letter_escalation, timers
from .cases import lock_case
from .models import Case, Incident, Timer
from .runner import CaseRun, StepFailed, open_incident

log = logging.getLogger(__name__)

ACTOR = timers.ACTOR
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


@dataclass
class SweepResult:
    """What one sweep did: cases run, timers fired, cases that failed, cases left for later, letters escalated."""

    cases: int = 0
    fired: int = 0
    failed: int = 0
    busy: int = 0
    letters: int = 0
    case_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The counts, for logs and the CLI."""
        return {"cases": self.cases, "fired": self.fired, "failed": self.failed, "busy": self.busy,
                "letters": self.letters}


def backoff(attempts: int) -> timedelta:
    """Delay before the next try of a timer whose firing failed ``attempts`` times."""
    return min(FIRST_RETRY * (2 ** min(max(0, attempts - 1), 20)), LAST_RETRY)


def _claim(session: Session, now: datetime, busy: set[int]):
    """Lock the next due timer row nobody else holds; ``(timer id, case id)`` or None."""
    query = select(Timer.id, Timer.case_id).where(Timer.state == "waiting", Timer.fire_at <= now)
    if busy:
        query = query.where(Timer.id.not_in(busy))
    query = query.order_by(Timer.fire_at, Timer.id).limit(1).with_for_update(skip_locked=True)
    return session.execute(query).first()


def _lock_case(session: Session, case_id: int) -> Case | None:
    """The case row, locked; None if another transaction holds it (PostgreSQL)."""
    return session.scalar(select(Case).where(Case.id == case_id).with_for_update(of=Case, skip_locked=True))


def fire_case(session: Session, case: Case, now: datetime) -> int:
    """Fire the case's due timers in due order through one run of the engine; returns how many fired."""
    due = list(session.scalars(select(Timer).where(
        Timer.case_id == case.id, Timer.state == "waiting", Timer.fire_at <= now)
        .order_by(Timer.fire_at, Timer.id).with_for_update(of=Timer)))
    before = {row.id: row.fired_count for row in due}
    had_incident = case.status == "incident"  # an open incident always leaves its case in that state
    run = CaseRun(session, case, ACTOR)
    workflow = run.load()
    for row in due:
        task = timers.find_task(workflow, row.spiff_task_id)
        if task is not None and task.state == TaskState.WAITING:
            timers.make_due(task)
            run.step()
            # Count this firing now: a later timer in the same round may cancel its task
            # (a deadline interrupting the activity a reminder watched).
            timers.sync(session, case, workflow)
    run.persist()
    stuck = [row.spec_id for row in due if row.state == "waiting" and row.fired_count == before[row.id]
             and row.fire_at <= now]
    if stuck:  # never leave a due row behind silently: it becomes a failure with retries
        raise StepFailed(stuck[0], f"timer {', '.join(stuck)} did not fire")
    if had_incident:
        _resolve_timer_incident(session, case, run)
    return sum(1 for row in due if row.fired_count > before[row.id])


def _resolve_timer_incident(session: Session, case: Case, run: CaseRun) -> None:
    incident = session.scalar(select(Incident).where(
        Incident.case_id == case.id, Incident.state == "open", Incident.kind == "timer"))
    if incident is None:
        return
    incident.state, incident.resolved_at = "resolved", clock.now()
    if case.status == "incident":
        case.status = "closed" if run.workflow.is_completed() else "open"
    audit.record(session, "incident_resolved", ACTOR, case_id=case.id, detail={"incident": incident.id})


def _record_failure(session: Session, case_id: int, now: datetime, failure: StepFailed) -> None:
    """Keep the timers due, try again after a back-off, and open (or count on) a timer incident."""
    case = lock_case(session, case_id)
    rows = list(session.scalars(select(Timer).where(
        Timer.case_id == case_id, Timer.state == "waiting", Timer.fire_at <= now)))
    if not rows:  # someone else fired them meanwhile: nothing failed for good
        return
    for row in rows:
        row.attempts += 1
        row.last_error = failure.message[:2000]
        row.fire_at = now + backoff(row.attempts)
    open_incident(session, case, failure, ACTOR, kind="timer")


def _sweep_case(session: Session, case: Case, now: datetime, result: SweepResult) -> None:
    case_id = case.id
    try:
        fired = fire_case(session, case, now)
        session.commit()
    except Exception as err:  # a firing that raises becomes an incident with retries, never a drop
        session.rollback()
        failure = err if isinstance(err, StepFailed) else StepFailed("", f"{type(err).__name__}: {err}")
        log.warning("timer firing failed for case %s: %s", case_id, failure.message)
        _record_failure(session, case_id, now, failure)
        session.commit()
        result.failed += 1
        return
    result.cases += 1
    result.fired += fired
    result.case_ids.append(case_id)


@contextmanager
def _single_sweeper(session: Session):
    """On SQLite only one sweeper may run (it has no row locks): a file lock beside the database."""
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" or fcntl is None:
        yield True
        return
    with open(f"{url.database}.sweep-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep(session: Session, batch: int = 200) -> SweepResult:
    """Fire what is due at ``clock.now()``, at most ``batch`` cases, each case in its own transaction."""
    with _single_sweeper(session) as alone:
        if not alone:
            return SweepResult(busy=1)
        return _sweep(session, batch)


def _sweep(session: Session, batch: int) -> SweepResult:
    now = clock.now()
    result = SweepResult()
    busy: set[int] = set()
    session.rollback()  # start from a fresh transaction: nothing of the caller's rides along
    while result.cases + result.failed < batch:
        claimed = _claim(session, now, busy)
        if claimed is None:
            break
        case = _lock_case(session, claimed.case_id)
        if case is None:
            busy.add(claimed.id)
            result.busy += 1
            session.rollback()
            continue
        _sweep_case(session, case, now, result)
    session.rollback()
    result.letters = letter_escalation.escalate_due(session, batch)
    return result


def sweep_all(session: Session, batch: int = 200, max_rounds: int = 10_000) -> SweepResult:
    """Sweep until nothing is due (``mediate tick``): catches up after downtime, drills, tests."""
    total = SweepResult()
    for _ in range(max_rounds):
        result = sweep(session, batch)
        total.cases += result.cases
        total.fired += result.fired
        total.failed += result.failed
        total.busy += result.busy
        total.letters += result.letters
        if result.cases + result.failed < batch:
            break
    return total
