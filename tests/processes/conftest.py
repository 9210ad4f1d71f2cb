"""Fixtures for the process library: its parser, and a demo county running it through the engine.

Scenarios run on a migrated database per test (``session`` from tests/conftest.py) with the
real ``processes/`` and ``forms/`` deployed, the demo county's units and users, and its
mediator pool; ``run_case()`` opens a case and returns a ``harness.Scenario`` driving it.
``http`` drives the same library and county over the API.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import select

from api.cli import deploy_defaults
from api.extensions import db
from engine import demo, deploy
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
def http(app, client):
    """The library deployed as ``mediate demo`` does it; ``http(user, method, url, **kw)`` calls the API
    as that demo user."""
    deploy_defaults(app)
    with app.app_context():
        demo.load(db.session)
        db.session.commit()
    tokens = {}

    def call(user, method, url, **kw):
        if user not in tokens:
            res = client.post("/api/v1/auth/token", json={"username": user, "password": demo.DEMO_PASSWORD})
            tokens[user] = res.json["token"]
        return client.open(url, method=method, headers={"Authorization": f"Bearer {tokens[user]}"}, **kw)

    return call


@pytest.fixture
def run_case(county):
    """Open a ``dispute_case`` with empty data: ``run = run_case()`` (opened by the town centre)."""
    return lambda opener="town_staff": Scenario(county, opener)
