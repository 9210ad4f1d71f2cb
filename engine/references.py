"""References in forms: fields whose value names a real row, chosen from a list instead of typed.

A form declares one with the annotation keyword ``x-ref`` (JSON Schema validators ignore it;
the UI renders the field as a picker fed by the lookups ``GET /units``, ``/mediators``, ``/users``)::

    "target_unit_code": {"type": "string", "x-ref": {"kind": "unit", "filter": {"kind": ["town", "department"]}}}

What a value names, per ``kind``:

- ``unit``: an org unit by its ``code``; filter ``kind`` (one unit kind or a list);
- ``mediator``: a mediator of the pool by its ``id`` (the number the mediator lookup shows
  beside the name; ids never change, names may repeat); filters ``tier``, ``mediation_type``,
  ``specialty``, ``gold``;
- ``user``: a user by ``username``; filters ``role``, ``unit_kind`` (the kind of the user's unit).

When a task is completed (and a case opened with data) every reference must name a row that
exists, is active (users, mediators), matches the filter and lies in the case's county: the
county unit at or above the case's unit (a mediator or user by their unit). Otherwise the
field gets a message saying what is wrong. Deployment refuses an unknown kind, filter key or
filter value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import form_messages
from .models import INTEGER_MAX, ROLES, UNIT_KINDS, Mediator, OrgUnit, User

KEYWORD = "x-ref"
TIERS = tuple(k for k in UNIT_KINDS if k != "department")
UNIT_NAMES = {"county": ("县(市)", "a county"), "town": ("镇(街道)", "a town"), "village": ("村(社区)", "a village"),
              "grid": ("网格", "a grid"), "department": ("职能部门", "a department")}
ROLE_NAMES = {"grid_worker": ("网格员", "a grid worker"), "mediator": ("调解员", "a mediator"),
              "centre_staff": ("综治中心工作人员", "centre staff"),
              "department": ("职能部门工作人员", "a department officer"), "leader": ("领导", "a leader"),
              "admin": ("管理员", "an administrator"), "designer": ("流程设计者", "a process designer")}
FILTER_NAMES = {"tier": ("层级", "tier"), "mediation_type": ("调解类型", "mediation type"),
                "specialty": ("专长", "specialty"), "gold": ("金牌调解员", "gold title")}


def _among(allowed):
    def check(value) -> bool:
        values = value if isinstance(value, list) else [value]
        return bool(values) and all(v in allowed for v in values)
    return check


def _text(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(isinstance(v, str) and v for v in values)


# kind -> (JSON type of the value, {filter key: check of the filter's value})
KINDS = {
    "unit": ("string", {"kind": _among(UNIT_KINDS)}),
    "mediator": ("integer", {"tier": _among(TIERS), "mediation_type": _text, "specialty": _text,
                             "gold": lambda v: isinstance(v, bool)}),
    "user": ("string", {"role": _among(ROLES), "unit_kind": _among(UNIT_KINDS)}),
}


@dataclass(frozen=True)
class Ref:
    """One declared reference: where its values sit in the data (``*`` is any array item) and what they name."""

    path: tuple[str, ...]
    kind: str
    filter: dict
    title: tuple[str, str]


# -- the annotations --------------------------------------------------------------------------
def _children(node: dict, path: tuple) -> Iterator[tuple[dict, tuple]]:
    for key, sub in (node.get("properties") or {}).items():
        yield sub, (*path, key)
    if isinstance(node.get("items"), dict):
        yield node["items"], (*path, "*")
    for word in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(word) or []:
            yield sub, path
    for word in ("then", "else"):
        if word in node:
            yield node[word], path


def _marks(node, path: tuple = (), title: str | None = None) -> Iterator[tuple[tuple, dict, str | None, object]]:
    """``(data path, annotated subschema, title, annotation)`` of every ``x-ref`` in a schema: the title of the
    field or else of the nearest one above it (as validation messages name fields)."""
    if not isinstance(node, dict):
        return
    title = node.get("title") or title
    if KEYWORD in node:
        yield path, node, title, node[KEYWORD]
    for sub, sub_path in _children(node, path):
        yield from _marks(sub, sub_path, title)


def _problem(node: dict, mark) -> str | None:
    if (not isinstance(mark, dict) or set(mark) - {"kind", "filter"} or not isinstance(mark.get("kind"), str)
            or mark["kind"] not in KINDS):
        return f"{KEYWORD} must be {{\"kind\": one of {', '.join(KINDS)}, \"filter\": {{...}}}}, not {mark!r}"
    value_type, filters = KINDS[mark["kind"]]
    declared = node.get("type")
    if declared is not None and value_type not in (declared if isinstance(declared, list) else [declared]):
        return f"{KEYWORD} of kind {mark['kind']!r} names rows by a {value_type}, but the field's type is {declared!r}"
    given = mark.get("filter", {})
    if not isinstance(given, dict):
        return f"{KEYWORD} filter must be an object"
    for key, value in given.items():
        if key not in filters:
            return f"{KEYWORD} of kind {mark['kind']!r} has no filter {key!r} (known: {', '.join(filters)})"
        if not filters[key](value):
            return f"{KEYWORD} filter {key!r} does not accept {value!r}"
    return None


def schema_problems(schema: dict) -> list[str]:
    """What is wrong with a form's ``x-ref`` annotations (deployment refuses them)."""
    return [f"{'.'.join(path) or '(form)'}: {problem}"
            for path, node, _, mark in _marks(schema) if (problem := _problem(node, mark))]


def declared(schema: dict | None) -> list[Ref]:
    """The references a form declares (annotations with problems are left out: deployment refused them)."""
    return [Ref(path, mark["kind"], dict(mark.get("filter", {})), form_messages.split_title(title, path[-1]))
            for path, node, title, mark in _marks(schema or {}) if path and _problem(node, mark) is None]


