"""The order ledger: no order stays open once its case has ended, and a finished order is never overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import cases, clock, orders, tasks
from engine.models import Order, OrderEvent, Supervision
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def world(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    return units, users


def _open_order(session, case, units, status="accepted"):
    order = Order(case_id=case.id, task_id="dispatch-1", tier="village", from_unit_id=units["town"].id,
                  to_unit_id=units["village"].id, status=status, issued_at=clock.now(),
                  due_at=clock.now() - timedelta(hours=1))
    session.add(order)
    session.flush()
    session.add(Supervision(case_id=case.id, task_id="supervise-1", order_id=order.id,
                            from_unit_id=units["town"].id, to_unit_id=units["village"].id, reason="超时督办",
                            status="open", issued_at=clock.now()))
    session.commit()
    return order


def test_an_order_still_open_when_the_case_ends_is_withdrawn_with_the_last_step(session, world):
    units, users = world
    case = cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    order = _open_order(session, case, units)
    assert orders.is_overdue(order)
    register = cases.open_tasks(session, case)[0]
    tasks.complete(session, users["staff"], register.id, {"title": "邻里纠纷", "parties_count": 2})
    session.commit()
    assert order.status == "accepted"  # the case goes on: the order stays open
    mediate = cases.open_tasks(session, case)[0]
    tasks.complete(session, users["mediator"], mediate.id, {"outcome": "resolved"})
    session.commit()
    assert case.status == "closed"
    assert (order.status, order.closed_at) == ("withdrawn", case.closed_at)
    assert not orders.is_overdue(order)
    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
    assert [(e.kind, e.actor) for e in events] == [("withdrawn", "mediator")]
    supervision = session.scalar(select(Supervision).where(Supervision.order_id == order.id))
    assert (supervision.status, supervision.closed_at) == ("closed", case.closed_at)


@pytest.mark.parametrize("status, overdue", [("dispatched", True), ("accepted", True), ("not_verified", True),
                                             ("handled", False), ("resolved", False), ("timed_out", False)])
def test_only_an_order_its_unit_still_works_on_can_be_overdue(session, world, status, overdue):
    units, users = world
    case = cases.open_case(session, users["staff"], "simple", {})
    order = _open_order(session, case, units, status)
    order.accept_due_at = clock.now() - timedelta(hours=2)
    session.commit()
    assert orders.is_overdue(order) is overdue
    found, _ = orders.listing(session, users["admin"], overdue=True)
    assert (order in found) is overdue
