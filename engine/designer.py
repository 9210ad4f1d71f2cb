"""The designer's overview: processes and their versions with the cases on each, decision tables, forms.

Everything here reads; ``form_design`` changes forms. Designers and administrators only
(``require``). Case counts come from one grouped query over the case table (its index on
``(process_version_id, status)`` answers it without reading case rows), so the page stays quick
with many cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import Forbidden
from .models import Case, Deployment, DeploymentFile, ProcessVersion, User

ROLES = ("designer", "admin")


def require(user: User) -> None:
    """Designers and administrators see and change the process library; anyone else gets a 403."""
    if user.role not in ROLES:
        raise Forbidden("only process designers and administrators may open the designer pages")


@dataclass
class VersionRow:
    version: int
    deployed_at: datetime
    deployed_by: str
    open_cases: int
    all_cases: int
    forms: tuple[str, ...]


@dataclass
class ProcessRow:
    process_id: str
    name: str
    startable: bool
    versions: list[VersionRow] = field(default_factory=list)

    @property
    def latest(self) -> VersionRow:
        return self.versions[-1]

    @property
    def open_cases(self) -> int:
        return sum(v.open_cases for v in self.versions)


@dataclass
class FileVersion:
    version: int
    deployed_at: datetime
    deployed_by: str


@dataclass
class DecisionFile:
    """A DMN file with its decisions (as the newest version declares them) and every version deployed."""

    name: str
    decisions: list[tuple[str, str]]  # (decision id, name)
    versions: list[FileVersion]


@dataclass
class FormRow:
    path: str
    used_by: list[tuple[str, int]]  # (process id, version) of every version carrying the form
    latest_users: list[str]  # processes whose newest version carries it (a save makes them a new version)


@dataclass
class Overview:
    processes: list[ProcessRow]
    decisions: list[DecisionFile]
    forms: list[FormRow]


# A version's forms never change; their names by content hash spare reading the (deferred, large) column again.
_FORM_NAMES: dict[str, tuple[str, ...]] = {}


def version_forms(session: Session, versions: list[ProcessVersion]) -> dict[int, tuple[str, ...]]:
    """Version id → the form paths it carries, reading the forms column only of versions not seen before."""
    missing = [v.id for v in versions if v.content_hash not in _FORM_NAMES]
    if missing:
        for content_hash, forms in session.execute(
                select(ProcessVersion.content_hash, ProcessVersion.forms).where(ProcessVersion.id.in_(missing))):
            _FORM_NAMES[content_hash] = tuple(sorted(forms or {}))
    return {v.id: _FORM_NAMES[v.content_hash] for v in versions}


def case_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Version id → (cases still running, all cases), in one grouped query."""
    rows = session.execute(select(Case.process_version_id, func.sum(when((Case.status != "closed", 1), else_=0)),
                                  func.count()).group_by(Case.process_version_id))
    return {version_id: (int(running or 0), int(total)) for version_id, running, total in rows}


def processes(session: Session) -> list[ProcessRow]:
    """Every process with each deployed version: when, by whom, the cases on it and the forms it carries."""
    versions = list(session.execute(select(ProcessVersion, Deployment.created_at, Deployment.actor)
                                    .join(Deployment, Deployment.id == ProcessVersion.deployment_id)
                                    .order_by(ProcessVersion.process_id, ProcessVersion.version)))
    counts = case_counts(session)
    forms = version_forms(session, [pv for pv, _, _ in versions])
    out: dict[str, ProcessRow] = {}
    for pv, at, actor in versions:
        row = out.setdefault(pv.process_id, ProcessRow(pv.process_id, pv.name, pv.startable))
        row.name, row.startable = pv.name, pv.startable  # the newest version's
        running, total = counts.get(pv.id, (0, 0))
        row.versions.append(VersionRow(pv.version, at, actor, running, total, forms[pv.id]))
    return list(out.values())


def _decisions_of(content: str) -> list[tuple[str, str]]:
    from .deploy import SourceFile, parse_xml
    root = parse_xml(SourceFile("table.dmn", content.encode("utf-8")))
    return [(d.get("id") or "", d.get("name") or d.get("id") or "") for d in root.iter("{*}decision")]


def decision_files(session: Session) -> list[DecisionFile]:
    """Every deployed DMN file: its versions (one per deployment that changed it) and its decisions."""
    rows = session.execute(select(DeploymentFile.name, DeploymentFile.id, Deployment.created_at, Deployment.actor)
                           .join(Deployment, Deployment.id == DeploymentFile.deployment_id)
                           .where(DeploymentFile.kind == "dmn").order_by(DeploymentFile.name, Deployment.id))
    files: dict[str, DecisionFile] = {}
    newest: dict[str, int] = {}
    for name, file_id, at, actor in rows:
        entry = files.setdefault(name, DecisionFile(name, [], []))
        entry.versions.append(FileVersion(len(entry.versions) + 1, at, actor))
        newest[name] = file_id
    for name, content in session.execute(select(DeploymentFile.name, DeploymentFile.content)
                                         .where(DeploymentFile.id.in_(newest.values()))):
        files[name].decisions = _decisions_of(content)
    return list(files.values())


def forms(process_rows: list[ProcessRow]) -> list[FormRow]:
    """Every form some version carries, with the versions that carry it."""
    out: dict[str, FormRow] = {}
    for process in process_rows:
        for version in process.versions:
            for path in version.forms:
                row = out.setdefault(path, FormRow(path, [], []))
                row.used_by.append((process.process_id, version.version))
                if version is process.latest:
                    row.latest_users.append(process.process_id)
    return [out[path] for path in sorted(out)]


def overview(session: Session, user: User) -> Overview:
    """What ``/designer`` shows."""
    require(user)
    rows = processes(session)
    return Overview(rows, decision_files(session), forms(rows))