# -- the values --------------------------------------------------------------------------------
def _values(data, path: tuple, at: tuple = ()) -> Iterator[tuple[str, object]]:
    """``(dotted path, value)`` for every value at ``path`` in ``data`` (``*`` runs over a list's items)."""
    if not path:
        yield ".".join(str(p) for p in at), data
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(data, list):
        for i, item in enumerate(data):
            yield from _values(item, rest, (*at, i))
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest, (*at, head))


def _typed(kind: str, value) -> bool:
    if kind == "mediator":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and value != ""


def county_of(session: Session, unit: OrgUnit) -> OrgUnit:
    """The county unit at or above ``unit`` (the top of its tree if no unit above is a county)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.id]
    by_id = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    chain = [by_id[i] for i in reversed(ids) if i in by_id]
    return next((u for u in chain if u.kind == "county"), chain[-1] if chain else unit)


def _choice(values, names: dict) -> tuple[str, str]:
    labels = [names.get(v, (v, v)) for v in (values if isinstance(values, list) else [values])]
    return "、".join(zh for zh, _ in labels), " or ".join(en for _, en in labels)


def _unit_problem(ref: Ref, code: str, unit: OrgUnit | None, county: OrgUnit) -> str | None:
    zh, en = ref.title
    if unit is None:
        return f"{zh}:找不到代码为“{code}”的单位 {en}: no unit has the code “{code}”"
    if not unit.path.startswith(county.path):
        return f"{zh}:{unit.name}不在{county.name} {en}: {unit.name} is outside {county.name}"
    if "kind" in ref.filter and unit.kind not in _listed(ref.filter["kind"]):
        kinds_zh, kinds_en = _choice(ref.filter["kind"], UNIT_NAMES)
        return f"{zh}只能选择{kinds_zh} {en} must be {kinds_en}"
    return None


def _mediator_problem(ref: Ref, mediator_id: int, mediator: Mediator | None, county: OrgUnit) -> str | None:
    zh, en = ref.title
    if mediator is None:
        return f"{zh}:找不到编号为 {mediator_id} 的调解员 {en}: no mediator has the id {mediator_id}"
    if not mediator.active:
        return f"{zh}:调解员{mediator.name}已停用 {en}: mediator {mediator.name} is no longer active"
    if not mediator.org_unit.path.startswith(county.path):
        return f"{zh}:调解员{mediator.name}不在{county.name} {en}: mediator {mediator.name} is outside {county.name}"
    for key, wanted in ref.filter.items():
        if not _mediator_matches(mediator, key, wanted):
            key_zh, key_en = FILTER_NAMES[key]
            return (f"{zh}:调解员{mediator.name}的{key_zh}不符合要求 "
                    f"{en}: mediator {mediator.name} does not have the {key_en} asked for")
    return None


def _mediator_matches(mediator: Mediator, key: str, wanted) -> bool:
    if key == "gold":
        return mediator.gold is wanted
    if key == "specialty":
        return bool(set(_listed(wanted)) & set(mediator.specialties or []))
    return getattr(mediator, key) in _listed(wanted)


def _user_problem(ref: Ref, username: str, user: User | None, county: OrgUnit) -> str | None:
    zh, en = ref.title
    if user is None:
        return f"{zh}:找不到用户“{username}” {en}: no user “{username}”"
    shown = user.display_name or user.username
    if not user.active:
        return f"{zh}:{shown}已停用 {en}: {shown} is no longer active"
    if not user.org_unit.path.startswith(county.path):
        return f"{zh}:{shown}不在{county.name} {en}: {shown} is outside {county.name}"
    if "role" in ref.filter and user.role not in _listed(ref.filter["role"]):
        roles_zh, roles_en = _choice(ref.filter["role"], ROLE_NAMES)
        return f"{zh}只能选择{roles_zh} {en} must be {roles_en}"
    if "unit_kind" in ref.filter and user.org_unit.kind not in _listed(ref.filter["unit_kind"]):
        kinds_zh, kinds_en = _choice(ref.filter["unit_kind"], UNIT_NAMES)
        return f"{zh}只能选择{kinds_zh}的人员 {en} must be someone of {kinds_en}"
    return None


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


# kind -> (model, the column a value names, the check)
_LOOKUP = {
    "unit": (OrgUnit, OrgUnit.code, _unit_problem),
    "mediator": (Mediator, Mediator.id, _mediator_problem),
    "user": (User, User.username, _user_problem),
}


def _out_of_range(value) -> bool:
    return isinstance(value, int) and not 0 < value <= INTEGER_MAX


def problems(session: Session, refs: list[Ref], data: dict, case_unit: OrgUnit, *,
             skip: frozenset[str] | set[str] = frozenset(), prefix: str = "") -> dict[str, str]:
    """A message per field whose reference names no allowed row (fields in ``skip`` are not checked)."""
    found = [(ref, path, value) for ref in refs for path, value in _values(data, ref.path)
             if prefix + path not in skip and _typed(ref.kind, value)]
    if not found:
        return {}
    county = county_of(session, case_unit)
    rows = {}
    for kind, (model, column, _) in _LOOKUP.items():
        # An id past the column's range names no row (and PostgreSQL would refuse to compare it).
        wanted = {value for ref, _, value in found if ref.kind == kind and not _out_of_range(value)}
        found_rows = session.scalars(select(model).where(column.in_(wanted))) if wanted else []
        rows[kind] = {getattr(r, column.key): r for r in found_rows}
    out = {}
    for ref, path, value in found:
        check = _LOOKUP[ref.kind][2]
        if message := check(ref, value, rows[ref.kind].get(value), county):
            out.setdefault(prefix + path, message)
    return out
