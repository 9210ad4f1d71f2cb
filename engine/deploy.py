"""Deployments: a set of BPMN, DMN and form files, checked, hashed and versioned per process."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers import REGISTRY

from . import audit, decisions, extensions, json_input, spiff, validation
from .errors import BadRequest, DeploymentRejected, NotFound
from .models import Deployment, DeploymentFile, ProcessVersion

# DOCTYPEs are refused outright; entities and network access are off regardless.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              dtd_validation=False, huge_tree=False)


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes

    @property
    def kind(self) -> str:
        suffix = PurePosixPath(self.name).suffix.lower()
        return {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}.get(suffix, "unknown")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def read_directories(processes_dir: Path, forms_dir: Path | None = None) -> list[SourceFile]:
    """Every ``*.bpmn``/``*.dmn`` of the processes folder and every form below the forms folder."""
    files = [SourceFile(p.name, p.read_bytes())
             for p in sorted(processes_dir.iterdir()) if p.suffix in (".bpmn", ".dmn")]
    if forms_dir is not None and forms_dir.is_dir():
        files += [SourceFile(p.relative_to(forms_dir).as_posix(), p.read_bytes())
                  for p in sorted(forms_dir.rglob("*.json"))]
    return files


def _reject(file: str, message: str, element: str = "") -> DeploymentRejected:
    return DeploymentRejected(f"{file}: {message}", details=[
        {"file": file, "element": element, "message": message}])


def _check_names(files: list[SourceFile], max_bytes: int) -> None:
    seen = set()
    for f in files:
        if why := json_input.text_problem(f.name):
            raise _reject(json_input.path_name([f.name]), f"file name {why}")
        path = PurePosixPath(f.name)
        if not f.name or path.is_absolute() or ".." in path.parts or "\\" in f.name:
            raise _reject(f.name or "(unnamed)", "file names must be relative paths without '..'")
        if f.kind == "unknown":
            raise _reject(f.name, "only .bpmn, .dmn and .json (form) files can be deployed")
        if len(f.content) > max_bytes:
            raise _reject(f.name, f"file is larger than the limit of {max_bytes} bytes")
        if f.name in seen:
            raise _reject(f.name, "file given twice")
        seen.add(f.name)


def parse_xml(f: SourceFile):
    """Parse untrusted XML: no DOCTYPE, no entities, no network."""
    if b"<!DOCTYPE" in f.content.upper() or b"<!ENTITY" in f.content.upper():
        raise _reject(f.name, "XML with a DOCTYPE or entity declarations is not accepted")
    try:
        return etree.fromstring(f.content, _XML_PARSER)
    except etree.XMLSyntaxError as err:
        raise _reject(f.name, f"not well-formed XML: {err}") from None


def parse_form(f: SourceFile) -> dict:
    try:
        schema = json_input.loads(f.content)
    except BadRequest as err:
        raise _reject(f.name, f"form is not valid JSON: {err.message}") from None
    if not isinstance(schema, dict):
        raise _reject(f.name, "a form must be a JSON object (a JSON Schema)")
    return schema


def latest_files(session: Session) -> dict[str, SourceFile]:
    """The newest stored content of every file name ever deployed."""
    newest = (select(DeploymentFile.name, func.max(DeploymentFile.deployment_id).label("dep"))
              .group_by(DeploymentFile.name).subquery())
    rows = session.execute(select(DeploymentFile.name, DeploymentFile.content).join(
        newest, (DeploymentFile.name == newest.c.name) & (DeploymentFile.deployment_id == newest.c.dep)))
    return {name: SourceFile(name, content.encode("utf-8")) for name, content in rows}


def _build_parser(files: dict[str, SourceFile]):
    parser = spiff.build_parser()
    for f in files.values():
        if f.kind not in ("bpmn", "dmn"):
            continue
        root = parse_xml(f)
        if f.kind == "dmn" and (problems := decisions.hit_policy_problems(root)):
            raise _reject(f.name, problems[0])
        try:
            (parser.add_bpmn_xml if f.kind == "bpmn" else parser.add_dmn_xml)(root, filename=f.name)
        except ValidationException as err:
            raise _reject(err.file_name or f.name, str(err).split("\n")[0], err.id or "") from None
        except SpiffWorkflowException as err:
            raise _reject(f.name, str(err)) from None
    return parser


def _process_file(parser, process_id: str) -> str:
    return parser.get_process_parser(process_id).filename


@dataclass
class _Candidate:
    process_id: str
    name: str
    file_name: str
    xml: str
    spec_json: str
    forms: dict
    startable: bool

    @property
    def content_hash(self) -> str:
        blob = json.dumps([self.xml, self.spec_json, self.forms], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class _FormFinder:
    """Looks a form up in the deployment's files, then in the forms folder (adding it to the files)."""

    def __init__(self, files: dict[str, SourceFile], forms_dir: Path | None):
        self.files = files
        self.base = forms_dir.resolve() if forms_dir is not None else None

    def __call__(self, path: str) -> dict | None:
        if path in self.files and self.files[path].kind == "form":
            return parse_form(self.files[path])
        local = (self.base / path).resolve() if self.base is not None else None
        if local is None or not local.is_file() or self.base not in local.parents:
            return None
        self.files[path] = SourceFile(path, local.read_bytes())
        return parse_form(self.files[path])


