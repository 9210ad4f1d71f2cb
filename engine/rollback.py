"""Rollback: deploy again the files an older version of a process was made from.

The new version is equal to the older one: its diagram, the processes it calls, the decision
tables it evaluates and its forms are redeployed as they were in the older version's
deployment, through the same checks as any deployment. Running cases keep the version they
started on; new cases start on the new one. Other processes in the same files (or calling this
one, or sharing its tables) get a new version too when their content changes, as with any
deployment, and are listed in the answer.
"""

from __future__ import annotations

from pathlib import Path

from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import deploy, spiff
from .errors import Conflict, NotFound
from .models import DeploymentFile, ProcessVersion


def _version(session: Session, process_id: str, version: int) -> ProcessVersion:
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                     ProcessVersion.version == version))
    if pv is None:
        raise NotFound(f"no version {version} of process {process_id!r}")
    return pv


def _latest(session: Session, process_id: str) -> ProcessVersion:
    return session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                           .order_by(ProcessVersion.version.desc()).limit(1)).one()


def _files_at(session: Session, deployment_id: int) -> dict[str, DeploymentFile]:
    """Every file name as it stood right after the given deployment."""
    newest = (select(DeploymentFile.name, func.max(DeploymentFile.deployment_id).label("dep"))
              .where(DeploymentFile.deployment_id <= deployment_id).group_by(DeploymentFile.name).subquery())
    rows = session.scalars(select(DeploymentFile).join(
        newest, (DeploymentFile.name == newest.c.name) & (DeploymentFile.deployment_id == newest.c.dep)))
    return {f.name: f for f in rows}


def _decision_files(files: dict[str, DeploymentFile], table_ids: set[str]) -> set[str]:
    """The DMN files that define any of the decision tables."""
    names = set()
    for f in files.values():
        if f.kind != "dmn":
            continue
        root = deploy.parse_xml(deploy.SourceFile(f.name, f.content.encode("utf-8")))
        if {t.get("id") for t in root.iter("{*}decisionTable")} & table_ids:
            names.add(f.name)
    return names


def files_of(session: Session, pv: ProcessVersion) -> list[deploy.SourceFile]:
    """The files a version was made from: its diagram, called diagrams, decision tables and forms."""
    files = _files_at(session, pv.deployment_id)
    spec, subprocess_specs = spiff.load_spec(pv.spec_json)
    specs = [spec, *subprocess_specs.values()]
    names = {pv.file_name} | {s.file for s in specs if s.file} | set(pv.forms or {})
    table_ids = {t.dmnEngine.decision_table.id for s in specs for t in s.task_specs.values()
                    if isinstance(t, BusinessRuleTask)}
    names |= _decision_files(files, table_ids)
    return [deploy.SourceFile(n, files[n].content.encode("utf-8")) for n in sorted(names) if n in files]


def rollback(session: Session, process_id: str, version: int, actor: str, *, max_bytes: int,
             forms_dir: Path | None = None) -> dict:
    """Make a new version of ``process_id`` equal to ``version``; 404 if there is no such version,
    409 if the latest version already equals it."""
    old = _version(session, process_id, version)
    latest = _latest(session, process_id)
    if latest.version == version:
        raise Conflict(f"version {version} of process {process_id!r} is already the latest")
    if latest.content_hash == old.content_hash:
        raise Conflict(f"the latest version {latest.version} of process {process_id!r} already equals "
                       f"version {version}")
    result = deploy.deploy(session, files_of(session, old), actor, max_bytes=max_bytes, forms_dir=forms_dir,
                           event="rolled_back", note={"process_id": process_id, "from_version": version})
    made = next((v for v in result["versions"] if v["process_id"] == process_id and v["created"]), None)
    if made is None:  # the files as they were no longer make a different version (cannot happen normally)
        raise Conflict(f"redeploying version {version} of process {process_id!r} changes nothing")
    return {"process_id": process_id, "from_version": version, "version": made["version"], **result}
