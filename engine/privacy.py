"""Parties' personal data: which form fields hold it, how it is masked, and who sees it in full.

A form marks a personal field with the annotation keyword ``"x-personal": "<kind>"`` (JSON
Schema validators ignore unknown keywords). The marks of every form of a process version
apply to all of its cases' data, since a task's data carries what earlier forms collected
(the ``parties`` of the registration reach every later task).

Who *works the case* and so sees the parties' data in full (``works_case``):

- whoever opened the case, and whoever holds or completed one of its tasks;
- whoever is offered one of its open tasks that is unclaimed (or named for a colleague but open
  to the unit): a user of a role that works the task
  (``orgs.workable_roles``) in the task's own unit, as the inbox offers it; a mediator of the
  county does not work a village's task just because the county sees the village (claiming it
  makes them its holder, and the claim is audited);
- the centre staff and leaders of the case's current unit and the units above it, who
  register, assess, review and sign cases off.

Everyone else sees masked values, administrators and designers included (an administrator
who claims or opens a case works it). Lists never carry form data, and the audit log stores
submitted data masked: nobody reads full values from it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from . import audit, clock, orgs
from .models import AuditEvent, Case, ProcessVersion, TaskItem, User

KEYWORD = "x-personal"
KINDS = ("id_number", "phone", "name", "address")
# Kinds whose every full view is audited (who saw which field of which case, never the value).
AUDITED_KINDS = frozenset({"id_number"})
# Centre roles that see their subtree's cases in full; administrators are not among them.
CASE_SUPERVISORS = ("centre_staff", "leader")
# Full views by one reader of one case within this window are one audit event (``MEDIATE_VIEW_AUDIT_MINUTES``).
VIEW_WINDOW = timedelta(minutes=30)
# What replaces a value that cannot be masked character by character (an object, a list, a flag).
WITHHELD = "****"

Paths = dict[tuple[str, ...], str]  # ("parties", "*", "phone") -> "phone"; "*" is any array item


# -- the annotations -------------------------------------------------------------------------
def _children(node: dict, path: tuple) -> Iterator[tuple[object, tuple, str]]:
    """``(subschema, its data path, where it sits in the schema)`` for each subschema of ``node``."""
    properties = node.get("properties")
    if isinstance(properties, dict):
        for key, sub in properties.items():
            yield sub, (*path, key), f"properties.{key}"
    if isinstance(node.get("items"), dict):
        yield node["items"], (*path, "*"), "items"
    for word in ("prefixItems", "allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(node.get(word) or []):
            yield sub, (*path, "*") if word == "prefixItems" else path, f"{word}.{i}"
    for word in ("if", "then", "else"):
        if word in node:
            yield node[word], path, word


def _marks(node, path: tuple = (), where: str = "") -> Iterator[tuple[tuple, str, object]]:
    """``(data path, schema location, annotation value)`` of every ``x-personal`` in a schema."""
    if not isinstance(node, dict):
        return
    if KEYWORD in node:
        yield path, where or "(form)", node[KEYWORD]
    for sub, sub_path, sub_where in _children(node, path):
        yield from _marks(sub, sub_path, f"{where}.{sub_where}" if where else sub_where)


def schema_problems(schema: dict) -> list[str]:
    """What is wrong with a form's ``x-personal`` annotations (deployment refuses them)."""
    return [f"{where}: {KEYWORD} must be one of {', '.join(KINDS)}, not {value!r}"
            for _, where, value in _marks(schema) if value not in KINDS]


def schema_paths(schema: dict) -> Paths:
    """Data paths of the fields a form marks personal, with their kind."""
    found: Paths = {}
    for path, _, kind in _marks(schema):
        if path and kind in KINDS:
            found.setdefault(path, kind)
    return found


# A version's forms never change after deployment; keyed by its content hash, the paths also
# spare reading the version's (deferred, large) forms column.
_VERSION_PATHS: dict[str, Paths] = {}


