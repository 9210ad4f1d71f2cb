"""The sweep: claims, one transaction per case, several sweepers, a killed sweeper, the tick command."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from bench.bench_sweep import T0, clone_cases, open_template
from engine import clock, sweep
from engine.config import ROOT
from engine.models import AuditEvent, Case, TaskItem, Timer
from tests.conftest import ON_POSTGRES

DUE = T0 + timedelta(hours=5)
AT = T0 + timedelta(hours=6)


def _fired(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Timer).where(Timer.state == "fired"))


def assert_each_fired_once(session, n: int) -> None:
    """Every timer fired, each exactly once: rows, audit events and escalation tasks agree."""
    session.rollback()
    states = dict(session.execute(select(Timer.state, func.count()).group_by(Timer.state)).all())
    assert states == {"fired": n}
    assert session.scalar(select(func.max(Timer.fired_count))) == 1
    events = [e.detail["timer"] for e in session.scalars(select(AuditEvent).where(AuditEvent.kind == "timer_fired"))]
    assert len(events) == n and len(set(events)) == n
    escalations = session.execute(select(func.count(), func.count(TaskItem.case_id.distinct())).where(
        TaskItem.spec_id == "supervise")).one()
    assert tuple(escalations) == (n, n)
    assert session.scalar(select(func.count()).select_from(Case).where(Case.status != "open")) == 0


def _tick(url: str) -> subprocess.Popen:
    env = dict(os.environ, MEDIATE_DATABASE_URL=url, MEDIATE_LOG_LEVEL="WARNING")
    code = "import sys; from api.cli import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, "tick", "--at", AT.isoformat(), "--batch", "100"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _report(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1].split(": ", 1)[1])


def test_backoff_doubles_up_to_a_ceiling():
    assert [sweep.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert sweep.backoff(50) == sweep.LAST_RETRY


def test_tick_command_fires_what_is_due_at_the_given_time(session, database_url):
    from api.cli import main

    open_template(session)
    runner = CliRunner(env={"MEDIATE_DATABASE_URL": database_url})
    early = runner.invoke(main, ["tick", "--at", (DUE - timedelta(minutes=1)).isoformat()])
    assert early.exit_code == 0, early.output
    assert _report(early.output)["fired"] == 0
    result = runner.invoke(main, ["tick", "--at", AT.isoformat()])
    assert _report(result.output) == {"cases": 1, "fired": 1, "failed": 0, "busy": 0,
                                           "letters": 0}
    assert _report(runner.invoke(main, ["tick", "--at", AT.isoformat()]).output)["fired"] == 0
    assert runner.invoke(main, ["tick", "--at", "next tuesday"]).exit_code != 0
    assert_each_fired_once(session, 1)


def test_a_sweep_reads_only_due_rows_and_stops_at_its_batch(session):
    template = open_template(session)
    clone_cases(session, template, 4, DUE)
    clone_cases(session, template, 20, DUE + timedelta(days=30), prefix="W")
    with clock.frozen_at(AT):
        first = sweep.sweep(session, batch=3)
        rest = sweep.sweep_all(session, batch=3)
    assert (first.cases, first.fired, rest.fired) == (3, 3, 2)
    assert _fired(session) == 5
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Timer).where(Timer.state == "waiting")) == 20


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's one-sweeper guard")
def test_on_sqlite_a_second_sweeper_stands_aside(session, database_url):
    import fcntl

    open_template(session)
    with open(database_url.removeprefix("sqlite:///") + ".sweep-lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with clock.frozen_at(AT):
            assert sweep.sweep(session).as_dict() == {"cases": 0, "fired": 0, "failed": 0, "busy": 1,
                                                     "letters": 0}
        fcntl.flock(held, fcntl.LOCK_UN)
    with clock.frozen_at(AT):
        assert sweep.sweep(session).fired == 1


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are PostgreSQL's")
def test_a_case_someone_else_holds_is_left_for_the_next_round(session, database_url):
    template = open_template(session)
    other = create_engine(database_url)
    with other.connect() as conn:
        conn.execute(text('SELECT id FROM "case" WHERE id = :id FOR UPDATE'), {"id": template.id})
        with clock.frozen_at(AT):
            busy = sweep.sweep(session)
        conn.rollback()
    other.dispose()
    assert (busy.fired, busy.busy) == (0, 1)
    with clock.frozen_at(AT):
        assert sweep.sweep(session).fired == 1


N = 10_000


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="set MEDIATE_TEST_DATABASE_URL=postgresql://...")
def test_two_sweepers_fire_ten_thousand_timers_exactly_once(session, database_url):
    template = open_template(session)
    clone_cases(session, template, N - 1, DUE)
    sweepers = [_tick(database_url) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in sweepers]
    assert [p.returncode for p in sweepers] == [0, 0], [err[-2000:] for _, err in outputs]
    reports = [_report(out) for out, _ in outputs]
    assert sum(r["fired"] for r in reports) == N and min(r["fired"] for r in reports) > 0
    assert sum(r["failed"] for r in reports) == 0
    assert_each_fired_once(session, N)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="set MEDIATE_TEST_DATABASE_URL=postgresql://...")
def test_a_sweeper_killed_mid_sweep_loses_nothing_and_repeats_nothing(session, database_url):
    n = 3000
    template = open_template(session)
    clone_cases(session, template, n - 1, DUE)
    doomed = _tick(database_url)
    deadline = time.monotonic() + 120
    while _fired(session) < n // 5 and time.monotonic() < deadline and doomed.poll() is None:
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    before = _fired(session)
    assert 0 < before < n, "the sweeper should have died mid-sweep"
    survivor = _tick(database_url)
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err[-2000:]
    assert _report(out)["fired"] == n - before
    assert_each_fired_once(session, n)
