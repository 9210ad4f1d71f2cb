"""What changed between two versions of a process, as a designer maps running cases across them."""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import case_migration, orgs, spiff
from .errors import Forbidden, NotFound
from .models import Case, ProcessVersion, User


@dataclass(frozen=True)
class Element:
    """A BPMN element of one process of a version: its id, name and kind (the library's task-spec class)."""

    process: str
    id: str
    name: str
    kind: str


@dataclass
class Removed:
    """An element of the old version the new one lacks; ``choices`` are the new elements of its kind."""

    element: Element
    suggestion: str | None
    choices: list[Element] = field(default_factory=list)


@dataclass
class VersionChanges:
    """A process's versions with their running cases, and the elements removed between two of them."""

    process_id: str
    versions: list[int]
    running: dict[int, int]
    from_version: int | None
    to_version: int | None
    removed: list[Removed]


def _elements(spec) -> dict[str, Element]:
    return {s.bpmn_id: Element(spec.name, s.bpmn_id, s.bpmn_name or s.bpmn_id, type(s).__name__)
            for s in spec.task_specs.values() if s.bpmn_id}


def removed_elements(source: ProcessVersion, target: ProcessVersion) -> list[Removed]:
    """Elements of ``source`` (and the processes it calls) missing from ``target``, each with the new
    elements it could be mapped to and the one SpiffWorkflow's diff lines up with it, if any."""
    old_spec, old_deps = spiff.version_spec(source.content_hash, lambda: source.spec_json)
    new_spec, new_deps = spiff.version_spec(target.content_hash, lambda: target.spec_json)
    out = []
    pairs = [(old_spec, new_spec)] + [(s, new_deps.get(name)) for name, s in sorted(old_deps.items())]
    for old, new in pairs:
        if new is None:
            continue
        kept = _elements(new)
        diff = SpecDiff(spiff.SERIALIZER.registry, old, new)
        aligned = {spec.bpmn_id: (match.bpmn_id if match is not None else None)
                   for spec, match in diff.alignment.items() if spec.bpmn_id}
        for element in _elements(old).values():
            if element.id in kept:
                continue
            choices = [e for e in kept.values() if e.kind == element.kind]
            out.append(Removed(element, aligned.get(element.id), sorted(choices, key=lambda e: e.id)))
    return out


def version_changes(session: Session, user: User, process_id: str, from_version: int | None = None,
                    to_version: int | None = None) -> VersionChanges:
    """The page's view of moving cases: versions, running cases per version, removed elements.

    Without versions named: from the oldest version with running cases to the latest.
    """
    if user.role not in case_migration.MIGRATOR_ROLES:
        raise Forbidden("only designers and administrators move cases between versions")
    versions = {pv.version: pv for pv in session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version))}
    if not versions:
        raise NotFound(f"no deployed process {process_id!r}")
    query = (select(ProcessVersion.version, func.count(Case.id)).join(Case, Case.process_version_id == ProcessVersion.id)
             .where(ProcessVersion.process_id == process_id, Case.status.in_(("open", "incident")))
             .group_by(ProcessVersion.version))
    visible = orgs.visible_unit_ids(session, user)
    if visible is not None:
        query = query.where(Case.org_unit_id.in_(visible))
    running = dict(session.execute(query).all())
    latest = max(versions)
    to_version = to_version if to_version in versions else latest
    from_version = from_version if from_version in versions else min(
        (v for v in running if v != to_version), default=None)
    removed = []
    if from_version is not None and from_version != to_version:
        removed = removed_elements(versions[from_version], versions[to_version])
    return VersionChanges(process_id, sorted(versions), running, from_version, to_version, removed)


@dataclass
class MigrationPage:
    """What the page shows: the versions and removed elements, and the report of a dry run or a move."""

    changes: VersionChanges
    report: case_migration.MigrationReport | None
    mapping: dict


def migration_page(session: Session, user: User, process_id: str, from_version: int | None,
                   to_version: int | None, *, mapping: dict | None = None, action: str | None = None,
                   codes: list[str] | None = None) -> MigrationPage:
    """The page's one call: with ``action`` (``dry_run`` or ``move``) run it first, then read the changes."""
    report = None
    if action in ("dry_run", "move"):
        report = case_migration.migrate(session, user, process_id, from_version, to_version, mapping=mapping,
                                        codes=codes, dry_run=action == "dry_run")
        session.rollback()  # a dry run wrote nothing; a move committed each case on its own
    changes = version_changes(session, user, process_id, from_version, to_version)
    return MigrationPage(changes, report, dict(report.mapping) if report is not None else dict(mapping or {}))
