"""Two threads race to complete the same tasks: exactly one wins each race, state stays whole."""

import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from engine import cases, tasks
from engine.errors import Conflict
from engine.models import AuditEvent, CaseState, TaskItem, User
from tests.conftest import ON_POSTGRES
from tests.helpers import deploy_fixture, small_org

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="row locks are PostgreSQL's; SQLite has one writer")

RACES = 20


def _race(url, task_id, outcomes, barrier):
    engine = create_engine(url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == "staff"))
        barrier.wait()
        try:
            tasks.complete(session, user, task_id, {"title": "并发", "parties_count": 1})
            tasks.commit_or_conflict(session)
            outcomes.append("ok")
        except Conflict:
            session.rollback()
            outcomes.append("conflict")
    engine.dispose()


def test_two_threads_complete_the_same_task(session, database_url, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    opened = [cases.open_case(session, users["staff"], "simple", {}) for _ in range(RACES)]
    session.commit()
    task_ids = [cases.open_tasks(session, c)[0].id for c in opened]

    for task_id in task_ids:
        outcomes, barrier = [], threading.Barrier(2)
        threads = [threading.Thread(target=_race, args=(database_url, task_id, outcomes, barrier))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict", "ok"]

    session.expire_all()
    for case in opened:
        rows = session.scalars(select(TaskItem).where(TaskItem.case_id == case.id).order_by(TaskItem.id)).all()
        assert [(r.spec_id, r.state) for r in rows] == [("register", "completed"), ("mediate", "ready")]
        completions = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "task_completed"))
        assert completions == 1
        assert session.get(CaseState, case.id).revision >= 2
    assert len(echo_handler) == RACES
