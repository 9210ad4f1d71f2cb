"""The organisation tree and who may see what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Forbidden, NotFound
from .models import RECEIVING_ROLES, OrgUnit, User

# Where a unit of each kind may sit: a county at the top, a town under a county, a village under
# a town, a grid under a village; a functional department under a county or a town.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    "county": (None,), "town": ("county",), "village": ("town",), "grid": ("village",),
    "department": ("county", "town"),
}
# The roles a user may hold at each kind of unit: the county centre holds the county-wide roles
# (administrators, designers, leaders), a village its mediators (and its 社会治理工作站 staff),
# a grid its grid workers, a department its officers.
ROLES_AT: dict[str, tuple[str, ...]] = {
    "county": ("centre_staff", "mediator", "leader", "admin", "designer"),
    "town": ("centre_staff", "mediator", "leader"),
    "village": ("mediator", "centre_staff"),
    "grid": ("grid_worker",),
    "department": ("department",),
}
# Who reads the figures, the analysis ledger and the risk list of the units they see.
OVERSEERS = ("centre_staff", "leader", "admin")


def require_overseer(user: User, what: str) -> None:
    """Refuse anyone but centre staff, leaders and administrators; ``what`` names what was asked for."""
    if user.role not in OVERSEERS:
        raise Forbidden(f"{what} for centre staff, leaders and administrators")


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


# Who works a lane's tasks at a unit of some kind besides the lane's own role. The ``department``
# lane is "the unit the order went to": at a village, town or county its mediators and centre
# staff receive it, at a grid its grid worker. At a department its officers mediate (行政调解),
# at a grid the grid worker does (即采即办).
STAND_INS: dict[tuple[str, str], tuple[str, ...]] = {
    ("department", "grid"): ("grid_worker",),
    ("department", "village"): RECEIVING_ROLES,
    ("department", "town"): RECEIVING_ROLES,
    ("department", "county"): RECEIVING_ROLES,
    ("mediator", "department"): ("department",),
    ("mediator", "grid"): ("grid_worker",),
}


def workable_roles(user: User) -> tuple[str, ...]:
    """Task roles (lanes) the user may work at their own kind of unit (the inverse of ``roles_working``)."""
    kind = user.org_unit.kind
    return (user.role, *(lane for (lane, at), roles in STAND_INS.items() if at == kind and user.role in roles))


def roles_working(role: str, unit: OrgUnit) -> tuple[str, ...]:
    """User roles that work a task of ``role`` in ``unit``."""
    return (role, *STAND_INS.get((role, unit.kind), ()))
