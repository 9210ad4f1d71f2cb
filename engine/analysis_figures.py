"""综合研判 / 月调度: the month's figures per unit and dispute type, stored, flagged and read back.

A month is a local month (China Standard Time) of receipt, like every figure of ``engine.stats``,
whose aggregates and rates are reused here unchanged. The three levels of the ledger are the
county, the town and the village: a grid's cases count at its village, a department's at the unit
above it. ``run`` is idempotent: it recomputes the month's rows in place and never adds a ledger
entry twice.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from . import analysis_flags, clock, ledger, orgs, stats
from .case_codes import CHINA
from .errors import FormInvalid
from .models import LEDGER_LEVELS, AnalysisFigure, Case, OrgUnit, User

COUNTS = (*stats.ADDITIVE, "major_cases")


def month_start(month: str, field: str = "month") -> date:
    """The first day of ``YYYY-MM``; 422 naming ``field`` otherwise."""
    try:
        first = datetime.strptime(month or "", "%Y-%m").date() if len(month or "") == 7 else None
    except ValueError:
        first = None
    if first is None or not 1900 <= first.year <= 9000:
        raise FormInvalid(f"{field} must look like 2026-11, not {month!r}", fields={field: "YYYY-MM"})
    return first


def next_month(first: date) -> date:
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)


def previous_month(first: date) -> date:
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


def last_month() -> str:
    """``YYYY-MM`` of the local month before today."""
    return previous_month(clock.now().astimezone(CHINA).date().replace(day=1)).strftime("%Y-%m")


def level_units(session: Session) -> dict[int, int]:
    """Unit id → the unit its cases count at: itself (county, town, village) or the nearest such above."""
    units = {u.id: u for u in session.execute(select(OrgUnit.id, OrgUnit.kind, OrgUnit.parent_id))}
    found: dict[int, int] = {}
    for unit_id in units:
        at = units[unit_id]
        while at.kind not in LEDGER_LEVELS and at.parent_id in units:
            at = units[at.parent_id]
        found[unit_id] = at.id
    return found


def count(session: Session, first: date) -> dict[tuple[int, str], dict]:
    """(level unit id, dispute type) → the aggregates of the cases received in the month starting ``first``."""
    start, end = (datetime.combine(d, time(), CHINA) for d in (first, next_month(first)))
    major = func.coalesce(func.sum(case((and_(Case.severity == "major"), 1), else_=0)), 0).label("major_cases")
    rows = session.execute(
        select(Case.received_unit_id, Case.dispute_type, *stats.case_figures(), major)
        .where(Case.received_at >= start, Case.received_at < end, Case.received_unit_id.is_not(None))
        .group_by(Case.received_unit_id, Case.dispute_type)).mappings()
    levels = level_units(session)
    out: dict[tuple[int, str], dict] = {}
    for row in rows:
        key = (levels.get(row["received_unit_id"], row["received_unit_id"]), row["dispute_type"] or "")
        bucket = out.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            bucket[name] += int(row[name] or 0)
    return out


def run(session: Session, month: str | None = None) -> dict:
    """Compute, flag and store the month (last month by default), then enter flagged types in the ledger."""
    month = month or last_month()
    first = month_start(month)
    current, before = count(session, first), count(session, previous_month(first))
    rules = analysis_flags.table(session)
    stored = {(r.unit_id, r.dispute_type): r for r in session.scalars(
        select(AnalysisFigure).where(AnalysisFigure.month == month))}
    now = clock.now()
    for key, counts in current.items():
        previous = before.get(key, {}).get("received", 0)
        reasons, days = analysis_flags.flag(rules, analysis_flags.inputs(counts, previous))
        row = stored.pop(key, None) or AnalysisFigure(month=month, unit_id=key[0], dispute_type=key[1])
        row.counts, row.reasons, row.due_days, row.computed_at = dict(counts, previous_received=previous), \
            reasons, days, now
        session.add(row)
    for gone in stored.values():  # cases since moved to another type or unit
        session.delete(gone)
    session.flush()
    flagged = [f for f in session.scalars(select(AnalysisFigure).where(AnalysisFigure.month == month))
               if f.reasons]
    added = ledger.enter(session, flagged)
    return {"month": month, "rows": len(current), "flagged": len(flagged), "ledger_added": added}


def month_view(session: Session, user: User, month: str) -> dict:
    """The stored month at the units the user sees: figures per unit and type, flagged types, ledger entries."""
    orgs.require_overseer(user, "the monthly analysis is")
    month_start(month)
    visible = orgs.visible_unit_ids(session, user)
    query = select(AnalysisFigure).where(AnalysisFigure.month == month)
    if visible is not None:
        query = query.where(AnalysisFigure.unit_id.in_(visible))
    rows = sorted(session.scalars(query), key=lambda r: (r.unit.path, r.dispute_type))
    items = [_item(r) for r in rows]
    return {"month": month, "computed_at": max((r.computed_at for r in rows), default=None), "items": items,
            "flagged": [i for i in items if i["reasons"]], "ledger": _ledger(session, user, month),
            "definitions": stats.definitions()}


def _ledger(session: Session, user: User, month: str) -> list[dict]:
    """The month's entries, then those of earlier months still open (tracked until closed)."""
    carried = [e for e in ledger.listing(session, user, status="open") if e["month"] < month]
    return ledger.listing(session, user, month=month) + carried


def _item(row: AnalysisFigure) -> dict:
    figures = stats.figures(row.counts)
    return {"unit": row.unit.code, "unit_name": row.unit.name, "level": row.unit.kind,
            "dispute_type": row.dispute_type, **figures, "major_cases": int(row.counts.get("major_cases") or 0),
            "previous_received": int(row.counts.get("previous_received") or 0), "reasons": list(row.reasons or []),
            "due_days": row.due_days}
