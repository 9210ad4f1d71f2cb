"""Threads race on the same tasks: exactly one wins each race, the rest get a conflict, state stays whole."""

import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api import auth
from engine import accounts, cases, tasks
from engine.errors import Conflict
from engine.models import AuditEvent, CaseState, TaskItem, User
from tests.conftest import ON_POSTGRES
from tests.helpers import deploy_fixture, small_org

RACES = 20
RACERS = 8


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


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are PostgreSQL's; SQLite has one writer")
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


def _racers(session) -> tuple[int, dict[str, str]]:
    """An open task and, for each of RACERS centre staff of its town, a bearer token."""
    units, users = small_org(session)
    deploy_fixture(session)
    racers = [accounts.add_user(session, f"racer{i}", "pw", "centre_staff", units["town"]) for i in range(RACERS)]
    case = cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    return cases.open_tasks(session, case)[0].id, {r.username: auth.issue_token(r) for r in racers}


def _post_all(app, tokens: dict[str, str], path: str) -> dict[str, tuple[int, dict]]:
    """POST ``path`` once per user, each from its own thread and test client, all released together."""
    barrier, results = threading.Barrier(len(tokens)), {}

    def post(username, token):
        client = app.test_client()
        barrier.wait()
        res = client.post(path, headers={"Authorization": f"Bearer {token}"})
        results[username] = (res.status_code, res.json)

    threads = [threading.Thread(target=post, args=item) for item in tokens.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_eight_users_claim_one_task_and_exactly_one_gets_it(app, session, echo_handler):
    task_id, tokens = _racers(session)
    results = _post_all(app, tokens, f"/api/v1/tasks/{task_id}/claim")

    assert len(results) == RACERS
    winners = [name for name, (status, _) in results.items() if status == 200]
    assert len(winners) == 1, results
    losers = {name: body for name, (status, body) in results.items() if status != 200}
    assert {results[name][0] for name in losers} == {409}
    assert all(body["error"]["message"] == f"task {task_id} is claimed by {winners[0]}" for body in losers.values())
    session.expire_all()
    assert session.get(TaskItem, task_id).assignee.username == winners[0]
    claims = session.scalars(select(AuditEvent.actor).where(AuditEvent.kind == "task_claimed")).all()
    assert claims == winners


@pytest.fixture
def meanwhile(monkeypatch, database_url):
    """``meanwhile(change)``: the next command reads its task, then ``change(other_session)`` commits, then it writes.

    This is the interleaving a race produces, made certain: the guards pass on what was read, and
    only the write itself can notice that the task changed hands.
    """
    read = tasks.get_task

    def arrange(change):
        def read_then_change(session, user, task_id):
            row = read(session, user, task_id)
            monkeypatch.setattr(tasks, "get_task", read)  # once; ``change`` runs commands too
            engine = create_engine(database_url)
            with Session(engine) as other:
                change(other, lambda name: other.scalar(select(User).where(User.username == name)))
                other.commit()
            engine.dispose()
            return row

        monkeypatch.setattr(tasks, "get_task", read_then_change)

    return arrange


@pytest.fixture
def open_task(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    case = cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    return users, cases.open_tasks(session, case)[0].id


def _assignee(session, task_id):
    session.rollback()
    session.expire_all()
    row = session.get(TaskItem, task_id)
    return row.assignee.username if row.assignee else None


def test_a_claim_that_read_the_task_free_loses_to_the_claim_that_landed(session, open_task, meanwhile):
    users, task_id = open_task
    meanwhile(lambda other, user: tasks.claim(other, user("staff2"), task_id))
    with pytest.raises(Conflict, match="is claimed by staff2"):
        tasks.claim(session, users["staff"], task_id)
    assert _assignee(session, task_id) == "staff2"


def test_a_draft_is_not_saved_over_a_claim_that_landed_after_reading(session, open_task, meanwhile):
    users, task_id = open_task
    meanwhile(lambda other, user: tasks.claim(other, user("staff2"), task_id))
    with pytest.raises(Conflict, match="is claimed by staff2"):
        tasks.save_draft(session, users["staff"], task_id, {"title": "抢先"})
    assert _assignee(session, task_id) == "staff2"
    assert session.get(TaskItem, task_id).draft is None


def test_an_unclaim_does_not_release_a_task_reassigned_after_reading(session, open_task, meanwhile):
    users, task_id = open_task
    tasks.claim(session, users["staff"], task_id)
    session.commit()
    meanwhile(lambda other, user: tasks.reassign(other, user("leader"), task_id, "staff2"))
    with pytest.raises(Conflict, match="is claimed by staff2"):
        tasks.unclaim(session, users["staff"], task_id)
    assert _assignee(session, task_id) == "staff2"


def test_a_reassignment_does_not_override_a_release_after_reading(session, open_task, meanwhile):
    users, task_id = open_task
    tasks.claim(session, users["staff"], task_id)
    session.commit()
    meanwhile(lambda other, user: tasks.unclaim(other, user("staff"), task_id))
    with pytest.raises(Conflict, match="released meanwhile"):
        tasks.reassign(session, users["leader"], task_id, "staff2")
    assert _assignee(session, task_id) is None


def test_a_claim_does_not_take_a_task_completed_after_reading(session, open_task, meanwhile):
    users, task_id = open_task
    meanwhile(lambda other, user: tasks.complete(other, user("staff2"), task_id, {"title": "x", "parties_count": 1}))
    with pytest.raises(Conflict, match="already completed"):
        tasks.claim(session, users["staff"], task_id)
    assert _assignee(session, task_id) == "staff2"
