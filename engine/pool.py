"""The administrator's mediator pool (调解员资源库): add, edit, retire and return mediators, link them to users.

A mediator is a row of the pool that matching and the parties' choice (调解超市) pick from; the
linked user is the account that works the mediator's tasks. The tier is the level the mediator
serves at (village, town, county; grid for 即采即办) and must match their unit's kind, except
that a county or town may keep mediators of the tiers below. Each change is audited; a mediator
is never deleted (assignments and subsidies refer to them).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, lookups
from .errors import NotFound
from .models import Mediator, User
from .people import invalid, kind_name, open_unit, require_admin
from .references import TIERS

MEDIATION_TYPES = ("人民调解", "行政调解", "司法调解", "行业性专业性调解")
SPECIALTIES_MAX, SPECIALTY_LENGTH, NAME_MAX = 20, 40, 80
# The tier a unit of each kind may hold mediators of.
TIERS_AT = {"county": ("county", "town", "village"), "town": ("town", "village"), "village": ("village",),
            "grid": ("grid",), "department": ("county", "town")}


def find(session: Session, actor: User, mediator_id: int) -> Mediator:
    require_admin(actor)
    row = session.get(Mediator, mediator_id)
    if row is None:
        raise NotFound(f"no mediator {mediator_id}", fields={"id": "no such mediator"})
    return row


def list_pool(session: Session, actor: User, **filters) -> tuple[list[Mediator], bool]:
    """The whole pool for an administrator, with the lookups' filters (tier, specialty, type, gold, active)."""
    require_admin(actor)
    return lookups.mediators(session, actor, **filters)


def _specialties(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    out = []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        if len(text) > SPECIALTY_LENGTH:
            raise invalid("specialties", f"每项专长最多 {SPECIALTY_LENGTH} 个字", f"each at most {SPECIALTY_LENGTH} characters")
        if text not in out:
            out.append(text)
    if len(out) > SPECIALTIES_MAX:
        raise invalid("specialties", f"专长最多 {SPECIALTIES_MAX} 项", f"at most {SPECIALTIES_MAX}")
    return out


def _linked_user(session: Session, username: str | None, mediator_id: int | None) -> User | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise invalid("username", f"用户 {username.strip()} 不存在", f"no user {username!r}")
    if not user.active:
        raise invalid("username", f"用户 {user.username} 已停用", f"{user.username} is deactivated")
    other = session.scalar(select(Mediator.id).where(Mediator.user_id == user.id, Mediator.id != (mediator_id or 0)))
    if other is not None:
        raise invalid("username", f"用户 {user.username} 已关联 {other} 号调解员",
                      f"{user.username} is already linked to mediator {other}")
    return user


def _name(text: str | None) -> str:
    name = (text or "").strip()
    if not name or len(name) > NAME_MAX:
        raise invalid("name", f"姓名须为 1 至 {NAME_MAX} 个字", f"1 to {NAME_MAX} characters")
    return name


def _placement(session: Session, row: Mediator, values: dict):
    """The unit and tier after the change: the tier must be one the unit's kind holds (``TIERS_AT``)."""
    unit = open_unit(session, values["unit"]) if values.get("unit") else row.org_unit
    tier = values.get("tier") or row.tier
    if tier not in TIERS:
        raise invalid("tier", f"层级须为{'、'.join(kind_name(t) for t in TIERS)}之一", f"one of {', '.join(TIERS)}")
    if unit is not None and tier not in TIERS_AT[unit.kind]:
        raise invalid("tier", f"{kind_name(unit.kind)}只设{'、'.join(kind_name(t) for t in TIERS_AT[unit.kind])}层级的调解员",
                      f"a {unit.kind} holds mediators of tier {', '.join(TIERS_AT[unit.kind])}")
    return unit, tier


def _apply(session: Session, row: Mediator, values: dict) -> dict:
    """Check and set the given fields; returns what changed as ``{field: [before, after]}``."""
    changes: dict[str, list] = {}

    def put(name, value, shown=None):
        before = getattr(row, name)
        if before != value:
            key = {"org_unit": "unit", "user": "username"}.get(name, name)
            changes[key] = [shown(before) if shown else before, shown(value) if shown else value]
            setattr(row, name, value)

    if "name" in values:
        put("name", _name(values["name"]))
    unit, tier = _placement(session, row, values)
    put("org_unit", unit, lambda u: u.code if u else None)
    put("tier", tier)
    if "mediation_type" in values:
        if values["mediation_type"] not in MEDIATION_TYPES:
            raise invalid("mediation_type", f"调解类型须为{'、'.join(MEDIATION_TYPES)}之一",
                          f"one of {', '.join(MEDIATION_TYPES)}")
        put("mediation_type", values["mediation_type"])
    if "specialties" in values:
        put("specialties", _specialties(values["specialties"]))
    if "gold" in values:
        put("gold", bool(values["gold"]))
    if "username" in values:
        user = _linked_user(session, values["username"], row.id)
        put("user", user, lambda u: u.username if u else None)
    return changes


def create(session: Session, actor: User, **values) -> Mediator:
    """A new active mediator; ``name``, ``tier`` and ``unit`` are required."""
    require_admin(actor)
    for required in ("name", "tier", "unit"):
        if not values.get(required):
            raise invalid(required, "必填", "required")
    row = Mediator(org_unit=None, specialties=[], mediation_type=MEDIATION_TYPES[0], gold=False, active=True,
                   active_load=0, name="", tier=values["tier"])
    changes = _apply(session, row, values)
    session.add(row)
    session.flush()
    audit.record(session, "mediator_created", actor.username, detail={"id": row.id, **changes})
    return row


def update(session: Session, actor: User, mediator_id: int, **values) -> Mediator:
    """Change any of name, tier, unit, mediation type, specialties, gold title, linked user (``username``)."""
    row = find(session, actor, mediator_id)
    if changes := _apply(session, row, values):
        audit.record(session, "mediator_changed", actor.username, detail={"id": row.id, **changes})
    return row


def set_active(session: Session, actor: User, mediator_id: int, active: bool) -> Mediator:
    """Take a mediator out of the pool (their open cases stay with them) or back in (their unit must be open)."""
    row = find(session, actor, mediator_id)
    if row.active == active:
        return row
    if active and not row.org_unit.active:
        raise invalid("unit", f"所在单位 {row.org_unit.code} 已关闭,请先调到在用单位",
                      f"unit {row.org_unit.code} is closed; move the mediator first")
    row.active = active
    audit.record(session, "mediator_reactivated" if active else "mediator_deactivated", actor.username,
                 detail={"id": row.id, "name": row.name})
    return row
