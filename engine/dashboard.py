"""What the statistics dashboard shows: the summary and every breakdown for one set of filters, and the
units and dispute types the filters offer.

The figures are ``engine.stats.summary`` and ``engine.stats_breakdown.breakdown`` themselves, so the
page, its exports and the JSON API give the same numbers for the same filters.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import ledger, risks, stats, stats_breakdown
from .models import Case, OrgUnit, User

# The filter form lists the user's unit and the units below it down to this many levels (a county's
# towns and villages); a deeper visible unit can still be named in the address.
UNIT_LEVELS = 2
DISPUTE_TYPES_LISTED = 200
# The risk list and the ledger on the dashboard: the most pressing few, with a link to the whole list.
WATCH_ROWS = 5


def dashboard(session: Session, user: User, **filters) -> dict:
    """The summary, the breakdown by each of ``stats_breakdown.BY`` and the filters' choices."""
    summary = stats.summary(session, user, **filters)
    breakdowns = {by: stats_breakdown.breakdown(session, user, by, **filters)["items"] for by in stats_breakdown.BY}
    return {"summary": summary, "breakdowns": breakdowns, "period": summary["period"],
            "units": unit_choices(session, user, filters.get("unit_code")),
            "dispute_types": dispute_types(session, user, **filters),
            **watch(session, user, filters.get("unit_code"))}


def watch(session: Session, user: User, unit_code: str | None = None) -> dict:
    """The active risks (most severe first) and the open ledger entries (soonest due first) to keep an eye on.

    The risk list may scan first (``engine.risks.listing``); the caller commits what it found.
    """
    found = risks.listing(session, user, unit_code=unit_code)
    entries = ledger.listing(session, user, status="open")
    return {"risks": found[:WATCH_ROWS], "risk_count": len(found),
            "ledger": entries[:WATCH_ROWS], "ledger_count": len(entries),
            "ledger_overdue": sum(1 for e in entries if e["overdue"])}


def unit_choices(session: Session, user: User, chosen: str | None = None) -> list[dict]:
    """Visible units a user may narrow the figures to: their own and those up to ``UNIT_LEVELS`` below.

    Administrators start from the top of the tree. The chosen unit is listed even when it lies deeper.
    """
    query = select(OrgUnit).where(OrgUnit.kind != "department").order_by(OrgUnit.path)
    top = 1  # a root unit's path is "/<id>/"
    if user.role != "admin":
        query = query.where(OrgUnit.path.startswith(user.org_unit.path))
        top = _depth(user.org_unit)
    found = [u for u in session.scalars(query) if _depth(u) - top <= UNIT_LEVELS or u.code == chosen]
    return [{"code": u.code, "name": u.name, "kind": u.kind, "level": _depth(u) - top} for u in found]


def _depth(unit: OrgUnit) -> int:
    return unit.path.count("/") - 1


def dispute_types(session: Session, user: User, **filters) -> list[str]:
    """The dispute types of the cases the other filters name, for the dispute type filter."""
    chosen = replace(stats.scope(session, user, **filters), dispute_type=None)
    found = [t for t in session.scalars(
        select(Case.dispute_type).where(*chosen.where(), Case.dispute_type.is_not(None))
        .group_by(Case.dispute_type).order_by(Case.dispute_type).limit(DISPUTE_TYPES_LISTED)) if t]
    asked = filters.get("dispute_type")
    return found + [asked] if asked and asked not in found else found
