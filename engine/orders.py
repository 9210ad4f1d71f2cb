"""The order ledger the centres work from: dispatched orders, their supervision orders and what became
of them. Only an open order can be overdue: a finished one never is, whatever its due times."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import cases, clock, orgs
from .models import Order, OrderEvent, Supervision, User

# The states in which the receiving unit still owes work (the order's ``due_at`` applies); in
# ``handled`` the order waits for the centre's 核单, whose deadline is on the centre's task.
HANDLING_STATES = ("dispatched", "accepted", "not_verified")


def _overdue_clause(now):
    return or_(and_(Order.status == "dispatched", Order.accept_due_at < now),
               and_(Order.status.in_(HANDLING_STATES), Order.due_at < now))


def is_overdue(order: Order) -> bool:
    """Whether the order is past its acceptance or handling deadline while its unit still owes work."""
    now = clock.now()
    if order.status == "dispatched" and order.accept_due_at and order.accept_due_at < now:
        return True
    return order.status in HANDLING_STATES and order.due_at is not None and order.due_at < now


def for_case(session: Session, user: User, code: str) -> list[Order]:
    """A case's orders, oldest first."""
    case = cases.get_case(session, user, code)
    return list(session.scalars(select(Order).where(Order.case_id == case.id).order_by(Order.id)))


def listing(session: Session, user: User, *, unit_code: str | None = None, order_type: str | None = None,
            overdue: bool | None = None, page: int = 1, per_page: int = 50) -> tuple[list[Order], bool]:
    """Orders sent to units the user may see (or to one unit and its subtree)."""
    query = select(Order)
    visible = orgs.listing_units(session, user, unit_code)
    if visible is not None:
        query = query.where(or_(Order.to_unit_id.in_(visible), Order.from_unit_id.in_(visible)))
    if order_type:
        query = query.where(Order.order_type == order_type)
    if overdue is True:
        query = query.where(_overdue_clause(clock.now()))
    elif overdue is False:
        query = query.where(~_overdue_clause(clock.now()))
    rows = list(session.scalars(query.order_by(Order.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def events(session: Session, order_ids: list[int]) -> dict[int, list[OrderEvent]]:
    """Order id → its history, oldest first."""
    out: dict[int, list[OrderEvent]] = {i: [] for i in order_ids}
    if order_ids:
        for event in session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_(order_ids))
                                     .order_by(OrderEvent.id)):
            out[event.order_id].append(event)
    return out


def supervisions(session: Session, order_ids: list[int]) -> dict[int, list[Supervision]]:
    """Order id → its supervision orders (督办单), oldest first."""
    out: dict[int, list[Supervision]] = {i: [] for i in order_ids}
    if order_ids:
        for row in session.scalars(select(Supervision).where(Supervision.order_id.in_(order_ids))
                                   .order_by(Supervision.id)):
            out[row.order_id].append(row)
    return out
