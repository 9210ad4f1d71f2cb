"""派单 and the order events: idempotent per service-task instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.models import ledger
from handlers import dispatch_order, order_event, resolve_unit
from handlers.errors import HandlerError

from .conftest import NOW, raises_code

PARAMS = {"tier": "village", "location_unit_code": "441581-01-001-01", "target_unit_code": None,
          "round": 1, "accept_within": "PT2H", "handle_within": "P30D"}


def test_dispatch_goes_to_the_tier_unit_above_the_location_with_due_times(ctx):
    result = dispatch_order.handle(PARAMS | {"handle_within": "P1M"}, ctx())
    assert result["unit_code"] == "441581-01-001"
    order = ctx().session.get(ledger.Order, result["order_id"])
    assert order.accept_due_at == NOW + timedelta(hours=2)
    assert order.due_at == NOW + timedelta(days=31)  # a calendar month, as the timers count it
    assert order.status == "dispatched"
    # The town centre above the village dispatches it (and later reviews and verifies it).
    assert order.from_unit.code == result["from_unit_code"] == "441581-01"


def test_dispatch_due_by_the_tier_deadline_when_given(ctx):
    params = PARAMS | {"handle_by": "2025-03-20T09:30:00+08:00"}
    order = ctx().session.get(ledger.Order, dispatch_order.handle(params, ctx())["order_id"])
    assert order.due_at == datetime(2025, 3, 20, 1, 30, tzinfo=UTC)  # the time given, not 30 days from now
    with raises_code("bad_time"):
        dispatch_order.handle(PARAMS | {"handle_by": "next week"}, ctx("t2"))


def test_dispatch_twice_for_the_same_task_writes_one_order(ctx, db):
    first = dispatch_order.handle(PARAMS, ctx("t"))
    second = dispatch_order.handle(PARAMS | {"tier": "town"}, ctx("t"))
    assert first == second
    assert db.session.scalar(select(func.count()).select_from(ledger.Order)) == 1


def test_dispatch_to_an_explicit_unit_and_unknown_units(ctx):
    assert dispatch_order.handle(PARAMS | {"target_unit_code": "441581-D-RS"}, ctx())["unit_name"] == "人社局"
    with pytest.raises(HandlerError) as err:
        dispatch_order.handle(PARAMS | {"target_unit_code": "nope"}, ctx("t2"))
    assert err.value.code == "unit_not_found"


def test_resolve_unit_cannot_go_below_the_location(ctx):
    assert resolve_unit.handle({"tier": "town", "location_unit_code": "441581-01-001"}, ctx())["unit_code"] == "441581-01"
    with pytest.raises(HandlerError) as err:
        resolve_unit.handle({"tier": "grid", "location_unit_code": "441581-01"}, ctx())
    assert err.value.code == "no_unit_for_tier"


def test_events_update_the_order_once_per_task(ctx, db):
    order_id = dispatch_order.handle(PARAMS, ctx("d"))["order_id"]
    for task in ("r1", "r1", "r2"):
        result = order_event.handle({"order_id": order_id, "event": "reminder"}, ctx(task))
    assert result["reminders"] == 2
    order_event.handle({"order_id": order_id, "event": "accepted"}, ctx("acc"))
    order_event.handle({"order_id": order_id, "event": "review", "reason": "好", "score": 4}, ctx("rev"))
    order = db.session.get(ledger.Order, order_id)
    assert (order.review_score, order.status, order.closed_at) == (4, "handled", None)
    assert db.session.scalar(select(func.count()).select_from(ledger.OrderEvent)) == 4


def _order(ctx, *events, key="d"):
    order_id = dispatch_order.handle(PARAMS, ctx(key))["order_id"]
    for n, (event, extra) in enumerate(events):
        order_event.handle({"order_id": order_id, "event": event} | extra, ctx(f"{key}-e{n}"))
    return ctx().session.get(ledger.Order, order_id)


@pytest.mark.parametrize("events, status", [
    ([("returned", {"reason": "不属管辖"})], "returned"),
    ([("timed_out", {"reason": "超时未接单"})], "timed_out"),
    ([("accepted", {}), ("timed_out", {"reason": "超期"})], "timed_out"),
    ([("accepted", {}), ("failed", {"reason": "调解不成"})], "failed"),
    ([("accepted", {}), ("withdrawn", {"reason": "双方已自行和解"})], "withdrawn"),
    ([("accepted", {}), ("review", {"score": 5}), ("verified", {})], "resolved"),
    ([("accepted", {}), ("review", {"score": 2}), ("not_verified", {"last_round": True})], "unverified"),
])
def test_every_ending_event_closes_the_order_in_a_final_state(ctx, events, status):
    order = _order(ctx, *events)
    assert order.status == status and status in ledger.ORDER_FINAL_STATES
    assert order.closed_at == NOW


def test_an_order_not_verified_before_the_last_round_goes_back_to_the_unit_open(ctx):
    order = _order(ctx, ("accepted", {}), ("review", {"score": 2}), ("not_verified", {"last_round": False}))
    assert (order.status, order.verified, order.closed_at) == ("not_verified", False, None)
    assert order.status in ledger.ORDER_OPEN_STATES


def test_only_an_acceptance_timeout_keeps_the_reason_for_the_redispatch(ctx):
    assert _order(ctx, ("timed_out", {"reason": "超时未接单"})).return_reason == "超时未接单"
    assert _order(ctx, ("accepted", {}), ("timed_out", {"reason": "超期"}), key="d2").return_reason is None


def test_a_closed_order_refuses_further_events(ctx):
    order = _order(ctx, ("returned", {"reason": "不属管辖"}))
    with raises_code("order_closed"):
        order_event.handle({"order_id": order.id, "event": "accepted"}, ctx("late"))
    assert order.status == "returned"


def test_events_refuse_unknown_kinds_and_other_cases_orders(ctx, db):
    order_id = dispatch_order.handle(PARAMS, ctx("d"))["order_id"]
    with raises_code("bad_event"):
        order_event.handle({"order_id": order_id, "event": "explode"}, ctx("x"))
    with raises_code("order_not_found"):
        order_event.handle({"order_id": order_id, "event": "reminder"}, ctx("y", case=db.other))


def test_every_event_kind_and_state_fits_its_column():
    """SQLite does not check string lengths; PostgreSQL does."""
    kinds = {*order_event.EVENTS, "supervision_answered", "escalated", "withdrawn"}
    assert max(map(len, kinds)) <= ledger.OrderEvent.kind.type.length
    states = ledger.ORDER_OPEN_STATES + ledger.ORDER_FINAL_STATES
    assert max(map(len, states)) <= ledger.Order.status.type.length
    assert max(map(len, ledger.SUPERVISION_STATES)) <= ledger.Supervision.status.type.length
