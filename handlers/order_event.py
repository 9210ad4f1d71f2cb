"""接单/退单, 催办, 督办单, 评单, 核单: record what happened to an order."""

from __future__ import annotations

from ._common import existing
from .errors import HandlerError


def _accepted(order, params, now):
    order.status, order.accepted_at = "accepted", now


def _returned(order, params, now):
    order.status, order.returned_at, order.return_reason = "returned", now, params.get("reason") or ""


def _reminder(order, params, now):
    order.reminders += 1


def _supervision(order, params, now):
    order.supervisions += 1


def _review(order, params, now):
    order.status, order.review_comment = "handled", params.get("reason")
    order.review_score = int(params["score"]) if params.get("score") is not None else None


def _verified(order, params, now):
    order.status, order.verified, order.verified_at = "verified", True, now


def _not_verified(order, params, now):
    order.status, order.verified, order.verified_at = "not_verified", False, now


EVENTS = {"accepted": _accepted, "returned": _returned, "reminder": _reminder,
          "supervision": _supervision, "review": _review, "verified": _verified,
          "not_verified": _not_verified}


def handle(params: dict, ctx) -> dict:
    """Apply ``event`` to order ``order_id`` once per service-task instance."""
    event = params.get("event")
    if event not in EVENTS:
        raise HandlerError("bad_event", f"unknown order event {event!r}")
    order = ctx.session.get(ctx.models.Order, params.get("order_id"))
    if order is None or order.case_id != ctx.case.id:
        raise HandlerError("order_not_found", f"no order {params.get('order_id')!r} for this case")
    if existing(ctx, ctx.models.OrderEvent) is None:
        EVENTS[event](order, params, ctx.now)
        detail = {k: params[k] for k in ("reason", "score") if params.get(k) is not None}
        ctx.session.add(ctx.models.OrderEvent(order_id=order.id, case_id=ctx.case.id, task_id=ctx.task_id,
                                              kind=event, actor=ctx.actor, at=ctx.now, detail=detail))
        ctx.session.flush()
    return {"order_id": order.id, "event": event, "status": order.status,
            "reminders": order.reminders, "supervisions": order.supervisions}
