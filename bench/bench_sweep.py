"""Benchmark: a sweep's cost follows the number of due timers, not the number waiting.

    .venv/bin/python bench/bench_sweep.py [--database-url URL] [--due 1000] [--small 10000] [--large 100000]

Runs a sweep over ``--due`` due timers twice: once among ``--small`` waiting timers and once
among ``--large``, each in a fresh database, and prints the time per due timer and the ratio
(large / small; the target is at most 1.2). SQLite in a temporary folder by default; a
PostgreSQL URL is wiped (schema ``public`` dropped) before each run.

Cases are cloned with bulk inserts from one case opened through the engine. The cases that
are not due get no stored workflow unless ``--with-states``: the sweep never reads them,
which is the point being measured.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from engine.db import recreate_postgres  # noqa: E402

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
FIXTURES = ROOT / "tests" / "fixtures"


def _columns(row, **override) -> dict:
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}
    values.update(override)
    return values


def clone_cases(session, template, count: int, due_at: datetime, *, with_state: bool = True,
                prefix: str = "X", chunk: int = 2000) -> list[int]:
    """Insert ``count`` copies of ``template`` (state, ready tasks, waiting timers) with timers due at ``due_at``."""
    from engine.models import Case, CaseState, TaskItem, Timer

    state = session.get(CaseState, template.id)
    tasks = list(session.scalars(select(TaskItem).where(TaskItem.case_id == template.id, TaskItem.state == "ready")))
    timers = list(session.scalars(select(Timer).where(Timer.case_id == template.id, Timer.state == "waiting")))
    ids: list[int] = []
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        cases = [_columns(template, code=f"{prefix}{start + i:07d}") for i in range(n)]
        new_ids = list(session.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True), cases).scalars())
        if with_state:
            session.execute(insert(CaseState), [_columns(state, case_id=cid) for cid in new_ids])
        if tasks:
            session.execute(insert(TaskItem), [_columns(t, case_id=cid) for cid in new_ids for t in tasks])
        session.execute(insert(Timer), [_columns(t, case_id=cid, due_at=due_at, fire_at=due_at)
                                        for cid in new_ids for t in timers])
        ids += new_ids
    session.commit()
    return ids


def open_template(session):
    """Organisation, the one-deadline fixture process and one case opened through the engine at T0."""
    from engine import cases, clock
    from tests.helpers import deploy_fixture, small_org

    _, users = small_org(session)
    deploy_fixture(session, "deadline.bpmn")
    with clock.frozen_at(T0):
        case = cases.open_case(session, users["staff"], "deadline", {"handling_limit": "PT5H"})
    session.commit()
    return case


def _fresh_database(url: str | None, workdir: Path, name: str) -> str:
    if url is None:
        return f"sqlite:///{workdir / (name + '.sqlite')}"
    return recreate_postgres(url)


def run(url: str | None, waiting: int, due: int, workdir: Path, with_states: bool) -> float:
    """Seconds per due timer for one sweep of ``due`` due timers among ``waiting`` waiting ones."""
    from api import create_app
    from api.extensions import db
    from engine import clock, sweep
    from engine.config import Settings
    from engine.models import Timer

    app = create_app(Settings(database_url=_fresh_database(url, workdir, f"w{waiting}"), scheduler=False,
                              instance_dir=workdir))
    with app.app_context():
        upgrade()
        session = db.session
        template = open_template(session)
        clone_cases(session, template, due - 1, T0 + timedelta(hours=5), prefix="D")
        clone_cases(session, template, waiting - due, T0 + timedelta(days=3650), with_state=with_states,
                    prefix="W")
        session.execute(text("ANALYZE"))
        session.commit()
        assert session.scalar(select(func.count()).select_from(Timer)) == waiting
        with clock.frozen_at(T0 + timedelta(hours=6)):
            started = time.perf_counter()
            result = sweep.sweep_all(session, batch=200)
            elapsed = time.perf_counter() - started
        assert result.fired == due, result.as_dict()
        db.session.remove()
        db.engine.dispose()
    per = elapsed / due
    print(f"{waiting:>8} waiting, {due} due: sweep {elapsed:7.2f} s, {per * 1000:6.2f} ms per due timer")
    return per


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (wiped!); default: SQLite in a temp folder")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--with-states", action="store_true", help="store a workflow for every case")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run(args.database_url, 100, 50, Path(tmp), args.with_states)  # warm-up: imports, caches
        small = run(args.database_url, args.small, args.due, Path(tmp), args.with_states)
        large = run(args.database_url, args.large, args.due, Path(tmp), args.with_states)
    ratio = large / small
    print(f"ratio {args.large} / {args.small} waiting: {ratio:.2f} (target <= 1.2)")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
