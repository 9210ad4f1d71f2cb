"""Part 4: inbox query latency with many open cases, bulk-inserted with SQLAlchemy core."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from flask import g
from sqlalchemy import func, select, text

from api.extensions import db
from engine import tasks
from engine.models import Case, ProcessVersion, TaskItem, User

from . import fixtures as fx

# Share of open cases per kind of unit, and the roles their ready task may wait for.
CASE_SHARE = {"grid": 0.55, "village": 0.25, "town": 0.15, "county": 0.05}
TASK_ROLES_BY_KIND = {
    "grid": ["grid_worker", "grid_worker", "grid_worker", "mediator"],
    "village": ["mediator", "mediator", "centre_staff"],
    "town": ["centre_staff", "mediator", "leader"],
    "county": ["centre_staff", "leader", "mediator"],
}
SPEC_IDS = ["register", "verify", "assess", "mediate", "visit", "approve"]
ASSIGNED_SHARE = 0.35
BATCH = 5000
# Whose inbox is asked for, per level: (unit kind, role).
LEVELS = {"grid": ("grid", "grid_worker"), "village": ("village", "mediator"),
          "town": ("town", "centre_staff"), "county": ("county", "leader")}


def _unit_weights(org: fx.Org, rng: random.Random) -> tuple[list, list[float]]:
    units, weights = [], []
    for kind, share in CASE_SHARE.items():
        for unit in org.units[kind]:
            units.append(unit)
            weights.append(share / len(org.units[kind]) * rng.uniform(0.4, 1.6))  # some units busier
    return units, weights


def _task_row(case_id, k, spec_id, role, unit, created, state, assignee=None):
    done = state != "ready"
    return {"case_id": case_id, "spiff_task_id": f"{case_id:08x}-0000-4000-8000-{k:012x}",
            "spec_id": spec_id, "name": spec_id, "process_id": fx.PROCESS_ID, "role": role, "org_unit_id": unit.id,
            "assignee_id": assignee, "candidates": [], "state": state, "form": f"bench/{spec_id}.schema.json",
            "created_at": created, "due_at": created + timedelta(days=7), "overdue": False, "reminders": 0,
            "completed_at": created + timedelta(hours=5) if done else None, "completed_by": "bench" if done else None}


def _rows_for(case_id, unit, org, rng, now):
    """One case row, its ready task and 0–3 completed earlier tasks."""
    opened = now - timedelta(seconds=rng.uniform(0, 180 * 86400))
    case = {"id": case_id, "code": f"B{case_id:08d}", "process_id": fx.PROCESS_ID, "status": "open",
            "severity": rng.choice(["ordinary", "ordinary", "complex", "major"]), "tier": unit.kind,
            "org_unit_id": unit.id, "title": f"批量案件 {case_id}", "opened_by": "bench", "opened_at": opened}
    history = [_task_row(case_id, k, rng.choice(SPEC_IDS), "centre_staff", unit,
                         opened + timedelta(hours=k), "completed") for k in range(rng.randint(0, 3))]
    role = rng.choice(TASK_ROLES_BY_KIND[unit.kind])
    people = org.users.get((unit.code, role), [])
    assignee = rng.choice(people).id if people and rng.random() < ASSIGNED_SHARE else None
    ready = _task_row(case_id, len(history), rng.choice(SPEC_IDS), role, unit, opened + timedelta(hours=len(history) + 1),
                      "ready", assignee)
    return case, history + [ready]


def bulk_insert(org: fx.Org, n_cases: int, seed: int = 7) -> dict:
    """Insert ``n_cases`` open cases with their task rows; returns counts and seconds taken."""
    rng = random.Random(seed)
    session = db.session
    pv_id = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_id == fx.PROCESS_ID))
    first = (session.scalar(select(func.max(Case.id))) or 0) + 1
    units, weights = _unit_weights(org, rng)
    now = datetime.now(UTC)
    start, n_tasks = time.perf_counter(), 0
    for lo in range(first, first + n_cases, BATCH):
        cases, task_rows = [], []
        ids = range(lo, min(lo + BATCH, first + n_cases))
        for case_id, unit in zip(ids, rng.choices(units, weights, k=len(ids)), strict=True):
            case, rows = _rows_for(case_id, unit, org, rng, now)
            case["process_version_id"] = pv_id
            cases.append(case)
            task_rows += rows
        session.execute(Case.__table__.insert(), cases)
        session.execute(TaskItem.__table__.insert(), task_rows)
        n_tasks += len(task_rows)
    _after_bulk(session)
    return {"cases": n_cases, "tasks": n_tasks, "seconds": time.perf_counter() - start}


def _after_bulk(session) -> None:
    """Advance PostgreSQL's id sequence past the explicit ids, commit, and refresh planner statistics.

    On PostgreSQL also VACUUM, as autovacuum soon does after a bulk load (its insert threshold): it
    marks the pages all-visible, so index-only scans need not visit the table, as in a running system.
    """
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        session.execute(text("""SELECT setval(pg_get_serial_sequence('"case"', 'id'), max(id)) FROM "case" """))
    session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))


def _users_for(org: fx.Org, level: str, limit: int = 6) -> list[int]:
    kind, role = LEVELS[level]
    return [p.id for unit in org.units[kind] for p in org.users.get((unit.code, role), [])][:limit]


def time_inbox(org: fx.Org, repeats: int) -> dict[tuple[str, str], list[float]]:
    """ms per ``engine.tasks.inbox`` call for each (level, scope), each in a fresh session; with the warning
    letters the user answers, as the page and the API ask (centre staff and leaders read them too)."""
    session = db.session
    out = {}
    fx.settle()
    for level in LEVELS:
        user_ids = _users_for(org, level)
        for scope in tasks.SCOPES:
            timings, found = [], 0
            for n in range(repeats):
                db.session.remove()
                user = session.get(User, user_ids[n % len(user_ids)])
                start = time.perf_counter()
                rows, _more = tasks.inbox(session, user, scope, letters=True)
                timings.append((time.perf_counter() - start) * 1000)
                found += len(rows)
            out[(level, scope)] = timings
            out[(level, scope, "rows")] = found / repeats
    db.session.remove()
    return out


def time_inbox_page(app, org: fx.Org, repeats: int) -> dict[tuple[str, str], list[float]]:
    """ms of server time per ``GET /inbox`` (the page: session, query, rendering) for each (level, scope)."""
    client = app.test_client()
    out = {}
    for level in LEVELS:
        user_ids = _users_for(org, level)
        for scope in tasks.SCOPES:
            timings = []
            for n in range(repeats):
                db.session.remove()  # each request reads afresh, as a request of its own would
                g.pop("_login_user", None)  # the app context stays open here: without this every request is the first user's
                with client.session_transaction() as cookie:  # signed in as Flask-Login keeps it
                    cookie["_user_id"], cookie["_fresh"] = f"{user_ids[n % len(user_ids)]}:0", True
                start = time.perf_counter()
                response = client.get(f"/inbox?scope={scope}")
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            out[(level, scope)] = timings
    db.session.remove()
    return out


def time_task_page(app, org: fx.Org, repeats: int, n_cases: int = 20) -> list[float]:
    """ms of server time per ``GET /tasks/<id>`` (form drawn from its schema, case, timeline) among the bulk cases.

    The bulk rows have no workflow state, so the pages timed are of cases opened through the engine.
    """
    from engine import cases

    session = db.session
    county = org.units["county"][0]
    staff = session.get(User, org.users[(county.code, "admin")][0].id)  # may open every bench task
    task_ids = []
    for _ in range(n_cases):
        case = cases.open_case(session, staff, fx.PROCESS_ID, {})
        task_ids += [row.id for row in cases.open_tasks(session, case)]
    staff_id = staff.id
    session.commit()
    client = app.test_client()
    timings = []
    fx.settle()
    for n in range(-1, repeats):  # the first request compiles the page's templates: not timed
        db.session.remove()
        g.pop("_login_user", None)
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = f"{staff_id}:0", True
        start = time.perf_counter()
        response = client.get(f"/tasks/{task_ids[n % len(task_ids)]}")
        if n >= 0:
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    db.session.remove()
    return timings
