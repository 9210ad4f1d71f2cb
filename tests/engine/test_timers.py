"""Timers on a fake clock: reminders, a cycle, a deadline and its escalation, each firing once."""

from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.task import TaskState
from sqlalchemy import select

from engine import cases, clock, sweep, tasks, timers
from engine.models import AuditEvent, Incident, ServiceCall, TaskItem, Timer
from tests.helpers import FIXTURES, deploy_fixture, small_org

# Well after the wall clock: SpiffWorkflow compares timers with the wall clock, so a drill in the
# future never fires anything by itself, and nothing here depends on when the suite runs.
T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
DATA = {"reminder_interval": "PT1H", "nudge_after": "PT30M", "handling_limit": "PT5H"}


@pytest.fixture
def world(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session, "timers.bpmn")
    with clock.frozen_at(T0):
        case = cases.open_case(session, users["staff"], "timers", dict(DATA))
    session.commit()
    return case, users, echo_handler


def tick(session, minutes: float):
    with clock.frozen_at(T0 + timedelta(minutes=minutes)):
        return sweep.sweep_all(session)


def rows(session, case) -> dict[str, Timer]:
    return {t.spec_id: t for t in session.scalars(select(Timer).where(Timer.case_id == case.id))}


def task_row(session, case, spec_id) -> TaskItem:
    return session.scalars(select(TaskItem).where(TaskItem.case_id == case.id, TaskItem.spec_id == spec_id)
                           .order_by(TaskItem.id.desc())).first()


def fired_events(session, case) -> list[dict]:
    return [e.detail for e in session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.kind == "timer_fired").order_by(AuditEvent.id))]


def test_rows_are_written_with_the_state_with_kinds_and_due_times_from_our_clock(session, world):
    case, _, _ = world
    timer_rows = rows(session, case)
    assert {k: (t.kind, t.state) for k, t in timer_rows.items()} == {
        "remind": ("reminder", "waiting"),  # named by the timerKind property
        "nudge": ("reminder", "waiting"),  # non-interrupting boundary
        "progress": ("cycle", "waiting"),  # cycle
        "deadline": ("handling_deadline", "waiting"),  # interrupting boundary
    }
    assert timer_rows["nudge"].due_at == T0 + timedelta(minutes=30)
    assert timer_rows["remind"].due_at == T0 + timedelta(hours=1)
    assert timer_rows["progress"].due_at == T0 + timedelta(days=1)
    assert timer_rows["deadline"].due_at == T0 + timedelta(hours=5)
    assert task_row(session, case, "handle").due_at == T0 + timedelta(hours=5)
    # The stored workflow agrees with the rows: SpiffWorkflow's own view of the deadline.
    workflow = cases.CaseRun(session, case, "t").load()
    deadline = timers.find_task(workflow, timer_rows["deadline"].spiff_task_id)
    assert clock.parse(deadline._get_internal_data("event_value")) == T0 + timedelta(hours=5)


def test_nothing_fires_before_its_time(session, world):
    case, _, calls = world
    assert tick(session, 29).fired == 0
    assert fired_events(session, case) == []
    assert calls == []


def test_reminders_fire_once_each_and_count_on_the_task_row(session, world):
    case, _, calls = world
    assert tick(session, 31).fired == 1
    assert tick(session, 31).fired == 0  # the same time again: nothing twice
    handle = task_row(session, case, "handle")
    assert (handle.reminders, handle.overdue) == (1, False)
    assert rows(session, case)["nudge"].state == "fired"

    assert tick(session, 61).fired == 1  # first round of the R3 reminder cycle
    assert tick(session, 61).fired == 0
    remind = rows(session, case)["remind"]
    assert (remind.state, remind.fired_count, remind.due_at) == ("waiting", 1, T0 + timedelta(hours=2))
    assert len(calls) == 1  # the diagram's notify service task ran once

    # Down from 1:01 to 3:30: the missed round at 2:00 and 3:00 fires once, the next is at 4:00.
    assert tick(session, 210).fired == 1
    assert rows(session, case)["remind"].due_at == T0 + timedelta(hours=4)
    assert tick(session, 241).fired == 1  # third and last round
    assert rows(session, case)["remind"].state == "fired"
    assert tick(session, 299).fired == 0
    assert task_row(session, case, "handle").reminders == 4
    assert len(calls) == 3
    assert session.scalar(select(ServiceCall.id).where(ServiceCall.case_id == case.id).limit(1)) is not None
    kinds = [(e["task"], e["firing"]) for e in fired_events(session, case)]
    assert kinds == [("nudge", 1), ("remind", 1), ("remind", 2), ("remind", 3)]


