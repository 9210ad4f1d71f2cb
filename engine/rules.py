"""Administrators change decision tables without code: test a draft, replay recent cases, publish.

A draft is a DMN document for one deployed decision. ``check`` applies the deployment's checks
(``engine.rule_drafts``); ``evaluate`` answers typed inputs with the draft and the live table;
``replay`` runs the inputs recorded for the last N cases (``engine.decision_records``) through
both and lists the cases whose outcome would change, and remembers (in the audit log) that this
administrator saw that list for this draft; ``publish`` deploys the draft as the DMN file's next
version through ``engine.deploy`` only after such a replay of the same draft against the same live
version, and audits who changed which rules and cells. Running cases use it at their next
evaluation (``engine.decisions`` binds the newest table); waiting timers move only when an
administrator asks (``recalc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, decision_records, decisions, deploy, recalc, rule_changes
from .errors import BadRequest, Conflict, Forbidden, NotFound
from .models import AuditEvent, Deployment, DeploymentFile, Timer, User
from .rule_drafts import Draft, ValueTable, parse

ROLES = ("admin",)
MAX_REPLAY = 500
REPLAYED = "rules_replayed"
PUBLISHED = "rules_published"


@dataclass
class LiveTable:
    """A decision as deployed now: its file, version, who deployed it and when, and its parsed table."""

    decision_id: str
    name: str
    file: DeploymentFile
    version: int
    actor: str
    deployed_at: object
    draft: Draft

    @property
    def inputs(self) -> list[dict]:
        return [{"expression": i.expression or "", "label": i.label or i.id, "type": i.typeRef or ""}
                for i in self.draft.table.inputs]


def require_admin(user: User) -> None:
    """Only administrators change decision tables (see docs/security.md)."""
    if user.role not in ROLES:
        raise Forbidden("only administrators can change decision tables")


def _live_tables(session: Session, only: str | None = None) -> dict[str, LiveTable]:
    """Decision id → its live table (just ``only``'s when given: the others are not parsed)."""
    versions = decisions.file_versions(session)
    found = {}
    for f in decisions.latest_dmn_files(session):
        content = f.content.encode("utf-8")
        node = next(deploy.parse_xml(deploy.SourceFile(f.name, content)).iter("{*}decision"), None)
        if node is None or (only is not None and node.get("id") != only):
            continue
        draft = parse(node.get("id"), content)  # SpiffWorkflow reads one decision per file
        dep = session.get(Deployment, f.deployment_id)
        found[draft.decision_id] = LiveTable(draft.decision_id, draft.name, f, versions.get(f.name, 1), dep.actor,
                                             dep.created_at, draft)
    return found


def list_tables(session: Session, user: User) -> list[LiveTable]:
    """Every deployed decision with its live version, who deployed it and when."""
    require_admin(user)
    return sorted(_live_tables(session).values(), key=lambda t: t.decision_id)


def live(session: Session, user: User, decision_id: str) -> LiveTable:
    """The deployed table of ``decision_id``."""
    require_admin(user)
    table = _live_tables(session, decision_id).get(decision_id)
    if table is None:
        raise NotFound(f"no decision table {decision_id!r}")
    return table


def check(session: Session, user: User, decision_id: str, xml: bytes) -> Draft:
    """The draft, checked as deployment checks it (``FormInvalid`` names each rule and column at fault)."""
    current = live(session, user, decision_id)
    return parse(decision_id, xml, current.draft.table.id)


def typed_value(text: str, type_ref: str, field: str):
    """What an administrator typed for an input, read by the input's type (empty is None)."""
    text = (text or "").strip()
    if text == "":
        return None
    kind = (type_ref or "").lower()
    if kind in ("integer", "long", "number", "double"):
        try:
            return int(text) if kind in ("integer", "long") else (int(text) if text.lstrip("-").isdigit()
                                                                   else float(text))
        except ValueError:
            raise BadRequest(f"{field}: enter a number", fields={field: "enter a number"}) from None
    if kind == "boolean":
        value = {"true": True, "false": False, "是": True, "否": False}.get(text.lower())
        if value is None:
            raise BadRequest(f"{field}: enter true or false", fields={field: "enter true or false"})
        return value
    if text.startswith("["):  # a list of flags, e.g. ['群体性']
        import ast
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise BadRequest(f"{field}: write a list as ['a', 'b']", fields={field: "not a list"}) from None
        if isinstance(value, list):
            return value
    return text


def evaluate(session: Session, user: User, decision_id: str, xml: bytes, typed: dict[str, str]) -> dict:
    """The draft's and the live table's answers for the typed inputs (by input expression)."""
    current = live(session, user, decision_id)
    draft = parse(decision_id, xml, current.draft.table.id)
    types = {i["expression"]: i["type"] for i in current.inputs}
    types.update({i.expression or "": i.typeRef for i in draft.table.inputs})
    values = {expr: typed_value(typed.get(expr, ""), types.get(expr, ""), f"inputs.{expr}") for expr in types}
    return {"draft": ValueTable(draft.engine).answer(values), "live": ValueTable(current.draft.engine).answer(values),
            "columns": output_labels(current.draft, draft)}


def output_labels(*drafts: Draft) -> dict[str, str]:
    """Output name → its column label, for showing outcomes."""
    return {o.name: o.label or o.name for d in drafts for o in d.table.outputs if o.name}


def _recorded_values(row) -> dict:
    return {i["expression"]: i["value"] for i in row.inputs if "value" in i}


def _differences(old: dict, new: dict) -> dict:
    if "error" in old or "error" in new:
        return {} if old.get("error") == new.get("error") else {"(error)": [old.get("error"), new.get("error")]}
    a, b = old["outcome"], new["outcome"]
    return {key: [a.get(key), b.get(key)] for key in sorted(set(a) | set(b), key=str) if a.get(key) != b.get(key)}


def replay(session: Session, user: User, decision_id: str, xml: bytes, cases: int) -> dict:
    """Run the last ``cases`` cases' recorded inputs through draft and live; list each outcome that changes."""
    if not 1 <= cases <= MAX_REPLAY:
        raise BadRequest(f"cases: between 1 and {MAX_REPLAY}", fields={"cases": f"between 1 and {MAX_REPLAY}"})
    current = live(session, user, decision_id)
    draft = parse(decision_id, xml, current.draft.table.id)
    new, old = ValueTable(draft.engine), ValueTable(current.draft.engine)
    rows = decision_records.recent(session, decision_id, cases)
    changed, unknown = [], []
    for row in rows:
        values = _recorded_values(row)
        before, after = old.answer(values), new.answer(values)
        entry = {"case": row.case.code if row.case else str(row.case_id), "task": row.task_spec,
                 "decided_at": row.decided_at, "inputs": row.inputs}
        if after["missing"] and after["missing"] != before["missing"]:
            unknown.append({**entry, "missing": after["missing"]})
        elif diff := _differences(before, after):
            changed.append({**entry, "changes": diff})
    result = {"decision": decision_id, "sha256": draft.sha256, "live_version": current.version,
              "cases": len({r.case_id for r in rows}), "records": len(rows), "changed": changed, "unknown": unknown,
              "columns": output_labels(current.draft, draft)}
    audit.record(session, REPLAYED, user.username, detail={
        "decision": decision_id, "sha256": draft.sha256, "live_version": current.version, "cases": result["cases"],
        "records": len(rows), "changed": len(changed), "changed_cases": sorted({c["case"] for c in changed})[:200]})
    return result


def _replayed(session: Session, user: User, decision_id: str, sha256: str, version: int) -> bool:
    events = session.scalars(select(AuditEvent).where(AuditEvent.kind == REPLAYED, AuditEvent.actor == user.username)
                             .order_by(AuditEvent.id.desc()).limit(50))
    for event in events:
        if event.detail.get("decision") == decision_id:
            return event.detail.get("sha256") == sha256 and event.detail.get("live_version") == version
    return False


def publish(session: Session, user: User, decision_id: str, xml: bytes, *, max_bytes: int,
            forms_dir: Path | None) -> dict:
    """Deploy the replayed draft as the DMN file's next version and audit what changed."""
    current = live(session, user, decision_id)
    draft = parse(decision_id, xml, current.draft.table.id)
    if not _replayed(session, user, decision_id, draft.sha256, current.version):
        raise Conflict("replay this draft on recent cases before publishing it (the table or the draft changed "
                       "since the last replay)")
    changes = rule_changes.summary(current.draft.table, draft.table)
    if not any(changes.values()) and draft.xml == current.file.content.encode("utf-8"):
        raise BadRequest("the draft is the live table: nothing to publish", fields={"xml": "unchanged"})
    result = deploy.deploy(session, [deploy.SourceFile(current.file.name, draft.xml)], user.username,
                           max_bytes=max_bytes, forms_dir=forms_dir)
    version = current.version + 1 if result["deployment"] is not None else current.version
    audit.record(session, PUBLISHED, user.username, detail={
        "decision": decision_id, "file": current.file.name, "deployment": result["deployment"],
        "version": version, "sha256": draft.sha256, "changes": changes})
    return {"decision": decision_id, "deployment": result["deployment"], "version": version, "changes": changes,
            "processes": [v for v in result["versions"] if v["created"]], "waiting_timers": waiting_timers(session)}


def waiting_timers(session: Session) -> int:
    """How many timers wait now (what ``recalc`` would look at)."""
    return session.scalar(select(func.count()).select_from(Timer).where(Timer.state == "waiting")) or 0


def recalc_timers(session: Session, user: User) -> dict:
    """Move waiting timers to the due times the current rules give (``mediate timers recalc``)."""
    require_admin(user)
    return recalc.recalc_as(session, user)
