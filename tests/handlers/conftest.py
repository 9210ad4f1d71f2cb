"""A database with the org tree and mediator pool, and a ``ctx`` factory like the engine's."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from engine import models
from engine.models import ledger
from handlers.errors import HandlerError

# Handlers run on a bare schema, without the engine: the models they see and a small county.
MODELS = SimpleNamespace(**{m.__name__: m for m in (models.Case, models.OrgUnit, models.User,
                                                     *ledger.LEDGER_MODELS)},
                         ORDER_OPEN_STATES=ledger.ORDER_OPEN_STATES, ORDER_FINAL_STATES=ledger.ORDER_FINAL_STATES)


def _unit(session, uid, code, name, kind, parent=None):
    path = (parent.path if parent else "/") + f"{uid}/"
    unit = models.OrgUnit(id=uid, code=code, name=name, kind=kind, parent_id=parent.id if parent else None,
                          path=path)
    session.add(unit)
    return unit


def seed_org(session) -> dict:
    """Lufeng-like tree: county → town → village → grid, plus a department, and a mediator pool."""
    county = _unit(session, 1, "441581", "陆丰市", "county")
    town = _unit(session, 2, "441581-01", "东海街道", "town", county)
    village = _unit(session, 3, "441581-01-001", "龙山社区", "village", town)
    grid = _unit(session, 4, "441581-01-001-01", "龙山一网格", "grid", village)
    dept = _unit(session, 5, "441581-D-RS", "人社局", "department", county)
    other_village = _unit(session, 6, "441581-01-002", "新园村", "village", town)
    M = ledger.Mediator
    session.add_all([
        M(id=1, name="陈调解", org_unit_id=village.id, tier="village", specialties=["邻里纠纷", "合同债务"]),
        M(id=2, name="林调解", org_unit_id=town.id, tier="town", specialties=["合同债务"], active_load=3),
        M(id=3, name="黄调解", org_unit_id=town.id, tier="town", specialties=["劳动争议"], active_load=0),
        M(id=4, name="郑律师", org_unit_id=county.id, tier="county", specialties=["征地拆迁"], gold=True,
          mediation_type="行政调解"),
        M(id=5, name="吴调解", org_unit_id=other_village.id, tier="village", specialties=["合同债务"]),
    ])
    session.flush()
    return {"county": county, "town": town, "village": village, "grid": grid, "dept": dept,
            "other_village": other_village}

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        units = seed_org(session)
        case = models.Case(id=1, code="NEW-1", process_id="dispute_case", process_version_id=1,
                           org_unit_id=units["county"].id, opened_by="tester")
        other = models.Case(id=2, code="NEW-2", process_id="dispute_case", process_version_id=1,
                            org_unit_id=units["county"].id, opened_by="tester")
        session.add_all([case, other])
        session.flush()
        yield SimpleNamespace(session=session, case=case, other=other, units=units)
    engine.dispose()


@pytest.fixture
def ctx(db):
    """``ctx("task-1")`` is the context of one service-task instance of case 1."""
    def make(task_id="task-1", case=None, now=NOW):
        return SimpleNamespace(session=db.session, models=MODELS, case=case or db.case, task_id=task_id,
                               now=now, actor="system", data={})
    return make


@contextmanager
def raises_code(code: str):
    """Expect a HandlerError with this code."""
    with pytest.raises(HandlerError) as err:
        yield err
    assert err.value.code == code
