"""Running cases follow the current decision tables.

SpiffWorkflow copies a DMN table into each process spec, so a case would keep the rules
of the version it started with. Administrators change deadlines and escalation rules for
the cases already open too, so before a workflow runs its business-rule tasks are bound
to the newest deployed table with the same id.
"""

from __future__ import annotations

import time

from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import spiff
from .models import DeploymentFile

# How long a process trusts its copy of the tables before checking for a newer deployment.
CHECK_SECONDS = 2.0
_cache: dict = {"key": None, "checked": float("-inf"), "tables": {}}


def _latest_dmn(session: Session):
    newest = (select(DeploymentFile.name, func.max(DeploymentFile.deployment_id).label("dep"))
              .where(DeploymentFile.kind == "dmn").group_by(DeploymentFile.name).subquery())
    return select(DeploymentFile).join(
        newest, (DeploymentFile.name == newest.c.name) & (DeploymentFile.deployment_id == newest.c.dep))


def _parse(files) -> dict:
    from .deploy import SourceFile, parse_xml
    parser = spiff.build_parser()
    for f in files:
        parser.add_dmn_xml(parse_xml(SourceFile(f.name, f.content.encode("utf-8"))), filename=f.name)
    tables = {}
    for decision_id in parser.dmn_parsers:
        engine = parser.get_engine(decision_id, None)
        tables[engine.decision_table.id] = engine
    return tables


def current_tables(session: Session) -> dict:
    """Table id → DMN engine of the newest deployed tables (re-read when a deployment changed them)."""
    now = time.monotonic()
    if now - _cache["checked"] < CHECK_SECONDS:
        return _cache["tables"]
    latest = _latest_dmn(session).subquery()
    key = tuple(session.execute(select(latest.c.name, latest.c.sha256).order_by(latest.c.name)).all())
    if key != _cache["key"]:
        _cache["tables"] = _parse(session.scalars(_latest_dmn(session)))
        _cache["key"] = key
    _cache["checked"] = now
    return _cache["tables"]


def bind_current(session: Session, workflow) -> None:
    """Point the workflow's business-rule tasks at the current tables."""
    tables = current_tables(session)
    if not tables:
        return
    for spec in [workflow.spec, *workflow.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, BusinessRuleTask):
                current = tables.get(task_spec.dmnEngine.decision_table.id)
                if current is not None:
                    task_spec.dmnEngine = current


def forget() -> None:
    """Drop the cached tables (tests, and after a deployment in this process)."""
    _cache.update(key=None, checked=float("-inf"), tables={})
