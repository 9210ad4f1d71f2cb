"""Fixtures for the process library: its parser, and a demo county running it through the engine.

Scenarios run on a migrated database per test (``session`` from tests/conftest.py) with the
real ``processes/`` and ``forms/`` deployed, the demo county's units and users, and its
mediator pool; ``run_case()`` opens a case and returns a ``harness.Scenario`` driving it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import select

from engine import demo, deploy, models
from engine.models import ledger

from .harness import Scenario

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, FORMS = ROOT / "processes", ROOT / "forms"


def library_parser() -> SpiffBpmnParser:
    """Every diagram and table in processes/, validated against the BPMN/DMN schemas."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files(sorted(str(p) for p in PROCESSES.glob("*.bpmn")))
    parser.add_dmn_files(sorted(str(p) for p in PROCESSES.glob("*.dmn")))
    return parser


@lru_cache
def specs(process_id: str = "dispute_case"):
    parser = library_parser()
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def _busy_town(session, units) -> None:
    """A second town mediator without the common specialty, and a busy specialist: the match must
    prefer the specialty over the lighter load."""
    busy = session.scalar(select(ledger.Mediator).where(ledger.Mediator.name == "赵红梅"))
    busy.active_load = 3
    session.add(ledger.Mediator(name="黄调解", tier="town", org_unit=units[demo.TOWN_1], specialties=["婚姻家庭"],
                                mediation_type="人民调解"))


@pytest.fixture
def county(app, session):
    """The process library deployed and the demo county loaded, committed."""
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    demo.load(session, extra=_busy_town)
    session.commit()
    return session


@pytest.fixture
def run_case(county):
    """Open a ``dispute_case`` with empty data: ``run = run_case()`` (opened by the town centre)."""
    return lambda opener="town_staff": Scenario(county, opener)


# -- for tests/handlers, which run handlers on a bare schema without the engine -----------------
MODELS = SimpleNamespace(**{m.__name__: m for m in (models.Case, models.OrgUnit, models.User,
                                                     *ledger.LEDGER_MODELS)})


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
