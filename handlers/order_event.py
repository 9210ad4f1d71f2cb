"""接单/退单, 催办, 督办, 评单, 核单 and the end of an order: record what happened to it.

An order is open (``ORDER_OPEN_STATES``) until one of these events ends it in a final state
(``ORDER_FINAL_STATES``): ``returned``, ``timed_out`` (acceptance or overdue limit), ``failed``,
``verified`` (→ ``resolved``), ``not_verified`` with ``last_round`` (→ ``unverified``), ``withdrawn``
(the applicant withdrew the application during mediation). The diagram
draws an event at every path that ends an order, so the state is written in the same transaction
as the step that ends it. An event that ends a handling round also closes the round's unanswered
supervision orders.
"""

from __future__ import annotations

from sqlalchemy import select

from ._common import existing
from .errors import HandlerError


def _close(order, status, now):
    order.status, order.closed_at = status, now


def _accepted(order, params, now):
    order.status, order.accepted_at = "accepted", now


def _returned(order, params, now):
    _close(order, "returned", now)
    order.returned_at, order.return_reason = now, params.get("reason") or ""


def _timed_out(order, params, now):
    if order.status == "dispatched":  # never accepted: the centre re-dispatches as after a return
        order.return_reason = params.get("reason") or ""
    _close(order, "timed_out", now)


def _reminder(order, params, now):
    order.reminders += 1


def _supervision(order, params, now):
    order.supervisions += 1


def _review(order, params, now):
    order.status, order.review_comment = "handled", params.get("reason")
    order.review_score = int(params["score"]) if params.get("score") is not None else None


def _verified(order, params, now):
    _close(order, "resolved", now)
    order.verified, order.verified_at = True, now


def _not_verified(order, params, now):
    order.verified, order.verified_at = False, now
    if params.get("last_round"):
        _close(order, "unverified", now)
    else:  # back to the unit for another handling round
        order.status = "not_verified"


def _failed(order, params, now):
    _close(order, "failed", now)


def _withdrawn(order, params, now):
    _close(order, "withdrawn", now)


EVENTS = {"accepted": _accepted, "returned": _returned, "timed_out": _timed_out, "reminder": _reminder,
          "supervision": _supervision, "review": _review, "verified": _verified,
          "not_verified": _not_verified, "failed": _failed, "withdrawn": _withdrawn}
# Events after which the handling round is over: its open supervision orders are closed unanswered.
ROUND_ENDS = {"timed_out", "verified", "not_verified", "failed", "withdrawn"}


def close_supervisions(ctx, order) -> None:
    """Close the order's supervision orders still waiting for an answer (the round they belong to ended)."""
    Supervision = ctx.models.Supervision
    query = select(Supervision).where(Supervision.order_id == order.id, Supervision.status == "open")
    for row in ctx.session.scalars(query):
        row.status, row.closed_at = "closed", ctx.now


def handle(params: dict, ctx) -> dict:
    """Apply ``event`` to order ``order_id`` once per service-task instance."""
    event = params.get("event")
    if event not in EVENTS:
        raise HandlerError("bad_event", f"unknown order event {event!r}")
    order = ctx.session.get(ctx.models.Order, params.get("order_id"))
    if order is None or order.case_id != ctx.case.id:
        raise HandlerError("order_not_found", f"no order {params.get('order_id')!r} for this case")
    if existing(ctx, ctx.models.OrderEvent) is None:
        if order.status in ctx.models.ORDER_FINAL_STATES:
            raise HandlerError("order_closed", f"order {order.id} is already {order.status}; {event!r} cannot change it")
        EVENTS[event](order, params, ctx.now)
        if event in ROUND_ENDS:
            close_supervisions(ctx, order)
        detail = {k: params[k] for k in ("reason", "score") if params.get(k) is not None}
        ctx.session.add(ctx.models.OrderEvent(order_id=order.id, case_id=ctx.case.id, task_id=ctx.task_id,
                                              kind=event, actor=ctx.actor, at=ctx.now, detail=detail))
        ctx.session.flush()
    return {"order_id": order.id, "event": event, "status": order.status,
            "reminders": order.reminders, "supervisions": order.supervisions}
