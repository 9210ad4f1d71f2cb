"""派单: write the order that sends the case to the responsible unit."""

from __future__ import annotations

from datetime import UTC, datetime

from ._common import due, existing, iso, lineage, unit_by_code, unit_for_tier
from .errors import HandlerError

# Units whose centre dispatches, reviews and verifies orders (综治中心).
CENTRE_KINDS = ("town", "county")


def dispatching_centre(ctx, unit):
    """The centre above the receiving unit (a village's town, a department's county); the county
    itself for the county's own orders, being the top tier."""
    above = lineage(ctx, unit)[1:]
    return next((u for u in above if u.kind in CENTRE_KINDS), unit)


def _result(order) -> dict:
    return {
        "order_id": order.id, "unit_code": order.to_unit.code, "unit_name": order.to_unit.name,
        "from_unit_code": order.from_unit.code,
        "accept_due": iso(order.accept_due_at), "due": iso(order.due_at), "round": order.round,
    }


def _handling_due(params: dict, ctx) -> datetime | None:
    """``handle_by`` (an ISO-8601 time: the tier's deadline) if given, else ``handle_within`` from now."""
    by = params.get("handle_by")
    if not by:
        return due(ctx.now, params.get("handle_within"))
    try:
        moment = datetime.fromisoformat(str(by))
    except ValueError as exc:
        raise HandlerError("bad_time", f"handle_by is not an ISO-8601 time: {by!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def handle(params: dict, ctx) -> dict:
    """Dispatch to ``target_unit_code`` if given, else to the ``tier`` unit covering the location."""
    Order = ctx.models.Order
    order = existing(ctx, Order)
    if order is None:
        target = params.get("target_unit_code")
        unit = (unit_by_code(ctx, target) if target
                else unit_for_tier(ctx, params["tier"], params.get("location_unit_code")))
        order = Order(
            case_id=ctx.case.id, task_id=ctx.task_id, order_type=params.get("order_type") or "dispatch",
            round=int(params.get("round") or 1), tier=params.get("tier"),
            from_unit_id=dispatching_centre(ctx, unit).id, to_unit_id=unit.id, status="dispatched",
            issued_at=ctx.now, accept_due_at=due(ctx.now, params.get("accept_within")),
            due_at=_handling_due(params, ctx),
        )
        ctx.session.add(order)
        ctx.session.flush()
        ctx.session.refresh(order)
    return _result(order)
