"""三级台账: flagged dispute types of a county, town or village, each with an owner, a special team and a
due date, tracked until closed.

``enter`` adds one entry per flagged (month, unit, dispute type) and never a second; a re-run only adds
reasons found since. Centre staff and leaders of the entry's unit or of a unit above it (and
administrators) change the owner, team and due date and close the entry; every change is audited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock, orgs
from .case_codes import CHINA
from .errors import Conflict, FormInvalid, NotFound
from .models import LEDGER_STATES, AnalysisFigure, LedgerEntry, User

OWNER_ROLES = ("leader", "centre_staff")  # who owns an entry when it is entered, in this order
UPDATED, CLOSED = "ledger_updated", "ledger_closed"
DUE_SOON_DAYS = 7
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def today() -> date:
    return clock.now().astimezone(CHINA).date()


def _default_owner(session: Session, unit_id: int) -> int | None:
    for role in OWNER_ROLES:
        found = session.scalar(select(User.id).where(User.org_unit_id == unit_id, User.role == role,
                                                     User.active.is_(True)).order_by(User.id).limit(1))
        if found is not None:
            return found
    return None


def enter(session: Session, flagged: list[AnalysisFigure]) -> int:
    """Enter each flagged figure in the ledger once; returns how many entries are new."""
    added = 0
    for figure in flagged:
        entry = session.scalar(select(LedgerEntry).where(
            LedgerEntry.month == figure.month, LedgerEntry.unit_id == figure.unit_id,
            LedgerEntry.dispute_type == figure.dispute_type))
        if entry is not None:
            new = [r for r in figure.reasons if r not in entry.reasons]
            if new:
                entry.reasons = [*entry.reasons, *new]
            continue
        entry = LedgerEntry(
            level=figure.unit.kind, unit_id=figure.unit_id, month=figure.month, dispute_type=figure.dispute_type,
            reasons=list(figure.reasons), owner_id=_default_owner(session, figure.unit_id), special_team="",
            due_date=today() + timedelta(days=figure.due_days or 30), status="open", created_at=clock.now())
        session.add(entry)
        added += 1
    session.flush()
    return added


def _require_keeper(user: User) -> None:
    orgs.require_overseer(user, "the ledger is")


def listing(session: Session, user: User, *, month: str | None = None, status: str | None = None,
            due_by: date | None = None) -> list[dict]:
    """Entries at the units the user sees, soonest due first."""
    _require_keeper(user)
    if status is not None and status not in LEDGER_STATES:
        raise FormInvalid(f"status must be one of {', '.join(LEDGER_STATES)}", fields={"status": "open or closed"})
    if month and not MONTH.match(month):
        raise FormInvalid(f"month must look like 2026-11, not {month!r}", fields={"month": "YYYY-MM"})
    query = select(LedgerEntry)
    visible = orgs.visible_unit_ids(session, user)
    if visible is not None:
        query = query.where(LedgerEntry.unit_id.in_(visible))
    if month:
        query = query.where(LedgerEntry.month == month)
    if status:
        query = query.where(LedgerEntry.status == status)
    if due_by is not None:
        query = query.where(LedgerEntry.due_date <= due_by)
    rows = session.scalars(query.order_by(LedgerEntry.status.desc(), LedgerEntry.due_date, LedgerEntry.id))
    return [as_dict(e) for e in rows]


def as_dict(entry: LedgerEntry) -> dict:
    overdue = entry.status == "open" and entry.due_date < today()
    return {"id": entry.id, "level": entry.level, "unit": entry.unit.code, "unit_name": entry.unit.name,
            "month": entry.month, "dispute_type": entry.dispute_type, "reasons": list(entry.reasons or []),
            "owner": entry.owner.username if entry.owner else None,
            "owner_name": (entry.owner.display_name or entry.owner.username) if entry.owner else None,
            "special_team": entry.special_team, "due_date": entry.due_date.isoformat(), "status": entry.status,
            "overdue": overdue, "closed_at": entry.closed_at, "closing_note": entry.closing_note}


def _entry(session: Session, user: User, entry_id: int) -> LedgerEntry:
    _require_keeper(user)
    entry = session.get(LedgerEntry, entry_id)
    if entry is None or not orgs.can_see_unit(session, user, entry.unit_id):
        raise NotFound(f"no ledger entry {entry_id}")
    return entry


def _due(value) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise FormInvalid(f"due_date must be a date like 2026-12-31, not {value!r}",
                         fields={"due_date": "YYYY-MM-DD"}) from None


def update(session: Session, user: User, entry_id: int, changes: dict) -> dict:
    """Change owner (username, or empty for none), special team and due date of an open entry."""
    entry = _entry(session, user, entry_id)
    if entry.status != "open":
        raise Conflict("the entry is closed")
    done = {}
    if "owner" in changes:
        owner = _owner(session, user, changes["owner"])
        if owner != entry.owner_id:
            done["owner"] = changes["owner"] or None
            entry.owner_id = owner
    if "special_team" in changes:
        team = (changes["special_team"] or "").strip()
        if len(team) > 255:
            raise FormInvalid("special_team: at most 255 characters", fields={"special_team": "too long"})
        if team != entry.special_team:
            done["special_team"] = entry.special_team = team
    if changes.get("due_date") not in (None, ""):
        due = _due(changes["due_date"])
        if due != entry.due_date:
            entry.due_date = due
            done["due_date"] = due.isoformat()
    if done:
        audit.record(session, UPDATED, user.username, detail={"ledger_entry": entry.id, **done})
    session.flush()
    return as_dict(entry)


def _owner(session: Session, user: User, username: str | None) -> int | None:
    if not username:
        return None
    owner = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if owner is None or not orgs.can_see_unit(session, user, owner.org_unit_id):
        raise FormInvalid(f"owner: no active user {username!r} in your units", fields={"owner": "unknown user"})
    return owner.id


def close(session: Session, user: User, entry_id: int, note: str) -> dict:
    """Close an open entry with a note saying what was done."""
    entry = _entry(session, user, entry_id)
    note = (note or "").strip()
    if not note:
        raise FormInvalid("closing_note: say what was done", fields={"closing_note": "required"})
    if len(note) > 4000:
        raise FormInvalid("closing_note: at most 4000 characters", fields={"closing_note": "too long"})
    if entry.status != "open":
        raise Conflict("the entry is already closed")
    entry.status, entry.closed_at, entry.closing_note = "closed", clock.now(), note
    audit.record(session, CLOSED, user.username, detail={"ledger_entry": entry.id, "closing_note": note})
    session.flush()
    return as_dict(entry)


def owner_choices(session: Session, user: User, limit: int = 300) -> list[User]:
    """Who may own an entry the user keeps: active leaders, centre staff and mediators of the user's units."""
    _require_keeper(user)
    query = select(User).where(User.active.is_(True), User.role.in_((*OWNER_ROLES, "mediator")))
    visible = orgs.visible_unit_ids(session, user)
    if visible is not None:
        query = query.where(User.org_unit_id.in_(visible))
    return list(session.scalars(query.order_by(User.org_unit_id, User.role, User.username).limit(limit)))
