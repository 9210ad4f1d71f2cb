"""The administrator's organisation units: the tree, create, rename, close and reopen, and CSV import.

Where a unit may sit is ``orgs.PARENT_KINDS`` (a grid under a village, a village under a town,
a town or a department under a county, …). A unit is never deleted; closing it is refused, with
the reasons, while it still has active users, active mediators, open units below it or open
work (cases, tasks, orders). The import reads a whole CSV file, reports every bad row with its
line number, and writes nothing unless every row is good (``unit_import``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, orgs
from .errors import FormInvalid, NotFound
from .models import ORDER_OPEN_STATES, UNIT_KINDS, Case, Mediator, Order, OrgUnit, TaskItem, User
from .people import invalid, kind_name, open_unit, require_admin

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
CODE_RULE = "1 to 40 letters, digits or _ . -, starting with a letter or digit"
CODE_RULE_ZH = "代码须为 1 至 40 个字母、数字或 _ . -,以字母或数字开头"
BLOCKER_NAMES = {"active users": "名在用账号", "active mediators": "名在册调解员", "open units below it": "个在用下级单位",
                 "open cases": "件未结案件", "open tasks": "项未办任务", "open orders": "张未结工单"}
NAME_MAX = 120


@dataclass(frozen=True)
class Node:
    """A unit in the tree, with its depth and how many active users it has."""

    unit: OrgUnit
    depth: int
    users: int


def find(session: Session, actor: User, code: str) -> OrgUnit:
    require_admin(actor)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"no unit with code {code!r}", fields={"code": "no such unit"})
    return unit


def tree(session: Session, actor: User, include_inactive: bool = True) -> list[Node]:
    """Every unit depth-first from the counties: towns and departments under their county, and so on."""
    require_admin(actor)
    query = select(OrgUnit)
    if not include_inactive:
        query = query.where(OrgUnit.active.is_(True))
    rows = list(session.scalars(query))
    users = dict(session.execute(select(User.org_unit_id, func.count()).where(User.active.is_(True))
                                 .group_by(User.org_unit_id)).all())
    known = {u.id for u in rows}
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in rows:
        children[unit.parent_id if unit.parent_id in known else None].append(unit)
    out: list[Node] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children[parent], key=lambda u: (u.kind == "department", u.code)):
            out.append(Node(unit, depth, users.get(unit.id, 0)))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return out


def check_name(name: str | None) -> str:
    text = (name or "").strip()
    if not text or len(text) > NAME_MAX:
        raise invalid("name", f"名称须为 1 至 {NAME_MAX} 个字", f"1 to {NAME_MAX} characters")
    return text


def check_placement(kind: str, parent: OrgUnit | None) -> None:
    """The kind must exist and sit under a parent of a kind ``orgs.PARENT_KINDS`` allows."""
    if kind not in UNIT_KINDS:
        raise invalid("kind", f"类型须为{'、'.join(kind_name(k) for k in UNIT_KINDS)}之一", f"one of {', '.join(UNIT_KINDS)}")
    allowed = orgs.PARENT_KINDS[kind]
    if parent is None and None not in allowed:
        above = [k for k in allowed if k]
        raise invalid("parent", f"{kind_name(kind)}须隶属于{'或'.join(kind_name(k) for k in above)}",
                      f"a {kind} sits under a {' or a '.join(above)}")
    if parent is not None and parent.kind not in allowed:
        above = [k for k in allowed if k]
        zh = f"{kind_name(kind)}须隶属于{'或'.join(kind_name(k) for k in above)}" if above else f"{kind_name(kind)}没有上级单位"
        where = f"a {' or a '.join(above)}" if above else "nothing (it is the top)"
        raise invalid("parent", zh, f"a {kind} sits under {where}, not a {parent.kind}")


def create(session: Session, actor: User, *, code: str, name: str, kind: str, parent: str | None = None) -> OrgUnit:
    """A new active unit under an open parent."""
    require_admin(actor)
    code = (code or "").strip()
    if not CODE.match(code):
        raise invalid("code", CODE_RULE_ZH, CODE_RULE)
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise invalid("code", f"代码 {code} 已被占用", f"{code} is taken")
    text = check_name(name)
    above = open_unit(session, parent, "parent") if parent else None
    check_placement(kind, above)
    unit = orgs.add_unit(session, code, text, kind, above)
    audit.record(session, "unit_created", actor.username,
                 detail={"code": code, "name": text, "kind": kind, "parent": above.code if above else None})
    return unit


def rename(session: Session, actor: User, code: str, name: str) -> OrgUnit:
    """Change a unit's name (its code, kind and place stay: cases and codes refer to them)."""
    unit = find(session, actor, code)
    text = check_name(name)
    if text != unit.name:
        audit.record(session, "unit_changed", actor.username, detail={"code": code, "name": [unit.name, text]})
        unit.name = text
    return unit


def blockers(session: Session, unit: OrgUnit) -> list[tuple[str, int]]:
    """Why the unit cannot be closed now, as ``(what, how many)`` (empty when it can)."""
    def count(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    checks = [
        ("active users", select(User.id).where(User.org_unit_id == unit.id, User.active.is_(True))),
        ("active mediators", select(Mediator.id).where(Mediator.org_unit_id == unit.id, Mediator.active.is_(True))),
        ("open units below it", select(OrgUnit.id).where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True))),
        ("open cases", select(Case.id).where(Case.org_unit_id == unit.id, Case.status != "closed")),
        ("open tasks", select(TaskItem.id).where(TaskItem.org_unit_id == unit.id, TaskItem.state == "ready")),
        ("open orders", select(Order.id).where(Order.to_unit_id == unit.id, Order.status.in_(ORDER_OPEN_STATES))),
    ]
    return [(what, n) for what, query in checks if (n := count(query))]


def set_active(session: Session, actor: User, code: str, active: bool) -> OrgUnit:
    """Close a unit nothing depends on any more, or reopen one whose parent is open."""
    unit = find(session, actor, code)
    if unit.active == active:
        return unit
    if not active:
        if found := blockers(session, unit):
            reasons = [f"{n} {what}" for what, n in found]
            zh = "、".join(f"{n} {BLOCKER_NAMES[what]}" for what, n in found)
            raise FormInvalid(f"{code} still has {', '.join(reasons)}; move or close them first",
                              fields={"code": f"仍有 {zh},请先调走或关闭 still has {', '.join(reasons)}"})
    elif unit.parent is not None and not unit.parent.active:
        raise invalid("parent", f"上级单位 {unit.parent.code} 已关闭,请先重新启用它",
                      f"the unit above, {unit.parent.code}, is closed; reopen it first")
    unit.active = active
    audit.record(session, "unit_reopened" if active else "unit_closed", actor.username, detail={"code": code})
    return unit
