"""Writing a case's outcome columns from its data, in the step's own transaction.

A case counts as resolved from the first step at which ``engine.outcomes.RULES`` names a resolved
outcome: that step's time, tier and unit are kept while the outcome stays resolved (a court's
confirmation refines 调解化解 into 司法确认 without moving the date). When the data no longer says
resolved (a refused confirmation sent back to mediation, or on to litigation) the resolution is
cleared, and the next one is recorded where and when it happens: a case counts once, where it ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import case_codes, clock, outcomes
from .models import Case, Order, OrgUnit

TIER_KINDS = ("grid", "village", "town", "county")


def apply(session: Session, case: Case, data: dict, now: datetime | None = None, *,
          recount_orders: bool = False) -> None:
    """Bring the case's outcome columns in line with ``data`` (its current workflow data); with
    ``recount_orders`` (a handler ran in this step), count its orders again."""
    now = now or clock.now()
    reading = outcomes.read(data)
    _set(case, "received_at", case.received_at or outcomes.parse_time(reading.received_at) or case.opened_at)
    _set(case, "received_unit_id", case.received_unit_id or case.org_unit_id)
    if case.county_id is None:
        received = case.org_unit if case.received_unit_id == case.org_unit_id else session.get(
            OrgUnit, case.received_unit_id)
        case.county_id = case_codes.county_of(session, received).id
    if recount_orders:
        _count_orders(session, case)
    if reading.channel:
        _set(case, "channel", reading.channel)
    if reading.rating:
        _set(case, "rating", reading.rating)
    _set(case, "repeat_petition", reading.repeat_petition or bool(case.repeat_petition))
    _set(case, "outcome", reading.outcome)
    if reading.outcome in outcomes.RESOLVED:
        if case.resolved_at is None:
            _resolve(session, case, reading, now)
    elif case.resolved_at is not None:
        for name in ("resolved_at", "resolved_tier", "resolved_unit_id", "resolve_seconds", "met_deadline",
                     "met_tier_deadline"):
            setattr(case, name, None)


def _resolve(session: Session, case: Case, reading: outcomes.Reading, now: datetime) -> None:
    unit = case.org_unit
    if reading.unit_code and reading.unit_code != unit.code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == reading.unit_code)) or unit
    tier = unit.kind if reading.rule.tier == "unit" and unit.kind in TIER_KINDS else reading.tier
    case.resolved_at = now
    case.resolved_unit_id = unit.id
    case.resolved_tier = (tier or unit.kind)[:20]
    case.resolve_seconds = max(0, int((now - case.received_at).total_seconds()))
    case.met_deadline = outcomes.met(now, case.due_at)
    case.met_tier_deadline = outcomes.met(now, outcomes.parse_time(reading.tier_due_at))


def _count_orders(session: Session, case: Case) -> None:
    counted, closed = session.execute(select(
        func.count(), func.coalesce(func.sum(when((Order.status == outcomes.ORDER_CLOSED, 1), else_=0)), 0))
        .where(Order.case_id == case.id, Order.status.not_in(outcomes.ORDERS_NOT_COUNTED))).one()
    _set(case, "orders_dispatched", counted)
    _set(case, "orders_closed", closed)


def _set(case: Case, name: str, value) -> None:
    if getattr(case, name) != value:
        setattr(case, name, value)
