"""派单: write the order that sends the case to the responsible unit."""

from __future__ import annotations

from ._common import due, existing, iso, unit_by_code, unit_for_tier


def _result(order) -> dict:
    return {
        "order_id": order.id, "unit_code": order.to_unit.code, "unit_name": order.to_unit.name,
        "accept_due": iso(order.accept_due_at), "due": iso(order.due_at), "round": order.round,
    }


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
            from_unit_id=ctx.case.org_unit_id, to_unit_id=unit.id, status="dispatched",
            issued_at=ctx.now, accept_due_at=due(ctx.now, params.get("accept_within")),
            due_at=due(ctx.now, params.get("handle_within")),
        )
        ctx.session.add(order)
        ctx.session.flush()
        ctx.session.refresh(order)
    return _result(order)
