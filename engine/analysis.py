"""月调度 / 综合研判: the monthly snapshot of cases by dispute type, tier and outcome, per unit."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import clock
from .errors import BadRequest
from .models import AuditEvent, Case, MonthlySnapshot, OrgUnit

ALL_UNITS = "*"
# Events whose ``detail.data`` carries what a user entered: where ``dispute_type`` is recorded.
DATA_EVENTS = ("case_opened", "task_completed")


def previous_month(now: datetime | None = None) -> str:
    """``YYYY-MM`` of the month before ``now`` (the engine clock by default)."""
    now = now or clock.now()
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in UTC."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"month must look like 2026-11, not {month!r}", fields={"month": "YYYY-MM"}) from None
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def _dispute_types(session: Session, case_ids: list[int]) -> dict[int, str]:
    """The last ``dispute_type`` entered for each case, from the audit trail."""
    found: dict[int, str] = {}
    for chunk in range(0, len(case_ids), 500):
        ids = case_ids[chunk:chunk + 500]
        events = session.execute(select(AuditEvent.case_id, AuditEvent.detail).where(
            AuditEvent.case_id.in_(ids), AuditEvent.kind.in_(DATA_EVENTS)).order_by(AuditEvent.id))
        for case_id, detail in events:
            value = ((detail or {}).get("data") or {}).get("dispute_type")
            if isinstance(value, str) and value:
                found[case_id] = value
    return found


def count_month(session: Session, month: str) -> dict[str, dict]:
    """Unit code (and ``*``) → counts of the cases opened in the month, by type, tier and status."""
    start, end = month_bounds(month)
    cases = session.execute(select(Case.id, OrgUnit.code, Case.tier, Case.status).join(
        OrgUnit, OrgUnit.id == Case.org_unit_id).where(Case.opened_at >= start, Case.opened_at < end)).all()
    types = _dispute_types(session, [c.id for c in cases])
    counters: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for case_id, unit, tier, status in cases:
        for key in (unit, ALL_UNITS):
            bucket = counters[key]
            bucket["total"]["cases"] += 1
            bucket["dispute_type"][types.get(case_id, "unknown")] += 1
            bucket["tier"][tier or "unknown"] += 1
            bucket["status"][status] += 1
    counts = {unit: {name: dict(c) for name, c in bucket.items()} for unit, bucket in counters.items()}
    for bucket in counts.values():
        bucket["total"] = bucket["total"]["cases"]
    counts.setdefault(ALL_UNITS, {"total": 0, "dispute_type": {}, "tier": {}, "status": {}})
    return counts


def monthly_snapshot(session: Session, month: str | None = None) -> list[MonthlySnapshot]:
    """Store the month's snapshot once (the previous month by default); a second run returns the first."""
    month = month or previous_month()
    existing = list(session.scalars(select(MonthlySnapshot).where(MonthlySnapshot.month == month)))
    if existing:
        return existing
    rows = [MonthlySnapshot(month=month, unit=unit, counts=counts, created_at=clock.now())
            for unit, counts in sorted(count_month(session, month).items())]
    savepoint = session.begin_nested()
    try:
        session.add_all(rows)
        session.flush()
        savepoint.commit()
    except IntegrityError:  # another process stored it a moment ago
        savepoint.rollback()
        return list(session.scalars(select(MonthlySnapshot).where(MonthlySnapshot.month == month)))
    return rows
