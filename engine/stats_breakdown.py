"""The same figures as ``engine.stats.summary``, one row per month, unit, dispute type, tier or channel."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import stats
from .models import Case, OrgUnit, User

BY = ("month", "unit", "dispute_type", "tier", "channel")


def _key(session: Session, by: str):
    """The grouping expression: the local month of receipt, the receiving unit, or a case column."""
    if by == "month":
        if session.get_bind().dialect.name == "postgresql":
            return func.to_char(func.timezone("Asia/Shanghai", Case.received_at), "YYYY-MM")
        return func.strftime("%Y-%m", Case.received_at, "+8 hours")
    return {"unit": Case.received_unit_id, "dispute_type": Case.dispute_type, "tier": Case.resolved_tier,
            "channel": Case.channel}[by]


def breakdown(session: Session, user: User, by: str, **filters) -> dict:
    """Figures per value of ``by`` (``BY``) for the cases the filters name; groups without cases are left out.

    ``tier`` groups by the tier that resolved the case: unresolved cases have none (key ``None``).
    """
    chosen = stats.scope(session, user, **filters)
    where = chosen.where()
    key = _key(session, by).label("key")
    rows = {r["key"]: dict(r) for r in session.execute(
        select(key, *stats.case_figures()).where(*where).group_by(key)).mappings()}
    names = _unit_names(session, [k for k in rows if k is not None]) if by == "unit" else {}
    items = []
    for value, row in rows.items():
        key, label = names.get(value, (value, None)) if by == "unit" else (value, value)
        items.append({"key": key, "label": label} | stats.figures(row))
    items.sort(key=lambda i: (i["key"] is None, str(i["key"])))
    return {"by": by, "items": items, "period": stats.summary_period(chosen),
            "definitions": stats.definitions()}


def _unit_names(session: Session, ids: list) -> dict:
    return {i: (code, name) for i, code, name in session.execute(
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(ids)))}
