"""The Camunda 7 deployment answers Camunda Modeler reads (``/engine-rest``), built on ``deploy``.

Ids follow Camunda's pattern: a deployment's id is its number as a string, a process
definition's id is ``key:version:deploymentId`` (``dispute_case:3:12``) and a decision's id
``decisionKey:version:deploymentId``, its version counting the deployments of its DMN file.
Unchanged files make no new version (Camunda's duplicate filtering, always on here): the answer
then names the deployment they came from, with no deployed definitions, as Camunda does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import deploy as deployer
from . import json_input
from .errors import BadRequest
from .models import Deployment, DeploymentFile, ProcessVersion

VERSION = "7.21.0"  # the Camunda 7 REST API whose deployment subset is served
PARSE_ERROR = "ENGINE-09005 Could not parse BPMN process."
FLAGS = ("enable-duplicate-filtering", "deploy-changed-only")
FIELDS = frozenset({"deployment-name", "deployment-source", "tenant-id", "deployment-activation-time", *FLAGS})


def timestamp(moment: datetime) -> str:
    """Camunda's date format: ``2026-12-01T09:30:00.000+0000``."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _deployment(dep: Deployment, name: str | None = None, source: str | None = None) -> dict:
    return {"links": [], "id": str(dep.id), "name": name, "source": source, "deploymentTime": timestamp(dep.created_at),
            "tenantId": None}


def list_deployments(session: Session, first: int, limit: int | None) -> list[dict]:
    """Deployments, oldest first, as Camunda's deployment list (``maxResults=0``: none)."""
    query = select(Deployment).order_by(Deployment.id).offset(first)
    if limit is not None:
        query = query.limit(limit)
    return [_deployment(d) for d in session.scalars(query)]


def check_flags(form: dict) -> None:
    """The duplicate-filtering flags, when sent, are ``true`` or ``false``; tenants do not exist here."""
    for flag in FLAGS:
        if flag in form and form[flag].lower() not in ("true", "false"):
            raise BadRequest(f"{flag}: must be 'true' or 'false'", fields={flag: "must be 'true' or 'false'"})
    if form.get("tenant-id"):
        raise BadRequest("tenant-id: Mediate has no tenants; leave the tenant id empty",
                         fields={"tenant-id": "tenants are not supported"})
    if form.get("deployment-activation-time"):
        raise BadRequest("deployment-activation-time: a deployment takes effect at once here",
                         fields={"deployment-activation-time": "delayed activation is not supported"})
    for name in ("deployment-name", "deployment-source"):
        value = form.get(name) or ""
        if len(value) > 255 or json_input.text_problem(value):
            raise BadRequest(f"{name}: at most 255 characters of valid text", fields={name: "not valid text"})


def _process_definitions(session: Session, result: dict, deployment_id: int) -> dict | None:
    made = {(v["process_id"], v["version"]) for v in result["versions"] if v["created"]}
    rows = [pv for pv in session.scalars(select(ProcessVersion).where(ProcessVersion.deployment_id == deployment_id))
            if (pv.process_id, pv.version) in made]
    out = {}
    for pv in rows:
        pid = f"{pv.process_id}:{pv.version}:{deployment_id}"
        out[pid] = {"id": pid, "key": pv.process_id, "category": None, "description": None, "name": pv.name,
                    "version": pv.version, "resource": pv.file_name, "deploymentId": str(deployment_id),
                    "diagram": None, "suspended": False, "tenantId": None, "versionTag": None,
                    "historyTimeToLive": None, "startableInTasklist": pv.startable}
    return out or None


def _decision_definitions(session: Session, deployment_id: int) -> dict | None:
    out = {}
    for f in session.scalars(select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id,
                                                          DeploymentFile.kind == "dmn")):
        version = session.scalar(select(func.count()).where(DeploymentFile.name == f.name,
                                                            DeploymentFile.deployment_id <= deployment_id))
        root = deployer.parse_xml(deployer.SourceFile(f.name, f.content.encode("utf-8")))
        for decision in root.iter("{*}decision"):
            did = f"{decision.get('id')}:{version}:{deployment_id}"
            out[did] = {"id": did, "key": decision.get("id"), "category": root.get("namespace"),
                        "name": decision.get("name"), "version": version, "resource": f.name,
                        "deploymentId": str(deployment_id), "decisionRequirementsDefinitionId": None,
                        "decisionRequirementsDefinitionKey": None, "tenantId": None, "versionTag": None,
                        "historyTimeToLive": None}
    return out or None


def _source_deployment(session: Session, files: list[deployer.SourceFile]) -> Deployment:
    """The newest deployment holding one of these files as they are (nothing changed: where they came from)."""
    found = [session.scalar(select(func.max(DeploymentFile.deployment_id)).where(
        DeploymentFile.name == f.name, DeploymentFile.sha256 == f.sha256)) for f in files]
    newest = max((d for d in found if d is not None), default=None)
    if newest is None:  # forms taken unchanged from the forms folder only: the newest deployment
        newest = session.scalar(select(func.max(Deployment.id)))
    return session.get(Deployment, newest)


def deploy(session: Session, files: list[deployer.SourceFile], actor: str, *, name: str | None,
           source: str | None, max_bytes: int, forms_dir: Path | None) -> dict:
    """Deploy like ``POST /api/v1/deployments`` and answer in Camunda's deployment shape."""
    result = deployer.deploy(session, files, actor, max_bytes=max_bytes, forms_dir=forms_dir,
                             note={"via": "engine-rest", "deployment_name": name, "source": source})
    if result["deployment"] is None:
        return {**_deployment(_source_deployment(session, files), name, source),
                "deployedProcessDefinitions": None, "deployedCaseDefinitions": None,
                "deployedDecisionDefinitions": None, "deployedDecisionRequirementsDefinitions": None}
    dep = session.get(Deployment, result["deployment"])
    return {**_deployment(dep, name, source),
            "deployedProcessDefinitions": _process_definitions(session, result, dep.id),
            "deployedCaseDefinitions": None,
            "deployedDecisionDefinitions": _decision_definitions(session, dep.id),
            "deployedDecisionRequirementsDefinitions": None}


def parse_error(message: str, details: list[dict] | None) -> dict:
    """A refused deployment as Camunda's ParseException body, problems grouped by file."""
    by_file: dict[str, dict] = {}
    for d in details or []:
        entry = by_file.setdefault(d["file"], {"errors": [], "warnings": []})
        entry["errors"].append({"message": d["message"], "line": None, "column": None,
                                "mainElementId": d["element"] or None,
                                "elementIds": [d["element"]] if d["element"] else []})
    return {"type": "ParseException", "message": f"{PARSE_ERROR} {message}", "details": by_file}
