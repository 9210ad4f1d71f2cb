"""督办单: the dispatching centre issues a supervision order, the unit answers it, or it escalates."""

from __future__ import annotations

from ._common import due, existing, iso
from .dispatch_order import dispatching_centre
from .errors import HandlerError

ANSWER_KINDS = ("进展", "说明")  # progress | explanation


def _result(row) -> dict:
    return {"supervision_id": row.id, "order_id": row.order_id, "status": row.status,
            "due": iso(row.due_at) or "", "from_unit_code": row.from_unit.code if row.from_unit else None,
            "unit_code": row.to_unit.code,
            "notify_unit_code": row.escalated_to.code if row.escalated_to else None}


def _issue(params: dict, ctx):
    row = existing(ctx, ctx.models.Supervision)
    if row is None:
        order = ctx.session.get(ctx.models.Order, params.get("order_id"))
        if order is None or order.case_id != ctx.case.id:
            raise HandlerError("order_not_found", f"no order {params.get('order_id')!r} for this case")
        if order.status in ctx.models.ORDER_FINAL_STATES:
            raise HandlerError("order_closed", f"order {order.id} is already {order.status}")
        row = ctx.models.Supervision(
            case_id=ctx.case.id, task_id=ctx.task_id, order_id=order.id, from_unit_id=order.from_unit_id,
            to_unit_id=order.to_unit_id, reason=str(params.get("reason") or "").strip() or "督办 supervision",
            status="open", issued_at=ctx.now, due_at=due(ctx.now, params.get("answer_within")))
        order.supervisions += 1
        ctx.session.add(row)
        ctx.session.add(ctx.models.OrderEvent(order_id=order.id, case_id=ctx.case.id, task_id=ctx.task_id,
                                              kind="supervision", actor=ctx.actor, at=ctx.now,
                                              detail={"reason": row.reason}))
        ctx.session.flush()
        ctx.session.refresh(row)
    return row


def _open_row(params: dict, ctx):
    row = ctx.session.get(ctx.models.Supervision, params.get("supervision_id"))
    if row is None or row.case_id != ctx.case.id:
        raise HandlerError("supervision_not_found", f"no supervision order {params.get('supervision_id')!r} "
                                                    "for this case")
    return row


def _event(ctx, row, kind: str, detail: dict) -> None:
    ctx.session.add(ctx.models.OrderEvent(order_id=row.order_id, case_id=ctx.case.id, task_id=ctx.task_id,
                                          kind=kind, actor=ctx.actor, at=ctx.now, detail=detail))


def _answer(params: dict, ctx):
    row = _open_row(params, ctx)
    kind, answer = params.get("answer_kind"), str(params.get("answer") or "").strip()
    if kind not in ANSWER_KINDS:
        raise HandlerError("bad_answer_kind", f"answer_kind must be one of {', '.join(ANSWER_KINDS)}")
    if not answer:
        raise HandlerError("empty_answer", "a supervision answer says what was done or why not")
    if row.status == "open":
        row.status, row.answer_kind, row.answer = "answered", kind, answer[:2000]
        row.answered_by, row.answered_at = ctx.actor, ctx.now
        _event(ctx, row, "supervision_answered", {"supervision": row.id, "kind": kind})
        ctx.session.flush()
    return row


def _escalate(params: dict, ctx):
    """Unanswered by its deadline: mark it escalated and name the centre above the issuing one."""
    row = _open_row(params, ctx)
    if row.status == "open":
        issuer = row.from_unit or row.to_unit
        row.status, row.escalated_at = "escalated", ctx.now
        above = dispatching_centre(ctx, issuer)
        row.escalated_to_unit_id = above.id
        _event(ctx, row, "escalated", {"supervision": row.id, "to": above.code})
        ctx.session.flush()
        ctx.session.refresh(row)
    return row


ACTIONS = {"issue": _issue, "answer": _answer, "escalate": _escalate}


def handle(params: dict, ctx) -> dict:
    """``action`` issue (order_id, reason, answer_within), answer (supervision_id, answer_kind, answer)
    or escalate (supervision_id)."""
    action = ACTIONS.get(params.get("action"))
    if action is None:
        raise HandlerError("bad_action", f"action must be one of {', '.join(ACTIONS)}")
    return _result(action(params, ctx))
