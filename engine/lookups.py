"""The lists a form's pickers choose references from: units, the mediator pool, users.

Each lists what lies in the caller's county (the county unit at or above the caller's unit;
everything for an administrator): a town clerk re-dispatching an order picks a county
department, and a party chooses a mediator from the county's whole pool (调解超市), so the
lists reach past the caller's own subtree, but never into another county, which no reference
of the caller's cases may name (``references``). Users are listed without password hashes,
active ones unless asked otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from . import orgs, references
from .errors import NotFound
from .models import Mediator, OrgUnit, User


def _county_path(session: Session, user: User) -> str | None:
    """The materialised path every listed row's unit starts with (None: everything, for admins)."""
    return None if user.role == "admin" else references.county_of(session, user.org_unit).path


def _within(query: Select, unit_path, county_path: str | None) -> Select:
    return query if county_path is None else query.where(unit_path.startswith(county_path))


def _page(session: Session, query: Select, page: int, per_page: int,
          keep: Callable[[object], bool] | None = None) -> tuple[list, bool]:
    """One page of ``query`` as ``(rows, has_more)``; ``keep`` filters rows the database cannot."""
    if keep is None:
        rows = list(session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).unique())
    else:
        rows = [r for r in session.scalars(query).unique() if keep(r)][(page - 1) * per_page:page * per_page + 1]
    return rows[:per_page], len(rows) > per_page


def _text(query: Select, text: str | None, *columns) -> Select:
    if not text:
        return query
    like = f"%{text}%"
    return query.where(or_(*(c.ilike(like) for c in columns)))


def units(session: Session, user: User, *, kind: str | None = None, parent: str | None = None,
          text: str | None = None, page: int = 1, per_page: int = 50) -> tuple[list[OrgUnit], bool]:
    """Open units of the caller's county by code: of one kind, the children of one unit, or matching a text."""
    county_path = _county_path(session, user)
    query = _within(select(OrgUnit).options(joinedload(OrgUnit.parent)), OrgUnit.path, county_path)
    query = query.where(OrgUnit.active.is_(True))  # a closed unit is no longer chosen
    if parent:
        above = session.scalar(select(OrgUnit.id).where(OrgUnit.code == parent))
        if above is None:
            raise NotFound(f"no org unit with code {parent!r}", fields={"parent": "unknown unit code"})
        query = query.where(OrgUnit.parent_id == above)
    if kind:
        query = query.where(OrgUnit.kind == kind)
    query = _text(query, text, OrgUnit.name, OrgUnit.code)
    return _page(session, query.order_by(OrgUnit.code), page, per_page)


def mediators(session: Session, user: User, *, tier: str | None = None, specialty: str | None = None,
              mediation_type: str | None = None, gold: bool | None = None, username: str | None = None,
              text: str | None = None, include_inactive: bool = False, page: int = 1,
              per_page: int = 50) -> tuple[list[Mediator], bool]:
    """The county's mediator pool with each one's open workload (``active_load``), by id."""
    query = select(Mediator).join(Mediator.org_unit)
    query = _within(query, OrgUnit.path, _county_path(session, user))
    if not include_inactive:
        query = query.where(Mediator.active.is_(True))
    if tier:
        query = query.where(Mediator.tier == tier)
    if mediation_type:
        query = query.where(Mediator.mediation_type == mediation_type)
    if gold is not None:
        query = query.where(Mediator.gold.is_(gold))
    if username:
        query = query.where(Mediator.user_id.in_(select(User.id).where(User.username == username)))
    query = _text(query, text, Mediator.name)
    # Specialties are a JSON list, which SQLite and PostgreSQL search differently; a county's pool
    # is small enough to filter here.
    keep = (lambda m: specialty in (m.specialties or [])) if specialty else None
    return _page(session, query.order_by(Mediator.id), page, per_page, keep)


def users(session: Session, user: User, *, role: str | None = None, unit: str | None = None,
          text: str | None = None, include_inactive: bool = False, page: int = 1,
          per_page: int = 50) -> tuple[list[User], bool]:
    """Users of the caller's county by username: of one role, of one unit, or matching a text."""
    query = select(User).join(User.org_unit)
    query = _within(query, OrgUnit.path, _county_path(session, user))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    if role:
        query = query.where(User.role == role)
    if unit:
        query = query.where(User.org_unit_id == orgs.unit_by_code(session, unit).id)
    query = _text(query, text, User.username, User.display_name)
    return _page(session, query.order_by(User.username), page, per_page)
