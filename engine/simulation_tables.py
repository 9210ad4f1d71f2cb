"""The decision tables a what-if plays cases through: the live ones, a draft over them, asked with plain data.

Live tables are the newest deployed DMN files; a draft file replaces the live table of the same
decision after the checks ``/admin/rules`` applies to a draft (``rule_drafts.parse``). The
simulation asks the tables the deployed startable diagrams ask (``ASKED``); ``check_asked``
refuses to run when a deployed diagram no longer asks one of them, since the figures would then
describe a flow that no longer exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import decisions, deploy, rule_drafts, spiff
from .errors import BadRequest, FormInvalid
from .models import ProcessVersion

START = datetime(2031, 3, 3, 1, 0, tzinfo=UTC)  # where calendar durations (months) are counted from
ASKED = ("triage", "case_deadline", "deadlines", "escalation")  # the decisions the simulation asks


class Tables:
    """Decision id → table engine, asked with plain data; answers of pure-input tables are memoised."""

    def __init__(self, engines: dict):
        self.engines = engines
        workflow = SimpleNamespace(script_engine=spiff.ScriptEngine(), spec=SimpleNamespace(file=""))
        workflow.top_workflow = workflow
        self._workflow = workflow
        self._spec = SimpleNamespace(bpmn_name="(simulation)", bpmn_id="(simulation)", name="(simulation)")
        self._memo: dict = {}
        self._durations: dict[str, float] = {}

    def ask(self, decision_id: str, data: dict, *, memo: bool = True) -> dict:
        """The table's outcome for ``data``; a table missing, failing or without a matching rule is a ``BadRequest``."""
        key = (decision_id, tuple(sorted((k, repr(v)) for k, v in data.items()))) if memo else None
        if key is not None and key in self._memo:
            return self._memo[key]
        engine = self.engines.get(decision_id)
        if engine is None:
            raise BadRequest(f"no deployed decision table {decision_id!r}", fields={"from": decision_id})
        probe = SimpleNamespace(data=dict(data), workflow=self._workflow, task_spec=self._spec)
        try:
            matched, outcome = engine.answer(probe)
        except Exception as err:  # a draft cell failing on these inputs (SpiffWorkflow's errors included)
            raise BadRequest(f"table {decision_id} failed for {data}: {str(err).splitlines()[0]}",
                             fields={"from": decision_id}) from None
        if not matched:
            raise BadRequest(f"table {decision_id}: no rule matches {data}", fields={"from": decision_id})
        if key is not None:
            self._memo[key] = outcome
        return outcome

    def days(self, duration: str, table: str) -> float:
        """An ISO-8601 duration output as days, read as the engine's timers read it."""
        if duration not in self._durations:
            try:
                parsed = TimerEventDefinition.parse_iso_duration(duration)
                delta = TimerEventDefinition.get_timedelta_from_start(parsed, START)
            except Exception:  # the library raises a bare Exception
                raise BadRequest(f"table {table}: {duration!r} is not an ISO-8601 duration",
                                 fields={"from": table}) from None
            self._durations[duration] = delta.total_seconds() / 86400
        return self._durations[duration]


def _decision_id(name: str, content: bytes) -> str | None:
    root = deploy.parse_xml(deploy.SourceFile(name, content))
    node = next(root.iter("{*}decision"), None)
    return node.get("id") if node is not None else None


def live_tables(session: Session) -> dict:
    """Decision id → engine of every deployed table as it is now."""
    found = {}
    for f in decisions.latest_dmn_files(session):
        content = f.content.encode("utf-8")
        decision_id = _decision_id(f.name, content)
        if decision_id:
            found[decision_id] = rule_drafts.parse(decision_id, content).engine
    return found


def draft_tables(live: dict, files: list[deploy.SourceFile]) -> tuple[dict, list[str]]:
    """The live tables with each draft file's table in place of its live one; returns them and the ids replaced."""
    dmn = [f for f in files if f.name.endswith(".dmn")]
    if not dmn:
        raise BadRequest("the draft holds no .dmn file", fields={"from": "no .dmn file"})
    tables, replaced = dict(live), []
    for f in sorted(dmn, key=lambda f: f.name):
        decision_id = _decision_id(f.name, f.content)
        current = live.get(decision_id)
        if current is None:
            raise BadRequest(f"{f.name}: decision {decision_id!r} is not deployed; a draft changes a live table",
                             fields={"from": f.name})
        try:
            tables[decision_id] = rule_drafts.parse(decision_id, f.content, current.decision_table.id).engine
        except FormInvalid as err:
            raise FormInvalid(f"{f.name}: {err.message}", fields=err.fields, details=err.details) from None
        replaced.append(decision_id)
    return tables, replaced


def check_asked(session: Session, engines: dict) -> None:
    """Refuse when a table the simulation asks is missing, or not asked by the deployed startable diagrams."""
    asked = _diagram_tables(session)
    for decision_id in ASKED:
        engine = engines.get(decision_id)
        if engine is None:
            raise BadRequest(f"no deployed decision table {decision_id!r}", fields={"from": decision_id})
        if engine.decision_table.id not in asked:
            raise BadRequest(f"the deployed diagrams do not ask table {decision_id!r}: the simulation would "
                             "not describe how cases run", fields={"from": decision_id})


def _diagram_tables(session: Session) -> set[str]:
    """Ids of the decision tables the newest version of each startable process (with its subprocesses) asks."""
    newest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_id).subquery())
    versions = session.scalars(select(ProcessVersion).join(
        newest, (ProcessVersion.process_id == newest.c.process_id) & (ProcessVersion.version == newest.c.v))
        .where(ProcessVersion.startable.is_(True)))
    asked = set()
    for version in versions:
        spec, subprocess_specs = spiff.version_spec(version.content_hash, lambda v=version: v.spec_json)
        for process in (spec, *subprocess_specs.values()):
            asked |= {t.dmnEngine.decision_table.id for t in process.task_specs.values()
                      if isinstance(t, BusinessRuleTask)}
    return asked
