"""督办单: issued by the dispatching centre on an open order, answered by the unit or escalated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import ledger
from handlers import dispatch_order, order_event, supervision_order

from .conftest import NOW, raises_code

DISPATCH = {"tier": "village", "location_unit_code": "441581-01-001-01", "round": 1, "accept_within": "PT2H",
            "handle_within": "PT24H"}


def _issue(ctx, task="s", **over):
    order_id = dispatch_order.handle(DISPATCH, ctx("d"))["order_id"]
    order_event.handle({"order_id": order_id, "event": "accepted"}, ctx("a"))
    params = {"action": "issue", "order_id": order_id, "reason": "超时督办", "answer_within": "PT12H"} | over
    return supervision_order.handle(params, ctx(task))


def test_issue_writes_one_record_from_the_dispatching_centre_to_the_unit(ctx, db):
    first = _issue(ctx)
    again = supervision_order.handle({"action": "issue", "order_id": first["order_id"]}, ctx("s"))
    assert first == again
    row = db.session.get(ledger.Supervision, first["supervision_id"])
    assert (row.from_unit.code, row.to_unit.code, row.status) == ("441581-01", "441581-01-001", "open")
    assert (row.reason, row.due_at, first["due"]) == ("超时督办", NOW + timedelta(hours=12),
                                                      (NOW + timedelta(hours=12)).isoformat())
    order = db.session.get(ledger.Order, row.order_id)
    assert order.supervisions == 1
    kinds = db.session.scalars(select(ledger.OrderEvent.kind).where(ledger.OrderEvent.order_id == order.id))
    assert list(kinds) == ["accepted", "supervision"]


def test_the_unit_answers_with_progress_or_an_explanation(ctx, db):
    issued = _issue(ctx)
    with raises_code("bad_answer_kind"):
        supervision_order.handle({"action": "answer", "supervision_id": issued["supervision_id"],
                                  "answer_kind": "其他", "answer": "x"}, ctx("x"))
    with raises_code("empty_answer"):
        supervision_order.handle({"action": "answer", "supervision_id": issued["supervision_id"],
                                  "answer_kind": "进展", "answer": "  "}, ctx("x"))
    result = supervision_order.handle({"action": "answer", "supervision_id": issued["supervision_id"],
                                       "answer_kind": "进展", "answer": "已约双方明日调解"}, ctx("ans"))
    row = db.session.get(ledger.Supervision, issued["supervision_id"])
    assert result["status"] == row.status == "answered"
    assert (row.answer_kind, row.answer, row.answered_at) == ("进展", "已约双方明日调解", NOW)


def test_an_unanswered_supervision_escalates_to_the_centre_above_the_issuer(ctx, db):
    issued = _issue(ctx)
    result = supervision_order.handle({"action": "escalate", "supervision_id": issued["supervision_id"]},
                                      ctx("esc"))
    assert (result["status"], result["notify_unit_code"]) == ("escalated", "441581")  # the town's county
    row = db.session.get(ledger.Supervision, issued["supervision_id"])
    assert (row.escalated_to.code, row.escalated_at) == ("441581", NOW)
    escalated = db.session.scalars(select(ledger.OrderEvent).where(ledger.OrderEvent.order_id == row.order_id)
                                   .order_by(ledger.OrderEvent.id)).all()[-1]
    assert (escalated.kind, escalated.detail) == ("escalated", {"supervision": row.id, "to": "441581"})


def test_the_end_of_the_round_closes_an_unanswered_supervision(ctx, db):
    issued = _issue(ctx)
    order_event.handle({"order_id": issued["order_id"], "event": "timed_out", "reason": "超期"}, ctx("t"))
    row = db.session.get(ledger.Supervision, issued["supervision_id"])
    assert (row.status, row.closed_at) == ("closed", NOW)


def test_no_supervision_on_a_closed_order_or_another_case(ctx, db):
    order_id = dispatch_order.handle(DISPATCH, ctx("d"))["order_id"]
    order_event.handle({"order_id": order_id, "event": "returned", "reason": "不属管辖"}, ctx("r"))
    with raises_code("order_closed"):
        supervision_order.handle({"action": "issue", "order_id": order_id}, ctx("s"))
    with raises_code("order_not_found"):
        supervision_order.handle({"action": "issue", "order_id": order_id}, ctx("s2", case=db.other))
    with raises_code("supervision_not_found"):
        supervision_order.handle({"action": "answer", "supervision_id": 99}, ctx("s3"))
    with raises_code("bad_action"):
        supervision_order.handle({"action": "cancel"}, ctx("s4"))
