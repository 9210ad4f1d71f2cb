"""The organisation tree and who may see what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Forbidden, NotFound
from .models import RECEIVING_ROLES, OrgUnit, User


def add_unit(session: Session, code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    """Create a unit under ``parent`` with its materialised path."""
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def unit_by_code(session: Session, code: str) -> OrgUnit:
    """The unit with this code, or ``NotFound``."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"no org unit with code {code!r}", fields={"unit": "unknown unit code"})
    return unit


def subtree_ids(session: Session, unit: OrgUnit) -> list[int]:
    """Ids of the unit and every unit below it."""
    return list(session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))


def visible_unit_ids(session: Session, user: User) -> list[int] | None:
    """Units whose cases the user may see; ``None`` means all (admin)."""
    if user.role == "admin":
        return None
    # Everyone else sees their unit and what lies below it: county staff and leaders their
    # whole county, a village mediator the village and its grids.
    return subtree_ids(session, user.org_unit)


def listing_units(session: Session, user: User, unit_code: str | None = None) -> list[int] | None:
    """Units a listing covers: all the user may see, or one visible unit's subtree (None: all)."""
    if not unit_code:
        return visible_unit_ids(session, user)
    unit = unit_by_code(session, unit_code)
    require_unit(session, user, unit.id)
    return subtree_ids(session, unit)


def can_see_unit(session: Session, user: User, unit_id: int) -> bool:
    """Whether ``unit_id`` lies in the user's visible subtree (compared by materialised path)."""
    if user.role == "admin":
        return True
    unit = session.get(OrgUnit, unit_id)  # usually already loaded with the row being checked
    return unit is not None and unit.path.startswith(user.org_unit.path)


def require_unit(session: Session, user: User, unit_id: int) -> None:
    """Raise ``Forbidden`` unless the user may act in ``unit_id``."""
    if not can_see_unit(session, user, unit_id):
        raise Forbidden("this belongs to another unit")


def workable_roles(user: User) -> tuple[str, ...]:
    """Task roles (lanes) the user may work: their own, plus ``department`` for a receiving unit."""
    if user.role in RECEIVING_ROLES and user.org_unit.kind != "department":
        return (user.role, "department")
    return (user.role,)


def roles_working(role: str, unit: OrgUnit) -> tuple[str, ...]:
    """User roles that work a task of ``role`` in ``unit`` (the inverse of ``workable_roles``)."""
    if role == "department" and unit.kind != "department":
        return ("department", *RECEIVING_ROLES)
    return (role,)
