"""The figures the centres report (矛盾纠纷统计), computed from the cases' outcome columns.

Every figure is over one set of cases: those **received** (``received_at``, local dates in China
Standard Time) between ``from`` and ``to`` inclusive, at a unit of the caller's visible subtree (or
of one named visible unit's subtree), optionally of one dispute type. What became of those cases by
now is what is counted: a case received in the period and resolved after it counts as resolved.
docs/statistics.md states each definition; ``DEFINITIONS`` below is the same text for the API.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from . import case_codes, clock, orgs
from .case_codes import CHINA
from .errors import FormInvalid
from .models import Case, User
from .outcomes import OUTCOMES

# Who may read the figures: the centres that report them, their leaders, administrators.
GRASSROOTS_TIERS = ("grid", "village")  # 小事不出村: resolved at the grid or the village
SATISFIED = ("满意", "基本满意")  # a return visit rated satisfied or basically satisfied

DEFINITIONS = {
    "resolution_rate": ("resolved", "received", "cases resolved (调解化解, 当场化解 or 司法确认) ÷ cases received"),
    "grassroots_share": ("grassroots", "resolved", "cases resolved at the grid or village tier ÷ cases resolved"),
    "on_time_rate": ("on_time", "with_deadline",
                     "resolved cases resolved by the whole case's deadline ÷ resolved cases that had one"),
    "satisfaction_rate": ("satisfied", "visited",
                          "cases whose last return visit was 满意 or 基本满意 ÷ cases visited at least once"),
    "order_closure_rate": ("orders_closed", "orders_dispatched",
                           "orders resolved (办结, verified) ÷ orders dispatched for these cases, "
                           "not counting orders returned or not accepted in time (they were dispatched again)"),
}


def percent(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator`` in per cent, rounded half up to two places (None: nothing to divide by)."""
    if not denominator:
        return None
    return float((Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass(frozen=True)
class Scope:
    """The set of cases the figures are about."""

    start: datetime
    end: datetime  # exclusive
    unit_ids: list[int] | None  # None: every unit (administrators), or the whole county below
    county_id: int | None  # the county the units lie in, when they lie in one
    dispute_type: str | None

    def where(self) -> list:
        clauses = [Case.received_at >= self.start, Case.received_at < self.end]
        if self.county_id is not None:
            clauses.append(Case.county_id == self.county_id)
        if self.unit_ids is not None:
            clauses.append(Case.received_unit_id.in_(self.unit_ids))
        if self.dispute_type:
            clauses.append(Case.dispute_type == self.dispute_type)
        return clauses


def _day(value: str | None, field: str, default: date) -> date:
    if value in (None, ""):
        return default
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:
        raise FormInvalid(f"{field} must be a date like 2026-01-31, not {value!r}", fields={field: "YYYY-MM-DD"})
    return day


def scope(session: Session, user: User, *, date_from: str | None = None, date_to: str | None = None,
          unit_code: str | None = None, dispute_type: str | None = None) -> Scope:
    """Check who asks and what, and name the cases: from 1 January of ``to``'s year to today by default."""
    orgs.require_overseer(user, "statistics are")
    today = clock.now().astimezone(CHINA).date()
    last = _day(date_to, "to", today)
    first = _day(date_from, "from", last.replace(month=1, day=1))
    if first > last:
        raise FormInvalid(f"from ({first}) is after to ({last})", fields={"to": "must not be before from"})
    start = datetime.combine(first, time(), CHINA)
    end = datetime.combine(last + timedelta(days=1), time(), CHINA)
    unit_ids, county_id = _units(session, user, unit_code)
    return Scope(start, end, unit_ids, county_id, dispute_type or None)


def _units(session: Session, user: User, unit_code: str | None) -> tuple[list[int] | None, int | None]:
    """The visible subtree asked for, as (unit ids, county): a whole county needs no list of units."""
    unit_ids = orgs.listing_units(session, user, unit_code)
    if unit_ids is None:
        return None, None
    root = orgs.unit_by_code(session, unit_code) if unit_code else user.org_unit
    county = case_codes.county_of(session, root)
    if county.kind != "county":
        return unit_ids, None  # above the counties (or a tree without them): the units themselves
    return (None if county.id == root.id else unit_ids), county.id


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def case_figures() -> list:
    """The aggregate columns over cases, labelled; grouped or not by the caller."""
    resolved = Case.resolved_at.is_not(None)
    return [
        func.count().label("received"),
        _count(resolved).label("resolved"),
        _count(and_(resolved, Case.resolved_tier.in_(GRASSROOTS_TIERS))).label("grassroots"),
        _count(and_(resolved, Case.met_deadline.is_not(None))).label("with_deadline"),
        _count(and_(resolved, Case.met_deadline.is_(True))).label("on_time"),
        func.coalesce(func.sum(Case.resolve_seconds), 0).label("resolve_seconds"),
        _count(Case.resolve_seconds.is_not(None)).label("timed"),
        _count(Case.rating.is_not(None)).label("visited"),
        _count(Case.rating.in_(SATISFIED)).label("satisfied"),
        _count(Case.outcome == "litigation").label("litigation"),
        _count(Case.outcome == "judicially_confirmed").label("judicial_confirmations"),
        _count(Case.repeat_petition.is_(True)).label("repeat_petitions"),
        func.coalesce(func.sum(Case.orders_dispatched), 0).label("orders_dispatched"),
        func.coalesce(func.sum(Case.orders_closed), 0).label("orders_closed"),
    ]


def figures(row: dict) -> dict:
    """Counts and the rates made from them (``DEFINITIONS``), from one row of the aggregates."""
    out = {name: int(row.get(name) or 0) for name in (
        "received", "resolved", "grassroots", "with_deadline", "on_time", "visited", "satisfied", "litigation",
        "judicial_confirmations", "repeat_petitions", "orders_dispatched", "orders_closed")}
    for rate, (numerator, denominator, _) in DEFINITIONS.items():
        out[rate] = percent(out[numerator], out[denominator])
    timed = int(row.get("timed") or 0)
    out["average_days_to_resolve"] = round(float(row.get("resolve_seconds") or 0) / timed / 86400, 2) if timed else None
    return out


# Summed over groups for a total: every case figure is a count or a sum.
ADDITIVE = ("received", "resolved", "grassroots", "with_deadline", "on_time", "resolve_seconds", "timed", "visited",
            "satisfied", "litigation", "judicial_confirmations", "repeat_petitions", "orders_dispatched",
            "orders_closed")


def summary(session: Session, user: User, **filters) -> dict:
    """The figures for the cases the filters name (see ``scope``)."""
    chosen = scope(session, user, **filters)
    where = chosen.where()
    # One pass over the cases, grouped by what the per-tier and per-outcome counts need; summed here.
    groups = session.execute(select(Case.resolved_tier, Case.outcome, *case_figures()).where(*where)
                             .group_by(Case.resolved_tier, Case.outcome)).mappings().all()
    row = {name: sum(g[name] for g in groups) for name in ADDITIVE}
    out = figures(row)
    tiers, outcomes = Counter(), Counter()
    for group in groups:
        if group["resolved"]:
            tiers[group["resolved_tier"] or "unknown"] += group["resolved"]
        if group["outcome"]:
            outcomes[group["outcome"]] += group["received"]
    out["resolved_by_tier"] = dict(sorted(tiers.items()))
    out["outcomes"] = {name: outcomes.get(name, 0) for name in OUTCOMES}
    out["period"] = summary_period(chosen)
    out["definitions"] = definitions()
    return out


def definitions() -> dict:
    """Each rate's numerator, denominator and meaning, as the answers carry them."""
    return {rate: {"numerator": n, "denominator": d, "definition": text} for rate, (n, d, text) in DEFINITIONS.items()}


def summary_period(chosen: Scope) -> dict:
    """The period as the caller named it (local dates, both included)."""
    return {"from": chosen.start.date().isoformat(), "to": (chosen.end - timedelta(days=1)).date().isoformat()}
