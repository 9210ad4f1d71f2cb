"""What every benchmark part shares: fresh databases, an org tree of ~100 units, the bench diagram, form data."""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api import create_app
from api.extensions import db
from engine import accounts, deploy, orgs
from engine import db as engine_db
from engine.config import ROOT, Settings

BENCH = Path(__file__).resolve().parent
DIAGRAM = BENCH / "bench.bpmn"
FORMS = BENCH / "forms"
PROCESS_ID = "bench"
PASSWORD = "bench-pass"
SECRET = "bench-secret-key-of-at-least-32-bytes"

# What each user task of bench.bpmn is submitted with: realistic sizes, Chinese text included.
FORM_DATA = {
    "register": {"title": "邻里噪音纠纷 Noise between neighbours", "category": "邻里纠纷", "parties_count": 2,
                 "phone": "13800138000",
                 "description": "楼上住户夜间装修噪音扰民，多次协商未果，申请调解。" * 6},
    "assess": {"severity": "complex", "amount": 12000.5, "notes": "双方情绪较大，需两次以上调解。" * 3},
    "mediate": {"outcome": "resolved", "sessions": 2,
                "agreement": "一、装修时间限定为工作日9:00至18:00；二、赔偿对方损失人民币500元。" * 5},
    "approve": {"approved": True, "comment": "同意结案。"},
}
# Lane (role) of each user task, in the order the diagram reaches them.
TASK_ROLES = {"register": "centre_staff", "assess": "mediator", "mediate": "mediator", "approve": "leader"}
OPENING_DATA = {"source": "walk-in", "channel": "窗口受理", "reporter": {"name": "张三", "phone": "13900139000"}}

# Users each kind of unit gets: (role, how many).
STAFFING = {
    "county": [("centre_staff", 2), ("leader", 2), ("mediator", 2), ("admin", 1)],
    "town": [("centre_staff", 2), ("mediator", 2), ("leader", 1)],
    "village": [("mediator", 1), ("centre_staff", 1)],
    "grid": [("grid_worker", 2)],
}


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    kind: str


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    role: str
    unit: Unit


@dataclass
class Org:
    """Plain copies (not ORM rows, which expire with their session): units by kind, users by (unit code, role)."""

    units: dict[str, list[Unit]] = field(default_factory=dict)
    users: dict[tuple[str, str], list[Person]] = field(default_factory=dict)

    def all_units(self) -> list:
        return [u for kind in ("county", "town", "village", "grid") for u in self.units.get(kind, [])]


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, scheduler=False,
                    processes_dir=ROOT / "processes", forms_dir=FORMS, log_level="WARNING")


def postgres_available(url: str) -> str | None:
    """None if the server answers, else the reason it does not."""
    try:
        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg", database="postgres"))
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as err:  # any failure means "skip the PostgreSQL parts"
        return f"{type(err).__name__}: {str(err).splitlines()[0]}"
    return None


@contextlib.contextmanager
def fresh_database(kind: str, pg_url: str | None):
    """Yield ``(url, app)`` for a freshly migrated database, inside the app's context."""
    with tempfile.TemporaryDirectory(prefix="mediate-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite" if kind == "sqlite" else engine_db.recreate_postgres(pg_url)
        app = create_app(settings_for(url))
        with app.app_context():
            upgrade()
            try:
                yield url, app
            finally:
                db.session.remove()
                db.engine.dispose()


def build_org(session, towns: int = 6, villages: int = 3, grids: int = 4) -> Org:
    """County → towns → villages → grids (97 units by default), staffed per ``STAFFING``."""
    accounts._N = 2**4  # bench users only: full-cost scrypt would take minutes for hundreds of users
    units = [orgs.add_unit(session, "county", "基准县", "county")]
    for t in range(1, towns + 1):
        town = orgs.add_unit(session, f"town-{t}", f"第{t}镇", "town", units[0])
        units.append(town)
        for v in range(1, villages + 1):
            village = orgs.add_unit(session, f"village-{t}-{v}", f"第{t}镇第{v}村", "village", town)
            units.append(village)
            units += [orgs.add_unit(session, f"grid-{t}-{v}-{g}", f"{village.name}第{g}网格", "grid", village)
                      for g in range(1, grids + 1)]
    users = [accounts.add_user(session, f"{role}-{unit.code}-{n}", PASSWORD, role, unit)
             for unit in units for role, count in STAFFING[unit.kind] for n in range(count)]
    session.commit()
    org = Org()
    plain = {u.id: Unit(u.id, u.code, u.kind) for u in units}
    for unit in plain.values():
        org.units.setdefault(unit.kind, []).append(unit)
    for user in users:
        person = Person(user.id, user.username, user.role, plain[user.org_unit_id])
        org.users.setdefault((person.unit.code, person.role), []).append(person)
    return org


def deploy_bench(session) -> None:
    """Deploy bench.bpmn with its forms."""
    files = [deploy.SourceFile(DIAGRAM.name, DIAGRAM.read_bytes())]
    deploy.deploy(session, files, "bench", max_bytes=10_000_000, forms_dir=FORMS)
    session.commit()


def settle() -> None:
    """Freeze what exists now out of the garbage collector's full passes, as ``api/wsgi.py`` does at start-up.

    Unfrozen, a full collection of this process takes ~50 ms and lands inside whichever query is timed.
    """
    gc.collect()
    gc.freeze()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (what p99 means in the summary)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def describe(values_ms: list[float]) -> str:
    return (f"n={len(values_ms)} mean={statistics.fmean(values_ms):.2f} p50={percentile(values_ms, 50):.2f} "
            f"p99={percentile(values_ms, 99):.2f} ms")


def analyse() -> None:
    """Bring PostgreSQL's planner statistics up to date after a bulk insert (nothing to do on SQLite)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def timed(step: Callable, repeats: int, after: Callable | None = None) -> tuple[object, list[float]]:
    """``(last result, ms per call)`` of ``step`` called ``repeats`` times; ``after`` runs untimed after each."""
    result, times = None, []
    for _ in range(repeats):
        start = time.perf_counter()
        result = step()
        times.append((time.perf_counter() - start) * 1000)
        if after is not None:
            after()
    return result, times


def main_per_database(description: str, run: Callable[[str, str | None, int], str], cases: int) -> None:
    """``--cases N [--postgres-url URL]``: print ``run`` on SQLite, then on PostgreSQL when it answers."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cases", type=int, default=cases)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    print(run("sqlite", None, args.cases))
    if args.postgres_url and (why := postgres_available(args.postgres_url)) is None:
        print(run("postgresql", args.postgres_url, args.cases))
    elif args.postgres_url:
        print(f"postgresql skipped: {why}")
