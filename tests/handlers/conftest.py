"""A database with the org tree and mediator pool, and a ``ctx`` factory like the engine's."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from engine import models
from handlers.errors import HandlerError

from ..processes.conftest import MODELS, seed_org

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