def test_deadline_flags_the_task_overdue_and_takes_the_escalation_path(session, world):
    case, _, _ = world
    tick(session, 31)
    assert tick(session, 301).fired >= 1
    handle = task_row(session, case, "handle")
    assert (handle.state, handle.overdue) == ("cancelled", True)
    supervise = task_row(session, case, "supervise")
    assert (supervise.state, supervise.role) == ("ready", "leader")
    timer_rows = rows(session, case)
    assert timer_rows["deadline"].state == "fired"
    assert timer_rows["progress"].state == "cancelled"  # the interruption ended the other timers
    assert timer_rows["remind"].state == "cancelled"
    assert tick(session, 301).fired == 0
    assert tick(session, 60 * 24 * 3).fired == 0
    deadline_events = [e for e in fired_events(session, case) if e["task"] == "deadline"]
    assert len(deadline_events) == 1 and deadline_events[0]["tasks"] == [handle.id]


def test_a_cycle_timer_fires_every_period_and_keeps_waiting(session, world):
    _, users, _ = world
    with clock.frozen_at(T0):
        case = cases.open_case(session, users["staff"], "timers", dict(DATA, handling_limit="P5D"))
    session.commit()
    day = 24 * 60
    tick(session, day + 1)
    progress = rows(session, case)["progress"]
    assert (progress.state, progress.fired_count, progress.due_at) == ("waiting", 1, T0 + timedelta(days=2))
    assert tick(session, day + 1).fired == 0
    tick(session, 2 * day + 1)
    assert rows(session, case)["progress"].fired_count == 2
    workflow = cases.CaseRun(session, case, "t").load()
    ran = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "count_progress" and t.state == TaskState.COMPLETED]
    assert len(ran) == 2
    assert task_row(session, case, "handle").state == "ready"  # a non-interrupting cycle leaves the task open


def test_completing_the_task_cancels_its_timers(session, world):
    case, users, _ = world
    handle = task_row(session, case, "handle")
    with clock.frozen_at(T0 + timedelta(minutes=10)):
        tasks.complete(session, users["mediator"], handle.id, {"result": "done"})
    session.commit()
    assert {t.state for t in rows(session, case).values()} == {"cancelled"}
    assert tick(session, 60 * 24 * 10).fired == 0
    session.refresh(case)
    assert case.status == "closed"


def test_a_failing_firing_becomes_a_timer_incident_and_is_retried(session, world, monkeypatch):
    import handlers

    case, _, calls = world

    def broken(params, ctx):
        raise RuntimeError("mail server down")

    monkeypatch.setitem(handlers.REGISTRY, "echo", broken)
    tick(session, 31)  # the nudge has no service task: fine
    result = tick(session, 61)
    assert (result.fired, result.failed) == (0, 1)
    remind = rows(session, case)["remind"]
    assert (remind.state, remind.attempts) == ("waiting", 1)
    assert remind.fire_at == T0 + timedelta(minutes=62)  # one minute of back-off
    assert "mail server down" in remind.last_error
    incident = session.scalar(select(Incident).where(Incident.case_id == case.id))
    assert (incident.kind, incident.state) == ("timer", "open")
    assert tick(session, 61.5).failed == 0  # not before the back-off
    tick(session, 62.5)
    session.refresh(incident)
    assert incident.attempts == 2
    assert rows(session, case)["remind"].fire_at == T0 + timedelta(minutes=64.5)

    monkeypatch.setitem(handlers.REGISTRY, "echo", lambda params, ctx: {"ok": True})
    assert tick(session, 65).fired == 1
    session.refresh(incident)
    session.refresh(case)
    assert (incident.state, case.status) == ("resolved", "open")
    assert rows(session, case)["remind"].fired_count == 1


def test_recalc_moves_waiting_timers_to_the_current_rule(session, world):
    from engine import recalc

    case, users, _ = world
    changed = (FIXTURES / "timers.bpmn").read_text().replace("handling_limit</bpmn:timeDuration>",
                                                             '"PT2H"</bpmn:timeDuration>')
    from engine import deploy

    deploy.deploy(session, [deploy.SourceFile("timers.bpmn", changed.encode())], "test", max_bytes=1_000_000,
                  forms_dir=FIXTURES / "forms")
    session.commit()
    with clock.frozen_at(T0 + timedelta(minutes=5)):
        report = recalc.recalc(session)
    session.commit()
    moved = {m["task"]: m for m in report["moved"]}
    assert set(moved) == {"deadline"}
    assert moved["deadline"]["to"] == (T0 + timedelta(hours=2)).isoformat()
    assert rows(session, case)["deadline"].due_at == T0 + timedelta(hours=2)
    assert task_row(session, case, "handle").due_at == T0 + timedelta(hours=2)
    tick(session, 119)
    assert rows(session, case)["deadline"].state == "waiting"
    tick(session, 121)
    assert rows(session, case)["deadline"].state == "fired"