def _check_process(parser, process_id: str, find_form: _FormFinder, problems: list) -> _Candidate | None:
    file_name = _process_file(parser, process_id)
    try:
        spec = parser.get_spec(process_id)
        subs = parser.get_subprocess_specs(process_id)
    except (ValidationException, SpiffWorkflowException) as err:
        problems.append({"file": getattr(err, "file_name", "") or file_name,
                         "element": getattr(err, "id", "") or process_id, "message": str(err).split("\n")[0]})
        return None
    startable = validation.startable(parser.get_process_parser(process_id).node)
    if startable is None:
        problems.append({"file": file_name, "element": process_id, "message":
                         f"property {validation.STARTABLE_PROPERTY!r} must be 'true' or 'false'"})
    forms = {}
    for each in [spec, *subs.values()]:
        for element, message in validation.check_spec(each, REGISTRY, find_form):
            problems.append({"file": each.file or file_name, "element": element, "message": message})
        for task_spec in each.task_specs.values():
            path = validation.form_path(task_spec)
            if path and (schema := find_form(path)) is not None:
                forms[path] = schema
    return _Candidate(process_id, spec.description or process_id, file_name,
                      find_form.files[file_name].content.decode("utf-8"), spiff.dump_spec(spec, subs), forms,
                      bool(startable))


def _candidates(parser, files: dict[str, SourceFile], forms_dir: Path | None) -> list[_Candidate]:
    """Check every process; forms found only in ``forms_dir`` are added to ``files``."""
    find_form = _FormFinder(files, forms_dir)
    problems: list[dict] = []
    out = [_check_process(parser, pid, find_form, problems) for pid in sorted(parser.get_process_ids())]
    if problems:
        unique = [dict(t) for t in {tuple(sorted(p.items())) for p in problems}]
        unique.sort(key=lambda p: (p["file"], p["element"], p["message"]))
        first = unique[0]
        raise DeploymentRejected(f"{len(unique)} problem(s); first: {first['file']} {first['element']}: "
                                 f"{first['message']}", details=unique)
    return [c for c in out if c is not None]


def without_superseded(session: Session, files: list[SourceFile],
                       latest: dict[str, SourceFile]) -> list[SourceFile]:
    """``files`` without those whose exact content was deployed before and has since been replaced
    (``latest``: the stored files, as ``latest_files`` reads them).

    Start-up deploys the library folder; a table an administrator changed on the server since
    (``/admin/rules``) must not be rolled back by the folder's older copy of it.
    """
    older = set(session.execute(select(DeploymentFile.name, DeploymentFile.sha256)).all())
    return [f for f in files if not ((f.name, f.sha256) in older and f.name in latest
                                     and latest[f.name].sha256 != f.sha256)]


def _checked(stored: dict[str, SourceFile], uploaded: list[SourceFile], max_bytes: int,
             forms_dir: Path | None) -> tuple[dict[str, SourceFile], list[_Candidate]]:
    """Every deploy-time check of ``uploaded`` with the ``stored`` files (``latest_files``); raises
    ``DeploymentRejected``."""
    if not uploaded:
        raise _reject("(none)", "a deployment needs at least one file")
    _check_names(uploaded, max_bytes)
    for f in uploaded:
        if f.kind == "form":
            parse_form(f)
        elif found := extensions.foreign_extensions(parse_xml(f)):
            message = extensions.refusal(found)
            raise DeploymentRejected(f"{f.name}: {message}", details=[
                {"file": f.name, "element": element, "message": f"{name} is a Camunda extension Mediate does not read"}
                for element, name in found])
    files = {**stored, **{f.name: f for f in uploaded}}
    return files, _candidates(_build_parser(files), files, forms_dir)


