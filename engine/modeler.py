"""The designer's web modeler: open a deployed process, check an edited diagram without deploying,
compare it with the deployed version, and deploy it as the process's next version.

The edited diagram replaces its process's file; every other file (called processes, decision tables,
forms) is taken as the latest deployment has it, and checked and deployed by ``engine.deploy`` —
the same checks, the same code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import REGISTRY

from . import assignment, bpmn_diff, deploy, json_input
from .errors import BadRequest, Conflict, DeploymentRejected, Forbidden, NotFound
from .models import ROLES, TIMER_KINDS, ProcessVersion, User

DESIGNER_ROLES = ("designer", "admin")
_DMN = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def allowed(user: User) -> bool:
    return user.role in DESIGNER_ROLES


def _require(user: User) -> None:
    if not allowed(user):
        raise Forbidden("only designers and administrators edit processes")


def _latest(session: Session, process_id: str) -> ProcessVersion:
    if json_input.text_problem(process_id) or len(process_id) > 200:
        raise NotFound("no such process")
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                        .order_by(ProcessVersion.version.desc()).limit(1))
    if pv is None:
        raise NotFound(f"no deployed process {process_id!r}")
    return pv


def workbench(session: Session, user: User, process_id: str) -> dict:
    """The latest version of a process as the modeler opens it."""
    _require(user)
    pv = _latest(session, process_id)
    return {"process_id": pv.process_id, "name": pv.name, "version": pv.version, "file_name": pv.file_name,
            "xml": pv.bpmn_xml}


def _summary(doc: str | None) -> str:
    return (doc or "").strip().split("\n")[0].strip()


def _decisions(files: dict[str, deploy.SourceFile]) -> list[dict]:
    found = []
    for f in files.values():
        if f.kind != "dmn":
            continue
        root = deploy.parse_xml(f)
        found += [{"id": d.get("id"), "name": d.get("name") or d.get("id"), "file": f.name}
                  for d in root.iter() if isinstance(d.tag, str) and etree.QName(d).localname == "decision"]
    return sorted(found, key=lambda d: d["id"])


def catalogue(session: Session, user: User) -> dict:
    """What the side panel offers: roles (lanes), unit rules, timer kinds, the handler registry's
    operators (with the parameters the deployed diagrams give them), deployed forms, decisions, processes."""
    _require(user)
    files = deploy.latest_files(session)
    latest = session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(
        select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)))).all()
    seen: dict[str, set[str]] = {name: set() for name in REGISTRY}
    for pv in latest:
        for facts in bpmn_diff.elements(pv.bpmn_xml).values():
            if facts.get("operator") in seen:
                seen[facts["operator"]] |= {k.split(":", 1)[1] for k in facts if k.startswith("parameter:")}
    operators = [{"id": name, "description": _summary(sys.modules[handle.__module__].__doc__ or handle.__doc__),
                  "parameters": sorted(seen[name])} for name, handle in sorted(REGISTRY.items())]
    return {"roles": list(ROLES), "timer_kinds": list(TIMER_KINDS),
            "unit_rules": [{"id": k, "description": r.description} for k, r in assignment.UNIT_RULES.items()],
            "operators": operators,
            "forms": sorted(name for name, f in files.items() if f.kind == "form"),
            "decisions": _decisions(files),
            "processes": sorted({pv.process_id: pv.name for pv in latest}.items())}


def form_schema(session: Session, user: User, path: str) -> dict:
    """A deployed form's JSON Schema, for the side panel's preview."""
    _require(user)
    f = None if json_input.text_problem(path) else deploy.latest_files(session).get(path)
    if f is None or f.kind != "form":
        raise NotFound(f"no deployed form {path!r}")
    return deploy.parse_form(f)


def _edited(pv: ProcessVersion, xml: bytes) -> deploy.SourceFile:
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the diagram is not UTF-8 text", fields={"xml": "not UTF-8"}) from None
    if not text.strip():
        raise BadRequest("send the diagram's XML", fields={"xml": "empty"})
    return deploy.SourceFile(pv.file_name, xml)


def _keeps_process(pv: ProcessVersion, edited: deploy.SourceFile) -> list[dict]:
    """The edited file must still define the process it was opened as (problems otherwise)."""
    try:
        found = bpmn_diff.elements(edited.content).get(pv.process_id, {})
    except DeploymentRejected as err:
        return list(err.details or [])
    if found.get("type") != "process":
        return [{"file": edited.name, "element": "", "message":
                 f"the diagram must keep the process id {pv.process_id!r}"}]
    return []


def check(session: Session, user: User, process_id: str, xml: bytes, *, max_bytes: int,
          forms_dir: Path | None) -> list[dict]:
    """The deploy-time problems of the edited diagram (each with its element id); nothing is written."""
    _require(user)
    pv = _latest(session, process_id)
    edited = _edited(pv, xml)
    return _keeps_process(pv, edited) or deploy.check(session, [edited], max_bytes=max_bytes, forms_dir=forms_dir)


def diff(session: Session, user: User, process_id: str, xml: bytes) -> dict:
    """The edited diagram against the latest deployed version: elements added, removed, changed."""
    _require(user)
    pv = _latest(session, process_id)
    edited = _edited(pv, xml)
    return {"version": pv.version, **bpmn_diff.diff(pv.bpmn_xml, edited.content)}


def deploy_edited(session: Session, user: User, process_id: str, xml: bytes, *, base_version: int | None,
                  max_bytes: int, forms_dir: Path | None) -> dict:
    """Deploy the edited diagram as the process's next version (``DeploymentRejected`` with the problems).

    ``base_version`` is the version the designer opened: a newer one deployed meanwhile is a conflict.
    """
    _require(user)
    pv = _latest(session, process_id)
    if base_version is not None and base_version != pv.version:
        raise Conflict(f"version {pv.version} of {process_id!r} was deployed after you opened version "
                       f"{base_version}; reload the diagram")
    edited = _edited(pv, xml)
    if problems := _keeps_process(pv, edited):
        raise DeploymentRejected(problems[0]["message"], details=problems)
    return deploy.deploy(session, [edited], user.username, max_bytes=max_bytes, forms_dir=forms_dir)
