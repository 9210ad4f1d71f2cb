"""The decision tables a what-if plays cases with: the live ones, or a draft over them.

Tables travel as their DMN sources (decision id → XML bytes), so worker processes can build their
own engines (``engines``). Live tables are the newest deployed DMN files; a draft file replaces
the live table of the same decision after the checks ``/admin/rules`` applies to a draft
(``rule_drafts.parse``). A draft must change a table the deployed startable diagrams ask
(``check_asked``): one they never ask cannot change the figures.
"""

from __future__ import annotations

from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import decisions, deploy, rule_drafts, spiff
from .errors import BadRequest, FormInvalid
from .models import ProcessVersion


def _decision_id(name: str, content: bytes) -> str | None:
    root = deploy.parse_xml(deploy.SourceFile(name, content))
    node = next(root.iter("{*}decision"), None)
    return node.get("id") if node is not None else None


def live_sources(session: Session) -> dict[str, bytes]:
    """Decision id → DMN source of every deployed table as it is now."""
    found = {}
    for f in decisions.latest_dmn_files(session):
        content = f.content.encode("utf-8")
        decision_id = _decision_id(f.name, content)
        if decision_id:
            found[decision_id] = content
    return found


def engines(sources: dict[str, bytes]) -> dict:
    """Decision id → table engine, each source checked as publishing checks it."""
    return {decision_id: rule_drafts.parse(decision_id, content).engine for decision_id, content in sources.items()}


def draft_sources(live: dict[str, bytes], files: list[deploy.SourceFile]) -> tuple[dict[str, bytes], list[str]]:
    """The live sources with each draft file's table in place of its live one; returns them and the ids replaced."""
    dmn = [f for f in files if f.name.endswith(".dmn")]
    if not dmn:
        raise BadRequest("the draft holds no .dmn file", fields={"from": "no .dmn file"})
    sources, replaced = dict(live), []
    for f in sorted(dmn, key=lambda f: f.name):
        decision_id = _decision_id(f.name, f.content)
        current = live.get(decision_id)
        if current is None:
            raise BadRequest(f"{f.name}: decision {decision_id!r} is not deployed; a draft changes a live table",
                             fields={"from": f.name})
        table_id = rule_drafts.parse(decision_id, current).table.id
        try:
            rule_drafts.parse(decision_id, f.content, table_id)
        except FormInvalid as err:
            raise FormInvalid(f"{f.name}: {err.message}", fields=err.fields, details=err.details) from None
        sources[decision_id] = f.content
        replaced.append(decision_id)
    return sources, replaced


def check_asked(session: Session, sources: dict[str, bytes], replaced: list[str]) -> None:
    """Refuse a draft of a table the deployed startable diagrams never ask: it could not change a thing."""
    asked = diagram_tables(session)
    for decision_id in replaced:
        table_id = rule_drafts.parse(decision_id, sources[decision_id]).table.id
        if table_id not in asked:
            raise BadRequest(f"the deployed diagrams do not ask table {decision_id!r}: a draft of it changes "
                             "nothing the simulation plays", fields={"from": decision_id})


def diagram_tables(session: Session) -> set[str]:
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