def check(session: Session, uploaded: list[SourceFile], *, max_bytes: int, forms_dir: Path | None = None) -> list[dict]:
    """The problems ``deploy`` would refuse these files for (``file``, ``element``, ``message``); writes nothing."""
    try:
        _checked(latest_files(session), uploaded, max_bytes, forms_dir)
    except DeploymentRejected as err:
        return list(err.details or [])
    return []


def deploy(session: Session, uploaded: list[SourceFile], actor: str, *, max_bytes: int,
           forms_dir: Path | None = None, event: str = "deployed", note: dict | None = None,
           keep_newer: bool = False) -> dict:
    """Check and store a deployment; return the versions it made (unchanged processes keep theirs).

    ``event`` and ``note`` name the audit event and what it adds to the event's detail;
    ``keep_newer`` leaves out files whose content is an older deployed version (``without_superseded``).
    """
    stored = latest_files(session)
    if keep_newer and uploaded and not (uploaded := without_superseded(session, uploaded, stored)):
        return {"deployment": None, "versions": []}
    files, candidates = _checked(stored, uploaded, max_bytes, forms_dir)

    latest = {pv.process_id: pv for pv in session.scalars(
        select(ProcessVersion).where(ProcessVersion.id.in_(
            select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id))))}
    changed = [c for c in candidates if c.process_id not in latest
               or latest[c.process_id].content_hash != c.content_hash]
    # Forms picked up from the forms folder travel with the deployment like uploaded ones.
    new_files = [f for f in files.values() if f.name not in stored or stored[f.name].sha256 != f.sha256]
    if not changed and not new_files:
        return {"deployment": None, "versions": [_version_dict(latest[c.process_id], False) for c in candidates]}

    # Chained to the deployment before it, so files deployed again later (a rollback) make a new row.
    previous_id = session.scalar(select(func.max(Deployment.id))) or 0
    digest = hashlib.sha256((f"{previous_id}:" + "".join(sorted(f.name + f.sha256 for f in uploaded)))
                            .encode()).hexdigest()
    deployment = Deployment(content_hash=digest, actor=actor)
    deployment.files = [DeploymentFile(name=f.name, kind=f.kind, sha256=f.sha256,
                                       content=f.content.decode("utf-8")) for f in new_files]
    session.add(deployment)
    session.flush()
    versions = []
    for c in candidates:
        if c not in changed:
            versions.append(_version_dict(latest[c.process_id], False))
            continue
        previous = latest.get(c.process_id)
        pv = ProcessVersion(process_id=c.process_id, version=(previous.version + 1) if previous else 1,
                            name=c.name, deployment_id=deployment.id, file_name=c.file_name,
                            content_hash=c.content_hash, bpmn_xml=c.xml, spec_json=c.spec_json, forms=c.forms,
                            startable=c.startable)
        session.add(pv)
        versions.append(pv)
    session.flush()
    result = [v if isinstance(v, dict) else _version_dict(v, True) for v in versions]
    audit.record(session, event, actor, detail={**(note or {}), "deployment": deployment.id, "versions": result})
    decisions.forget()
    return {"deployment": deployment.id, "versions": result}


def _version_dict(pv: ProcessVersion, created: bool) -> dict:
    return {"process_id": pv.process_id, "version": pv.version, "name": pv.name, "created": created}


def list_processes(session: Session) -> list[dict]:
    """Every deployed process with its versions; name and ``startable`` are the latest version's."""
    out: dict[str, dict] = {}
    for pv in session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)):
        entry = out.setdefault(pv.process_id, {"process_id": pv.process_id, "versions": []})
        entry["versions"].append(pv.version)
        entry["name"], entry["latest"], entry["startable"] = pv.name, pv.version, pv.startable
    return list(out.values())


def version_xml(session: Session, process_id: str, version: int) -> str:
    """The BPMN XML a process version was deployed from."""
    pv = session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                     ProcessVersion.version == version))
    if pv is None:
        raise NotFound(f"no version {version} of process {process_id!r}")
    return pv.bpmn_xml