def version_paths(version: ProcessVersion) -> Paths:
    """Personal data paths marked by any form of a process version."""
    paths = _VERSION_PATHS.get(version.content_hash)
    if paths is None:
        paths = {}
        for schema in (version.forms or {}).values():
            for path, kind in schema_paths(schema).items():
                paths.setdefault(path, kind)
        _VERSION_PATHS[version.content_hash] = paths
    return paths


# -- masking -----------------------------------------------------------------------------------
def _keep(kind: str, length: int) -> tuple[int, int]:
    """How many characters to keep at the start and at the end."""
    if kind == "id_number":
        return 6, 4  # 441581********1234: the region of issue and the check digits
    if kind == "phone":
        return 3, 4  # 138****8000
    if kind == "name":
        return 1, 1 if length >= 3 else 0  # 张*, 张*明
    return min(6, length // 3), 0  # an address: the first part only


def mask_value(kind: str, value):
    """``value`` with most of it replaced by ``*``; ``None`` and ``""`` stay as they are.

    At least a third of the characters are hidden, else all are; numbers are masked as text;
    anything else (an object, a list, a flag) is withheld whole.
    """
    if value is None or value == "":
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return WITHHELD
    text = str(value)
    head, tail = _keep(kind, len(text))
    hidden = len(text) - head - tail
    if hidden < max(1, len(text) // 3):
        return "*" * len(text)
    if kind == "address":
        return text[:head] + WITHHELD
    return text[:head] + "*" * hidden + text[len(text) - tail:]


def _slots(node, path: tuple, trail: tuple = ()) -> Iterator[tuple[object, object, tuple]]:
    """``(container, key, concrete path)`` of every value found at ``path`` in ``node``."""
    head, rest = path[0], path[1:]
    if head == "*":
        keys = range(len(node)) if isinstance(node, list) else ()
    else:
        keys = (head,) if isinstance(node, dict) and head in node else ()
    for key in keys:
        if rest:
            yield from _slots(node[key], rest, (*trail, key))
        else:
            yield node, key, (*trail, key)


def mask_data(paths: Paths, data):
    """A copy of ``data`` with the values at ``paths`` masked (``data`` itself is left alone)."""
    if not paths or not isinstance(data, dict):
        return copy.deepcopy(data)
    out = copy.deepcopy(data)
    for path, kind in paths.items():
        for container, key, _ in _slots(out, path):
            container[key] = mask_value(kind, container[key])
    return out


def present(paths: Paths, data, kinds=KINDS) -> list[str]:
    """Dotted paths (``parties.0.id_number``) of the non-empty values of ``kinds`` in ``data``."""
    if not isinstance(data, dict):
        return []
    return [".".join(map(str, where)) for path, kind in paths.items() if kind in kinds
            for container, key, where in _slots(data, path) if container[key] not in (None, "")]


def values(paths: Paths, data, kinds=KINDS) -> Iterator[tuple[str, object]]:
    """``(kind, value)`` of every non-empty value of ``kinds`` in ``data`` (for keyed digests, never shown)."""
    if not isinstance(data, dict):
        return
    for path, kind in paths.items():
        if kind in kinds:
            for container, key, _ in _slots(data, path):
                if container[key] not in (None, ""):
                    yield kind, container[key]


def masked_names(version: ProcessVersion, data, limit: int = 10) -> list[str]:
    """The first ``limit`` names in ``data`` (fields marked ``name``), masked: what lists show of the parties."""
    if not isinstance(data, dict):
        return []
    names = [mask_value(kind, container[key]) for path, kind in version_paths(version).items() if kind == "name"
             for container, key, _ in _slots(data, path) if isinstance(container[key], str) and container[key]]
    return names[:limit]


def names(paths: Paths, data) -> list[str]:
    """The names in ``data`` (fields ``paths`` marks ``name``) in full, in order, without repeats."""
    if not isinstance(data, dict):
        return []
    found: list[str] = []
    for path, kind in paths.items():
        for container, key, _ in (_slots(data, path) if kind == "name" else ()):
            value = container[key]
            if isinstance(value, str) and value.strip() and value not in found:
                found.append(value)
    return found


def for_audit(version: ProcessVersion, data):
    """Form data as the audit log stores it: personal fields masked."""
    return mask_data(version_paths(version), data)


# -- who sees what -----------------------------------------------------------------------------
def works_case(session: Session, user: User, case: Case) -> bool:
    """Whether the user works the case and so sees its parties' personal data in full."""
    if case.opened_by == user.username:
        return True
    if user.role in CASE_SUPERVISORS and orgs.can_see_unit(session, user, case.org_unit_id):
        return True
    roles = orgs.workable_roles(user)
    rows = session.execute(select(TaskItem.role, TaskItem.org_unit_id, TaskItem.state, TaskItem.assignee_id,
                                  TaskItem.open_to_unit, TaskItem.completed_by).where(TaskItem.case_id == case.id))
    for role, unit_id, state, assignee_id, open_to_unit, completed_by in rows:
        if assignee_id == user.id or completed_by == user.username:
            return True
        offered = assignee_id is None or open_to_unit
        if state == "ready" and offered and role in roles and unit_id == user.org_unit_id:
            return True
    return False


def works_case_clause(session: Session, user: User) -> ColumnElement[bool]:
    """``works_case`` as a condition on ``Case`` rows, for queries that must not reveal what only
    those who work a case may know (a match on a party's name)."""
    mine = Case.opened_by == user.username
    if user.role in CASE_SUPERVISORS:
        visible = orgs.visible_unit_ids(session, user)
        mine = or_(mine, true() if visible is None else Case.org_unit_id.in_(visible))
    roles = orgs.workable_roles(user)
    offered = and_(TaskItem.state == "ready", or_(TaskItem.assignee_id.is_(None), TaskItem.open_to_unit),
                   TaskItem.role.in_(roles), TaskItem.org_unit_id == user.org_unit_id) if roles else false()
    task = exists().where(TaskItem.case_id == Case.id, or_(TaskItem.assignee_id == user.id,
                                                           TaskItem.completed_by == user.username, offered))
    return or_(mine, task)


def configure_view_window(minutes: int) -> None:
    """Set how long one ``personal_data_viewed`` event covers a reader's further views (0: none)."""
    global VIEW_WINDOW
    VIEW_WINDOW = timedelta(minutes=minutes)


def _seen_lately(session: Session, user: User, case: Case, fields: list[str]) -> bool:
    """Whether an event within the window already records this reader seeing these fields of the case."""
    if not VIEW_WINDOW:
        return False
    seen: set[str] = set()
    for detail in session.scalars(select(AuditEvent.detail).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "personal_data_viewed",
            AuditEvent.actor == user.username, AuditEvent.at >= clock.now() - VIEW_WINDOW)):
        seen.update((detail or {}).get("fields") or [])
    return set(fields) <= seen


def shown(session: Session, user: User, case: Case, *, task_id: int | None = None, **parts) -> dict:
    """``parts`` (named pieces of case data) as the user may see them.

    Masked unless the user works the case; a full view of an ID number is audited with the
    field paths (``data.parties.0.id_number``), never the values: once per reader, case and
    ``VIEW_WINDOW``, and again within it only for fields the earlier events do not name.
    """
    paths = version_paths(case.process_version)
    if not any(present(paths, value) for value in parts.values()):
        return parts
    if not works_case(session, user, case):
        return {name: mask_data(paths, value) for name, value in parts.items()}
    fields = [f"{name}.{where}" for name, value in parts.items()
              for where in present(paths, value, AUDITED_KINDS)]
    if fields and not _seen_lately(session, user, case, fields):
        audit.record(session, "personal_data_viewed", user.username, case_id=case.id, task_id=task_id,
                     detail={"fields": fields})
    return parts
