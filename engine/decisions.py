"""Running cases follow the current decision tables.

SpiffWorkflow copies a DMN table into each process spec, so a case would keep the rules
of the version it started with. Administrators change deadlines and escalation rules for
the cases already open too, so before a workflow runs its business-rule tasks are bound
to the newest deployed table with the same id.

Each table is evaluated by the hit policy it declares, as DMN defines it (SpiffWorkflow 3.2
returns the first match for UNIQUE and knows no FIRST):

- ``UNIQUE``: at most one rule may match; two or more is an error naming the rules;
- ``FIRST``: the first matching rule in table order answers;
- ``COLLECT`` (without an aggregation): every matching rule answers, and each output becomes
  the list of the matching rules' values, in table order.

Other policies, and COLLECT with an aggregation, are refused when they are deployed.
"""

from __future__ import annotations

import time

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import spiff
from .models import DeploymentFile

# How long a process trusts its copy of the tables before checking for a newer deployment.
CHECK_SECONDS = 2.0
_cache: dict = {"key": None, "checked": float("-inf"), "tables": {}}

HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")


class DecisionError(SpiffWorkflowException):
    """A table's rules contradict its hit policy for this input (e.g. two rules of a UNIQUE table match)."""

    def __init__(self, message: str, task):
        super().__init__(message)
        self.task = task


class HitPolicyEngine(DMNEngine):
    """SpiffWorkflow's DMN engine, choosing the matching rules by the table's declared hit policy.

    ``decision_id`` names the decision (the table's own id when only a process spec knew it);
    ``source`` is ``(deployment id, file version)`` of the deployed DMN file the table came from
    (None for a table only known from a process spec). After answering a business-rule task, the
    engine hands task, table and outcome to the script engine's ``decided`` hook, if it has one,
    which records them in the case's transaction.
    """

    def __init__(self, decision_table, decision_id: str | None = None, source: tuple | None = None):
        super().__init__(decision_table)
        self.decision_id = decision_id or decision_table.id
        self.source = source

    def result(self, task):
        """The table's answer for the task's data, recorded through the script engine's hook."""
        _, outcome = self.answer(task)
        decided = getattr(task.workflow.script_engine, "decided", None)
        if decided is not None:
            decided(task, self, outcome)
        return outcome

    def answer(self, task) -> tuple[list, dict]:
        """``(matching rules, outcome)``; COLLECT makes each output the list of the rules' values."""
        matched = self.decide(task)
        if self.decision_table.hit_policy != "COLLECT":
            return matched, (matched[0].output_as_dict(task) if matched else {})
        outcome: dict = {}
        for rule in matched:
            for key, value in rule.output_as_dict(task).items():
                outcome.setdefault(key, []).append(value)
        return matched, outcome

    def decide(self, task):
        """The rules that answer: the only match (UNIQUE), the first (FIRST) or all of them (COLLECT)."""
        table = self.decision_table
        policy = table.hit_policy
        if policy not in HIT_POLICIES:
            raise DecisionError(f"decision table {table.id}: hit policy {policy} is not supported", task)
        matched = []
        for rule in table.rules:
            # The library's own rule check (name-mangled), with its row notes on errors.
            if self._DMNEngine__check_rule(rule, task):
                matched.append(rule)
                if policy == "FIRST":
                    break
        if policy == "UNIQUE" and len(matched) > 1:
            ids = ", ".join(rule.id for rule in matched)
            raise DecisionError(f"decision table {table.id} has hit policy UNIQUE but {len(matched)} rules "
                                f"match: {ids}", task)
        return matched


def hit_policy_problems(root) -> list[str]:
    """Why a DMN document's tables cannot be evaluated as declared (empty if they can)."""
    problems = []
    for table in root.iter("{*}decisionTable"):
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        name = table.get("id") or "(table)"
        if policy not in HIT_POLICIES:
            problems.append(f"decision table {name}: hit policy {policy} is not supported "
                            f"(use {', '.join(HIT_POLICIES)})")
        elif table.get("aggregation"):
            problems.append(f"decision table {name}: COLLECT with aggregation {table.get('aggregation')} "
                            "is not supported (use COLLECT without an aggregation)")
    return problems


def latest_dmn_files(session: Session) -> list[DeploymentFile]:
    """The deployed DMN files as they are now (the newest content of each file name)."""
    return list(session.scalars(_latest_dmn(session).order_by(DeploymentFile.name)))


def _latest_dmn(session: Session):
    newest = (select(DeploymentFile.name, func.max(DeploymentFile.deployment_id).label("dep"))
              .where(DeploymentFile.kind == "dmn").group_by(DeploymentFile.name).subquery())
    return select(DeploymentFile).join(
        newest, (DeploymentFile.name == newest.c.name) & (DeploymentFile.deployment_id == newest.c.dep))


def file_versions(session: Session) -> dict[str, int]:
    """DMN file name → how many times it has been deployed (the live file's version)."""
    return dict(session.execute(select(DeploymentFile.name, func.count()).where(DeploymentFile.kind == "dmn")
                                .group_by(DeploymentFile.name)).all())


def _parse(files, versions: dict[str, int]) -> dict:
    from .deploy import SourceFile, parse_xml
    parser = spiff.build_parser()
    sources = {}
    for f in files:
        parser.add_dmn_xml(parse_xml(SourceFile(f.name, f.content.encode("utf-8"))), filename=f.name)
        sources[f.name] = (f.deployment_id, versions.get(f.name))
    tables = {}
    for decision_id, dmn_parser in parser.dmn_parsers.items():
        engine = HitPolicyEngine(parser.get_engine(decision_id, None).decision_table, decision_id,
                                 sources.get(dmn_parser.filename))
        tables[engine.decision_table.id] = engine
    return tables


def parse_files(files) -> dict:
    """Table id → DMN engine of DMN files not (yet) deployed: objects with ``name``, ``content`` and
    ``deployment_id`` (None)."""
    return _parse(files, {})


def current_tables(session: Session) -> dict:
    """Table id → DMN engine of the newest deployed tables (re-read when a deployment changed them)."""
    now = time.monotonic()
    if now - _cache["checked"] < CHECK_SECONDS:
        return _cache["tables"]
    latest = _latest_dmn(session).subquery()
    key = tuple(session.execute(select(latest.c.name, latest.c.sha256).order_by(latest.c.name)).all())
    if key != _cache["key"]:
        _cache["tables"] = _parse(session.scalars(_latest_dmn(session)), file_versions(session))
        _cache["key"] = key
    _cache["checked"] = now
    return _cache["tables"]


def bind_current(session: Session, workflow) -> None:
    """Point the workflow's business-rule tasks at the current tables, each evaluated by its hit policy."""
    tables = current_tables(session)
    for spec in [workflow.spec, *workflow.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, BusinessRuleTask):
                table = task_spec.dmnEngine.decision_table
                current = tables.get(table.id)
                if current is not None:
                    task_spec.dmnEngine = current
                elif not isinstance(task_spec.dmnEngine, HitPolicyEngine):
                    task_spec.dmnEngine = HitPolicyEngine(table)


def forget() -> None:
    """Drop the cached tables (tests, and after a deployment in this process)."""
    _cache.update(key=None, checked=float("-inf"), tables={})
