"""A small harness running the process library on SpiffWorkflow with the real handlers.

Every wait state is saved and restored (``CaseRun._roundtrip``), every form submission is
validated against the schema the diagram names, and the clock is a test clock that timers
and handlers share. When the engine can run a case end to end, swap ``CaseRun`` for it.
"""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import handlers
from engine import clock, models
from engine.models import ledger
from engine.spiff import ScriptEngine

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, FORMS = ROOT / "processes", ROOT / "forms"
START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing
MODELS = SimpleNamespace(**{m.__name__: m for m in (models.Case, models.OrgUnit, models.User,
                                                     *ledger.LEDGER_MODELS)})
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(deepcopy(SPIFF_CONFIG)))


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


@lru_cache
def form_validator(path: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((FORMS / path).read_text(encoding="utf-8")))


class TestClock(datetime):
    """Stands in for ``datetime`` inside SpiffWorkflow's timer module."""

    current = START

    @classmethod
    def now(cls, tz=None):
        return cls.current if tz is None else cls.current.astimezone(tz)


class CaseRun:
    """One case of ``dispute_case`` (or another process) from start to end."""

    def __init__(self, session, case, process_id="dispute_case"):
        self.session, self.case, self.calls = session, case, []
        self.script_engine = ScriptEngine(call=self._call)
        spec, subprocess_specs = specs(process_id)
        with clock.frozen_at(TestClock.current):
            self.wf = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
            self.wf.do_engine_steps()
        self._roundtrip()

    def _call(self, task, operator, params):
        ctx = SimpleNamespace(session=self.session, models=MODELS, case=self.case, task_id=str(task.id),
                              now=TestClock.current, actor="system", data=deepcopy(task.data))
        result = handlers.REGISTRY[operator](params, ctx)
        self.calls.append((operator, params, result))
        return result

    def _roundtrip(self):
        state = SERIALIZER.serialize_json(self.wf)
        self.wf = SERIALIZER.deserialize_json(state)
        self.wf.script_engine = self.script_engine

    def ready(self) -> list[str]:
        """Ids of the user tasks waiting for someone, sorted."""
        return sorted(t.task_spec.bpmn_id for t in self.wf.get_tasks(state=TaskState.READY, manual=True))

    def task(self, bpmn_id: str):
        found = [t for t in self.wf.get_tasks(state=TaskState.READY, manual=True)
                 if t.task_spec.bpmn_id == bpmn_id]
        assert len(found) == 1, f"{bpmn_id} not ready; ready: {self.ready()}"
        return found[0]

    def complete(self, bpmn_id: str, **data):
        """Submit a user task's form (validated against its schema), then run to the next wait."""
        task = self.task(bpmn_id)
        form = task.task_spec.extensions["properties"]["formJsonSchemaFilename"]
        form_validator(form).validate(data)
        with clock.frozen_at(TestClock.current):
            task.set_data(**data)
            task.run()
            self.wf.do_engine_steps()
        self._roundtrip()
        return self

    def advance(self, **delta):
        """Let time pass, fire due timers, run to the next wait."""
        TestClock.current += timedelta(**delta)
        with clock.frozen_at(TestClock.current):
            self.wf.refresh_timers()
            self.wf.do_engine_steps()
        self._roundtrip()
        return self

    def _completed(self) -> list:
        # Filtering by state in get_tasks would not descend into running subprocesses.
        done = [t for t in self.wf.get_tasks() if t.state == TaskState.COMPLETED]
        return sorted(done, key=lambda t: t.last_state_change)

    def path(self) -> list[str]:
        """BPMN ids of completed elements, in the order they completed."""
        return [t.task_spec.bpmn_id for t in self._completed() if t.task_spec.bpmn_id]

    def value(self, key):
        """The latest value of ``key`` in any completed task's data."""
        for task in reversed(self._completed()):
            if key in task.data:
                return task.data[key]
        raise KeyError(key)

    def operators(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    @property
    def done(self) -> bool:
        return self.wf.is_completed()


@pytest.fixture
def test_clock(monkeypatch):
    monkeypatch.setattr(spiff_timer, "datetime", TestClock)
    monkeypatch.setattr(TestClock, "current", START)
    return TestClock


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


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        units = seed_org(session)
        case = models.Case(id=1, code="NEW-1", process_id="dispute_case", process_version_id=1,
                           org_unit_id=units["county"].id, opened_by="tester")
        session.add(case)
        session.flush()
        yield SimpleNamespace(session=session, case=case, units=units)
    engine.dispose()


@pytest.fixture
def run_case(db, test_clock):
    """Start a ``dispute_case`` with empty data: ``run = run_case()``."""
    return lambda: CaseRun(db.session, db.case)
